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
import os
import socket
import sys
import tempfile
import time
import warnings
import zlib
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


# === Files on disk: checksums, verification, lock ==============================================

_INDEX = "index.csv"  # subject, condition, image, tmap (paths relative to the data set folder)
_PARTICIPANTS = "participants.tsv"  # subject, sex, age


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _gzip_intact(path: Path) -> bool:
    """True when a .gz file decompresses to its end (catches truncated downloads)."""
    if not path.name.endswith(".gz"):
        return True
    try:
        with gzip.open(path, "rb") as handle:
            while handle.read(1 << 20):
                pass
        return True
    except (OSError, EOFError, zlib.error):
        return False


def _read_index(folder: Path) -> pd.DataFrame | None:
    path = folder / _INDEX
    if not path.is_file():
        return None
    try:
        index = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError):
        return None
    if not {"subject", "condition", "image"} <= set(index.columns):
        return None
    if "tmap" not in index.columns:
        index["tmap"] = ""
    return index[index["condition"].isin(CONDITIONS)].reset_index(drop=True)


def _write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _expected_hashes(dataset: str, folder: Path, manifest: Mapping | None = None,
                     use_lock: bool = True) -> dict:
    """Checksums to verify against: the manifest's where known, else the folder's lock file."""
    hashes: dict[str, str] = {}
    lock_file = folder / _LOCK_NAME
    if use_lock and lock_file.is_file():
        for line in lock_file.read_text().splitlines():
            parts = line.strip().split(maxsplit=1)
            if len(parts) == 2 and _is_sha256(parts[0]):
                hashes[parts[1].strip().lstrip("*")] = parts[0].lower()
    manifest = load_manifest() if manifest is None else manifest
    known = manifest["datasets"].get(dataset, {}).get("sha256", "unknown")
    if isinstance(known, Mapping):
        hashes.update({rel: str(h).lower() for rel, h in known.items()})
    return hashes


def _index_files(index: pd.DataFrame) -> list[str]:
    files = [*index["image"], *[t for t in index["tmap"] if t]]
    return list(dict.fromkeys(files))


def _check_files(folder: Path, relpaths: Iterable[str],
                 expected: Mapping[str, str]) -> pd.DataFrame:
    rows = []
    for rel in relpaths:
        path = folder / rel
        if not path.is_file():
            status, detail = "missing", "not on disk"
        elif rel in expected:
            actual = _sha256(path)
            ok = actual == expected[rel]
            status = "ok" if ok else "bad checksum"
            detail = "sha256 verified" if ok else (
                f"sha256 {actual[:12]}... differs from the recorded {expected[rel][:12]}...")
        elif _gzip_intact(path):
            status, detail = "ok", "no recorded checksum; file complete (gzip intact)"
        else:
            status, detail = "corrupt", "truncated or damaged (gzip stream broken)"
        rows.append({"file": rel, "status": status, "detail": detail})
    return pd.DataFrame(rows, columns=["file", "status", "detail"])


def _locations() -> list[tuple[str, Path]]:
    places = []
    shared = config.shared_data_dir()
    if shared is not None:
        places.append(("the shared folder", shared))
    places.append(("your cache", config.data_dir()))
    return places


def verify(dataset: str | None = None, root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Check every file of the real data sets found locally, against checksums where known.

    Parameters
    ----------
    dataset : str, optional
        ``"localizer_nilearn"`` or ``"localizer_dartbrains"``; default both.
    root : path-like, optional
        Folder holding the data sets; default the shared folder and the user's cache.

    Returns
    -------
    pandas.DataFrame
        One row per file: ``dataset``, ``location``, ``file``, ``status`` (``ok``, ``missing``,
        ``bad checksum`` or ``corrupt``) and ``detail``. Empty when nothing is on disk.

    Examples
    --------
    >>> import tempfile
    >>> verify(root=tempfile.mkdtemp()).empty
    True
    """
    datasets = REAL_DATASETS if dataset is None else tuple(
        check_names(dataset, REAL_DATASETS, "data set"))
    places = [("given folder", Path(root))] if root is not None else _locations()
    manifest = load_manifest()
    tables = []
    for where, base in places:
        for name in datasets:
            folder = base / name
            index = _read_index(folder)
            if index is None:
                continue
            table = _check_files(folder, _index_files(index),
                                 _expected_hashes(name, folder, manifest))
            table.insert(0, "location", f"{where} ({base})")
            table.insert(0, "dataset", name)
            tables.append(table)
    columns = ["dataset", "location", "file", "status", "detail"]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)


def lock(dataset: str = "localizer_nilearn",
         root: str | os.PathLike[str] | None = None) -> Path:
    """Record the SHA-256 checksums of a trusted download, so later loads can verify it.

    Writes ``SHA256SUMS`` (``sha256  relative/path`` lines) in the data set's folder. Refuses
    when a file is missing or damaged.

    Parameters
    ----------
    dataset : str, default "localizer_nilearn"
    root : path-like, optional
        Folder holding the data set; default the user's cache (``COURSE_DATA_DIR``).

    Returns
    -------
    pathlib.Path
        The lock file.

    Raises
    ------
    DataUnavailableError
        When the data set is not there, or a file is missing or damaged.

    Examples
    --------
    >>> import tempfile
    >>> lock(root=tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    course_utils.data.DataUnavailableError: No localizer_nilearn data in ...
    """
    check_names(dataset, REAL_DATASETS, "data set")
    folder = Path(config.data_dir() if root is None else root) / dataset
    index = _read_index(folder)
    if index is None:
        raise DataUnavailableError(
            f"No {dataset} data in {folder}: run `python -m course_utils.data fetch --dataset "
            f"{dataset}` first.")
    files = _index_files(index)
    report = _check_files(folder, files, _expected_hashes(dataset, folder, use_lock=False))
    bad = report[report["status"] != "ok"]
    if not bad.empty:
        raise DataUnavailableError(
            f"Cannot lock {dataset}: {len(bad)} file(s) missing or damaged, e.g. "
            f"{bad['file'].iloc[0]} ({bad['status'].iloc[0]}). Run `python -m course_utils.data "
            "fetch` again, then lock.")
    lines = [f"{_sha256(folder / rel)}  {rel}" for rel in sorted(files)]
    path = folder / _LOCK_NAME
    try:
        _write_text_atomic(path, "\n".join(lines) + "\n")
    except OSError as err:
        raise DataUnavailableError(f"Cannot write {path} ({err}): is the folder read-only?") \
            from None
    return path


# === Downloads ====================================================================================


class _Progress:
    """A minimal text progress bar with the interface pooch expects (total/update/reset/close)."""

    def __init__(self, label: str, stream=None):
        self.label, self.stream = label, stream or sys.stderr
        self.total, self.n, self._shown = 0, 0, -1

    def update(self, k: int) -> None:
        self.n += k
        pct = int(100 * min(self.n, self.total) / self.total) if self.total else 0
        if pct // 10 != self._shown // 10:
            self._shown = pct
            size = f"{self.total / 1e6:.1f} MB" if self.total else "size unknown"
            self.stream.write(f"\r  {self.label}: {pct:3d}% of {size}")
            self.stream.flush()

    def reset(self) -> None:
        self.n = 0

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _downloads_allowed() -> bool:
    return os.environ.get("COURSE_DATA_OFFLINE", "").strip().lower() not in ("1", "true", "yes")


def _require_network(url: str, timeout: float) -> None:
    """Fail within ``timeout`` seconds when the server of ``url`` cannot be reached."""
    parsed = urlparse(url if "://" in url else f"https://{url}")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            pass
    except OSError as err:
        raise DataUnavailableError(
            f"no network: cannot reach {parsed.hostname}:{port} ({err.__class__.__name__})"
        ) from None


def _write_index(folder: Path, rows: pd.DataFrame, participants: pd.DataFrame | None) -> None:
    old = _read_index(folder)
    if old is not None:
        rows = pd.concat([old, rows]).drop_duplicates(["subject", "condition"], keep="last")
    rows = rows.sort_values(["subject", "condition"]).reset_index(drop=True)
    _write_text_atomic(folder / _INDEX, rows[["subject", "condition", "image", "tmap"]].to_csv(
        index=False))
    if participants is not None:
        path = folder / _PARTICIPANTS
        if path.is_file():
            previous = pd.read_csv(path, sep="\t", dtype={"subject": str})
            participants = pd.concat([previous, participants]).drop_duplicates(
                "subject", keep="last")
        _write_text_atomic(path, participants.sort_values("subject").to_csv(sep="\t",
                                                                               index=False))


def _fetch_dartbrains(folder: Path, n_subjects: int | None, conditions: Sequence[str],
                      manifest: Mapping, retries: int, timeout: float, progress: bool) -> None:
    import pooch

    entry = manifest["datasets"]["localizer_dartbrains"]
    spec = entry["subjects"]
    last = spec["last"] if n_subjects is None else min(spec["last"],
                                                        spec["first"] + n_subjects - 1)
    subjects = [f"{spec['prefix']}{k:0{spec['width']}d}" for k in range(spec["first"], last + 1)]
    base_url = entry["source"]["base_url"]
    expected = _expected_hashes("localizer_dartbrains", folder, manifest)
    rows, registry = [], {}
    for subject in subjects:
        for condition in conditions:
            rel = entry["file_pattern"].format(subject=subject, condition=condition)
            registry[rel] = f"sha256:{expected[rel]}" if rel in expected else None
            rows.append({"subject": subject, "condition": condition, "image": rel, "tmap": ""})
    # damaged files whose checksum is unknown would be kept by pooch: remove them first
    for rel in registry:
        if registry[rel] is None and (folder / rel).is_file() and not _gzip_intact(folder / rel):
            (folder / rel).unlink()
    store = pooch.create(path=folder, base_url=base_url, registry=registry,
                         retry_if_failed=retries)
    for rel in registry:
        downloader = pooch.HTTPDownloader(
            progressbar=_Progress(Path(rel).name) if progress else False, timeout=timeout)
        try:
            store.fetch(rel, downloader=downloader)
        except Exception as err:  # requests, checksum and file errors all mean "not available"
            raise DataUnavailableError(
                f"download of {rel} from {base_url} failed ({err.__class__.__name__}: "
                f"{str(err).splitlines()[0][:200] if str(err) else ''}); files already "
                f"downloaded are kept in {folder}") from None
        if not _gzip_intact(folder / rel):
            (folder / rel).unlink()
            raise DataUnavailableError(f"download of {rel} from {base_url} is damaged "
                                       "(truncated gzip); it was removed: try again later.")
    table = pd.DataFrame({"subject": subjects, "sex": pd.NA, "age": pd.NA})
    _write_index(folder, pd.DataFrame(rows), table)


def _fetch_nilearn(folder: Path, n_subjects: int | None, conditions: Sequence[str],
                   manifest: Mapping, retries: int, timeout: float, progress: bool) -> None:
    from nilearn import datasets as nilearn_datasets
    from nilearn.datasets.func import CONTRAST_NAME_WRAPPER

    entry = manifest["datasets"]["localizer_nilearn"]
    names = [entry["contrasts"][c] for c in conditions]
    by_file_name = {CONTRAST_NAME_WRAPPER.get(n, n): c for n, c in zip(names, conditions,
                                                                        strict=True)}
    n = entry["n_subjects"] if n_subjects is None else min(n_subjects, entry["n_subjects"])
    last_error = None
    for attempt in range(retries + 1):
        try:
            bunch = nilearn_datasets.fetch_localizer_contrasts(
                names, n_subjects=n, data_dir=str(folder / "nilearn"),
                verbose=1 if progress else 0, **entry.get("fetcher_args", {}))
            break
        except Exception as err:  # nilearn raises many kinds of network and file errors
            last_error = err
            time.sleep(min(attempt + 1, 3) if attempt < retries else 0)
    else:
        raise DataUnavailableError(f"nilearn's Localizer download failed ({last_error})")

    def parse(paths, kind):
        out = {}
        for path in map(Path, paths):
            key = path.name[len(kind) + 1:].removesuffix(".nii.gz")
            if key in by_file_name:
                out[(path.parent.name, by_file_name[key])] = path.relative_to(folder).as_posix()
        return out

    cmaps = parse(bunch.get("cmaps", []), "cmaps")
    tmaps = parse(bunch.get("tmaps", []), "tmaps")
    rows = pd.DataFrame([{"subject": s, "condition": c, "image": rel, "tmap": tmaps.get((s, c), "")}
                         for (s, c), rel in cmaps.items()])
    if rows.empty:
        raise DataUnavailableError("nilearn's Localizer fetcher returned no maps.")
    ext = bunch.get("ext_vars")
    participants = None
    if ext is not None and "participant_id" in ext:
        participants = pd.DataFrame({
            "subject": ext["participant_id"].astype(str),
            "sex": ext["sex"] if "sex" in ext else pd.NA,
            "age": ext["age"] if "age" in ext else pd.NA})
    _write_index(folder, rows, participants)


def fetch(dataset: str = "localizer_nilearn", n_subjects: int | None = None,
          conditions: Sequence[str] | None = None, root: str | os.PathLike[str] | None = None,
          *, retries: int = 2, timeout: float = 10.0, progress: bool = True) -> Path:
    """Download a real copy of the Localizer into a folder (the user's cache by default).

    Files are verified against recorded checksums where known (the manifest or a
    ``SHA256SUMS`` written by :func:`lock`), written atomically (an interrupted download leaves
    no partial file), retried ``retries`` times, and the attempt fails within a few seconds when
    the server cannot be reached. Files already present and intact are not downloaded again.

    Parameters
    ----------
    dataset : {"localizer_nilearn", "localizer_dartbrains"}
        The nilearn/OSF copy (94 subjects, with t-maps) or the DartBrains copy (20 subjects).
    n_subjects : int, optional
        First ``n_subjects`` subjects; default all.
    conditions : sequence of str, optional
        Default all ten.
    root : path-like, optional
        Where to put the data set's folder; default ``COURSE_DATA_DIR``.
    retries : int, default 2
    timeout : float, default 10.0
        Seconds to wait for a server.
    progress : bool, default True
        Show a progress bar per file.

    Returns
    -------
    pathlib.Path
        The data set's folder (with ``index.csv`` listing its files).

    Raises
    ------
    DataUnavailableError
        No network, a server error, or a file that fails its checksum.

    Examples
    --------
    >>> fetch("localizer_unknown")
    Traceback (most recent call last):
    ...
    ValueError: Unknown data set 'localizer_unknown'. Did you mean 'localizer_nilearn'? ...
    """
    check_names(dataset, REAL_DATASETS, "data set")
    conditions = list(CONDITIONS) if conditions is None else check_names(
        conditions, CONDITIONS, "condition")
    if n_subjects is not None and (not isinstance(n_subjects, int) or n_subjects < 1):
        raise ValueError(f"n_subjects must be a positive whole number, got {n_subjects!r}.")
    folder = Path(config.data_dir() if root is None else root) / dataset
    manifest = load_manifest()
    source = manifest["datasets"][dataset]["source"]
    _require_network(source.get("base_url") or source["host"], min(timeout, 5.0))
    # damaged files: remove them (only them) so that they are downloaded again
    index = _read_index(folder)
    if index is not None:
        report = _check_files(folder, _index_files(index),
                              _expected_hashes(dataset, folder, manifest))
        for rel in report.loc[report["status"].isin(["bad checksum", "corrupt"]), "file"]:
            (folder / rel).unlink()
    getter = _fetch_nilearn if dataset == "localizer_nilearn" else _fetch_dartbrains
    getter(folder, n_subjects, conditions, manifest, retries, timeout, progress)
    index = _read_index(folder)
    report = _check_files(folder, _index_files(index), _expected_hashes(dataset, folder, manifest))
    bad = report[report["status"] != "ok"]
    if not bad.empty:
        raise DataUnavailableError(f"{len(bad)} downloaded file(s) failed verification, e.g. "
                                   f"{bad['file'].iloc[0]}: {bad['detail'].iloc[0]}.")
    return folder


# === Loading the real data ========================================================================


def _variance_from_t(cmaps: np.ndarray, tmaps: np.ndarray) -> np.ndarray:
    """First-level variance (cmap / tmap)^2, with voxels where |t| < 0.5 set to the subject's
    median variance (there the ratio is dominated by rounding and explodes)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (cmaps.astype(np.float64) / tmaps) ** 2
    unusable = ~np.isfinite(var) | ~(np.abs(tmaps) >= _T_FLOOR)
    for k in range(var.shape[0]):
        good = var[k][~unusable[k]]
        fill = float(np.median(good)) if good.size else 1.0
        var[k][unusable[k]] = fill
        np.maximum(var[k], 1e-6 * fill, out=var[k])
    return var.astype(np.float32)


def _participants_from(folder: Path, subjects: Sequence[str]) -> pd.DataFrame:
    table = pd.DataFrame({"subject": list(subjects)})
    path = folder / _PARTICIPANTS
    if path.is_file():
        found = pd.read_csv(path, sep="\t", dtype={"subject": str})
        table = table.merge(found, on="subject", how="left")
    for column in ("sex", "age"):
        if column not in table:
            table[column] = pd.NA
    sex = table["sex"].astype("string").str.strip().str[:1].str.upper()
    table["sex"] = sex.where(sex.isin(["F", "M"]), pd.NA)
    table["age"] = pd.to_numeric(table["age"], errors="coerce")
    return table[["subject", "sex", "age"]]


def _fingerprint(folder: Path, files: Sequence[str]) -> str:
    parts = []
    for rel in files:
        st = (folder / rel).stat()
        parts.append(f"{rel}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("|".join([str(folder.resolve()), *parts]).encode()).hexdigest()


def _read_images(paths: Sequence[Path], mask_img, resample: bool) -> np.ndarray:
    if not resample:
        return mask_images(paths, mask_img)
    from nilearn.image import resample_to_img

    imgs = []
    for path in paths:
        img = nib.load(path)
        try:
            check_same_grid(img, mask_img)
        except ValueError:
            img = resample_to_img(img, mask_img, interpolation="continuous",
                                  force_resample=True, copy_header=True)
        imgs.append(img)
    return mask_images(imgs, mask_img)


def _load_real(dataset: str, folder: Path, where: str, conditions: Sequence[str],
               n_subjects: int, explicit_n: bool, resample: bool, may_repair: bool,
               say) -> LocalizerData:
    index = _read_index(folder)
    if index is None:
        raise DataUnavailableError(f"no {dataset} index in {folder}")
    index = index[index["condition"].isin(conditions)]
    counts = index.groupby("subject")["condition"].nunique()
    available = sorted(counts.index[counts == len(conditions)])
    if not available:
        raise DataUnavailableError(f"{dataset} in {where} has no subject with all of "
                                   f"{', '.join(conditions)}")
    if explicit_n and n_subjects > len(available):
        raise ValueError(f"{dataset} in {where} has {len(available)} subjects with these "
                         f"conditions; you asked for {n_subjects}. Ask for at most "
                         f"{len(available)}, or fetch more with `python -m course_utils.data "
                         f"fetch --dataset {dataset}`.")
    subjects = available[:n_subjects]
    index = index[index["subject"].isin(subjects)].set_index(["condition", "subject"])
    with_tmaps = bool((index["tmap"] != "").all())
    files = _index_files(index.reset_index())
    manifest = load_manifest()

    first = nib.load(folder / index["image"].iloc[0])
    mask_img = brain_mask(first.shape[:3], first.affine)
    cache_dir = config.data_dir() / "arrays" / dataset
    key = hashlib.sha256(("|".join(subjects) + str(resample)).encode()).hexdigest()[:10]
    fingerprint = _fingerprint(folder, [f for f in files if (folder / f).is_file()])
    values, variances = {}, {}
    checked = False
    for condition in conditions:
        cached = cache_dir / f"{condition}_{key}.npz"
        if cached.is_file():
            try:
                with np.load(cached, allow_pickle=False) as npz:
                    if str(npz["fingerprint"]) == fingerprint:
                        values[condition] = npz["values"]
                        variances[condition] = npz["variance"] if with_tmaps else None
                        continue
            except (OSError, ValueError, KeyError):
                pass
        if not checked:
            report = _check_files(folder, files, _expected_hashes(dataset, folder, manifest))
            bad = report[report["status"] != "ok"]
            if not bad.empty:
                if not may_repair:
                    raise DataUnavailableError(
                        f"{len(bad)} file(s) of {dataset} in {where} failed verification, e.g. "
                        f"{bad['file'].iloc[0]} ({bad['detail'].iloc[0]}); ask whoever "
                        "maintains that folder to run `python -m course_utils.data fetch` again")
                damaged = (f"{len(bad)} damaged or missing file(s) of {dataset} in {folder} "
                           f"(e.g. {bad['file'].iloc[0]}: {bad['status'].iloc[0]})")
                say(f"{damaged}: downloading them again.")
                try:
                    fetch(dataset, n_subjects=len(available), conditions=conditions,
                          root=folder.parent, progress=False)
                except DataUnavailableError as err:
                    raise DataUnavailableError(f"{damaged}, and downloading them again failed "
                                               f"({err})") from None
                fingerprint = _fingerprint(folder, files)
            checked = True
        rows = index.loc[condition].loc[subjects]
        values[condition] = _read_images([folder / f for f in rows["image"]], mask_img, resample)
        variances[condition] = None
        if with_tmaps:
            t = _read_images([folder / f for f in rows["tmap"]], mask_img, resample)
            variances[condition] = _variance_from_t(values[condition], t)
        _save_npz(cached, values=values[condition], fingerprint=np.array(fingerprint),
                  variance=(variances[condition] if with_tmaps
                            else np.zeros((0, 0), dtype=np.float32)))
    # keep voxels with a finite value in every map (first-level masks differ between subjects)
    keep = np.logical_and.reduce([np.isfinite(v).all(axis=0) for v in values.values()])
    if not keep.all():
        mask = np.asanyarray(mask_img.dataobj).astype(bool)
        reduced = np.zeros(mask.size, dtype=np.uint8)
        reduced[np.flatnonzero(mask)[keep]] = 1
        mask_img = nib.Nifti1Image(reduced.reshape(mask.shape), mask_img.affine)
        values = {c: v[:, keep] for c, v in values.items()}
        variances = {c: None if v is None else v[:, keep] for c, v in variances.items()}
    copy = "nilearn/OSF copy" if dataset == "localizer_nilearn" else "DartBrains copy"
    return LocalizerData.from_arrays(
        values=values, subjects=subjects, participants=_participants_from(folder, subjects),
        mask_img=mask_img, source=f"Localizer ({copy}, {len(subjects)} subjects)",
        is_synthetic=False, variances=variances,
        images={c: [str(folder / f) for f in index.loc[c].loc[subjects, "image"]]
                for c in conditions},
        tmaps={c: [str(folder / f) if f else None for f in index.loc[c].loc[subjects, "tmap"]]
               for c in conditions})


def _requested_source(source: str | None) -> str:
    value = source if source is not None else os.environ.get("COURSE_DATA", "")
    value = (value or "auto").strip().lower()
    check_names(value, _SOURCE_CHOICES, "data source")
    return value


def _local_copy(datasets: Sequence[str], conditions: Sequence[str]):
    """First (where, folder, dataset) holding an index with every condition, or None."""
    for where, base in _locations():
        for dataset in datasets:
            index = _read_index(base / dataset)
            if index is not None and set(conditions) <= set(index["condition"]):
                yield where, base / dataset, dataset


def load_localizer(conditions: Sequence[str] | None = None, n_subjects: int | None = None,
                   source: str | None = None, seed: int = 0, *, resample: bool = False,
                   verbose: bool = True) -> LocalizerData:
    """Load the Localizer maps from wherever they are, or the stand-in, in one shape.

    Looks in order in the shared read-only folder (``COURSE_SHARED_DATA``), the user's cache
    (``COURSE_DATA_DIR``), then tries a download (skipped when ``COURSE_DATA_OFFLINE=1``; fails
    within seconds without a network), and otherwise generates the offline stand-in
    (:func:`synthetic_localizer`). Prints the source used in one line.

    Parameters
    ----------
    conditions : sequence of str, optional
        Default all ten (:data:`CONDITIONS`).
    n_subjects : int, optional
        Default ``COURSE_N_SUBJECTS`` or 30. Real data with fewer subjects: all of them (or an
        error when the number was given explicitly).
    source : {"synthetic", "localizer", "localizer_nilearn", "localizer_dartbrains", "auto"},
        optional
        Default ``COURSE_DATA`` or "auto". Anything but "auto" forces that source: a missing
        real source is then an error saying how to get it, never a silent stand-in.
    seed : int, default 0
        Seed of the stand-in.
    resample : bool, default False
        Resample images on another grid to the first image's grid (continuous interpolation)
        instead of refusing them.
    verbose : bool, default True
        Print the one-line source message.

    Returns
    -------
    LocalizerData

    Raises
    ------
    ValueError
        Unknown condition or source name (with the closest valid name), bad ``n_subjects``,
        images on different grids without ``resample=True``.
    DataUnavailableError
        A real source was forced and cannot be found or downloaded.

    See Also
    --------
    synthetic_localizer, fetch, verify

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["COURSE_DATA_DIR"] = tempfile.mkdtemp()
    >>> data = load_localizer(["audio_left_hand", "audio_right_hand"], n_subjects=4,
    ...                       source="synthetic")
    Data: synthetic stand-in (seed 0, 4 subjects) (asked for with source='synthetic').
    >>> data.array("audio_left_hand").shape, data.subjects[:2]
    ((4, 67402), ['S01', 'S02'])
    >>> del os.environ["COURSE_DATA_DIR"]
    """
    def say(message: str) -> None:
        if verbose:
            print(message, flush=True)

    conditions = list(CONDITIONS) if conditions is None else check_names(
        conditions, CONDITIONS, "condition")
    if not conditions:
        raise ValueError("No conditions given: pass condition names or None for all ten.")
    explicit_n = n_subjects is not None
    n = n_subjects if explicit_n else _n_subjects_default()
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n_subjects must be a whole number >= 2, got {n_subjects!r}.")
    choice = _requested_source(source)
    how = f"source={source!r}" if source is not None else f"COURSE_DATA={choice}"
    if choice == "synthetic":
        data = synthetic_localizer(seed=seed, n_subjects=int(n), conditions=conditions)
        say(f"Data: {data.source} (asked for with {how}).")
        return data
    datasets = REAL_DATASETS if choice in ("auto", "localizer") else (choice,)
    problems = []
    for where, folder, dataset in _local_copy(datasets, conditions):
        try:
            data = _load_real(dataset, folder, where, conditions, int(n), explicit_n, resample,
                              may_repair=where == "your cache" and _downloads_allowed(), say=say)
        except DataUnavailableError as err:
            problems.append(str(err))
            say(f"Skipping {dataset} in {where}: {err}.")
            continue
        say(f"Data: {data.source}, from {where} ({folder}).")
        return data
    if not problems:
        problems.append("not in the shared folder or your cache")
    if _downloads_allowed():
        download = datasets[:1]  # the nilearn copy: 94 subjects with t-maps and participants
        for dataset in download:
            try:
                folder = fetch(dataset, n_subjects=int(n), conditions=conditions,
                               progress=verbose, timeout=5.0, retries=1)
                data = _load_real(dataset, folder, "your cache", conditions, int(n), explicit_n,
                                  resample, may_repair=False, say=say)
            except DataUnavailableError as err:
                problems.append(f"download failed: {err}")
                continue
            say(f"Data: {data.source}, downloaded to {folder}.")
            return data
    else:
        problems.append("downloads are off (COURSE_DATA_OFFLINE=1)")
    why = "; ".join(problems)
    if choice != "auto":
        raise DataUnavailableError(
            f"The real Localizer data ({', '.join(datasets)}) are not available: {why}. To get "
            "them: on a machine with internet run `python -m course_utils.data fetch` (they go "
            "to COURSE_DATA_DIR), or set COURSE_SHARED_DATA to the folder your instructor "
            "shared. To work offline instead, use COURSE_DATA=synthetic.")
    data = synthetic_localizer(seed=seed, n_subjects=int(n), conditions=conditions)
    say(f"Data: {data.source}, because the Localizer data are unavailable ({why}); "
        "see 'Where the data come from'.")
    return data


# === What is where (info) and the command line ====================================================


def info() -> pd.DataFrame:
    """Tabulate what is available where, without touching the network.

    Returns
    -------
    pandas.DataFrame
        One row per data set and place: ``dataset``, ``location``, ``path``, ``status``.
        ``DataFrame.attrs["plan"]`` says which source :func:`load_localizer` will use.

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["COURSE_DATA_DIR"] = tempfile.mkdtemp()
    >>> table = info()
    >>> table["status"].tolist()
    ['absent', 'absent']
    >>> del os.environ["COURSE_DATA_DIR"]
    """
    rows = []
    for where, base in _locations():
        for dataset in REAL_DATASETS:
            folder = base / dataset
            index = _read_index(folder)
            if index is None:
                status = "absent"
            else:
                present = index[[(folder / f).is_file() for f in index["image"]]]
                n_sub = present.groupby("subject")["condition"].nunique()
                status = (f"{int((n_sub == len(CONDITIONS)).sum())} subjects with all 10 "
                          f"conditions, {len(present)} maps"
                          + (", checksums locked" if (folder / _LOCK_NAME).is_file() else ""))
            rows.append({"dataset": dataset, "location": where, "path": str(folder),
                         "status": status})
    table = pd.DataFrame(rows, columns=["dataset", "location", "path", "status"])
    try:
        choice = _requested_source(None)
    except ValueError as err:
        table.attrs["plan"] = f"COURSE_DATA is not valid: {err}"
        return table
    n = os.environ.get("COURSE_N_SUBJECTS", str(DEFAULT_N_SUBJECTS))
    if choice == "synthetic":
        plan = f"the synthetic stand-in ({n} subjects; COURSE_DATA=synthetic)"
    else:
        datasets = REAL_DATASETS if choice in ("auto", "localizer") else (choice,)
        local = next(iter(_local_copy(datasets, ())), None)
        if local is not None:
            n_cond = _read_index(local[1])["condition"].nunique()
            plan = f"{local[2]} from {local[0]} ({local[1]})" + (
                "" if n_cond == len(CONDITIONS) else
                f" for its {n_cond} conditions; for the others, a download or the stand-in")
        else:
            fallback = ("the synthetic stand-in" if choice == "auto"
                        else "an error (a real source is forced)")
            plan = (("a download of " + datasets[0] + ", and if that fails " + fallback)
                    if _downloads_allowed() else fallback + " (downloads are off)")
    table.attrs["plan"] = f"Notebooks will use: {plan}."
    return table


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m course_utils.data fetch|verify|lock|synthesize|info``."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.data",
        description="Get, check and describe the Localizer data used by the course.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_fetch = sub.add_parser("fetch", help="download a real copy into COURSE_DATA_DIR")
    p_fetch.add_argument("--dataset", default="localizer_nilearn", choices=REAL_DATASETS)
    p_fetch.add_argument("--n-subjects", type=int, default=None, help="default: all")
    p_fetch.add_argument("--root", default=None, help="folder to download into")
    p_verify = sub.add_parser("verify", help="check local files against their checksums")
    p_verify.add_argument("--dataset", default=None, choices=REAL_DATASETS)
    p_verify.add_argument("--root", default=None)
    p_lock = sub.add_parser("lock", help="record checksums of a trusted download")
    p_lock.add_argument("--dataset", default="localizer_nilearn", choices=REAL_DATASETS)
    p_lock.add_argument("--root", default=None)
    p_syn = sub.add_parser("synthesize", help="generate (and cache) the offline stand-in")
    p_syn.add_argument("--seed", type=int, default=0)
    p_syn.add_argument("--n-subjects", type=int, default=None)
    sub.add_parser("info", help="what is available where, and what notebooks will use")
    args = parser.parse_args(argv)
    try:
        with pd.option_context("display.width", 160, "display.max_colwidth", 90):
            if args.command == "fetch":
                folder = fetch(args.dataset, n_subjects=args.n_subjects, root=args.root)
                print(f"{args.dataset} is in {folder}. Run `python -m course_utils.data lock` "
                      "once to record its checksums.")
            elif args.command == "verify":
                report = verify(args.dataset, args.root)
                if report.empty:
                    print("No real data found locally: nothing to verify.")
                    return 0
                bad = report[report["status"] != "ok"]
                print(report.groupby(["dataset", "location", "status"]).size().to_string())
                if not bad.empty:
                    print(bad[["dataset", "file", "status", "detail"]].to_string(index=False))
                    print("Run `python -m course_utils.data fetch` to download damaged or "
                          "missing files again.")
                    return 1
                print("All files verified.")
            elif args.command == "lock":
                print(f"Checksums recorded in {lock(args.dataset, args.root)}.")
            elif args.command == "synthesize":
                n = args.n_subjects if args.n_subjects is not None else _n_subjects_default()
                data = synthetic_localizer(seed=args.seed, n_subjects=n)
                print(f"{data!r}, cached in {config.data_dir() / 'arrays' / 'synthetic'}.")
            else:
                table = info()
                print(table.to_string(index=False))
                print(table.attrs["plan"])
    except (DataUnavailableError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        if args.command == "fetch":
            print("The download needs internet access. Offline, the notebooks use the synthetic "
                  "stand-in (COURSE_DATA=synthetic).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
