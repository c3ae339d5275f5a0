import numpy as np
import pytest

from course_utils.teaching.checks import Exercise, Incorrect, expect_close, is_placeholder


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
    assert repr(q.hint()) == "one up, one down"  # shown as plain text in a notebook
    assert "re-read" in Exercise("x", lambda a: None).hint()


def test_solution_is_never_printed_or_returned(q, capsys):
    """The solution= keyword is still accepted, but only the instructor edition has answers."""
    said = q.solution()
    assert "[1, -1, 0]" not in said and "instructor edition" in said
    assert "[1, -1, 0]" not in repr(q) + str(vars(q)) + capsys.readouterr().out


def test_checker_errors_are_reported_as_incorrect_never_raised():
    def broken(answer):
        raise KeyError("bug in the checker")

    def picky(answer):
        float(answer)  # ValueError on text

    feedback = Exercise("x", broken).check(1)
    assert feedback.status == "incorrect" and "KeyError" in feedback.message
    feedback = Exercise("x", picky).check("six")
    assert feedback.status == "incorrect"
    assert "could not be checked" in feedback.message and "a str" in feedback.message
    with pytest.raises(AssertionError, match="INCORRECT"):
        Exercise("x", broken).assert_correct(1)
    assert issubclass(Incorrect, Exception)


def test_contrast_equivalents_and_typical_mistakes():
    from course_utils.teaching.checks import expect_contrast

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
    from course_utils.teaching.checks import dummy_code_mean, last_versus_rest, standard_error

    for q, wrong, right in [
        (standard_error([1.0, 2.0, 4.0]), 1.0, np.std([1.0, 2.0, 4.0], ddof=1) / np.sqrt(3)),
        (dummy_code_mean(10.0), [0, 1], [1, 1]),
        (last_versus_rest(4), [1, 1, 1, -3], [-1 / 3, -1 / 3, -1 / 3, 1]),
    ]:
        assert [q.check(a).status for a in (..., wrong, right)] == [
            "not attempted",
            "incorrect",
            "correct",
        ]
        assert q.hint() and "instructor edition" in q.solution()
    values = [1.0, 2.0, 4.0]
    assert "ddof=0" in standard_error(values).check(np.std(values) / 3**0.5).message
    assert "reference" in dummy_code_mean(10.0).check([1, 0]).message
    assert "wrong way" in last_versus_rest(4).check([1, 1, 1, -3]).message


def test_map_checker_names_typical_mistakes():
    from course_utils.teaching.checks import expect_map, group_tmap

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
    from course_utils.teaching.checks import written_map

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
    assert (
        "another grid"
        in written_map(expected, mask_img, tmp_path / "x", "w", "").check(other).message
    )
    assert q.check(write(expected, out, "d")).status == "correct"


def test_two_group_design_checker():
    import pandas as pd

    from course_utils.teaching.checks import two_group_design

    sex = np.array(["M", "F", "F", "M", "F"])
    want = pd.DataFrame({"male": (sex == "M") * 1.0, "female": (sex == "F") * 1.0})
    q = two_group_design(want, "design", solution="...")
    assert q.check(want).status == "correct"
    assert q.check(np.column_stack([np.ones(5), np.where(sex == "M", 1, -1)])).correct
    assert "one column per subject" in q.check(np.eye(5)).message
    assert "linearly dependent" in q.check(np.column_stack([np.ones(5), want])).message
    assert "one row per subject (5)" in q.check(want.iloc[:4]).message
    assert "does not separate" in q.check(np.column_stack([np.ones(5), np.arange(5.0)])).message


def test_two_group_design_names_the_typical_mistakes():
    import pandas as pd

    from course_utils.teaching.checks import two_group_design

    sex = np.array(["M", "F", "F", "M", "F", "M"])
    want = pd.DataFrame({"male": (sex == "M") * 1.0, "female": (sex == "F") * 1.0})
    q = two_group_design(want, "design")
    male_only = q.check(pd.DataFrame({"male": (sex == "M") * 1.0})).message
    assert "0/1 column for the male group alone" in male_only
    assert "no intercept" in male_only and "female" in male_only
    female_only = q.check(pd.DataFrame({"female": (sex == "F") * 1.0})).message
    assert "0/1 column for the female group alone" in female_only
    assert "one-sample design" in q.check(np.ones(6)).message
    assert "+1/-1 group column alone" in q.check(np.where(sex == "M", 1.0, -1.0)).message
    sorted_rows = want.sort_values("male").reset_index(drop=True)
    assert "not in the order of the subjects" in q.check(sorted_rows).message
    text = pd.DataFrame({"sex": sex})
    assert "holds text" in q.check(text).message
    assert q.check("male, female").status == "incorrect"
    assert (
        "NaN" in q.check(np.column_stack([want["male"], np.r_[want["female"][:5], np.nan]])).message
    )


@pytest.fixture(scope="module")
def small_localizer():
    from course_utils.experiments import data

    conditions = [c for c in data.CONDITIONS if "checkerboard" not in c]
    return data.synthetic_localizer(seed=3, n_subjects=10, conditions=conditions, cache=False)


def test_localizer_exercises_accept_solutions_and_name_mistakes(small_localizer, tmp_path):
    import nibabel as nib

    from course_utils.stats import designs, glm
    from course_utils.teaching import checks

    ds = small_localizer
    q = checks.localizer_exercise(ds, "numbers_vs_words", output_folder=tmp_path)
    weights = {
        "audio_computation": 1,
        "video_computation": 1,
        "audio_sentence": -1,
        "video_sentence": -1,
    }
    assert q.contrast.check(weights).correct
    assert q.contrast.check({k: 0.5 * v for k, v in weights.items()}).correct
    assert "does not sum to zero" in q.contrast.check({"audio_computation": 1}).message
    assert "wrong way" in q.contrast.check({k: -v for k, v in weights.items()}).message
    assert "Did you mean 'audio_sentence'" in q.contrast.check({"audio_sentense": 1}).message
    assert (
        "written (video) trials only"
        in q.contrast.check({"video_computation": 1, "video_sentence": -1}).message
    )
    assert "should be a number" in q.contrast.check({"audio_computation": "one"}).message
    assert "not as text" in q.contrast.check("numbers minus words").message
    t = glm.regress(designs.one_sample(10), ds.contrast(weights)).t[0]
    assert q.tmap.check(t).correct
    assert "words minus numbers" in q.tmap.check(-t).message
    path = tmp_path / "t.nii.gz"
    nib.save(ds.to_image(t), path)
    assert q.file.check(path).correct
    assert "give the path" in q.file.check(3.5).message
    assert q.file.check(t).status == "incorrect"
    assert q.threshold.check("4.5").status == "incorrect"
    with pytest.raises(ValueError, match="question must be one of"):
        checks.localizer_exercise(ds, "faces_vs_houses")


def test_visual_exercise_is_paired_and_corrected(small_localizer, tmp_path):
    from scipy import stats

    from course_utils.stats import designs, glm, inference
    from course_utils.teaching import checks

    ds = small_localizer
    order = ds.subjects[::-1]
    q = checks.localizer_exercise(
        ds, "visual_vs_auditory", output_folder=tmp_path, minus_subjects=order, n_perm=200
    )
    weights = {c: (1 if c.startswith("video") else -1) for c in ds.conditions}
    assert q.contrast.check(weights).correct
    hands = {
        "video_left_hand": 1,
        "video_right_hand": 1,
        "audio_left_hand": -1,
        "audio_right_hand": -1,
    }
    assert "button-press instructions (*_hand) only" in q.contrast.check(hands).message
    seen = ds.contrast({c: 1 for c in ds.conditions if c.startswith("video")})
    heard = ds.contrast({c: 1 for c in ds.conditions if c.startswith("audio")}, subjects=order)
    ia, ib, _ = designs.align_subjects(ds.subjects, order)
    t = glm.regress(designs.one_sample(10), seen[ia] - heard[ib]).t[0]
    assert q.tmap.check(t).correct
    assert q.tmap.check(glm.regress(designs.one_sample(10), ds.contrast(weights)).t[0]).correct
    assert (
        "not the same subject"
        in q.tmap.check(glm.regress(designs.one_sample(10), seen - heard).t[0]).message
    )
    threshold = inference.permutation_test(seen[ia] - heard[ib], n_perm=200, seed=0).fwe_threshold(
        0.05
    )
    assert q.threshold.check(threshold).correct
    assert "uncorrected" in q.threshold.check(stats.t.isf(0.025, 9)).message


def test_sex_difference_exercise(small_localizer, tmp_path):
    import pandas as pd

    from course_utils.stats import designs, glm
    from course_utils.teaching import checks

    ds = small_localizer
    q = checks.sex_difference_exercise(ds, output_folder=tmp_path)
    sex = ds.participants.set_index("subject").loc[ds.subjects, "sex"].to_numpy()
    design = pd.DataFrame({"male": (sex == "M") * 1.0, "female": (sex == "F") * 1.0})
    assert q.design.check(design).correct
    assert "one column per subject" in q.design.check(np.eye(10)).message
    assert "male group alone" in q.design.check(design[["male"]]).message
    scores = ds.contrast(checks.SEX_QUESTION)
    fit = glm.regress(design, scores)
    t = glm.contrast(fit, [1, -1]).t
    assert q.tmap.check(t).correct
    assert "the groups are swapped" in q.tmap.check(-t).message
    # the headline mistakes, each with its own message
    men = scores[sex == "M"]
    men_only = glm.regress(designs.one_sample(len(men)), men).t[0]
    assert "one-sample test of the men alone" in q.tmap.check(men_only).message
    male_column = glm.regress(design[["male"]], scores).t[0]
    message = q.tmap.check(male_column).message
    assert "only a `male` 0/1 column" in message and "without an intercept" in message
    everyone = glm.regress(designs.one_sample(10), scores).t[0]
    assert "every subject" in q.tmap.check(everyone).message
    assert "one per voxel" in q.tmap.check("t_sex").message
    assert q.threshold is not None and q.se is not None


def test_sex_difference_tmap_recognises_welch_when_groups_differ(small_localizer, tmp_path):
    from dataclasses import replace

    from course_utils.teaching import checks
    from course_utils.teaching.checks.maps import _two_sample_t

    people = small_localizer.participants.copy()
    people.loc[0, "sex"] = None  # 9 subjects left: groups of 4 and 5
    ds = replace(small_localizer, participants=people)
    q = checks.sex_difference_exercise(ds, output_folder=tmp_path)
    known = ds.covariates("sex", verbose=False)
    scores = ds.contrast(checks.SEX_QUESTION, subjects=list(known.index))
    male = known["sex"].to_numpy() == "M"
    welch = _two_sample_t(scores[male], scores[~male], welch=True)
    assert "Welch" in q.tmap.check(welch).message
    assert q.tmap.check(_two_sample_t(scores[male], scores[~male])).correct


def test_standard_error_of_a_difference_names_the_variance_and_other_slips():
    from course_utils.teaching import checks

    q = checks.difference_se(12, 18, "se", labels=("men", "women"))
    right = np.sqrt(1 / 12 + 1 / 18)
    assert q.check(right).correct and q.check(round(right, 4)).correct
    assert "variance of the difference" in q.check(1 / 12 + 1 / 18).message
    assert "square root" in q.check(1 / 12 + 1 / 18).message
    assert "one mean of all 30 subjects" in q.check(1 / np.sqrt(30)).message
    assert "added the two standard errors" in q.check(1 / np.sqrt(12) + 1 / np.sqrt(18)).message
    assert "whole class" in q.check(np.sqrt(2 / 30)).message
    assert "men's mean alone" in q.check(1 / np.sqrt(12)).message
    assert "too large" in q.check(1.0).message
    for junk in ("0.3", [0.3, 0.4], None, {"se": 0.3}):
        assert q.check(junk).status in {"incorrect", "not attempted"}


def test_corrected_threshold_recognises_uncorrected_bonferroni_and_fdr():
    from scipy import stats

    from course_utils.stats import inference
    from course_utils.teaching.checks import corrected_threshold

    rng = np.random.default_rng(0)
    y = rng.normal(size=(12, 400)).astype(np.float32)
    y[:, :40] += 1.2
    q = corrected_threshold(y, "max-T", method="max-t", n_perm=500, seed=1)
    right = inference.permutation_test(y, n_perm=500, seed=1).fwe_threshold(0.05)
    assert q.check(right).correct
    other_seed = inference.permutation_test(y, n_perm=500, seed=7).fwe_threshold(0.05)
    assert q.check(other_seed).correct  # Monte Carlo error is tolerated
    df = 11
    assert "arbitrary |t| > 3.5" in q.check(3.5).message
    assert "p < 0.05 at each voxel" in q.check(stats.t.isf(0.025, df)).message
    assert "uncorrected" in q.check(stats.t.isf(0.0005, df)).message
    assert "Bonferroni" in q.check(inference.bonferroni_threshold(0.05, 400, df)).message
    t = stats.ttest_1samp(y, 0).statistic
    p = 2 * stats.t.sf(np.abs(t), df)
    fdr = np.abs(t)[p <= inference.fdr_threshold(p)].min()
    assert "FDR threshold" in q.check(fdr).message
    assert "a p-value" in q.check(inference.fdr_threshold(p)).message
    assert "too low" in q.check(right * 0.8).message
    assert "too high" in q.check(right * 1.3).message
    for junk in ("6", [6.0, 6.0], True, {"t": 6}):
        assert q.check(junk).status == "incorrect"
    q = corrected_threshold(y, "FDR", method="fdr")
    assert q.check(fdr).correct
    assert "Bonferroni" in q.check(inference.bonferroni_threshold(0.05, 400, df)).message
    one_sided = stats.t.sf(t, df)
    fdr1 = t[one_sided <= inference.fdr_threshold(one_sided)].min()
    assert "one-sided FDR" in q.check(fdr1).message
    with pytest.raises(ValueError, match="method"):
        corrected_threshold(y, "x", method="bonferroni")


def test_corrected_threshold_when_nothing_survives():
    from course_utils.teaching.checks import corrected_threshold

    y = np.random.default_rng(2).normal(size=(10, 50))
    q = corrected_threshold(lambda: y, "FDR", method="fdr")  # data given lazily
    assert q.check(np.inf).correct
    assert "infinite" in q.check(4.0).message


def test_paired_tmap_names_unaligned_rows_and_a_two_sample_test(small_localizer):
    from course_utils.stats import designs, glm
    from course_utils.teaching import checks

    ds = small_localizer
    order = list(np.random.default_rng(0).permutation(ds.subjects))
    q = checks.paired_tmap(
        ds,
        "video_sentence",
        "audio_sentence",
        "paired",
        minus_subjects=order,
        swapped="you computed heard minus seen",
    )
    seen = ds.array("video_sentence")
    heard = ds.array("audio_sentence", subjects=order)  # another subject order
    one_sample = designs.one_sample(10)
    ia, ib, _ = designs.align_subjects(ds.subjects, order)
    right = glm.regress(one_sample, seen[ia] - heard[ib]).t[0]
    assert q.check(right).correct
    by_position = glm.regress(one_sample, seen - heard).t[0]
    assert np.corrcoef(by_position, right)[0, 1] > 0.5  # it looks plausible ...
    assert "not the same subject" in q.check(by_position).message  # ... and is named
    assert "direction is reversed" in q.check(-by_position).message
    stacked = np.vstack([seen, heard])
    unpaired = glm.contrast(glm.regress(designs.two_sample(10, 10), stacked), [0, 1]).t
    assert "two-sample test" in q.check(unpaired).message
    assert "alone" in q.check(glm.regress(one_sample, seen).t[0]).message
    assert "heard minus seen" in q.check(-right).message
    assert "3D volume" in q.check(np.zeros((2, 2, 2))).message
    assert "numbers" in q.check("t_vh").message


def test_paired_tmap_expects_the_map_of_the_data_not_of_a_notebook_variable(small_localizer):
    """A position-paired map is wrong even when the notebook computed it (the old lesson)."""
    from course_utils.stats import designs, glm
    from course_utils.teaching import checks

    ds = small_localizer
    order = ds.subjects[::-1]
    q = checks.paired_tmap(
        ds, "video_computation", "audio_computation", "demo", plus_subjects=order
    )
    wrong = glm.regress(
        designs.one_sample(10), ds.array("video_computation", order) - ds.array("audio_computation")
    ).t[0]
    assert not q.check(wrong).correct


def test_sex_difference_exercise_without_sexes_says_so_and_judges_nothing(
    small_localizer, tmp_path, capsys
):
    from dataclasses import replace

    from course_utils.teaching import checks

    ds = small_localizer
    no_table = replace(ds, participants=ds.participants[["subject"]])
    q = checks.sex_difference_exercise(no_table, output_folder=tmp_path)
    for part in (q.design, q.tmap, q.file, q.threshold, q.se):
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
    from course_utils.teaching import checks

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
