"""Sharing a group analysis: nilearn's HTML report and the maps in BIDS layout, safely.

Reporting guidelines ask for the unthresholded maps (e.g. on NeuroVault) next to the paper's
table, and nilearn writes a readable report of the model. Both come from nilearn here, with two
cares a course needs:

- :func:`write_nilearn_report`: nilearn's report as a page that loads nothing from the network
  (:func:`offline_html`; :func:`external_resources` lists what a page would fetch), so it opens
  on an offline hub and leaks no visit to a CDN;
- :func:`save_bids`: the maps, design, mask, cluster tables and report in nilearn's
  BIDS-derivatives layout (``nilearn.glm.save_glm_to_bids``), file names as nilearn writes them.

Files go to the course output folder and follow the rule of :mod:`course_utils.results`: a file
or folder the course did not write is never overwritten. Their provenance sidecar
(``<name>.json``) is the one :func:`course_utils.results.written_by` reads.
"""

from __future__ import annotations

import copy
import hashlib
import html as html_lib
import json
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import nibabel as nib
import numpy as np

from course_utils import results
from course_utils._utils import atomic_write
from course_utils.config import paths

__all__ = ["external_resources", "offline_html", "save_bids", "write_nilearn_report"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
#: save_glm_to_bids makes its report from the contrast maps it has just written, yet the report
#: warns that no contrast was passed: that one warning (its box, if alone) is removed.
_FALSE_WARNING = re.compile(
    r'(<section id="warnings">\s*<div[^>]*>\s*<h2[^>]*>WARNING</h2>\s*<ul>\s*)?'
    r"<li[^>]*>No contrast passed during report generation\.</li>"
    r"(?(1)\s*</ul>\s*</div>\s*</section>)"
)
_LOADING_TAGS = {"script", "link", "img", "iframe", "source", "audio", "video", "embed", "input"}
#: The few rules of Pure CSS (purecss.io) that nilearn's report uses, written here so that the
#: page needs no stylesheet from the network.
_LOCAL_CSS = (
    "<style>.pure-g{display:flex;flex-flow:row wrap}.pure-u-1,.pure-u-md-3-3{width:100%}"
    ".pure-u-1-3{width:33.33%}.pure-u-1-4{width:25%}.pure-img{max-width:100%;height:auto;"
    "display:block}.pure-menu-list{list-style:none;margin:0;padding:0}"
    ".pure-menu-horizontal .pure-menu-list,.pure-menu-horizontal .pure-menu-item"
    "{display:inline-block}.pure-menu-link,.pure-menu-heading{display:block;padding:.5em 1em;"
    "text-decoration:none}.pure-button{display:inline-block;padding:.5em 1em;cursor:pointer;"
    "border:1px solid #999;border-radius:2px}</style>"
)


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value is None:
                continue
            if key == "srcdoc":  # a page inside the page (nilearn saves its report so)
                self.urls += external_resources(value)
            elif key == "style":
                self.urls += _css_urls(value)
            elif (tag in _LOADING_TAGS and key in ("src", "href", "srcset", "poster")) or (
                tag == "object" and key == "data"
            ):
                self.urls.append(value.strip())

    def handle_data(self, data: str) -> None:
        self.urls += _css_urls(data)


def _css_urls(text: str) -> list[str]:
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", text)
    return [a or b for a, b in found]


def external_resources(html: str) -> list[str]:
    """The addresses on the network that opening a page would fetch.

    The sources of scripts, stylesheets and icons (``link``), images, frames and media, CSS
    ``url(...)`` and ``@import``, also inside a frame's ``srcdoc``; only ``http``, ``https``
    and protocol-relative (``//host``) addresses count. Plain links (``<a href>``) are not
    fetched until clicked and are not listed.

    Parameters
    ----------
    html : str
        The page.

    Returns
    -------
    list of str
        In the order they appear.

    Examples
    --------
    >>> page = ('<link rel="stylesheet" href="https://cdn.example/x.css">'
    ...         '<img src="data:image/png;base64,AA"><a href="https://example.org">site</a>')
    >>> external_resources(page)
    ['https://cdn.example/x.css']
    """
    parser = _Loads()
    parser.feed(html)
    parser.close()
    return [u for u in parser.urls if re.match(r"^(https?:)?//", u, flags=re.IGNORECASE)]


def offline_html(html: str) -> str:
    """nilearn's report as a page that loads nothing from the network.

    nilearn 0.14 saves its report inside an ``<iframe srcdoc=...>`` and links two Pure CSS
    stylesheets and an icon from the network. The page is unwrapped from the frame, those
    ``<link>`` elements are removed and the few rules the report uses are written inline.

    Parameters
    ----------
    html : str
        A nilearn report (``report.get_standalone()`` or a file it saved).

    Returns
    -------
    str
        A standalone page; :func:`external_resources` of it is empty.

    Raises
    ------
    ValueError
        When the page still loads something from the network (a template that changed).

    Examples
    --------
    >>> page = '<iframe srcdoc="&lt;link href=&quot;https://u.pkg/p.css&quot;&gt;hi"></iframe>'
    >>> offline_html(page)[-2:], external_resources(offline_html(page))
    ('hi', [])
    """
    frame = re.fullmatch(r'\s*<iframe srcdoc="(.*?)"[^>]*>\s*</iframe>\s*', html, flags=re.S)
    page = html_lib.unescape(frame.group(1)) if frame else html
    remote = r"<link\b[^>]*\bhref\s*=\s*[\"'](?:https?:)?//[^>]*>"
    page, n_removed = re.subn(remote, "", page, flags=re.IGNORECASE | re.S)
    if n_removed:
        head = re.search(r"</head\s*>", page, flags=re.IGNORECASE)
        at = head.start() if head else 0
        page = page[:at] + _LOCAL_CSS + page[at:]
    left = external_resources(page)
    if left:
        raise ValueError(f"The report would still load {left[:3]}: its template changed.")
    return page


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _target(name: str, folder: str | os.PathLike[str] | None) -> Path:
    if not _NAME.match(name) or ".." in name:
        raise ValueError(f"{name!r} is not a plain name: use letters, digits, '_', '-', '.'.")
    base = paths.output_dir(create=True) if folder is None else Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    return base / name


def _check_owner(path: Path, notebook: str) -> dict:
    """The sidecar of ``path`` when this notebook wrote it; {} when absent; else refuse."""
    if not path.exists():
        return {}
    if results.written_by(path) != notebook:
        owner = results.written_by(path)
        who = f"notebook {owner!r}" if owner else "someone else (not this course)"
        raise FileExistsError(
            f"{path} already exists and was written by {who}, so it is left untouched. Move or "
            "rename it, choose another name, or set COURSE_OUTPUT_DIR to another folder."
        )
    return json.loads(Path(f"{path}.json").read_text())


def _write_sidecar(path: Path, notebook: str, description: str, **extra) -> None:
    meta = {"written_by": notebook, "description": description, **extra}
    meta["written_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    text = json.dumps(meta, indent=2) + "\n"
    atomic_write(Path(f"{path}.json"), lambda tmp: Path(tmp).write_text(text))


def _contrast_computed(model, contrasts) -> None:
    # nilearn 0.14 cannot list the attributes of a model fitted with minimize_memory=False
    # (its report does) before a contrast is computed: compute one first, if none was.
    if getattr(model, "minimize_memory", True) or getattr(model, "results_", None) is not None:
        return
    first = next(iter(contrasts.values())) if isinstance(contrasts, Mapping) else contrasts
    if isinstance(first, list | tuple) and first and isinstance(first[0], str | np.ndarray):
        first = first[0]
    model.compute_contrast(first)


def write_nilearn_report(
    model,
    contrasts,
    *,
    name: str,
    notebook: str,
    folder: str | os.PathLike[str] | None = None,
    **report_options,
) -> Path:
    """Write nilearn's HTML report of a fitted model, as a page that needs no network.

    Parameters
    ----------
    model : nilearn.glm.second_level.SecondLevelModel
        A fitted model.
    contrasts : str, list or dict
        As for ``model.generate_report``.
    name : str
        File name (``.html`` is added).
    notebook : str
        The notebook writing it; only this notebook may later replace the file.
    folder : path, optional
        Another folder than the course output folder.
    **report_options
        Passed to ``model.generate_report`` (``height_control``, ``alpha``, ``two_sided``,
        ``cluster_threshold``, ``plot_type``, ...).

    Returns
    -------
    pathlib.Path
        The page (with a provenance sidecar ``<page>.json``).

    Raises
    ------
    FileExistsError
        A file of that name exists that this notebook did not write.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from nilearn.glm.second_level import SecondLevelModel
    >>> mask = nib.Nifti1Image(np.ones((8, 8, 8), np.uint8), np.diag([3.0, 3.0, 3.0, 1.0]))
    >>> maps = np.random.default_rng(0).normal(1.0, 1.0, (8, 8, 8, 8)).astype("float32")
    >>> model = SecondLevelModel(mask_img=mask).fit(
    ...     nib.Nifti1Image(maps, mask.affine), design_matrix=pd.DataFrame({"intercept": [1] * 8}))
    >>> page = write_nilearn_report(model, "intercept", name="demo", notebook="doc",
    ...                             folder=tempfile.mkdtemp(), bg_img=None)
    >>> page.name, external_resources(page.read_text())
    ('demo.html', [])
    """
    path = _target(name if name.endswith(".html") else f"{name}.html", folder)
    _check_owner(path, notebook)
    _contrast_computed(model, contrasts)
    report = model.generate_report(contrasts=contrasts, **report_options)
    page = offline_html(report.get_standalone())
    atomic_write(path, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    _write_sidecar(path, notebook, "nilearn's report of the group model", sha256=_sha256(path))
    return path


def _fix_cluster_tables(folder: Path, options: Mapping, mask_img: nib.Nifti1Image) -> None:
    """nilearn 0.14.1 writes each ``*_clusters.tsv`` from the variance map: redo it from the
    z-map, as nilearn's report computes its table."""
    from nilearn.glm import threshold_stats_img
    from nilearn.reporting import get_clusters_table

    for table in folder.rglob("*_clusters.tsv"):
        z_img = nib.load(
            table.with_name(table.name[: -len("clusters.tsv")] + "stat-z_statmap.nii.gz")
        )
        height = options.get("height_control", "fpr")
        threshold = options.get("threshold")
        if height is None and threshold is None:
            threshold = 3.09  # nilearn's default
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="(The given float value|No clusters found)")
            thresholded, threshold = threshold_stats_img(
                z_img,
                mask_img=mask_img,
                threshold=threshold,
                alpha=options.get("alpha", 0.001),
                cluster_threshold=options.get("cluster_threshold", 0),
                height_control=height,
                two_sided=options.get("two_sided", False),
            )
            clusters = get_clusters_table(
                thresholded,
                stat_threshold=threshold,
                cluster_threshold=options.get("cluster_threshold", 0),
                min_distance=options.get("min_distance", 8.0),
                two_sided=options.get("two_sided", False),
            )
        clusters.to_csv(table, sep="\t", index=False)


def _refuse(path: Path, notebook: str) -> None:
    raise FileExistsError(
        f"{path} was not written by {notebook!r} (or was changed since), so it is left "
        "untouched: move it, or choose another name."
    )


def save_bids(
    model,
    contrasts,
    *,
    name: str,
    notebook: str,
    folder: str | os.PathLike[str] | None = None,
    **report_options,
) -> list[Path]:
    """Save the model's maps in nilearn's BIDS-derivatives layout (``save_glm_to_bids``).

    nilearn writes, per contrast, the effect, variance, t, z and p maps, the design, the mask,
    the model's error and R² maps, a cluster table and its HTML report, with BIDS-like names
    (e.g. ``group/contrast-checkerboard_stat-t_statmap.nii.gz``); the unthresholded t-maps are
    what NeuroVault asks for. They are written to a temporary folder, then moved into
    ``<folder>/<name>/``, where only files this notebook wrote before may be replaced. Repairs
    to nilearn 0.14.1's output: the report loads nothing from the network
    (:func:`offline_html`) and loses a false warning that no contrast was passed; each cluster
    table is recomputed from the contrast's z-map, as the report computes it (nilearn computes
    it from the last map it wrote, the variance).

    Parameters
    ----------
    model : nilearn.glm.second_level.SecondLevelModel
        Fitted with ``minimize_memory=False`` (nilearn saves the residuals' error and R² maps).
    contrasts : str, list or dict
        As for ``nilearn.glm.save_glm_to_bids`` (a dict names the files: ``{"name": weights}``).
    name : str
        The folder (in the output folder) that receives the files.
    notebook : str
        The notebook writing them.
    folder : path, optional
        Another folder than the course output folder.
    **report_options
        Passed to nilearn (``height_control``, ``alpha``, ``two_sided``, ``cluster_threshold``...).

    Returns
    -------
    list of pathlib.Path
        The files written, sorted.

    Raises
    ------
    FileExistsError
        The folder, or a file in it, was not written by this notebook (or changed since).
    ValueError
        A model fitted with ``minimize_memory=True``, or a name that is not a plain name.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from nilearn.glm.second_level import SecondLevelModel
    >>> mask = nib.Nifti1Image(np.ones((8, 8, 8), np.uint8), np.diag([3.0, 3.0, 3.0, 1.0]))
    >>> maps = np.random.default_rng(0).normal(1.0, 1.0, (8, 8, 8, 8)).astype("float32")
    >>> model = SecondLevelModel(mask_img=mask, minimize_memory=False).fit(
    ...     nib.Nifti1Image(maps, mask.affine), design_matrix=pd.DataFrame({"intercept": [1] * 8}))
    >>> files = save_bids(model, {"mean": "intercept"}, name="demo", notebook="doc",
    ...                   folder=tempfile.mkdtemp(), bg_img=None)
    >>> [f.name for f in files if "stat-t" in f.name]
    ['contrast-mean_stat-t_statmap.nii.gz']
    """
    from nilearn.glm import save_glm_to_bids

    if getattr(model, "minimize_memory", True):
        raise ValueError(
            "nilearn saves the model's error and R² maps: fit "
            "SecondLevelModel(minimize_memory=False)."
        )
    target = _target(name, folder)
    owned = _check_owner(target, notebook).get("files", {})
    for rel, digest in owned.items():  # checked before nilearn spends its time
        if (target / rel).is_file() and _sha256(target / rel) != digest:
            _refuse(target / rel, notebook)
    _contrast_computed(model, contrasts)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{name}.part-") as tmp:
        staging = Path(tmp)
        with warnings.catch_warnings():  # the warnings of the variance-map table (see above)
            warnings.filterwarnings("ignore", message="(The given float value|No clusters found)")
            # on a copy: nilearn keeps the (temporary) folder in the model it saves
            save_glm_to_bids(copy.deepcopy(model), contrasts, out_dir=staging, **report_options)
        _fix_cluster_tables(staging, report_options, model.masker_.mask_img_)
        for page in staging.rglob("*report.html"):
            text = offline_html(page.read_text(encoding="utf-8"))
            page.write_text(re.sub(_FALSE_WARNING, "", text), encoding="utf-8")
        written = sorted(
            p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()
        )
        for rel in written:
            there = target / rel
            if there.exists() and owned.get(rel) != _sha256(there):
                _refuse(there, notebook)
        for rel, digest in owned.items():  # files of an earlier run that nilearn no longer writes
            stale = target / rel
            if rel not in written and stale.is_file() and _sha256(stale) == digest:
                stale.unlink()
        for rel in written:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staging / rel, target / rel)
    digests = {rel: _sha256(target / rel) for rel in written}
    _write_sidecar(target, notebook, "group maps in nilearn's BIDS layout", files=digests)
    return [target / rel for rel in written]
