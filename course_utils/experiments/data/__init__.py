"""Data: the Localizer maps as masked ``subjects x voxels`` arrays, from wherever they are.

:func:`load_localizer` gives the notebooks the per-subject, per-condition maps of the Localizer
study in one shape (:class:`LocalizerData`), whatever their source. It looks, in order, in the
read-only shared folder (``COURSE_SHARED_DATA``), in the user's cache (``COURSE_DATA_DIR``), then
downloads (nilearn's own fetcher for the OSF copy, pooch for the DartBrains copy; verified by the
course, failing fast without a network), and finally generates a seeded offline stand-in with a
known ground truth (:func:`synthetic_localizer`). ``COURSE_DATA=synthetic`` or
``COURSE_DATA=localizer`` forces a source, ``COURSE_N_SUBJECTS`` sets the number of subjects, and
``COURSE_DATA_OFFLINE=1`` skips download attempts. Data sets are described in
``data_manifest.yaml``. Command line: ``course-data fetch | verify | lock |
synthesize | info``.

One module per concern:

- :mod:`~course_utils.experiments.data.manifest`: condition names, the manifest, nilearn's file
  names;
- :mod:`~course_utils.experiments.data.container`: :class:`LocalizerData`, masking images to arrays
  and
  back (:func:`mask_images`, :func:`unmask`), grids and the brain mask;
- :mod:`~course_utils.experiments.data.standin`: the seeded stand-in and its :class:`GroundTruth`;
- :mod:`~course_utils.experiments.data.files`: real copies on disk, checksums, :func:`verify`,
  :func:`lock`;
- :mod:`~course_utils.experiments.data.download`: :func:`fetch` (nilearn's fetcher, pooch);
- :mod:`~course_utils.experiments.data.sources`: :func:`load_localizer` and :func:`info`;
- :mod:`~course_utils.experiments.data.cli`: the command line (:func:`main`).
"""

from course_utils.experiments.data.cli import main
from course_utils.experiments.data.container import (
    ImageLike,
    LocalizerData,
    brain_mask,
    check_same_grid,
    mask_images,
    unmask,
)
from course_utils.experiments.data.download import fetch
from course_utils.experiments.data.files import lock, verify
from course_utils.experiments.data.manifest import (
    CONDITIONS,
    DEFAULT_N_SUBJECTS,
    LOCALIZER_AFFINE,
    LOCALIZER_SHAPE,
    MANIFEST_PATH,
    REAL_DATASETS,
    DataUnavailableError,
    check_names,
    load_manifest,
    validate_manifest,
)
from course_utils.experiments.data.sources import info, load_localizer
from course_utils.experiments.data.standin import (
    REGIONS,
    SEX_DIFFERENCE,
    GroundTruth,
    Region,
    synthetic_localizer,
)

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
    "synthetic_localizer",
    "unmask",
    "validate_manifest",
    "verify",
]
