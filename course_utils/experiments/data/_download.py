"""Downloads of the real Localizer: nilearn's fetcher for the OSF copy, pooch for DartBrains.

Both fail within seconds without a network, never leave a half-written file where a complete
one is expected, and are verified by the course after they finish (nilearn checks no hashes for
the Localizer's files).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from course_utils.config import paths
from course_utils.experiments.data._files import (
    NILEARN_DIR,
    PARTICIPANT_FILES,
    check_files,
    dataset_files,
    expected_hashes,
    gzip_intact,
    index_files,
    read_index,
)
from course_utils.experiments.data._manifest import (
    CONDITIONS,
    REAL_DATASETS,
    DataUnavailableError,
    check_names,
    load_manifest,
    nilearn_stems,
)

if TYPE_CHECKING:
    from typing import TextIO


class _Progress:
    """A minimal text progress bar with the interface pooch expects (total/update/reset/close)."""

    def __init__(self, label: str, stream: TextIO | None = None):
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


def downloads_allowed() -> bool:
    """Whether the course may try downloads (not when ``COURSE_DATA_OFFLINE`` is 1/true/yes).

    Returns
    -------
    bool

    Examples
    --------
    >>> import os
    >>> os.environ["COURSE_DATA_OFFLINE"] = "1"
    >>> downloads_allowed()
    False
    >>> del os.environ["COURSE_DATA_OFFLINE"]
    """
    return os.environ.get("COURSE_DATA_OFFLINE", "").strip().lower() not in ("1", "true", "yes")


def _require_network(url: str, timeout: float) -> None:
    """Fail within ``timeout`` seconds when the server of ``url`` cannot be reached.

    One HEAD request through ``requests`` (the library nilearn and pooch download with), so the
    check goes wherever their downloads would go, and any answer, even an error status, counts as
    reachable.
    """
    import requests

    target = url if "://" in url else f"https://{url}"
    parsed = urlparse(target)
    try:
        with requests.Session() as session:
            session.head(
                f"{parsed.scheme}://{parsed.netloc}/", timeout=timeout, allow_redirects=False
            )
    except requests.RequestException as err:
        raise DataUnavailableError(
            f"no network: cannot reach {parsed.netloc} ({err.__class__.__name__})"
        ) from None


def _remove_damaged(folder: Path, dataset: str, manifest: Mapping) -> list[str]:
    """Delete the maps that fail verification (only those), so the downloader fetches them again;
    return their paths. Neither nilearn nor pooch re-downloads a file that is already there."""
    index = read_index(folder, dataset)
    if index is None:
        return []
    report = check_files(folder, index_files(index), expected_hashes(dataset, folder, manifest))
    damaged = list(report.loc[report["status"].isin(["bad checksum", "corrupt"]), "file"])
    for rel in damaged:
        (folder / rel).unlink()
    return damaged


def _fetch_dartbrains(
    folder: Path,
    n_subjects: int | None,
    conditions: Sequence[str],
    manifest: Mapping,
    retries: int,
    timeout: float,
    progress: bool,
) -> None:
    import pooch
    import requests

    entry = manifest["datasets"]["localizer_dartbrains"]
    spec = entry["subjects"]
    last = spec["last"] if n_subjects is None else min(spec["last"], spec["first"] + n_subjects - 1)
    subjects = [f"{spec['prefix']}{k:0{spec['width']}d}" for k in range(spec["first"], last + 1)]
    base_url = entry["source"]["base_url"]
    expected = expected_hashes("localizer_dartbrains", folder, manifest)
    registry = {}
    for subject in subjects:
        for condition in conditions:
            rel = entry["file_pattern"].format(subject=subject, condition=condition)
            registry[rel] = f"sha256:{expected[rel]}" if rel in expected else None
    optional = [rel.as_posix() for rel in PARTICIPANT_FILES["localizer_dartbrains"]]
    registry.update({rel: None for rel in optional})
    store = pooch.create(path=folder, base_url=base_url, registry=registry, retry_if_failed=retries)
    for rel in registry:
        downloader = pooch.HTTPDownloader(
            progressbar=_Progress(Path(rel).name) if progress else False, timeout=timeout
        )
        try:
            store.fetch(rel, downloader=downloader)
        except requests.HTTPError as err:
            if rel in optional and err.response is not None and err.response.status_code == 404:
                continue  # the copy has no participant table: covariates are then absent
            raise _download_failed(rel, base_url, folder, err) from None
        except Exception as err:  # requests, checksum and file errors all mean "not available"
            raise _download_failed(rel, base_url, folder, err) from None
        if not gzip_intact(folder / rel):
            (folder / rel).unlink()
            raise DataUnavailableError(
                f"download of {rel} from {base_url} is damaged "
                "(truncated gzip); it was removed: try again later"
            )


def _download_failed(rel: str, base_url: str, folder: Path, err: Exception) -> DataUnavailableError:
    first = str(err).splitlines()[0][:200] if str(err) else ""
    return DataUnavailableError(
        f"download of {rel} from {base_url} failed ({err.__class__.__name__}: {first}); "
        f"files already downloaded are kept in {folder}"
    )


def _fetch_nilearn(
    folder: Path,
    n_subjects: int | None,
    conditions: Sequence[str],
    manifest: Mapping,
    retries: int,
    timeout: float,
    progress: bool,
) -> None:
    """Run nilearn's own fetcher into ``<folder>/nilearn``; nilearn names and places the files.

    The paths nilearn returns are checked against the names the course looks files up under
    (:func:`~course_utils.experiments.data.nilearn_stems`): a nilearn release that names
    them
    differently is a clear error here, not a silent fall-back to the stand-in later.
    """
    import nilearn
    from nilearn import datasets as nilearn_datasets

    entry = manifest["datasets"]["localizer_nilearn"]
    names = [entry["contrasts"][c] for c in conditions]
    stems = nilearn_stems(manifest)
    n = entry["n_subjects"] if n_subjects is None else min(n_subjects, entry["n_subjects"])
    last_error = None
    for attempt in range(retries + 1):
        try:
            bunch = nilearn_datasets.fetch_localizer_contrasts(
                names,
                n_subjects=n,
                data_dir=str(folder / NILEARN_DIR.parent),
                verbose=1 if progress else 0,
                **entry.get("fetcher_args", {}),
            )
            break
        except Exception as err:  # nilearn raises many kinds of network and file errors
            last_error = err
            if attempt < retries:
                time.sleep(min(attempt + 1, 3))
    else:
        first = str(last_error).splitlines()[0][:200] if str(last_error) else ""
        raise DataUnavailableError(
            f"nilearn's Localizer download failed ({last_error.__class__.__name__}: {first}); "
            "what was downloaded is kept and the next fetch continues from there"
        )
    expected = {f"{kind}_{stems[c]}.nii.gz" for c in conditions for kind in ("cmaps", "tmaps")}
    returned = [Path(p) for key in ("cmaps", "tmaps") for p in bunch.get(key, [])]
    unknown = sorted({p.name for p in returned} - expected)
    if unknown or not returned:
        raise DataUnavailableError(
            f"nilearn {nilearn.__version__} returned "
            f"{'no maps' if not returned else 'files named ' + ', '.join(unknown[:3])}, not the "
            f"names the course expects ({sorted(expected)[0]}, ...): this nilearn release lays "
            "the Localizer out differently; please report it to the course maintainers"
        )


def fetch_command(n_subjects: int | None = None, dataset: str = "localizer_nilearn") -> str:
    """The exact command that downloads the real data (all ten conditions), with its size.

    Parameters
    ----------
    n_subjects : int, optional
        First ``n_subjects`` subjects; default all.
    dataset : str, default "localizer_nilearn"
        The copy to download.

    Returns
    -------
    str
        The command in backquotes and its approximate size, for a sentence.

    Examples
    --------
    >>> fetch_command(30)
    '`course-data fetch --n-subjects 30` (about 150 MB)'
    >>> fetch_command()
    '`course-data fetch` (about 470 MB)'
    """
    entry = load_manifest()["datasets"][dataset]
    n = entry["n_subjects"] if n_subjects is None else min(n_subjects, entry["n_subjects"])
    n_maps = n * len(CONDITIONS)
    if entry.get("fetcher_args", {}).get("get_tmaps"):
        n_maps *= 2
    size = entry.get("expected_map_size_bytes", "unknown")
    words = ["course-data fetch"]
    if dataset != "localizer_nilearn":
        words.append(f"--dataset {dataset}")
    if n_subjects is not None and n < entry["n_subjects"]:
        words.append(f"--n-subjects {n}")
    amount = "size unknown" if size == "unknown" else f"about {n_maps * size / 1e6:.0f} MB"
    return f"`{' '.join(words)}` ({amount})"


def fetch(
    dataset: str = "localizer_nilearn",
    n_subjects: int | None = None,
    conditions: Sequence[str] | None = None,
    root: str | os.PathLike[str] | None = None,
    *,
    retries: int = 2,
    timeout: float = 10.0,
    progress: bool = True,
) -> Path:
    """Download a real copy of the Localizer into a folder (the user's cache by default).

    The OSF copy is downloaded by nilearn's own ``fetch_localizer_contrasts``, which names and
    places the files (``<folder>/nilearn/brainomics_localizer/brainomics_data/S01/cmaps_...``);
    the DartBrains copy by pooch. Afterwards the course verifies every map against recorded
    checksums where known (the manifest or a ``SHA256SUMS`` written by :func:`lock`) and
    otherwise checks that it is complete; a damaged map is removed and downloaded once more.
    Downloads are atomic (an interrupted one leaves no partial file among the data, and the next
    fetch continues from where it stopped), retried ``retries`` times, and fail within a few
    seconds when the server cannot be reached. Files already present and intact are not
    downloaded again.

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
        The data set's folder, laid out as the downloader (nilearn or pooch) wrote it.

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
    conditions = (
        list(CONDITIONS) if conditions is None else check_names(conditions, CONDITIONS, "condition")
    )
    if n_subjects is not None and (not isinstance(n_subjects, int) or n_subjects < 1):
        raise ValueError(f"n_subjects must be a positive whole number, got {n_subjects!r}.")
    folder = Path(paths.data_dir() if root is None else root) / dataset
    manifest = load_manifest()
    source = manifest["datasets"][dataset]["source"]
    _require_network(source.get("base_url") or source["host"], min(timeout, 5.0))
    getter = _fetch_nilearn if dataset == "localizer_nilearn" else _fetch_dartbrains
    _remove_damaged(folder, dataset, manifest)
    getter(folder, n_subjects, conditions, manifest, retries, timeout, progress)
    # nilearn verifies nothing it downloads: a truncated or changed map is found here, removed,
    # and downloaded once more
    if _remove_damaged(folder, dataset, manifest):
        getter(folder, n_subjects, conditions, manifest, retries, timeout, progress)
    index = read_index(folder, dataset)
    if index is None:
        raise DataUnavailableError(f"the download of {dataset} left no maps in {folder}")
    expected = expected_hashes(dataset, folder, manifest)
    report = check_files(folder, dataset_files(folder, index, expected), expected)
    bad = report[report["status"] != "ok"]
    if not bad.empty:
        raise DataUnavailableError(
            f"{len(bad)} downloaded file(s) failed verification, e.g. "
            f"{bad['file'].iloc[0]}: {bad['detail'].iloc[0]}"
        )
    return folder
