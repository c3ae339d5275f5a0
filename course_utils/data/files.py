"""Files of the real data sets on disk: where they are, checksums, verification and the lock.

A real copy lives in a data set folder (``<root>/localizer_nilearn`` or
``<root>/localizer_dartbrains``) in the shared folder or the user's cache. :func:`verify` checks
every file against recorded checksums (or, without one, that its gzip stream is complete);
:func:`lock` records the checksums of a trusted download.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from course_utils import config
from course_utils.data.manifest import (
    _LOCK_NAME,
    CONDITIONS,
    REAL_DATASETS,
    DataUnavailableError,
    _is_sha256,
    check_names,
    load_manifest,
)

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


