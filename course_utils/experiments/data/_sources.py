"""Loading the Localizer from wherever it is: shared folder, cache, download, or the stand-in."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd

from course_utils._utils import check_count, mask_array
from course_utils.config import paths
from course_utils.experiments.data._cache import load_npz, save_npy, save_npz
from course_utils.experiments.data._container import LocalizerData
from course_utils.experiments.data._download import downloads_allowed, fetch, fetch_command
from course_utils.experiments.data._files import (
    LOCK_NAME,
    check_files,
    expected_hashes,
    index_files,
    locations,
    read_index,
    read_participants,
)
from course_utils.experiments.data._manifest import (
    CONDITIONS,
    DEFAULT_N_SUBJECTS,
    REAL_DATASETS,
    DataUnavailableError,
    check_names,
    load_manifest,
    n_subjects_default,
)
from course_utils.experiments.data._masking import brain_mask, check_same_grid, mask_images
from course_utils.experiments.data._standin import synthetic_localizer

_SOURCE_CHOICES = ("auto", "synthetic", "localizer", *REAL_DATASETS)
_T_FLOOR = 0.5  # first-level variances are not computed from |t| below this (see _variance_from_t)


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


def _fingerprint(folder: Path, files: Sequence[str]) -> str:
    parts = []
    for rel in files:
        st = (folder / rel).stat()
        parts.append(f"{rel}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("|".join([str(folder.resolve()), *parts]).encode()).hexdigest()


def _read_images(
    files: Sequence[Path], mask_img: nib.Nifti1Image | str | os.PathLike, resample: bool
) -> np.ndarray:
    if not resample:
        return mask_images(files, mask_img=mask_img)
    from nilearn.image import resample_to_img

    imgs = []
    for path in files:
        img = nib.load(path)
        try:
            check_same_grid(img, mask_img=mask_img)
        except ValueError:
            img = resample_to_img(
                img, mask_img, interpolation="continuous", force_resample=True, copy_header=True
            )
        imgs.append(img)
    return mask_images(imgs, mask_img=mask_img)


def _load_real(
    dataset: str,
    folder: Path,
    where: str,
    conditions: Sequence[str],
    n_subjects: int,
    explicit_n: bool,
    resample: bool,
    may_repair: bool,
    say: Callable[[str], None],
) -> LocalizerData:
    index = read_index(folder, dataset)
    if index is None:
        raise DataUnavailableError(f"no {dataset} maps in {folder}")
    index = index[index["condition"].isin(conditions)]
    counts = index.groupby("subject")["condition"].nunique()
    available = sorted(counts.index[counts == len(conditions)])
    if not available:
        raise DataUnavailableError(
            f"{dataset} in {where} has no subject with all of {', '.join(conditions)}"
        )
    if explicit_n and n_subjects > len(available):
        raise ValueError(
            f"{dataset} in {where} has {len(available)} subjects with these "
            f"conditions; you asked for {n_subjects}. Ask for at most "
            f"{len(available)}, or fetch more with `course-data "
            f"fetch --dataset {dataset}`."
        )
    subjects = available[:n_subjects]
    index = index[index["subject"].isin(subjects)].set_index(["condition", "subject"])
    with_tmaps = bool((index["tmap"] != "").all())
    files = index_files(index.reset_index())
    manifest = load_manifest()

    first = nib.load(folder / index["image"].iloc[0])
    mask_img = brain_mask(first.shape[:3], first.affine)
    cache_dir = paths.data_dir() / "arrays" / dataset
    key = hashlib.sha256(("|".join(subjects) + str(resample)).encode()).hexdigest()[:10]
    fingerprint = _fingerprint(folder, [f for f in files if (folder / f).is_file()])
    values, variances = {}, {}
    checked = False
    for condition in conditions:
        cached = cache_dir / f"{condition}_{key}.npz"
        cached_var = cached.with_suffix(".variance.npy")
        usable = cached_var.is_file() or not with_tmaps
        stored = load_npz(cached, "values", "fingerprint") if usable else None
        if stored is not None and str(stored["fingerprint"]) == fingerprint:
            values[condition] = stored["values"]
            # memory-mapped: read from disk only by the cells that ask for it
            variances[condition] = np.load(cached_var, mmap_mode="r") if with_tmaps else None
            continue
        if not checked:
            report = check_files(folder, files, expected_hashes(dataset, folder, manifest))
            bad = report[report["status"] != "ok"]
            if not bad.empty:
                if not may_repair:
                    raise DataUnavailableError(
                        f"{len(bad)} file(s) of {dataset} in {where} failed verification, e.g. "
                        f"{bad['file'].iloc[0]} ({bad['detail'].iloc[0]}); ask whoever "
                        "maintains that folder to run `course-data fetch` again"
                    )
                damaged = (
                    f"{len(bad)} damaged or missing file(s) of {dataset} in {folder} "
                    f"(e.g. {bad['file'].iloc[0]}: {bad['status'].iloc[0]})"
                )
                say(f"{damaged}: downloading them again.")
                try:
                    fetch(
                        dataset,
                        n_subjects=len(available),
                        conditions=conditions,
                        root=folder.parent,
                        progress=False,
                    )
                except DataUnavailableError as err:
                    raise DataUnavailableError(
                        f"{damaged}, and downloading them again failed ({str(err).rstrip('.')})"
                    ) from None
                fingerprint = _fingerprint(folder, files)
            checked = True
        rows = index.loc[condition].loc[subjects]
        values[condition] = _read_images([folder / f for f in rows["image"]], mask_img, resample)
        variances[condition] = None
        if with_tmaps:
            t = _read_images([folder / f for f in rows["tmap"]], mask_img, resample)
            variances[condition] = _variance_from_t(values[condition], t)
            del t
            if save_npy(cached_var, variances[condition]):
                variances[condition] = np.load(cached_var, mmap_mode="r")
        save_npz(cached, values=values[condition], fingerprint=np.array(fingerprint))
    # keep voxels with a finite value in every map (first-level masks differ between subjects);
    # one condition at a time, so that the peak memory is the data plus one condition
    keep = np.logical_and.reduce([np.isfinite(v).all(axis=0) for v in values.values()])
    columns = None
    if not keep.all():
        mask = mask_array(mask_img)
        reduced = np.zeros(mask.size, dtype=np.uint8)
        reduced[np.flatnonzero(mask)[keep]] = 1
        mask_img = nib.Nifti1Image(reduced.reshape(mask.shape), mask_img.affine)
        for condition in list(values):
            values[condition] = values[condition][:, keep]
        columns = np.flatnonzero(keep)
    copy = "nilearn/OSF copy" if dataset == "localizer_nilearn" else "DartBrains copy"
    return LocalizerData.from_arrays(
        values=values,
        subjects=subjects,
        participants=read_participants(folder, subjects, dataset),
        mask_img=mask_img,
        source=f"Localizer ({copy}, {len(subjects)} subjects)",
        is_synthetic=False,
        variances=variances,
        variance_columns=columns,
        images={
            c: [str(folder / f) for f in index.loc[c].loc[subjects, "image"]] for c in conditions
        },
        tmaps={
            c: [str(folder / f) if f else None for f in index.loc[c].loc[subjects, "tmap"]]
            for c in conditions
        },
    )


def _clause(err: Exception) -> str:
    """An error's message as a clause inside a sentence (no full stop of its own)."""
    return str(err).strip().rstrip(".")


def _requested_source(source: str | None) -> str:
    value = source if source is not None else os.environ.get("COURSE_DATA", "")
    value = (value or "auto").strip().lower()
    check_names(value, _SOURCE_CHOICES, "data source")
    return value


def _local_copy(
    datasets: Sequence[str], conditions: Sequence[str]
) -> Iterator[tuple[str, Path, str]]:
    """First (where, folder, dataset) holding an index with every condition, or None."""
    for where, base in locations():
        for dataset in datasets:
            index = read_index(base / dataset)
            if index is not None and set(conditions) <= set(index["condition"]):
                yield where, base / dataset, dataset


def load_localizer(
    conditions: Sequence[str] | None = None,
    n_subjects: int | None = None,
    source: str | None = None,
    *,
    seed: int = 0,
    resample: bool = False,
    verbose: bool = True,
) -> LocalizerData:
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

    conditions = (
        list(CONDITIONS) if conditions is None else check_names(conditions, CONDITIONS, "condition")
    )
    if not conditions:
        raise ValueError("No conditions given: pass condition names or None for all ten.")
    explicit_n = n_subjects is not None
    n = n_subjects if explicit_n else n_subjects_default()
    n = check_count(n, "n_subjects", minimum=2)
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
            data = _load_real(
                dataset,
                folder,
                where,
                conditions,
                int(n),
                explicit_n,
                resample,
                may_repair=where == "your cache" and downloads_allowed(),
                say=say,
            )
        except DataUnavailableError as err:
            problems.append(_clause(err))
            say(f"Skipping {dataset} in {where}: {_clause(err)}.")
            continue
        say(f"Data: {data.source}, from {where} ({folder}).")
        return data
    if not problems:
        problems.append("not in the shared folder or your cache")
    if downloads_allowed():
        download = datasets[:1]  # the nilearn copy: 94 subjects with t-maps and participants
        for dataset in download:
            try:
                folder = fetch(
                    dataset,
                    n_subjects=int(n),
                    conditions=conditions,
                    progress=verbose,
                    timeout=5.0,
                    retries=1,
                )
                data = _load_real(
                    dataset,
                    folder,
                    "your cache",
                    conditions,
                    int(n),
                    explicit_n,
                    resample,
                    may_repair=False,
                    say=say,
                )
            except DataUnavailableError as err:
                problems.append(f"download failed: {_clause(err)}")
                continue
            say(f"Data: {data.source}, downloaded to {folder}.")
            return data
    else:
        problems.append("downloads are off (COURSE_DATA_OFFLINE=1)")
    why = "; ".join(problems)
    command = fetch_command(int(n))
    if choice != "auto":
        raise DataUnavailableError(
            f"The real Localizer data ({', '.join(datasets)}) are not available: {why}. To get "
            f"them, run {command} on a machine with internet (they go to COURSE_DATA_DIR), or "
            "set COURSE_SHARED_DATA to the folder your instructor shared. To work offline "
            "instead, use COURSE_DATA=synthetic."
        )
    data = synthetic_localizer(seed=seed, n_subjects=int(n), conditions=conditions)
    say(
        f"Data: {data.source}, because the Localizer data are unavailable ({why}). For the "
        f"real study, run {command} once with internet, or ask your instructor for the shared "
        "folder."
    )
    return data


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
    for where, base in locations():
        for dataset in REAL_DATASETS:
            folder = base / dataset
            index = read_index(folder)
            if index is None:
                status = "absent"
            else:
                n_sub = index.groupby("subject")["condition"].nunique()
                covariates = [
                    c for c in ("sex", "age") if c in read_participants(folder, [], dataset).columns
                ]
                status = (
                    f"{len(n_sub)} subjects ({int((n_sub == len(CONDITIONS)).sum())} "
                    f"with all 10 conditions), {len(index)} maps; covariates: "
                    f"{', '.join(covariates) or 'none'}"
                    + ("; checksums locked" if (folder / LOCK_NAME).is_file() else "")
                )
            rows.append(
                {"dataset": dataset, "location": where, "path": str(folder), "status": status}
            )
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
            n_cond = read_index(local[1])["condition"].nunique()
            plan = f"{local[2]} from {local[0]} ({local[1]})" + (
                ""
                if n_cond == len(CONDITIONS)
                else f" for its {n_cond} conditions; for the others, a download or the stand-in"
            )
        else:
            fallback = (
                "the synthetic stand-in"
                if choice == "auto"
                else "an error (a real source is forced)"
            )
            plan = (
                ("a download of " + datasets[0] + ", and if that fails " + fallback)
                if downloads_allowed()
                else fallback + " (downloads are off)"
            )
    table.attrs["plan"] = f"Notebooks will use: {plan}."
    return table
