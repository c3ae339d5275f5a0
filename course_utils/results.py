"""Results: writing group maps and tables to the output folder, safely.

Reporting guidelines ask for the unthresholded maps as well as the thresholded ones, so the
notebooks write their results as files. Every file goes to
:func:`course_utils.config.paths.output_dir`,
is written atomically (to a temporary file in the same folder, then renamed, so an interrupted
write never leaves half a file), and gets a small JSON sidecar saying which notebook wrote it.

A re-run of a notebook replaces the files **it** wrote. A file of the same name that the course did
not write (one of yours) is never overwritten: the write fails with a message instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import nibabel as nib
import pandas as pd

from course_utils._utils import atomic_write
from course_utils.config import paths

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["main_clusters", "save_map", "save_table", "written_by"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _target(name: str, suffix: str, folder: Path | None) -> Path:
    if not _NAME.match(name) or "/" in name or ".." in name:
        raise ValueError(
            f"{name!r} is not a plain file name: use letters, digits, '_', '-' and "
            "'.', e.g. 'group_onesample_horizontal_checkerboard_t'."
        )
    base = paths.output_dir(create=True) if folder is None else Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    return base / (name if name.endswith(suffix) else name + suffix)


def written_by(path: str | os.PathLike[str]) -> str | None:
    """The notebook that wrote ``path`` (from its sidecar), or None for any other file.

    Parameters
    ----------
    path : str or os.PathLike
        A file the course may have written.

    Returns
    -------
    str or None
        The ``notebook`` given to :func:`save_map` or :func:`save_table`; None without a readable
        sidecar.

    Examples
    --------
    >>> import tempfile
    >>> written_by(Path(tempfile.mkdtemp()) / "nothing.nii.gz") is None
    True
    """
    sidecar = _sidecar(Path(path))
    try:
        return json.loads(sidecar.read_text()).get("written_by")
    except (OSError, ValueError):
        return None


def _write_atomically(
    path: Path, write: Callable[[str], object], notebook: str, description: str
) -> Path:
    if path.exists() and written_by(path) != notebook:
        owner = written_by(path)
        who = f"notebook {owner!r}" if owner else "someone else (not this course)"
        raise FileExistsError(
            f"{path} already exists and was written by {who}, so it is left untouched. Move or "
            "rename it, choose another name, or set COURSE_OUTPUT_DIR to another folder."
        )
    digests = []

    def write_and_hash(tmp: str) -> None:  # the temporary file keeps the ending nibabel reads
        write(tmp)
        digests.append(hashlib.sha256(Path(tmp).read_bytes()).hexdigest())

    atomic_write(path, write_and_hash)
    meta = {
        "written_by": notebook,
        "description": description,
        "sha256": digests[0],
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    text = json.dumps(meta, indent=2) + "\n"
    atomic_write(_sidecar(path), lambda tmp: Path(tmp).write_text(text))
    return path


def save_map(
    img: nib.spatialimages.SpatialImage,
    name: str,
    notebook: str,
    description: str = "",
    folder: str | os.PathLike[str] | None = None,
) -> Path:
    """Write a NIfTI map to the output folder, atomically, with a provenance sidecar.

    Parameters
    ----------
    img : nibabel image
        The map.
    name : str
        File name saying what the map holds, e.g.
        ``"group_onesample_horizontal_checkerboard_t"`` (``.nii.gz`` is added).
    notebook : str
        The notebook writing it; only this notebook may later replace the file.
    description : str
        One line stored in the sidecar (statistic, threshold, data source).
    folder : path, optional
        Another folder than the course output folder.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    FileExistsError
        When a file of that name exists that this notebook did not write.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> img = nib.Nifti1Image(np.zeros((2, 2, 2), "float32"), np.eye(4))
    >>> path = save_map(img, "demo_t", notebook="doc", folder=folder)
    >>> path.name, written_by(path)
    ('demo_t.nii.gz', 'doc')
    """
    path = _target(name, ".nii.gz", folder)
    return _write_atomically(path, lambda tmp: nib.save(img, tmp), notebook, description)


def save_table(
    table: pd.DataFrame,
    name: str,
    notebook: str,
    description: str = "",
    folder: str | os.PathLike[str] | None = None,
) -> Path:
    """Write a table as CSV to the output folder, with the same safety rules as :func:`save_map`.

    Parameters
    ----------
    table : pandas.DataFrame
        Written without its index.
    name : str
        File name (``.csv`` is added).
    notebook : str
        The notebook writing it; only this notebook may later replace the file.
    description : str
        One line stored in the sidecar.
    folder : path, optional
        Another folder than the course output folder.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    FileExistsError
        When a file of that name exists that this notebook did not write.

    Examples
    --------
    >>> import tempfile
    >>> path = save_table(pd.DataFrame({"x": [1]}), "demo", "doc", folder=tempfile.mkdtemp())
    >>> path.read_text().splitlines()
    ['x', '1']
    """
    path = _target(name, ".csv", folder)
    return _write_atomically(
        path, lambda tmp: table.to_csv(tmp, index=False), notebook, description
    )


def main_clusters(table: pd.DataFrame) -> pd.DataFrame:
    """One row per cluster of a nilearn cluster table, largest first, sizes as numbers.

    ``nilearn.reporting.get_clusters_table`` lists the sub-peaks of a large cluster on rows of
    their own (IDs such as ``"1a"``) whose size is blank: they belong to the cluster above them.
    Sorting or summing that column as it is mixes numbers and empty strings.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by ``get_clusters_table`` (column ``"Cluster Size (mm3)"``).

    Returns
    -------
    pandas.DataFrame
        The rows of whole clusters, ``"Cluster Size (mm3)"`` as float, largest first.

    Examples
    --------
    >>> table = pd.DataFrame({"Cluster ID": [1, "1a", 2], "Peak Stat": [6.0, 5.1, 4.2],
    ...                       "Cluster Size (mm3)": [270, "", 810]})
    >>> main_clusters(table)[["Cluster ID", "Cluster Size (mm3)"]]
      Cluster ID  Cluster Size (mm3)
    0          2               810.0
    1          1               270.0
    """
    if "Cluster Size (mm3)" not in table:
        raise ValueError(
            "Expected a table from nilearn.reporting.get_clusters_table, with a "
            "'Cluster Size (mm3)' column."
        )
    size = pd.to_numeric(table["Cluster Size (mm3)"], errors="coerce")
    main = table[size.notna()].copy()
    main["Cluster Size (mm3)"] = size[size.notna()].astype(float)
    return main.sort_values("Cluster Size (mm3)", ascending=False, kind="stable").reset_index(
        drop=True
    )
