"""Tests of checks.exercises: the Localizer exercises (contrast, t-map, threshold, file)."""

import numpy as np
import pytest

from course_utils.teaching.checks import exercises, paired_maps


@pytest.fixture(scope="module")
def small_localizer():
    from course_utils.experiments import data

    conditions = [c for c in data.CONDITIONS if "checkerboard" not in c]
    return data.synthetic_localizer(seed=3, n_subjects=10, conditions=conditions, cache=False)


def test_localizer_exercises_accept_solutions_and_name_mistakes(small_localizer, tmp_path):
    import nibabel as nib

    from course_utils.stats import designs, glm

    ds = small_localizer
    q = exercises.localizer_exercise(ds, "numbers_vs_words", output_folder=tmp_path)
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
        exercises.localizer_exercise(ds, "faces_vs_houses")


def test_visual_exercise_is_paired_and_corrected(small_localizer, tmp_path):
    from scipy import stats

    from course_utils.stats import designs, glm, inference

    ds = small_localizer
    order = ds.subjects[::-1]
    q = exercises.localizer_exercise(
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

    ds = small_localizer
    q = exercises.sex_difference_exercise(ds, output_folder=tmp_path)
    sex = ds.participants.set_index("subject").loc[ds.subjects, "sex"].to_numpy()
    design = pd.DataFrame({"male": (sex == "M") * 1.0, "female": (sex == "F") * 1.0})
    assert q.design.check(design).correct
    assert "one column per subject" in q.design.check(np.eye(10)).message
    assert "male group alone" in q.design.check(design[["male"]]).message
    scores = ds.contrast(exercises.SEX_QUESTION)
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

    from scipy import stats

    people = small_localizer.participants.copy()
    people.loc[0, "sex"] = None  # 9 subjects left: groups of 4 and 5
    ds = replace(small_localizer, participants=people)
    q = exercises.sex_difference_exercise(ds, output_folder=tmp_path)
    known = ds.covariates("sex", verbose=False)
    scores = ds.contrast(exercises.SEX_QUESTION, subjects=list(known.index))
    male = known["sex"].to_numpy() == "M"
    welch = stats.ttest_ind(scores[male], scores[~male], equal_var=False).statistic
    assert "Welch" in q.tmap.check(welch).message
    assert q.tmap.check(stats.ttest_ind(scores[male], scores[~male]).statistic).correct


def test_sex_difference_exercise_without_sexes_says_so_and_judges_nothing(
    small_localizer, tmp_path, capsys
):
    from dataclasses import replace

    ds = small_localizer
    no_table = replace(ds, participants=ds.participants[["subject"]])
    q = exercises.sex_difference_exercise(no_table, output_folder=tmp_path)
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
    q = exercises.sex_difference_exercise(partial, output_folder=tmp_path)
    known = partial.covariates("sex")
    assert len(known) == len(ds.subjects) - 1
    sex = known["sex"].to_numpy()
    import pandas as pd

    design = pd.DataFrame({"male": (sex == "M") * 1.0, "female": (sex == "F") * 1.0})
    assert q.design.check(design).correct


def test_written_map_checker(tmp_path):
    import nibabel as nib

    from course_utils import results

    mask = np.zeros((4, 4, 4), dtype="uint8")
    mask[1:3, 1:3, 1:3] = 1
    mask_img = nib.Nifti1Image(mask, np.eye(4))
    expected = np.arange(8.0) - 3
    out = tmp_path / "outputs"
    q = exercises.written_map_exercise(expected, out, "write it", mask_img=mask_img)

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
        in exercises.written_map_exercise(expected, tmp_path / "x", "w", mask_img=mask_img)
        .check(other)
        .message
    )
    assert q.check(write(expected, out, "d")).status == "correct"


def test_paired_tmap_names_unaligned_rows_and_a_two_sample_test(small_localizer):
    from course_utils.stats import designs, glm

    ds = small_localizer
    order = list(np.random.default_rng(0).permutation(ds.subjects))
    q = paired_maps.paired_tmap_exercise(
        ds,
        "video_sentence",
        "audio_sentence",
        name="paired",
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

    ds = small_localizer
    order = ds.subjects[::-1]
    q = paired_maps.paired_tmap_exercise(
        ds, "video_computation", "audio_computation", plus_subjects=order
    )
    wrong = glm.regress(
        designs.one_sample(10), ds.array("video_computation", order) - ds.array("audio_computation")
    ).t[0]
    assert not q.check(wrong).correct


def test_localizer_tmap_messages_are_those_the_exercises_notebook_prints(small_localizer, tmp_path):
    """The exercises notebook prints the feedback on these two wrong maps."""
    from course_utils.stats import designs, glm

    ds = small_localizer
    heard_subjects = [str(s) for s in np.random.default_rng(0).permutation(ds.subjects)]
    q = exercises.localizer_exercise(
        ds, "visual_vs_auditory", tmp_path, minus_subjects=heard_subjects, n_perm=100
    )
    n = len(ds.subjects)
    seen = ds.contrast({c: 1 for c in ds.conditions if c.startswith("video")})
    heard = ds.contrast(
        {c: 1 for c in ds.conditions if c.startswith("audio")}, subjects=heard_subjects
    )
    by_position = glm.regress(designs.one_sample(n), seen - heard).t[0]
    unpaired = glm.contrast(
        glm.regress(designs.two_sample(n, n), np.vstack([seen, heard])), [0, 1]
    ).t
    assert str(q.tmap.check(by_position)) == (
        "[x] Exercise 1: seen vs heard (t-map): INCORRECT. you subtracted rows that are not "
        "the same subject: the two arrays list the subjects in different orders. Match them by "
        "subject ID first (designs.align_subjects), then subtract."
    )
    assert str(q.tmap.check(unpaired)) == (
        "[x] Exercise 1: seen vs heard (t-map): INCORRECT. that is a two-sample test, which "
        "treats the two maps as if they came from different people. Every subject has both, so "
        "the test is paired: test each subject's difference map with a one-sample t-test."
    )
    assert q.tmap.hint() == exercises.TMAP_HINT
    assert "not a finite number" in q.threshold.check(np.nan).message
