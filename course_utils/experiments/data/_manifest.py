"""The Localizer's names, the data manifest, and checks of names given by users.

:data:`CONDITIONS` names the ten conditions; ``data_manifest.yaml`` (read by
:func:`load_manifest`, checked by :func:`validate_manifest`) says where each copy of the data
comes from, how to cite it and how to verify it. :func:`nilearn_file_stem` gives the name nilearn
writes a contrast's files under, by nilearn's own rule.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import yaml

#: The ten conditions of the Localizer task (DartBrains names), in a fixed order.
CONDITIONS = (
    "audio_computation",
    "audio_left_hand",
    "audio_right_hand",
    "audio_sentence",
    "horizontal_checkerboard",
    "vertical_checkerboard",
    "video_computation",
    "video_left_hand",
    "video_right_hand",
    "video_sentence",
)

#: Real data sets, in the order :func:`load_localizer` prefers them.
REAL_DATASETS = ("localizer_nilearn", "localizer_dartbrains")

#: Number of subjects when neither ``n_subjects`` nor ``COURSE_N_SUBJECTS`` says otherwise.
DEFAULT_N_SUBJECTS = 30

#: The manifest describing every data set (read by :func:`load_manifest`; the environment
#: variable ``COURSE_DATA_MANIFEST`` names another one, e.g. for a test server's copy).
MANIFEST_PATH = Path(__file__).resolve().parents[3] / "data_manifest.yaml"

#: Voxel grid of the real Localizer maps (nilearn's ``load_sample_motor_activation_image()``):
#: 53 x 63 x 46 voxels of 3 mm; x runs from right to left.
LOCALIZER_SHAPE = (53, 63, 46)
LOCALIZER_AFFINE = np.array(
    [[-3.0, 0.0, 0.0, 78.0], [0.0, 3.0, 0.0, -112.0], [0.0, 0.0, 3.0, -50.0], [0.0, 0.0, 0.0, 1.0]]
)


class DataUnavailableError(RuntimeError):
    """The requested data are not available here; the message says how to get them.

    Parameters
    ----------
    message : str
        What is missing and how to get it.

    Examples
    --------
    >>> raise DataUnavailableError("no network: run `course-data fetch` with internet")
    Traceback (most recent call last):
    ...
    course_utils.experiments.data.DataUnavailableError: no network: run `course-data fetch` ...
    """

    __module__ = "course_utils.experiments.data"  # where users import it from


def load_manifest(path: str | os.PathLike[str] | None = None) -> dict:
    """Read the data manifest (``data_manifest.yaml``).

    Parameters
    ----------
    path : path-like, optional
        Manifest file; default ``COURSE_DATA_MANIFEST`` when set, else :data:`MANIFEST_PATH`.

    Returns
    -------
    dict
        The parsed manifest, with a ``datasets`` mapping.

    Raises
    ------
    DataUnavailableError
        When the file is missing or is not a manifest.

    Examples
    --------
    >>> manifest = load_manifest()
    >>> sorted(manifest["datasets"])
    ['localizer_dartbrains', 'localizer_nilearn', 'synthetic']
    """
    if path is None:
        path = os.environ.get("COURSE_DATA_MANIFEST", "").strip() or MANIFEST_PATH
    path = Path(path)
    if not path.is_file():
        raise DataUnavailableError(
            f"The data manifest {path} is missing: run from a checkout of the course repository."
        )
    manifest = yaml.safe_load(path.read_text())
    if not isinstance(manifest, dict) or not isinstance(manifest.get("datasets"), dict):
        raise DataUnavailableError(f"{path} is not a data manifest (no 'datasets' mapping).")
    return manifest


_HEX = frozenset("0123456789abcdef")


def is_sha256(value: object) -> bool:
    """Whether ``value`` is written like a SHA-256 checksum (64 hexadecimal digits).

    Parameters
    ----------
    value : object
        A value read from the manifest or a lock file.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_sha256("ab" * 32), is_sha256("unknown")
    (True, False)
    """
    return isinstance(value, str) and len(value) == 64 and set(value.lower()) <= _HEX


def validate_manifest(manifest: Mapping) -> list[str]:
    """List what is wrong with a data manifest (an empty list when it is valid).

    Every data set needs a title, description, citation (list of strings), licence, a
    ``source`` of kind ``nilearn`` (with ``fetcher`` and ``host``), ``pooch`` (with an https
    ``base_url`` ending in ``/`` and a ``file_pattern``) or ``generated``, a 3D ``grid`` and a
    ``sha256`` that is ``"unknown"``, a checksum, or a mapping from file to checksum.

    Parameters
    ----------
    manifest : mapping
        As returned by :func:`load_manifest`.

    Returns
    -------
    list of str
        One message per problem.

    Examples
    --------
    >>> validate_manifest(load_manifest())
    []
    >>> validate_manifest({"version": 1, "conditions": list(CONDITIONS),
    ...                    "datasets": {"x": {"title": "x"}}})[0]
    "x: missing 'description'"
    """
    problems = []
    if manifest.get("version") != 1:
        problems.append("version must be 1")
    if list(manifest.get("conditions", [])) != list(CONDITIONS):
        problems.append(f"conditions must be {list(CONDITIONS)}")
    datasets = manifest.get("datasets")
    if not isinstance(datasets, Mapping) or not datasets:
        return [*problems, "datasets must be a non-empty mapping"]
    for name, entry in datasets.items():
        if not isinstance(entry, Mapping):
            problems.append(f"{name}: must be a mapping")
            continue
        for key in ("title", "description", "citation", "licence", "source", "grid", "sha256"):
            if key not in entry:
                problems.append(f"{name}: missing {key!r}")
        citation = entry.get("citation")
        if "citation" in entry and (
            not isinstance(citation, list)
            or not citation
            or not all(isinstance(c, str) and len(c) > 10 for c in citation)
        ):
            problems.append(f"{name}: citation must be a non-empty list of references")
        source = entry.get("source", {})
        kind = source.get("kind") if isinstance(source, Mapping) else None
        if "source" in entry and kind not in ("nilearn", "pooch", "generated"):
            problems.append(f"{name}: source.kind must be nilearn, pooch or generated")
        if kind == "nilearn":
            for key in ("fetcher", "host"):
                if not source.get(key):
                    problems.append(f"{name}: source.{key} is required for nilearn")
            contrasts = entry.get("contrasts", {})
            if sorted(contrasts) != sorted(CONDITIONS):
                problems.append(f"{name}: contrasts must map every condition to a nilearn name")
        if kind == "pooch":
            url = str(source.get("base_url", ""))
            if not (url.startswith("https://") and url.endswith("/")):
                problems.append(f"{name}: source.base_url must be https://... ending in '/'")
            pattern = str(entry.get("file_pattern", ""))
            if "{subject}" not in pattern or "{condition}" not in pattern:
                problems.append(f"{name}: file_pattern needs {{subject}} and {{condition}}")
            subjects = entry.get("subjects", {})
            if not all(k in subjects for k in ("prefix", "first", "last", "width")):
                problems.append(f"{name}: subjects needs prefix, first, last and width")
        grid = entry.get("grid", {})
        if "grid" in entry and (
            not isinstance(grid, Mapping)
            or len(grid.get("shape", [])) != 3
            or not grid.get("voxel_mm")
        ):
            problems.append(f"{name}: grid needs a 3D shape and voxel_mm")
        size = entry.get("expected_map_size_bytes", "unknown")
        if size != "unknown" and not (isinstance(size, int) and size > 0):
            problems.append(f"{name}: expected_map_size_bytes must be a positive int or unknown")
        sha = entry.get("sha256")
        if (
            "sha256" in entry
            and sha != "unknown"
            and not is_sha256(sha)
            and not (isinstance(sha, Mapping) and all(is_sha256(v) for v in sha.values()))
        ):
            problems.append(f"{name}: sha256 must be 'unknown', a checksum or {{file: checksum}}")
    return problems


def check_names(names: str | Iterable[str], valid: Sequence[str], what: str) -> list[str]:
    """Return ``names`` as a list, or raise ValueError naming the valid choices.

    Parameters
    ----------
    names : str or iterable of str
        Names to check.
    valid : sequence of str
        The allowed names.
    what : str
        What the names are ("condition", "subject"), for the message.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        For an unknown name: the message gives the closest valid name and lists all of them.

    Examples
    --------
    >>> check_names("audio_sentence", CONDITIONS, "condition")
    ['audio_sentence']
    >>> check_names(["audio_sentences"], CONDITIONS, "condition")
    Traceback (most recent call last):
    ...
    ValueError: Unknown condition 'audio_sentences'. Did you mean 'audio_sentence'? ...
    """
    names = [names] if isinstance(names, str) else list(names)
    valid = list(valid)
    for name in names:
        if name not in valid:
            close = difflib.get_close_matches(str(name), [str(v) for v in valid], n=1, cutoff=0.5)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            shown = ", ".join(valid) if len(valid) <= 20 else ", ".join(valid[:20]) + ", ..."
            raise ValueError(f"Unknown {what} {name!r}.{hint} Valid {what}s: {shown}.")
    return names


def n_subjects_default() -> int:
    """The number of subjects to load when the caller does not say: ``COURSE_N_SUBJECTS`` or 30.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        ``COURSE_N_SUBJECTS`` is not a whole number, or is below 2.

    Examples
    --------
    >>> import os
    >>> os.environ["COURSE_N_SUBJECTS"] = "94"
    >>> n_subjects_default()
    94
    >>> del os.environ["COURSE_N_SUBJECTS"]
    >>> n_subjects_default() == DEFAULT_N_SUBJECTS
    True
    """
    value = os.environ.get("COURSE_N_SUBJECTS", "").strip()
    if not value:
        return DEFAULT_N_SUBJECTS
    try:
        n = int(value)
    except ValueError:
        raise ValueError(
            f"COURSE_N_SUBJECTS={value!r} is not a whole number: set it to, e.g., "
            "30 or 94, or unset it."
        ) from None
    if n < 2:
        raise ValueError(f"COURSE_N_SUBJECTS={n}: a group analysis needs at least 2 subjects.")
    return n


def as_weights(
    condition_or_weights: str | Mapping[str, float], valid: Sequence[str]
) -> dict[str, float]:
    """A condition name or a contrast ``{condition: weight}`` as checked float weights.

    Parameters
    ----------
    condition_or_weights : str or mapping of str to float
        One condition (weight 1) or weights by condition.
    valid : sequence of str
        The conditions that exist.

    Returns
    -------
    dict of str to float

    Raises
    ------
    ValueError
        An unknown condition (the message suggests the closest one).
    TypeError
        Neither a name nor a non-empty mapping.

    Examples
    --------
    >>> as_weights("audio_sentence", CONDITIONS)
    {'audio_sentence': 1.0}
    >>> as_weights({"audio_sentence": 1, "video_sentence": -1}, CONDITIONS)
    {'audio_sentence': 1.0, 'video_sentence': -1.0}
    """
    if isinstance(condition_or_weights, str):
        check_names(condition_or_weights, valid, "condition")
        return {condition_or_weights: 1.0}
    if not isinstance(condition_or_weights, Mapping) or not condition_or_weights:
        raise TypeError(
            "Give a condition name or a mapping {condition: weight}, e.g. "
            "{'horizontal_checkerboard': 1, 'vertical_checkerboard': -1}."
        )
    check_names(list(condition_or_weights), valid, "condition")
    return {name: float(w) for name, w in condition_or_weights.items()}


def nilearn_file_stem(contrast: str) -> str:
    """The name under which nilearn's Localizer fetcher stores a contrast's files.

    nilearn (``nilearn.datasets.fetch_localizer_contrasts``) first maps a requested name to the
    study's own (``CONTRAST_NAME_WRAPPER``: "calculation (auditory cue)" is "auditory
    calculation"), then writes ``brainomics_data/<subject>/cmaps_<stem>.nii.gz`` (and
    ``tmaps_<stem>.nii.gz``) with that name in title case, spaces removed. This function applies
    the same rule with nilearn's own table; :func:`course_utils.experiments.data.fetch` checks
    it against the paths nilearn returns, and the tests against nilearn's fetcher itself.

    Parameters
    ----------
    contrast : str
        A contrast name nilearn accepts (either spelling).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For a name nilearn does not know (with the closest one).

    Examples
    --------
    >>> nilearn_file_stem("calculation (auditory cue)")
    'AuditoryCalculation'
    >>> nilearn_file_stem("horizontal checkerboard")
    'HorizontalCheckerboard'
    >>> nilearn_file_stem("left button press (auditory cue)")
    'LeftAuditoryClick'
    """
    from nilearn.datasets.func import ALLOWED_CONTRASTS, CONTRAST_NAME_WRAPPER

    if contrast in ALLOWED_CONTRASTS:
        name = contrast
    elif contrast in CONTRAST_NAME_WRAPPER:
        name = CONTRAST_NAME_WRAPPER[contrast]
    else:
        check_names(contrast, list(CONTRAST_NAME_WRAPPER) + ALLOWED_CONTRASTS, "nilearn contrast")
        raise AssertionError("unreachable")  # pragma: no cover
    return name.title().replace(" ", "")


def nilearn_stems(manifest: Mapping | None = None) -> dict[str, str]:
    """``{condition: nilearn file stem}`` for the ten conditions, from the manifest's names.

    Parameters
    ----------
    manifest : mapping, optional
        As returned by :func:`load_manifest` (read when not given).

    Returns
    -------
    dict of str to str
        The stem of each condition's files (see :func:`nilearn_file_stem`).

    Examples
    --------
    >>> nilearn_stems()["audio_sentence"]
    'AuditorySentences'
    """
    manifest = load_manifest() if manifest is None else manifest
    contrasts = manifest["datasets"]["localizer_nilearn"]["contrasts"]
    return {c: nilearn_file_stem(contrasts[c]) for c in CONDITIONS}
