import numpy as np
import pytest

from course_utils.checks import Exercise, Incorrect, expect_close, is_placeholder


def _expect_three(answer):
    expect_close(answer, [1.0, -1.0, 0.0], "your contrast")


@pytest.fixture
def q():
    return Exercise("demo", _expect_three, hint="one up, one down", solution="[1, -1, 0]")


def test_three_distinct_outcomes(q):
    outcomes = {q.check(...).status, q.check([1, 1, 0]).status, q.check([1, -1, 0]).status}
    assert outcomes == {"not attempted", "incorrect", "correct"}


@pytest.mark.parametrize("placeholder", [..., None, [1, ..., 0], (..., ...)])
def test_placeholders_are_not_attempted(q, placeholder):
    assert is_placeholder(placeholder)
    assert q.check(placeholder).status == "not attempted"


def test_wrong_answers_say_why(q):
    assert "shape (2,)" in q.check([1, -1]).message
    assert "NaN" in q.check([np.nan, -1, 0]).message
    assert "numbers" in q.check(["a", "b", "c"]).message


def test_assert_correct_raises_on_wrong_answer(q):
    q.assert_correct(np.array([1.0, -1.0, 0.0]))
    with pytest.raises(AssertionError, match="INCORRECT"):
        q.assert_correct([0, 0, 0])
    with pytest.raises(AssertionError, match="NOT ATTEMPTED"):
        q.assert_correct(...)


def test_hint_and_solution(q):
    assert q.hint() == "one up, one down"
    assert q.solution() == "[1, -1, 0]"
    assert "re-read" in Exercise("x", lambda a: None).hint()


def test_checker_errors_other_than_incorrect_propagate():
    def broken(answer):
        raise KeyError("bug in the checker")

    with pytest.raises(KeyError):
        Exercise("x", broken).check(1)
    assert issubclass(Incorrect, Exception)


def test_contrast_equivalents_and_typical_mistakes():
    from course_utils.checks import expect_contrast

    for right in ([1, -1, 0], [0.5, -0.5, 0], [3, -3, 0]):
        expect_contrast(right, [1, -1, 0])
    cases = {
        "does not sum to zero": [1, 0, 0],
        "points the wrong way": [-1, 1, 0],
        "has 2 weights": [1, -1],
        "all zeros": [0, 0, 0],
        "does not compare the right conditions": [1, 0, -1],
        "should be a list": "up",
    }
    for message, answer in cases.items():
        with pytest.raises(Incorrect, match=message):
            expect_contrast(answer, [1, -1, 0])


def test_notebook_exercises_give_three_distinct_outcomes():
    from course_utils.checks import dummy_code_mean, last_versus_rest, standard_error

    for q, wrong, right in [
        (standard_error([1.0, 2.0, 4.0]), 1.0, np.std([1.0, 2.0, 4.0], ddof=1) / np.sqrt(3)),
        (dummy_code_mean(10.0), [0, 1], [1, 1]),
        (last_versus_rest(4), [1, 1, 1, -3], [-1 / 3, -1 / 3, -1 / 3, 1]),
    ]:
        assert [q.check(a).status for a in (..., wrong, right)] == [
            "not attempted", "incorrect", "correct"]
        assert q.hint() and q.solution()
    values = [1.0, 2.0, 4.0]
    assert "ddof=0" in standard_error(values).check(np.std(values) / 3 ** 0.5).message
    assert "reference" in dummy_code_mean(10.0).check([1, 0]).message
    assert "wrong way" in last_versus_rest(4).check([1, 1, 1, -3]).message


def test_map_checker_names_typical_mistakes():
    from course_utils.checks import expect_map, group_tmap

    want = np.array([3.0, -1.0, 0.5, 2.0])
    expect_map(want.copy(), want)
    cases = {
        "wrong sign": -want,
        "3D volume": np.zeros((2, 2, 2)),
        "NaN in 1 voxels": np.r_[want[:3], np.nan],
        "shape": want[:3],
        "right pattern": 0.3 * want,
        "does not match": np.array([1.0, 2.0, 3.0, 4.0]),
    }
    for message, answer in cases.items():
        with pytest.raises(Incorrect, match=message):
            expect_map(answer, want)
    q = group_tmap(want, "t-map", solution="...", swapped="the groups are swapped")
    assert "the groups are swapped" in q.check(-want).message


def test_written_map_checker(tmp_path):
    import nibabel as nib

    from course_utils import results
    from course_utils.checks import written_map

    mask = np.zeros((4, 4, 4), dtype="uint8")
    mask[1:3, 1:3, 1:3] = 1
    mask_img = nib.Nifti1Image(mask, np.eye(4))
    expected = np.arange(8.0) - 3
    out = tmp_path / "outputs"
    q = written_map(expected, mask_img, out, "write it", solution="...")

    def write(values, folder, name, fill=0.0):
        vol = np.full(mask.shape, fill, dtype="float32")
        vol[mask > 0] = values
        return results.save_map(nib.Nifti1Image(vol, np.eye(4)), name, "07", folder=folder)

    assert q.check(...).status == "not attempted"
    assert "no file" in q.check(out / "missing.nii.gz").message
    assert "not in the output folder" in q.check(write(expected, tmp_path / "x", "a")).message
    assert "NaN outside the brain mask" in q.check(write(expected, out, "b", np.nan)).message
    assert "wrong sign" in q.check(write(-expected, out, "c")).message
    other = tmp_path / "x" / "grid.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((5, 5, 5), "float32"), np.eye(4)), other)
    assert "another grid" in written_map(expected, mask_img, tmp_path / "x", "w", "").check(
        other).message
    assert q.check(write(expected, out, "d")).status == "correct"


def test_two_group_design_checker():
    import pandas as pd

    from course_utils.checks import two_group_design

    sex = np.array(["M", "F", "F", "M", "F"])
    want = pd.DataFrame({"male": (sex == "M") * 1.0, "female": (sex == "F") * 1.0})
    q = two_group_design(want, "design", solution="...")
    assert q.check(want).status == "correct"
    assert q.check(np.column_stack([np.ones(5), np.where(sex == "M", 1, -1)])).correct
    assert "one column per subject" in q.check(np.eye(5)).message
    assert "linearly dependent" in q.check(np.column_stack([np.ones(5), want])).message
    assert "one row per subject (5)" in q.check(want.iloc[:4]).message
    assert "does not separate" in q.check(np.column_stack([np.ones(5), np.arange(5.0)])).message


@pytest.fixture(scope="module")
def small_localizer():
    from course_utils import data

    conditions = [c for c in data.CONDITIONS if "checkerboard" not in c]
    return data.synthetic_localizer(seed=3, n_subjects=10, conditions=conditions, cache=False)


def test_localizer_exercises_accept_solutions_and_name_mistakes(small_localizer, tmp_path):
    import nibabel as nib

    from course_utils import checks, designs, glm

    ds = small_localizer
    q = checks.localizer_exercise(ds, "numbers_vs_words", output_folder=tmp_path)
    weights = {"audio_computation": 1, "video_computation": 1, "audio_sentence": -1,
               "video_sentence": -1}
    assert q.contrast.check(weights).correct
    assert q.contrast.check({k: 0.5 * v for k, v in weights.items()}).correct
    assert "does not sum to zero" in q.contrast.check({"audio_computation": 1}).message
    assert "wrong way" in q.contrast.check({k: -v for k, v in weights.items()}).message
    assert "Did you mean 'audio_sentence'" in q.contrast.check({"audio_sentense": 1}).message
    t = glm.regress(designs.one_sample(10), ds.contrast(weights)).t[0]
    assert q.tmap.check(t).correct
    assert "words minus numbers" in q.tmap.check(-t).message
    path = tmp_path / "t.nii.gz"
    nib.save(ds.to_image(t), path)
    assert q.file.check(path).correct
    with pytest.raises(ValueError, match="question must be one of"):
        checks.localizer_exercise(ds, "faces_vs_houses")


def test_sex_difference_exercise(small_localizer, tmp_path):
    import pandas as pd

    from course_utils import checks, glm

    ds = small_localizer
    q = checks.sex_difference_exercise(ds, output_folder=tmp_path)
    sex = ds.participants.set_index("subject").loc[ds.subjects, "sex"].to_numpy()
    design = pd.DataFrame({"male": (sex == "M") * 1.0, "female": (sex == "F") * 1.0})
    assert q.design.check(design).correct
    assert "one column per subject" in q.design.check(np.eye(10)).message
    fit = glm.regress(design, ds.contrast(checks.SEX_QUESTION))
    t = glm.contrast(fit, [1, -1]).t
    assert q.tmap.check(t).correct
    assert "the groups are swapped" in q.tmap.check(-t).message


def test_sex_difference_exercise_without_sexes_says_so_and_judges_nothing(small_localizer,
                                                                         tmp_path, capsys):
    from dataclasses import replace

    from course_utils import checks

    ds = small_localizer
    no_table = replace(ds, participants=ds.participants[["subject"]])
    q = checks.sex_difference_exercise(no_table, output_folder=tmp_path)
    for part in (q.design, q.tmap, q.file):
        feedback = part.check(np.ones(3))
        assert feedback.status == "not attempted" and "has no sex" in feedback.message
        with pytest.raises(AssertionError):
            part.assert_correct(np.ones(3))
    assert no_table.covariates("sex", purpose="exercise 3") is None
    assert "so exercise 3 is skipped" in capsys.readouterr().out
    # one subject of unknown sex: the exercise uses the others
    people = ds.participants.copy()
    people.loc[0, "sex"] = None
    partial = replace(ds, participants=people)
    q = checks.sex_difference_exercise(partial, output_folder=tmp_path)
    known = partial.covariates("sex")
    assert len(known) == len(ds.subjects) - 1
    sex = known["sex"].to_numpy()
    import pandas as pd
    design = pd.DataFrame({"male": (sex == "M") * 1.0, "female": (sex == "F") * 1.0})
    assert q.design.check(design).correct


def test_peak_cohens_d_names_the_typical_mistakes(small_localizer):
    from course_utils import checks

    ds = small_localizer
    condition = ds.conditions[0]
    q = checks.peak_cohens_d(ds, condition)
    y = ds.array(condition).astype(float)
    n = y.shape[0]
    t = y.mean(0) / (y.std(0, ddof=1) / np.sqrt(n))
    peak = int(np.argmax(t))
    d = t[peak] / np.sqrt(n)
    assert q.check(d).correct
    assert "t value" in q.check(t[peak]).message
    assert "by n" in q.check(t[peak] / n).message
    assert "ddof=0" in q.check(y[:, peak].mean() / y[:, peak].std()).message
    assert "sign" in q.check(-d).message
    assert "too large" in q.check(d * 1.5).message and "too small" in q.check(d / 3).message
    assert q.check("big").status == "incorrect"
