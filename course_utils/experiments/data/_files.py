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
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from course_utils._utils import atomic_write
from course_utils.config import paths
from course_utils.experiments.data._manifest import (
    CONDITIONS,
    REAL_DATASETS,
    DataUnavailableError,
    check_names,
    is_sha256,
    load_manifest,
    nilearn_stems,
)

#: The lock file :func:`lock` writes in a data set's folder (``sha256  relative/path`` lines).
LOCK_NAME = "SHA256SUMS"

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


def gzip_intact(path: Path) -> bool:
    """Whether a ``.gz`` file decompresses to its end (catches truncated downloads).

    Parameters
    ----------
    path : pathlib.Path
        Any file; one whose name does not end in ``.gz`` counts as intact.

    Returns
    -------
    bool

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "map.nii.gz"
    >>> _ = path.write_bytes(gzip.compress(b"x" * 1000))
    >>> gzip_intact(path)
    True
    >>> _ = path.write_bytes(gzip.compress(b"x" * 1000)[:-12])
    >>> gzip_intact(path)
    False
    """
    if not path.name.endswith(".gz"):
        return True
    try:
        with gzip.open(path, "rb") as handle:
            while handle.read(1 << 20):
                pass
        return True
    except (OSError, EOFError, zlib.error):
        return False


def read_index(folder: Path, dataset: str | None = None) -> pd.DataFrame | None:
    """The maps on disk, found by the rule their downloader named them with (None if none).

    The nilearn copy is laid out by nilearn itself (:func:`nilearn_stems`); the DartBrains copy
    by pooch under the manifest's ``file_pattern``.

    Parameters
    ----------
    folder : pathlib.Path
        A data set's folder (``<root>/localizer_nilearn`` or ``<root>/localizer_dartbrains``).
    dataset : str, optional
        The data set; default the folder's name.

    Returns
    -------
    pandas.DataFrame or None
        Columns ``subject``, ``condition``, ``image`` and ``tmap`` ("" when absent), paths
        relative to ``folder``; None when the folder holds no maps.

    Raises
    ------
    ValueError
        No file layout is known for ``dataset``.

    Examples
    --------
    >>> import tempfile
    >>> read_index(Path(tempfile.mkdtemp()) / "localizer_nilearn") is None
    True
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

    Parameters
    ----------
    folder : pathlib.Path
        The data set's folder.
    subjects : sequence of str
        The subjects wanted, in order.
    dataset : str, optional
        The data set; default the folder's name.

    Returns
    -------
    pandas.DataFrame
        ``subject`` first, then ``sex`` and ``age`` when known, then the source's other
        columns; only ``subject`` when the copy has no participant table.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "localizer_dartbrains"
    >>> folder.mkdir()
    >>> _ = (folder / "participants.tsv").write_text(
    ...     "participant_id\\tsex\\tage\\nsub-S01\\tfemale\\t23\\nsub-S02\\tM\\tn/a\\n")
    >>> read_participants(folder, ["S02", "S01"])
      subject sex   age
    0     S02   M   NaN
    1     S01   F  23.0
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


def expected_hashes(
    dataset: str, folder: Path, manifest: Mapping | None = None, use_lock: bool = True
) -> dict:
    """Checksums to verify against: the manifest's where known, else the folder's lock file.

    Parameters
    ----------
    dataset : str
        The data set's name in the manifest.
    folder : pathlib.Path
        The data set's folder (where :func:`lock` writes :data:`LOCK_NAME`).
    manifest : mapping, optional
        As returned by :func:`load_manifest` (read when not given).
    use_lock : bool, default True
        Also read the folder's lock file.

    Returns
    -------
    dict of str to str
        ``{relative path: sha256}``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / LOCK_NAME).write_text("ab" * 32 + "  S01/map.nii.gz\\n")
    >>> expected_hashes("localizer_dartbrains", folder)
    {'S01/map.nii.gz': 'abababababababababababababababababababababababababababababababab'}
    """
    hashes: dict[str, str] = {}
    lock_file = folder / LOCK_NAME
    if use_lock and lock_file.is_file():
        for line in lock_file.read_text().splitlines():
            parts = line.strip().split(maxsplit=1)
            if len(parts) == 2 and is_sha256(parts[0]):
                hashes[parts[1].strip().lstrip("*")] = parts[0].lower()
    manifest = load_manifest() if manifest is None else manifest
    known = manifest["datasets"].get(dataset, {}).get("sha256", "unknown")
    if isinstance(known, Mapping):
        hashes.update({rel: str(h).lower() for rel, h in known.items()})
    return hashes


def index_files(index: pd.DataFrame) -> list[str]:
    """The files an index names: every map, then every t-map, each once.

    Parameters
    ----------
    index : pandas.DataFrame
        As returned by :func:`read_index`.

    Returns
    -------
    list of str
        Paths relative to the data set's folder.

    Examples
    --------
    >>> index = pd.DataFrame({"image": ["a.nii.gz", "b.nii.gz"], "tmap": ["ta.nii.gz", ""]})
    >>> index_files(index)
    ['a.nii.gz', 'b.nii.gz', 'ta.nii.gz']
    """
    files = [*index["image"], *[t for t in index["tmap"] if t]]
    return list(dict.fromkeys(files))


def dataset_files(
    folder: Path, index: pd.DataFrame, expected: Mapping[str, str] | None = None
) -> list[str]:
    """Maps, tmaps and participant tables on disk, plus any file a checksum is recorded for
    (so that a deleted file shows as missing).

    Parameters
    ----------
    folder : pathlib.Path
        The data set's folder.
    index : pandas.DataFrame
        As returned by :func:`read_index`.
    expected : mapping of str to str, optional
        Recorded checksums (:func:`expected_hashes`).

    Returns
    -------
    list of str
        Paths relative to ``folder``, each once.

    Examples
    --------
    >>> import tempfile
    >>> index = pd.DataFrame({"image": ["a.nii.gz"], "tmap": [""]})
    >>> dataset_files(Path(tempfile.mkdtemp()), index, {"gone.nii.gz": "0" * 64})
    ['a.nii.gz', 'gone.nii.gz']
    """
    files = [*index_files(index), *_participant_files(folder), *(expected or {})]
    return list(dict.fromkeys(files))


def check_files(folder: Path, relpaths: Iterable[str], expected: Mapping[str, str]) -> pd.DataFrame:
    """Check files against recorded checksums, or (without one) that their gzip is complete.

    Parameters
    ----------
    folder : pathlib.Path
        The data set's folder.
    relpaths : iterable of str
        Files to check, relative to ``folder``.
    expected : mapping of str to str
        Recorded checksums by relative path (:func:`expected_hashes`).

    Returns
    -------
    pandas.DataFrame
        One row per file: ``file``, ``status`` (``ok``, ``missing``, ``bad checksum`` or
        ``corrupt``) and ``detail``.

    Examples
    --------
    >>> import tempfile
    >>> check_files(Path(tempfile.mkdtemp()), ["S01/map.nii.gz"], {})["status"].tolist()
    ['missing']
    """
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
        elif gzip_intact(path):
            status, detail = "ok", "no recorded checksum; file complete (gzip intact)"
        else:
            status, detail = "corrupt", "truncated or damaged (gzip stream broken)"
        rows.append({"file": rel, "status": status, "detail": detail})
    return pd.DataFrame(rows, columns=["file", "status", "detail"])


def locations() -> list[tuple[str, Path]]:
    """Where real copies are looked for, in order: the shared folder (when set), your cache.

    Returns
    -------
    list of (str, pathlib.Path)
        ``(how to name the place, folder)`` pairs.

    Examples
    --------
    >>> [where for where, _ in locations()][-1]
    'your cache'
    """
    places = []
    shared = paths.shared_data_dir()
    if shared is not None:
        places.append(("the shared folder", shared))
    places.append(("your cache", paths.data_dir()))
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
    places = [("given folder", Path(root))] if root is not None else locations()
    manifest = load_manifest()
    tables = []
    for where, base in places:
        for name in datasets:
            folder = base / name
            index = read_index(folder)
            if index is None:
                continue
            expected = expected_hashes(name, folder, manifest)
            table = check_files(folder, dataset_files(folder, index, expected), expected)
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
    folder = Path(paths.data_dir() if root is None else root) / dataset
    index = read_index(folder)
    if index is None:
        raise DataUnavailableError(
            f"No {dataset} data in {folder}: run `course-data fetch --dataset {dataset}` first."
        )
    files = dataset_files(folder, index)
    report = check_files(folder, files, expected_hashes(dataset, folder, use_lock=False))
    bad = report[report["status"] != "ok"]
    if not bad.empty:
        raise DataUnavailableError(
            f"Cannot lock {dataset}: {len(bad)} file(s) missing or damaged, e.g. "
            f"{bad['file'].iloc[0]} ({bad['status'].iloc[0]}). Run `course-data "
            "fetch` again, then lock."
        )
    lines = [f"{_sha256(folder / rel)}  {rel}" for rel in sorted(files)]
    path = folder / LOCK_NAME
    try:
        text = "\n".join(lines) + "\n"
        atomic_write(path, lambda tmp: Path(tmp).write_text(text))
    except OSError as err:
        raise DataUnavailableError(
            f"Cannot write {path} ({err}): is the folder read-only?"
        ) from None
    return path
