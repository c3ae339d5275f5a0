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
import re
import tempfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from course_utils import config
from course_utils.experiments.data.manifest import (
    _LOCK_NAME,
    CONDITIONS,
    REAL_DATASETS,
    DataUnavailableError,
    _is_sha256,
    check_names,
    load_manifest,
    nilearn_stems,
)

#: Where nilearn's fetcher puts the OSF copy inside the data set folder: the course passes
#: ``data_dir=<folder>/nilearn`` and nilearn adds ``brainomics_localizer``.
NILEARN_DIR = Path("nilearn", "brainomics_localizer")
_NILEARN_DATA = NILEARN_DIR / "brainomics_data"
_SUBJECT = re.compile(r"S\d{2,3}")
#: Participant tables, relative to the data set folder, as each source lays them out.
PARTICIPANT_FILES = {
    "localizer_nilearn": (
        _NILEARN_DATA / "participants.tsv",
        _NILEARN_DATA / "phenotype" / "behavioural.tsv",
    ),
    "localizer_dartbrains": (Path("participants.tsv"),),
}


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


def _read_index(folder: Path, dataset: str | None = None) -> pd.DataFrame | None:
    """The maps on disk, found by the rule their downloader named them with (None if none).

    The nilearn copy is laid out by nilearn itself (:func:`nilearn_stems`); the DartBrains copy
    by pooch under the manifest's ``file_pattern``. Columns ``subject``, ``condition``, ``image``
    and ``tmap`` ("" when absent), paths relative to ``folder``.
    """
    dataset = folder.name if dataset is None else dataset
    if not folder.is_dir():
        return None
    if dataset == "localizer_nilearn":
        rows = _nilearn_rows(folder)
    elif dataset == "localizer_dartbrains":
        rows = _pattern_rows(folder, load_manifest()["datasets"][dataset]["file_pattern"])
    else:
        raise ValueError(f"No file layout is known for data set {dataset!r}.")
    if not rows:
        return None
    return pd.DataFrame(rows, columns=["subject", "condition", "image", "tmap"]).sort_values(
        ["subject", "condition"], ignore_index=True
    )


def _nilearn_rows(folder: Path) -> list[dict]:
    base = folder / _NILEARN_DATA
    if not base.is_dir():
        return []
    stems = nilearn_stems()
    rows = []
    for sub in sorted(base.iterdir()):
        if not (sub.is_dir() and _SUBJECT.fullmatch(sub.name)):
            continue
        for condition, stem in stems.items():
            cmap, tmap = sub / f"cmaps_{stem}.nii.gz", sub / f"tmaps_{stem}.nii.gz"
            if cmap.is_file():
                rows.append(
                    {
                        "subject": sub.name,
                        "condition": condition,
                        "image": cmap.relative_to(folder).as_posix(),
                        "tmap": tmap.relative_to(folder).as_posix() if tmap.is_file() else "",
                    }
                )
    return rows


def _pattern_rows(folder: Path, pattern: str) -> list[dict]:
    glob = pattern.format(subject="*", condition="*")
    regex = re.compile(
        re.escape(pattern)
        .replace(r"\{subject\}", r"(?P<subject>[^/]+?)")
        .replace(r"\{condition\}", "(?P<condition>" + "|".join(CONDITIONS) + ")")
    )
    rows = []
    for path in folder.glob(glob):
        match = regex.fullmatch(path.relative_to(folder).as_posix())
        if match and path.is_file():
            rows.append(
                {
                    "subject": match["subject"],
                    "condition": match["condition"],
                    "image": match.group(0),
                    "tmap": "",
                }
            )
    return rows


def read_participants(
    folder: Path, subjects: Sequence[str], dataset: str | None = None
) -> pd.DataFrame:
    """The participants table of a real copy, one row per subject in ``subjects`` order.

    The nilearn copy: ``participants.tsv`` merged with ``phenotype/behavioural.tsv`` on
    ``participant_id``, as nilearn's fetcher merges them. The DartBrains copy: the data set's
    BIDS ``participants.tsv`` when it has one. ``participant_id`` becomes ``subject`` (a BIDS
    ``sub-`` prefix is dropped); ``sex`` is normalised to "F"/"M" and ``age`` made numeric.
    A column the source does not have is **absent** (never filled with missing values), so
    ``"age" in table`` tells whether ages are known; single unknown values (BIDS ``n/a``) are
    missing values.
    """
    dataset = folder.name if dataset is None else dataset
    table = pd.DataFrame({"subject": [str(s) for s in subjects]})
    files = [folder / rel for rel in PARTICIPANT_FILES.get(dataset, ())]
    if not files or not files[0].is_file():
        return table
    found = pd.read_csv(files[0], sep="\t", dtype={"participant_id": str}, na_values=["n/a"])
    for extra in files[1:]:
        if extra.is_file():
            more = pd.read_csv(extra, sep="\t", dtype={"participant_id": str}, na_values=["n/a"])
            found = found.merge(
                more, on="participant_id", how="left", suffixes=("", "_behavioural")
            )
    if "participant_id" not in found:
        return table
    found = found.rename(columns={"participant_id": "subject"})
    found["subject"] = found["subject"].str.strip().str.removeprefix("sub-")
    table = table.merge(found.drop_duplicates("subject"), on="subject", how="left").copy()
    if "sex" in table:
        sex = table["sex"].astype("string").str.strip().str[:1].str.upper()
        table["sex"] = sex.where(sex.isin(["F", "M"]), pd.NA).astype(object)
    if "age" in table:
        table["age"] = pd.to_numeric(table["age"], errors="coerce")
    first = [c for c in ("subject", "sex", "age") if c in table]
    return table[first + [c for c in table.columns if c not in first]]


def _participant_files(folder: Path, dataset: str | None = None) -> list[str]:
    dataset = folder.name if dataset is None else dataset
    return [
        rel.as_posix() for rel in PARTICIPANT_FILES.get(dataset, ()) if (folder / rel).is_file()
    ]


def _write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _expected_hashes(
    dataset: str, folder: Path, manifest: Mapping | None = None, use_lock: bool = True
) -> dict:
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


def _dataset_files(
    folder: Path, index: pd.DataFrame, expected: Mapping[str, str] | None = None
) -> list[str]:
    """Maps, tmaps and participant tables on disk, plus any file a checksum is recorded for
    (so that a deleted file shows as missing)."""
    files = [*_index_files(index), *_participant_files(folder), *(expected or {})]
    return list(dict.fromkeys(files))


def _check_files(
    folder: Path, relpaths: Iterable[str], expected: Mapping[str, str]
) -> pd.DataFrame:
    rows = []
    for rel in relpaths:
        path = folder / rel
        if not path.is_file():
            status, detail = "missing", "not on disk"
        elif rel in expected:
            actual = _sha256(path)
            ok = actual == expected[rel]
            status = "ok" if ok else "bad checksum"
            detail = (
                "sha256 verified"
                if ok
                else (f"sha256 {actual[:12]}... differs from the recorded {expected[rel][:12]}...")
            )
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
    datasets = (
        REAL_DATASETS if dataset is None else tuple(check_names(dataset, REAL_DATASETS, "data set"))
    )
    places = [("given folder", Path(root))] if root is not None else _locations()
    manifest = load_manifest()
    tables = []
    for where, base in places:
        for name in datasets:
            folder = base / name
            index = _read_index(folder)
            if index is None:
                continue
            expected = _expected_hashes(name, folder, manifest)
            table = _check_files(folder, _dataset_files(folder, index, expected), expected)
            table.insert(0, "location", f"{where} ({base})")
            table.insert(0, "dataset", name)
            tables.append(table)
    columns = ["dataset", "location", "file", "status", "detail"]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)


def lock(dataset: str = "localizer_nilearn", root: str | os.PathLike[str] | None = None) -> Path:
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
    course_utils.experiments.data.DataUnavailableError: No localizer_nilearn data in ...
    """
    check_names(dataset, REAL_DATASETS, "data set")
    folder = Path(config.data_dir() if root is None else root) / dataset
    index = _read_index(folder)
    if index is None:
        raise DataUnavailableError(
            f"No {dataset} data in {folder}: run `course-data fetch --dataset {dataset}` first."
        )
    files = _dataset_files(folder, index)
    report = _check_files(folder, files, _expected_hashes(dataset, folder, use_lock=False))
    bad = report[report["status"] != "ok"]
    if not bad.empty:
        raise DataUnavailableError(
            f"Cannot lock {dataset}: {len(bad)} file(s) missing or damaged, e.g. "
            f"{bad['file'].iloc[0]} ({bad['status'].iloc[0]}). Run `course-data "
            "fetch` again, then lock."
        )
    lines = [f"{_sha256(folder / rel)}  {rel}" for rel in sorted(files)]
    path = folder / _LOCK_NAME
    try:
        _write_text_atomic(path, "\n".join(lines) + "\n")
    except OSError as err:
        raise DataUnavailableError(
            f"Cannot write {path} ({err}): is the folder read-only?"
        ) from None
    return path
