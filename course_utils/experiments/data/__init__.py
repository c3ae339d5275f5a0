"""Data: the Localizer maps as masked ``subjects x voxels`` arrays, from wherever they are.

:func:`load_localizer` gives the notebooks the per-subject, per-condition maps of the Localizer
study in one shape (:class:`LocalizerData`), whatever their source. It looks, in order, in the
read-only shared folder (``COURSE_SHARED_DATA``), in the user's cache (``COURSE_DATA_DIR``), then
downloads (nilearn's own fetcher for the OSF copy, pooch for the DartBrains copy; verified by the
course, failing fast without a network), and finally generates a seeded offline stand-in with a
known ground truth (:func:`synthetic_localizer`). ``COURSE_DATA=synthetic`` or
``COURSE_DATA=localizer`` forces a source, ``COURSE_N_SUBJECTS`` sets the number of subjects, and
``COURSE_DATA_OFFLINE=1`` skips download attempts. Data sets are described in
``data_manifest.yaml``. Command line: ``course-data fetch | verify | lock | synthesize | info``
(also ``python -m course_utils.experiments.data``).

This package is the one public home of its names (``from course_utils.experiments import data``,
then ``data.load_localizer(...)``); the modules behind it are private, one per concern:

- ``_manifest``: condition names, the manifest, nilearn's file names;
- ``_masking``: masking images to arrays and back (:func:`mask_images`, :func:`unmask`), grids
  and the brain mask;
- ``_container``: :class:`LocalizerData`, the maps as masked arrays;
- ``_truth``: the stand-in's regions and its :class:`GroundTruth`;
- ``_standin``: the seeded stand-in (:func:`synthetic_localizer`);
- ``_cache``: cached arrays, written atomically;
- ``_files``: real copies on disk, checksums, :func:`verify`, :func:`lock`;
- ``_download``: :func:`fetch` (nilearn's fetcher, pooch);
- ``_sources``: :func:`load_localizer` and :func:`info`;
- ``_cli``: the command line (:func:`main`).
"""

from course_utils.experiments.data._cli import main
from course_utils.experiments.data._container import LocalizerData
from course_utils.experiments.data._download import fetch
from course_utils.experiments.data._files import lock, verify
from course_utils.experiments.data._manifest import (
    CONDITIONS,
    DEFAULT_N_SUBJECTS,
    LOCALIZER_AFFINE,
    LOCALIZER_SHAPE,
    MANIFEST_PATH,
    REAL_DATASETS,
    DataUnavailableError,
    check_names,
    load_manifest,
    nilearn_file_stem,
    nilearn_stems,
    validate_manifest,
)
from course_utils.experiments.data._masking import (
    ImageLike,
    brain_mask,
    check_same_grid,
    mask_images,
    unmask,
)
from course_utils.experiments.data._sources import info, load_localizer
from course_utils.experiments.data._standin import synthetic_localizer
from course_utils.experiments.data._truth import REGIONS, SEX_DIFFERENCE, GroundTruth, Region

__all__ = [
    "CONDITIONS",
    "DEFAULT_N_SUBJECTS",
    "LOCALIZER_AFFINE",
    "LOCALIZER_SHAPE",
    "MANIFEST_PATH",
    "REAL_DATASETS",
    "REGIONS",
    "SEX_DIFFERENCE",
    "DataUnavailableError",
    "GroundTruth",
    "ImageLike",
    "LocalizerData",
    "Region",
    "brain_mask",
    "check_names",
    "check_same_grid",
    "fetch",
    "info",
    "load_localizer",
    "load_manifest",
    "lock",
    "main",
    "mask_images",
    "nilearn_file_stem",
    "nilearn_stems",
    "synthetic_localizer",
    "unmask",
    "validate_manifest",
    "verify",
]
