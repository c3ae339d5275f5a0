"""Data: the Localizer maps as masked ``subjects x voxels`` arrays, from wherever they are.

The group analyses in this course never keep a stack of full 3D volumes in memory. Each image is
read once, the voxels inside the analysis mask are kept as float32, and results are put back into
an image only to plot or save them:

- :func:`mask_images` reads images into a ``(n_images, n_voxels)`` float32 array;
- :func:`unmask` puts one or more rows back into NIfTI images on the mask's grid.

Both refuse images whose grid (shape or affine) differs from the mask's, rather than mixing voxels
that are not the same place in the brain.

:func:`load_localizer` gives the notebooks the per-subject, per-condition maps of the Localizer
study in one shape (:class:`LocalizerData`), whatever their source. It looks, in order, in the
read-only shared folder (``COURSE_SHARED_DATA``), in the user's cache (``COURSE_DATA_DIR``), then
downloads (checksums verified, atomic, retried, failing fast without a network), and finally
generates a seeded offline stand-in with a known ground truth (:func:`synthetic_localizer`).
``COURSE_DATA=synthetic`` or ``COURSE_DATA=localizer`` forces a source, ``COURSE_N_SUBJECTS``
sets the number of subjects, and ``COURSE_DATA_OFFLINE=1`` skips download attempts. Data sets
are described in ``data_manifest.yaml``. Command line:
``python -m course_utils.data fetch | verify | lock | synthesize | info``.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import hashlib
import json
import os
import socket
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import nibabel as nib
import numpy as np
import pandas as pd
import yaml

from course_utils import config

ImageLike = str | os.PathLike[str] | nib.spatialimages.SpatialImage


def _load(img: ImageLike) -> nib.spatialimages.SpatialImage:
    if isinstance(img, nib.spatialimages.SpatialImage):
        return img
    path = os.fspath(img)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No image at {path!r}: check the file name and folder.")
    return nib.load(path)


def _describe(img: ImageLike, index: int) -> str:
    if isinstance(img, str | os.PathLike):
        return f"image {index} ({os.path.basename(os.fspath(img))})"
    return f"image {index}"


def check_same_grid(img: ImageLike, mask_img: ImageLike, what: str = "the image",
                    atol: float = 1e-3) -> None:
    """Raise ValueError unless ``img`` lies on the same voxel grid as ``mask_img``.

    Parameters
    ----------
    img, mask_img : str, path or nibabel image
        The image to check and the reference (usually the analysis mask).
    what : str
        How to name ``img`` in the error message.
    atol : float
        Tolerance on the affines, in millimetres.

    Raises
    ------
    ValueError
        When the 3D shapes or the affines differ; the message says how to resample.

    Examples
    --------
    >>> import nibabel as nib, numpy as np
    >>> a = nib.Nifti1Image(np.zeros((4, 4, 4), "float32"), np.eye(4))
    >>> b = nib.Nifti1Image(np.zeros((4, 4, 4), "float32"), np.diag([2, 2, 2, 1]))
    >>> check_same_grid(a, a)
    >>> check_same_grid(b, a, what="subject S01")
    Traceback (most recent call last):
    ...
    ValueError: subject S01 has a different affine from the mask ...
    """
    img, mask_img = _load(img), _load(mask_img)
    shape, ref_shape = img.shape[:3], mask_img.shape[:3]
    fix = ("Resample it on purpose first, e.g. nilearn.image.resample_to_img(img, mask_img, "
           "interpolation='continuous'), so that every voxel means the same place in the brain.")
    if shape != ref_shape:
        raise ValueError(f"{what} has shape {shape} but the mask has shape {ref_shape}. {fix}")
    if not np.allclose(img.affine, mask_img.affine, atol=atol):
        raise ValueError(
            f"{what} has a different affine from the mask (voxel-to-world mapping):\n"
            f"{np.round(img.affine, 3)}\nvs\n{np.round(mask_img.affine, 3)}.\n{fix}"
        )


def mask_images(imgs: Sequence[ImageLike] | ImageLike, mask_img: ImageLike,
                dtype: np.dtype | type = np.float32) -> np.ndarray:
    """Read images and keep the voxels inside a mask, as a ``(n_images, n_voxels)`` array.

    Images are read one at a time, so the peak memory is one volume plus the result. A 4D image
    counts as one image per volume.

    Parameters
    ----------
    imgs : sequence of str, path or nibabel image, or one image
        3D images (or 4D images) on the mask's grid.
    mask_img : str, path or nibabel image
        Analysis mask; voxels with a non-zero value are kept, in C order.
    dtype : numpy dtype, default float32
        Storage type of the result.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(n_images, n_voxels)``.

    Raises
    ------
    ValueError
        When an image is not on the mask's grid (see :func:`check_same_grid`).

    See Also
    --------
    unmask : the inverse, rows back to images.

    Examples
    --------
    >>> import nibabel as nib, numpy as np
    >>> mask = nib.Nifti1Image(np.pad(np.ones((2, 2, 2), "uint8"), 1), np.eye(4))
    >>> imgs = [nib.Nifti1Image(np.full((4, 4, 4), k, "float32"), np.eye(4)) for k in (1, 2, 3)]
    >>> Y = mask_images(imgs, mask)
    >>> Y.shape, Y.dtype, Y[:, 0]
    ((3, 8), dtype('float32'), array([1., 2., 3.], dtype=float32))
    """
    mask_img = _load(mask_img)
    mask = np.asanyarray(mask_img.dataobj).astype(bool)
    if mask.ndim != 3:
        raise ValueError(f"The mask must be a 3D image; it has shape {mask.shape}.")
    if isinstance(imgs, str | os.PathLike | nib.spatialimages.SpatialImage):
        imgs = [imgs]
    loaded = [_load(item) for item in imgs]  # headers only: voxel data is read below, one by one
    if not loaded:
        raise ValueError("No images given: pass a list of image files or images.")
    n_rows = 0
    for index, (item, img) in enumerate(zip(imgs, loaded, strict=True)):
        check_same_grid(img, mask_img, what=_describe(item, index))
        if len(img.shape) not in (3, 4):
            raise ValueError(
                f"{_describe(item, index)} has {len(img.shape)} dimensions; expected 3 or 4."
            )
        n_rows += 1 if len(img.shape) == 3 else img.shape[3]
    # Flat indices and np.take are several times faster than boolean indexing of each volume.
    flat = np.flatnonzero(mask)
    out = np.empty((n_rows, flat.size), dtype=dtype)
    row = 0
    for img in loaded:
        data = np.asanyarray(img.dataobj)
        if data.ndim == 3:
            out[row] = np.take(data.reshape(-1), flat)
            row += 1
        else:
            volumes = data.reshape(-1, data.shape[3])
            out[row:row + data.shape[3]] = np.take(volumes, flat, axis=0).T
            row += data.shape[3]
    return out


def unmask(values: np.ndarray | Iterable[float], mask_img: ImageLike,
           fill: float = 0.0) -> nib.Nifti1Image:
    """Put masked values back into a NIfTI image on the mask's grid.

    Parameters
    ----------
    values : array-like, shape (n_voxels,) or (n_maps, n_voxels)
        One map (3D result) or several maps (4D result), in the order :func:`mask_images` uses.
    mask_img : str, path or nibabel image
        The mask the values were taken from.
    fill : float, default 0.0
        Value outside the mask (use ``np.nan`` to mark "not analysed").

    Returns
    -------
    nibabel.Nifti1Image
        float32 image with the mask's affine.

    Examples
    --------
    >>> import nibabel as nib, numpy as np
    >>> mask = nib.Nifti1Image(np.pad(np.ones((2, 2, 2), "uint8"), 1), np.eye(4))
    >>> img = unmask(np.arange(8), mask)
    >>> img.shape, float(img.get_fdata().sum())
    ((4, 4, 4), 28.0)
    >>> np.array_equal(mask_images(img, mask)[0], np.arange(8))
    True
    """
    mask_img = _load(mask_img)
    mask = np.asanyarray(mask_img.dataobj).astype(bool)
    values = np.asarray(values)
    n_voxels = int(mask.sum())
    if values.shape[-1] != n_voxels:
        raise ValueError(
            f"values have {values.shape[-1]} voxels in their last axis but the mask has "
            f"{n_voxels}: were they masked with a different mask?"
        )
    if values.ndim == 1:
        out = np.full(mask.shape, fill, dtype=np.float32)
        out[mask] = values
    elif values.ndim == 2:
        out = np.full(mask.shape + (values.shape[0],), fill, dtype=np.float32)
        out[mask] = values.T
    else:
        raise ValueError(f"values must be 1D or 2D; got shape {values.shape}.")
    header = nib.Nifti1Header()
    header.set_data_dtype(np.float32)
    return nib.Nifti1Image(out, mask_img.affine, header)


# === The Localizer: names, manifest, grid =====================================================

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

#: The manifest describing every data set (read by :func:`load_manifest`).
MANIFEST_PATH = Path(__file__).resolve().parent.parent / "data_manifest.yaml"

#: Voxel grid of the real Localizer maps (nilearn's ``load_sample_motor_activation_image()``):
#: 53 x 63 x 46 voxels of 3 mm; x runs from right to left.
LOCALIZER_SHAPE = (53, 63, 46)
LOCALIZER_AFFINE = np.array(
    [[-3.0, 0.0, 0.0, 78.0], [0.0, 3.0, 0.0, -112.0], [0.0, 0.0, 3.0, -50.0], [0.0, 0.0, 0.0, 1.0]]
)

_SOURCE_CHOICES = ("auto", "synthetic", "localizer", *REAL_DATASETS)
_SYNTHETIC_VERSION = 1  # bump when the generator changes, so cached stand-ins are rebuilt
_LOCK_NAME = "SHA256SUMS"
_T_FLOOR = 0.5  # first-level variances are not computed from |t| below this (see _variance_from_t)


class DataUnavailableError(RuntimeError):
    """The requested data are not available here; the message says how to get them."""


def load_manifest(path: str | os.PathLike[str] | None = None) -> dict:
    """Read the data manifest (``data_manifest.yaml``).

    Parameters
    ----------
    path : path-like, optional
        Manifest file; defaults to :data:`MANIFEST_PATH`.

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
    path = Path(MANIFEST_PATH if path is None else path)
    if not path.is_file():
        raise DataUnavailableError(
            f"The data manifest {path} is missing: run from a checkout of the course repository."
        )
    manifest = yaml.safe_load(path.read_text())
    if not isinstance(manifest, dict) or not isinstance(manifest.get("datasets"), dict):
        raise DataUnavailableError(f"{path} is not a data manifest (no 'datasets' mapping).")
    return manifest


_HEX = frozenset("0123456789abcdef")


def _is_sha256(value) -> bool:
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
        if "citation" in entry and (not isinstance(citation, list) or not citation or not all(
                isinstance(c, str) and len(c) > 10 for c in citation)):
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
        if "grid" in entry and (not isinstance(grid, Mapping) or len(grid.get("shape", [])) != 3
                                or not grid.get("voxel_mm")):
            problems.append(f"{name}: grid needs a 3D shape and voxel_mm")
        size = entry.get("expected_map_size_bytes", "unknown")
        if size != "unknown" and not (isinstance(size, int) and size > 0):
            problems.append(f"{name}: expected_map_size_bytes must be a positive int or unknown")
        sha = entry.get("sha256")
        if "sha256" in entry and sha != "unknown" and not _is_sha256(sha) and not (
                isinstance(sha, Mapping) and all(_is_sha256(v) for v in sha.values())):
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


def _grid_mask(shape: tuple[int, ...], affine: np.ndarray) -> np.ndarray:
    """nilearn's MNI152 brain mask resampled (nearest neighbour) to a grid: bool volume."""
    from nilearn.datasets import load_mni152_brain_mask
    from nilearn.image import resample_img

    mni = load_mni152_brain_mask(resolution=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = resample_img(mni, target_affine=affine, target_shape=shape,
                           interpolation="nearest", force_resample=True, copy_header=True)
    return np.asanyarray(out.dataobj).astype(bool)


@lru_cache(maxsize=8)
def _mask_for_grid(shape: tuple[int, ...], affine_key: tuple[float, ...],
                   folder: str | None) -> nib.Nifti1Image:
    affine = np.array(affine_key).reshape(4, 4)
    name = "x".join(map(str, shape)) + "_" + hashlib.sha256(
        np.asarray(affine_key).tobytes()).hexdigest()[:10]
    cached = None if folder is None else Path(folder) / "grid" / f"mni_brain_mask_v1_{name}.npz"
    mask = None
    if cached is not None and cached.is_file():
        try:
            with np.load(cached, allow_pickle=False) as npz:
                mask = npz["mask"]
        except (OSError, ValueError, KeyError):
            mask = None
    if mask is None or mask.shape != tuple(shape):
        mask = _grid_mask(tuple(shape), affine)
        if cached is not None:
            _save_npz(cached, mask=mask)
    return nib.Nifti1Image(mask.astype(np.uint8), affine)


def brain_mask(shape: Sequence[int] = LOCALIZER_SHAPE, affine: np.ndarray = LOCALIZER_AFFINE,
               cache: bool = True) -> nib.Nifti1Image:
    """Return nilearn's MNI152 brain mask resampled (nearest neighbour) to a voxel grid.

    The result is cached in the data folder, so only the first call reads the template.

    Parameters
    ----------
    shape : sequence of 3 int, default the Localizer grid (53, 63, 46)
    affine : (4, 4) array, default the Localizer affine (3 mm, x from right to left)
    cache : bool, default True
        Keep the resampled mask in the data cache (``COURSE_DATA_DIR``).

    Returns
    -------
    nibabel.Nifti1Image
        uint8 mask on that grid (about 67,000 voxels on the Localizer grid).

    Examples
    --------
    >>> mask = brain_mask(cache=False)
    >>> mask.shape, 60_000 < int(mask.get_fdata().sum()) < 75_000
    ((53, 63, 46), True)
    """
    affine = np.asarray(affine, dtype=np.float64)
    folder = str(config.data_dir()) if cache else None
    return _mask_for_grid(tuple(int(n) for n in shape[:3]), tuple(affine.ravel().tolist()),
                          folder)


def _save_npz(path: Path, **arrays) -> bool:
    """Write arrays atomically; return False (and warn) when the folder is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, path)
        return True
    except OSError as err:
        warnings.warn(f"Could not cache {path.name} in {path.parent} ({err}); "
                      "set COURSE_DATA_DIR to a writable folder to make the next load faster.",
                      stacklevel=3)
        return False


def _n_subjects_default() -> int:
    value = os.environ.get("COURSE_N_SUBJECTS", "").strip()
    if not value:
        return DEFAULT_N_SUBJECTS
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"COURSE_N_SUBJECTS={value!r} is not a whole number: set it to, e.g., "
                         "30 or 94, or unset it.") from None
    if n < 2:
        raise ValueError(f"COURSE_N_SUBJECTS={n}: a group analysis needs at least 2 subjects.")
    return n


def _as_weights(condition_or_weights: str | Mapping[str, float],
                valid: Sequence[str]) -> dict[str, float]:
    if isinstance(condition_or_weights, str):
        check_names(condition_or_weights, valid, "condition")
        return {condition_or_weights: 1.0}
    if not isinstance(condition_or_weights, Mapping) or not condition_or_weights:
        raise TypeError("Give a condition name or a mapping {condition: weight}, e.g. "
                        "{'horizontal_checkerboard': 1, 'vertical_checkerboard': -1}.")
    check_names(list(condition_or_weights), valid, "condition")
    return {name: float(w) for name, w in condition_or_weights.items()}


# === The offline stand-in =====================================================================


@dataclass(frozen=True)
class Region:
    """A region of the stand-in: where it is (MNI mm), how big, and its Cohen's d per condition.

    The effect profile is ``(1 - (r / radius)**2)**2`` for ``r < radius`` and exactly 0 beyond,
    at each centre (the larger value where two centres' supports meet).
    """

    name: str
    centres: tuple[tuple[float, float, float], ...]
    radius_mm: float
    d: Mapping[str, float]


_VIDEO = ("video_computation", "video_left_hand", "video_right_hand", "video_sentence")
_AUDIO = ("audio_computation", "audio_left_hand", "audio_right_hand", "audio_sentence")

#: Regions of the stand-in. Cohen's d is the population effect at the region's centre divided by
#: the between-subject standard deviation of the subject maps there (N=30 detects d=1.5 easily,
#: d=0.4 rarely). Coordinates are MNI millimetres: x > 0 is the RIGHT hemisphere.
REGIONS = (
    Region("calcarine, horizontal meridian (V1)", ((-8, -90, 2), (10, -90, 2)), 10.0,
           {"horizontal_checkerboard": 1.5, "vertical_checkerboard": 0.5}),
    Region("upper V1/V2 border, vertical meridian", ((-8, -84, 16), (10, -84, 16)), 9.0,
           {"vertical_checkerboard": 1.2, "horizontal_checkerboard": 0.4}),
    Region("lower V1/V2 border, vertical meridian", ((-8, -86, -12), (10, -86, -12)), 9.0,
           {"vertical_checkerboard": 1.2, "horizontal_checkerboard": 0.4}),
    Region("lateral occipital cortex (visual cue)", ((-40, -80, -6), (42, -80, -6)), 12.0,
           dict.fromkeys(_VIDEO, 1.5)),
    Region("superior temporal gyrus (auditory cue)", ((-54, -22, 8), (56, -22, 8)), 12.0,
           dict.fromkeys(_AUDIO, 1.5)),
    Region("right precentral gyrus, hand area (left hand)", ((38, -22, 56),), 12.0,
           {"audio_left_hand": 1.5, "video_left_hand": 1.5}),
    Region("left precentral gyrus, hand area (right hand)", ((-38, -22, 56),), 12.0,
           {"audio_right_hand": 1.5, "video_right_hand": 1.5}),
    Region("supplementary motor area (button presses)", ((0, -4, 58),), 10.0,
           dict.fromkeys(("audio_left_hand", "audio_right_hand", "video_left_hand",
                          "video_right_hand"), 0.8)),
    Region("intraparietal sulcus (calculation)", ((-32, -60, 46), (34, -60, 46)), 12.0,
           {"audio_computation": 1.0, "video_computation": 1.0}),
    Region("right dorsolateral prefrontal cortex (calculation)", ((44, 32, 28),), 10.0,
           {"audio_computation": 0.4, "video_computation": 0.4}),
    Region("left posterior superior temporal sulcus (sentences)", ((-54, -48, 8),), 10.0,
           {"audio_sentence": 1.0, "video_sentence": 1.0}),
    Region("left inferior frontal gyrus (sentences)", ((-48, 18, 14),), 10.0,
           {"audio_sentence": 0.6, "video_sentence": 0.6}),
    Region("left fusiform gyrus, visual word form area (reading)", ((-44, -56, -14),), 8.0,
           {"video_sentence": 0.4}),
)

#: The planted, deliberately underpowered sex difference (males minus females) in the
#: calculation-vs-sentences contrast, in the left intraparietal sulcus.
SEX_DIFFERENCE = {
    "region": "left intraparietal sulcus (sex difference)",
    "centre": (-32, -60, 46),
    "radius_mm": 10.0,
    "contrast": {"audio_computation": 0.5, "video_computation": 0.5,
                 "audio_sentence": -0.5, "video_sentence": -0.5},
    "d": 0.6,
}

_HETEROGENEITY = 0.3  # SD of each subject's gain (multiplies the population effect) per region
_BETWEEN_SD = 0.5  # SD of subject deviations everywhere, not counted in first-level variances
_SHARED = 0.5  # fraction of a subject's noise variance shared by all ten conditions
_OUTLIER_VARIANCE = 9.0  # the outlier's first-level variance, relative to its own draw
_OUTLIER_ARTEFACT = 3.0  # amplitude of the outlier's broad artefact (noise SD units)


@dataclass(frozen=True, eq=False)
class GroundTruth:
    """What the stand-in was built from, to count true and false detections.

    Attributes
    ----------
    regions : pandas.DataFrame
        One row per region and condition: ``region``, ``condition``, ``d`` (Cohen's d at the
        centre), ``amplitude`` (population effect at the centre, noise SD units), ``radius_mm``,
        ``centres`` (MNI mm) and ``hemisphere``.
    outlier : str or None
        The outlier subject (noise x3 and a broad artefact in every map).
    sex_difference : dict
        The planted difference: region, contrast weights, ``d`` and ``male_minus_female``
        (effect difference at the centre, noise SD units).
    seed, noise_fwhm_mm, heterogeneity, between_sd, shared_fraction
        Generator settings.
    """

    regions: pd.DataFrame
    conditions: tuple[str, ...]
    outlier: str | None
    sex_difference: dict
    seed: int
    noise_fwhm_mm: float
    heterogeneity: float
    between_sd: float
    shared_fraction: float
    profiles: np.ndarray = field(repr=False)  # (n_regions, n_voxels) float32
    amplitudes: np.ndarray = field(repr=False)  # (n_regions, 10) float64, order CONDITIONS
    sex_profile: np.ndarray = field(repr=False)  # (n_voxels,) float32

    def effect(self, condition_or_weights: str | Mapping[str, float]) -> np.ndarray:
        """Population effect of a condition, or of a contrast ``{condition: weight}``.

        Returns
        -------
        numpy.ndarray
            float64, shape (n_voxels,), exactly 0 outside the supports.
        """
        weights = _as_weights(condition_or_weights, CONDITIONS)
        w = np.zeros(len(CONDITIONS))
        for name, value in weights.items():
            w[CONDITIONS.index(name)] += value
        per_region = self.amplitudes @ w  # (n_regions,)
        return per_region @ self.profiles.astype(np.float64)

    def support(self, condition_or_weights: str | Mapping[str, float]) -> np.ndarray:
        """Voxels where the population effect (of a condition or contrast) is not zero.

        Returns
        -------
        numpy.ndarray
            bool, shape (n_voxels,): the "true" voxels.
        """
        return np.abs(self.effect(condition_or_weights)) > 1e-9

    def sex_effect(self, condition_or_weights: str | Mapping[str, float]) -> np.ndarray:
        """Population difference males minus females for a condition or contrast (float64)."""
        weights = _as_weights(condition_or_weights, CONDITIONS)
        planted = self.sex_difference["male_minus_female"]
        per_map = sum(weights.get(c, 0.0) for c in ("audio_computation", "video_computation"))
        # each computation map carries +planted/2 (M) or -planted/2 (F): difference = planted
        return per_map * planted * self.sex_profile.astype(np.float64)


def _amplitude(d: float) -> float:
    """Population effect giving Cohen's d at a region centre (mean first-level variance 1)."""
    if not 0 <= _HETEROGENEITY * d < 1:
        raise ValueError(f"d={d} too large for heterogeneity {_HETEROGENEITY}")
    return d * np.sqrt(_BETWEEN_SD**2 + 1.0) / np.sqrt(1.0 - (_HETEROGENEITY * d) ** 2)


def _profile(xyz: np.ndarray, centres, radius: float) -> np.ndarray:
    out = np.zeros(xyz.shape[0], dtype=np.float32)
    for centre in centres:
        r2 = np.sum((xyz - np.asarray(centre, dtype=np.float32)) ** 2, axis=1) / radius**2
        np.maximum(out, np.where(r2 < 1, (1 - r2) ** 2, 0).astype(np.float32), out=out)
    return out


def _truth(mask_img: nib.Nifti1Image, seed: int, outlier: str | None,
           noise_fwhm_mm: float) -> GroundTruth:
    mask = np.asanyarray(mask_img.dataobj).astype(bool)
    ijk = np.argwhere(mask).astype(np.float32)
    xyz = ijk @ mask_img.affine[:3, :3].T.astype(np.float32) + mask_img.affine[:3, 3].astype(
        np.float32)
    profiles = np.stack([_profile(xyz, r.centres, r.radius_mm) for r in REGIONS])
    amplitudes = np.zeros((len(REGIONS), len(CONDITIONS)))
    rows = []
    for k, region in enumerate(REGIONS):
        xs = [c[0] for c in region.centres]
        hemi = "both" if min(xs) < 0 < max(xs) else ("right" if xs[0] > 0 else
                                                      "left" if xs[0] < 0 else "midline")
        for condition, d in region.d.items():
            amplitudes[k, CONDITIONS.index(condition)] = _amplitude(d)
            rows.append({"region": region.name, "condition": condition, "d": d,
                         "amplitude": _amplitude(d), "radius_mm": region.radius_mm,
                         "centres": str(region.centres), "hemisphere": hemi})
    # Sex difference: SD of the contrast at the centre = sqrt(noise part + heterogeneity part).
    weights = SEX_DIFFERENCE["contrast"]
    sum_w2 = sum(w * w for w in weights.values())
    ips = next(k for k, r in enumerate(REGIONS) if r.name.startswith("intraparietal"))
    w = np.array([weights.get(c, 0.0) for c in CONDITIONS])
    contrast_amp = float(amplitudes[ips] @ w)
    sd = np.sqrt(sum_w2 * (1 - _SHARED) * (1 + _BETWEEN_SD**2)
                 + (_HETEROGENEITY * contrast_amp) ** 2)
    sex = dict(SEX_DIFFERENCE, male_minus_female=float(SEX_DIFFERENCE["d"] * sd))
    sex_profile = _profile(xyz, (SEX_DIFFERENCE["centre"],), SEX_DIFFERENCE["radius_mm"])
    return GroundTruth(regions=pd.DataFrame(rows), conditions=CONDITIONS, outlier=outlier,
                       sex_difference=sex, seed=seed, noise_fwhm_mm=noise_fwhm_mm,
                       heterogeneity=_HETEROGENEITY, between_sd=_BETWEEN_SD,
                       shared_fraction=_SHARED, profiles=profiles, amplitudes=amplitudes,
                       sex_profile=sex_profile)


def _participants_table(seed: int, n_subjects: int) -> pd.DataFrame:
    width = max(2, len(str(n_subjects)))
    subjects = [f"S{k:0{width}d}" for k in range(1, n_subjects + 1)]
    rng = np.random.default_rng([seed, 1])
    # one F and one M in every consecutive pair: balanced (15/15 at 30) for any even n
    sexes = np.concatenate([rng.permutation(["F", "M"]) for _ in range((n_subjects + 1) // 2)])
    ages = np.clip(np.rint(np.random.default_rng([seed, 2]).normal(24.5, 4.5, n_subjects)), 18, 45)
    return pd.DataFrame({"subject": subjects, "sex": sexes[:n_subjects].astype(str),
                         "age": ages.astype(int)})


def _generate(seed: int, n_subjects: int, conditions: Sequence[str], noise_fwhm_mm: float,
              mask_img: nib.Nifti1Image, truth: GroundTruth, participants: pd.DataFrame,
              outlier_index: int | None) -> tuple[dict[str, np.ndarray], np.ndarray]:
    from scipy.ndimage import gaussian_filter

    mask = np.asanyarray(mask_img.dataobj).astype(bool)
    flat = np.flatnonzero(mask)
    shape = mask.shape
    sigma = noise_fwhm_mm / np.sqrt(8 * np.log(2)) / np.abs(np.diag(mask_img.affine)[:3])
    delta = np.zeros(shape, dtype=np.float32)
    delta[tuple(s // 2 for s in shape)] = 1.0
    norm = float(np.sqrt(np.sum(gaussian_filter(delta, sigma).astype(np.float64) ** 2)))

    def smooth_noise(rng):
        vol = gaussian_filter(rng.standard_normal(shape, dtype=np.float32), sigma)
        return np.take(vol.reshape(-1), flat) * np.float32(1.0 / norm)

    n_vox = flat.size
    values = {c: np.empty((n_subjects, n_vox), dtype=np.float32) for c in conditions}
    first_level = np.empty(n_subjects)
    artefact = _profile(
        np.argwhere(mask).astype(np.float32) @ mask_img.affine[:3, :3].T.astype(np.float32)
        + mask_img.affine[:3, 3].astype(np.float32), ((0, -40, 30),), 45.0) * _OUTLIER_ARTEFACT
    male = participants["sex"].to_numpy() == "M"
    half_sex = np.float32(truth.sex_difference["male_minus_female"] / 2)
    for s in range(n_subjects):
        rng = np.random.default_rng([seed, 1000 + s, 100])
        variance = float(np.exp(rng.normal(-0.08, 0.4)))  # lognormal, mean 1
        gains = 1.0 + _HETEROGENEITY * rng.standard_normal(len(REGIONS))
        if s == outlier_index:
            variance *= _OUTLIER_VARIANCE
        first_level[s] = variance
        total_sd = np.float32(np.sqrt(variance + _BETWEEN_SD**2))
        shared = smooth_noise(np.random.default_rng([seed, 1000 + s, 99]))
        shared *= np.float32(np.sqrt(_SHARED)) * total_sd
        for condition in conditions:
            ci = CONDITIONS.index(condition)
            row = values[condition][s]
            row[:] = smooth_noise(np.random.default_rng([seed, 1000 + s, ci]))
            row *= np.float32(np.sqrt(1 - _SHARED)) * total_sd
            row += shared
            row += ((gains * truth.amplitudes[:, ci]).astype(np.float32) @ truth.profiles)
            if condition in ("audio_computation", "video_computation"):
                row += (half_sex if male[s] else -half_sex) * truth.sex_profile
            if s == outlier_index:
                row += artefact
    return values, first_level


def synthetic_localizer(seed: int = 0, n_subjects: int = DEFAULT_N_SUBJECTS,
                        conditions: Sequence[str] | None = None, *, noise_fwhm_mm: float = 9.0,
                        outlier: bool = True, cache: bool = True) -> LocalizerData:
    """Generate the offline stand-in for the Localizer, with its ground truth.

    Per-subject, per-condition maps on the real Localizer grid (53 x 63 x 46, 3 mm) inside
    nilearn's MNI152 brain mask (about 67,000 voxels). Each map is::

        sum over regions of gain[subject, region] * effect[region, condition]
        + smooth noise (FWHM ``noise_fwhm_mm``), variance = first-level variance + between_sd**2,
          half of it shared by the subject's ten maps
        (+ a small sex difference in the calculation maps, + an artefact for the outlier)

    The effects (:data:`REGIONS`) have compact support and a stated Cohen's d; each subject's
    gain per region is ``1 + 0.3 z``. First-level variances are lognormal with mean 1; one
    subject (the outlier) has 9 times its variance and a broad artefact. Subjects alternate
    sex in random order within pairs (15 F / 15 M at 30) with ages around 24.

    Parameters
    ----------
    seed : int, default 0
        Everything is determined by the seed (and a subject's maps do not depend on which other
        conditions are generated).
    n_subjects : int, default 30
        2 to 999 subjects.
    conditions : sequence of str, optional
        Subset of :data:`CONDITIONS` (default all ten).
    noise_fwhm_mm : float, default 9.0
        Smoothness of the noise.
    outlier : bool, default True
        Include the outlier subject.
    cache : bool, default True
        Reuse (and write) masked arrays in the data cache (``COURSE_DATA_DIR``).

    Returns
    -------
    LocalizerData
        With ``is_synthetic`` True and the ground truth in ``.truth`` (:class:`GroundTruth`).

    Raises
    ------
    ValueError
        For an unknown condition or an impossible number of subjects.

    See Also
    --------
    load_localizer : the real data when available, this stand-in otherwise.

    Examples
    --------
    >>> data = synthetic_localizer(seed=1, n_subjects=4, conditions=["audio_left_hand"],
    ...                            cache=False)
    >>> data.source
    'synthetic stand-in (seed 1, 4 subjects)'
    >>> data.array("audio_left_hand").shape
    (4, 67402)
    >>> bool(data.truth.support("audio_left_hand").any())
    True
    """
    if isinstance(n_subjects, bool) or not isinstance(n_subjects, int | np.integer):
        raise TypeError(f"n_subjects must be a whole number, got {n_subjects!r}.")
    if not 2 <= n_subjects <= 999:
        raise ValueError(f"n_subjects={n_subjects}: choose between 2 and 999 subjects.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}.")
    if not noise_fwhm_mm > 0:
        raise ValueError(f"noise_fwhm_mm must be positive, got {noise_fwhm_mm!r}.")
    seed, n_subjects = int(seed), int(n_subjects)
    conditions = list(CONDITIONS) if conditions is None else check_names(
        conditions, CONDITIONS, "condition")
    mask_img = brain_mask(cache=cache)
    participants = _participants_table(seed, n_subjects)
    outlier_index = (int(np.random.default_rng([seed, 3]).integers(n_subjects)) if outlier
                     else None)
    outlier_id = None if outlier_index is None else participants["subject"][outlier_index]
    truth = _truth(mask_img, seed, outlier_id, noise_fwhm_mm)

    folder = (config.data_dir() / "arrays" / "synthetic" /
              f"v{_SYNTHETIC_VERSION}_seed{seed}_n{n_subjects}_fwhm{noise_fwhm_mm:g}"
              f"_{'outlier' if outlier else 'clean'}")
    values: dict[str, np.ndarray] = {}
    first_level = None
    if cache:
        for condition in conditions:
            path = folder / f"{condition}.npz"
            if not path.is_file():
                break
            try:
                with np.load(path, allow_pickle=False) as npz:
                    values[condition] = npz["values"]
                    first_level = npz["first_level"]
            except (OSError, ValueError, KeyError):
                break
    missing = [c for c in conditions if c not in values]
    if missing:
        new, first_level = _generate(seed, n_subjects, missing, noise_fwhm_mm, mask_img, truth,
                                     participants, outlier_index)
        values.update(new)
        if cache:
            for condition in missing:
                _save_npz(folder / f"{condition}.npz", values=values[condition],
                          first_level=first_level)
    variances = {c: first_level for c in conditions}
    return LocalizerData.from_arrays(
        values={c: values[c] for c in conditions}, subjects=list(participants["subject"]),
        participants=participants, mask_img=mask_img,
        source=f"synthetic stand-in (seed {seed}, {n_subjects} subjects)", is_synthetic=True,
        truth=truth, subject_variances=variances)


# === One return shape =========================================================================


@dataclass(eq=False)
class LocalizerData:
    """Per-subject, per-condition maps of the Localizer (real or stand-in), masked.

    Attributes
    ----------
    maps : pandas.DataFrame
        One row per subject and condition: ``subject``, ``condition``, ``image`` (file, or None
        for generated maps), ``tmap`` (file or None), ``row`` (row of :meth:`array`) and
        ``has_variance``.
    participants : pandas.DataFrame
        ``subject``, ``sex`` ('F'/'M') and ``age``, in the order of :attr:`subjects`.
    mask_img : nibabel.Nifti1Image
        The analysis mask; columns of :meth:`array` are its voxels in C order.
    source : str
        Label for figure titles (see ``plotting.source_title``).
    is_synthetic : bool
    truth : GroundTruth or None
        Ground truth of the stand-in; None for real data.
    """

    maps: pd.DataFrame
    participants: pd.DataFrame
    mask_img: nib.Nifti1Image
    source: str
    is_synthetic: bool
    truth: GroundTruth | None = None
    _values: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _variances: dict[str, np.ndarray | None] = field(default_factory=dict, repr=False)

    @classmethod
    def from_arrays(cls, values: Mapping[str, np.ndarray], subjects: Sequence[str],
                    participants: pd.DataFrame, mask_img: nib.Nifti1Image, source: str,
                    is_synthetic: bool, truth: GroundTruth | None = None,
                    variances: Mapping[str, np.ndarray | None] | None = None,
                    subject_variances: Mapping[str, np.ndarray] | None = None,
                    images: Mapping[str, Sequence[str | None]] | None = None,
                    tmaps: Mapping[str, Sequence[str | None]] | None = None) -> LocalizerData:
        """Assemble from ``{condition: (n_subjects, n_voxels)}`` arrays (rows in ``subjects``).

        ``variances`` gives full variance arrays per condition; ``subject_variances`` one value
        per subject (uniform over voxels), expanded on demand by :meth:`variance`.
        """
        subjects = [str(s) for s in subjects]
        rows = []
        stored_var: dict[str, np.ndarray | None] = {}
        for condition, array in values.items():
            if array.shape[0] != len(subjects):
                raise ValueError(f"{condition}: {array.shape[0]} rows for {len(subjects)} "
                                 "subjects.")
            var = None
            if variances is not None and variances.get(condition) is not None:
                var = variances[condition]
            elif subject_variances is not None and condition in subject_variances:
                var = np.asarray(subject_variances[condition], dtype=np.float64)
            stored_var[condition] = var
            for k, subject in enumerate(subjects):
                rows.append({
                    "subject": subject, "condition": condition,
                    "image": None if images is None else images[condition][k],
                    "tmap": None if tmaps is None else tmaps[condition][k],
                    "row": k, "has_variance": var is not None,
                })
        participants = participants.set_index("subject").reindex(subjects).reset_index()
        return cls(maps=pd.DataFrame(rows), participants=participants[["subject", "sex", "age"]],
                   mask_img=mask_img, source=source, is_synthetic=is_synthetic, truth=truth,
                   _values=dict(values), _variances=stored_var)

    @property
    def subjects(self) -> list[str]:
        """Subject IDs, in the row order of :meth:`array`."""
        return list(self.participants["subject"])

    @property
    def conditions(self) -> list[str]:
        """Conditions loaded."""
        return list(self._values)

    @property
    def affine(self) -> np.ndarray:
        """Voxel-to-MNI affine of the maps."""
        return self.mask_img.affine

    @property
    def n_voxels(self) -> int:
        """Number of voxels in the mask (columns of :meth:`array`)."""
        return int(next(iter(self._values.values())).shape[1])

    def _rows(self, subjects: Sequence[str] | str | None) -> np.ndarray | None:
        if subjects is None:
            return None
        names = check_names(subjects, self.subjects, "subject")
        index = {s: k for k, s in enumerate(self.subjects)}
        return np.array([index[s] for s in names], dtype=np.intp)

    def array(self, condition: str, subjects: Sequence[str] | str | None = None) -> np.ndarray:
        """Maps of one condition as a float32 ``(n_subjects, n_voxels)`` array.

        Parameters
        ----------
        condition : str
        subjects : sequence of str, optional
            Subjects, in the order wanted; default :attr:`subjects`.

        Returns
        -------
        numpy.ndarray
            float32; rows in the order of ``subjects`` (do not modify in place: it may be
            shared with later calls).

        Raises
        ------
        ValueError
            For an unknown condition or subject (the message suggests the closest name).
        """
        check_names(condition, self.conditions, "condition")
        rows = self._rows(subjects)
        values = self._values[condition]
        return values if rows is None else values[rows]

    def variance(self, condition: str, subjects: Sequence[str] | str | None = None) -> np.ndarray:
        """First-level variances of one condition, float32 ``(n_subjects, n_voxels)``.

        Raises
        ------
        ValueError
            For an unknown name, or when the source has no first-level variances.
        """
        check_names(condition, self.conditions, "condition")
        var = self._variances.get(condition)
        if var is None:
            raise ValueError(f"{self.source} has no first-level variances for {condition!r} "
                             "(no t-maps): use a method that needs only the maps.")
        rows = self._rows(subjects)
        if var.ndim == 1:  # one value per subject, the same in every voxel
            picked = var if rows is None else var[rows]
            return np.repeat(picked.astype(np.float32)[:, None], self.n_voxels, axis=1)
        return var if rows is None else var[rows]

    def contrast(self, weights: Mapping[str, float],
                 subjects: Sequence[str] | str | None = None) -> np.ndarray:
        """Each subject's contrast map ``sum_c w_c * array(c)`` (float32; sums in float64)."""
        weights = _as_weights(weights, self.conditions)
        out = None
        for condition, w in weights.items():
            term = w * self.array(condition, subjects).astype(np.float64)
            out = term if out is None else out + term
        return out.astype(np.float32)

    def to_image(self, values: np.ndarray) -> nib.Nifti1Image:
        """Put one map (n_voxels,) or several (n_maps, n_voxels) back on the brain grid."""
        return unmask(values, self.mask_img)

    def __repr__(self) -> str:
        return (f"LocalizerData({self.source!r}: {len(self.subjects)} subjects x "
                f"{len(self.conditions)} conditions x {self.n_voxels} voxels)")
