#!/usr/bin/env python
"""A stand-in for the OSF server behind nilearn's Localizer fetcher: only the network is replaced.

nilearn's ``fetch_localizer_contrasts`` downloads an index (``https://osf.io/hwbm2/download``, a
JSON object from file path to OSF key), then every file it needs from
``https://osf.io/download/<key>/``, through ``requests.Session.send``. :class:`OSFDouble` answers
those requests the way nilearn's own test suite does (``request_mocker`` in
``nilearn/datasets/tests/conftest.py``), with the study's real index layout, participant table
and behavioural table as nilearn ships them with its tests, and small NIfTI maps on the real
53 x 63 x 46 grid. nilearn's fetcher itself runs unmodified: it names, places and moves the files,
so the course is tested against what nilearn really writes, not against a guess of it.

Faults a real download meets can be switched on: the connection dying in the middle of a file
(``die_after``), a server that sends a truncated file as if it were complete (``truncate``).
Range requests are answered as OSF's storage does, so nilearn can resume an interrupted file.

Used by ``tests/test_data_nilearn.py`` and by ``make test-notebooks-real``, which builds a
real-shaped cache with this module::

    python tools/localizer_double.py build --root _build/real_shaped --n-subjects 40
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import http.server
import io
import json
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import requests
from requests.structures import CaseInsensitiveDict

REPO = Path(__file__).resolve().parent.parent
INDEX_URL = "https://osf.io/hwbm2/download"
_FILE_URL = re.compile(r"https://osf\.io/download/(?P<key>[0-9a-f]+)/?")
_MAP_PATH = re.compile(
    r"/localizer/derivatives/spm_1st_level/sub-(?P<subject>S\d+)/"
    r"sub-(?P=subject)_task-localizer_acq-(?P<stem>[^_]+)_(?P<kind>cmaps|tmaps)"
    r"\.nii\.gz"
)


def nilearn_test_data() -> Path:
    """nilearn's copy of the study's index template and tables (shipped with its tests)."""
    import nilearn

    return Path(nilearn.__file__).parent / "datasets" / "tests" / "data"


class _DyingStream(io.BytesIO):
    """A response body that breaks after ``cut`` bytes, as a dropped connection does."""

    def __init__(self, body: bytes, cut: int):
        super().__init__(body)
        self.cut = cut

    def read(self, size: int = -1) -> bytes:
        if self.tell() >= self.cut:
            raise requests.exceptions.ChunkedEncodingError("connection broken (test double)")
        size = self.cut - self.tell() if size is None or size < 0 else size
        return super().read(min(size, self.cut - self.tell()))


class OSFDouble:
    """Answer nilearn's Localizer requests; record them; fail on purpose when asked.

    Parameters
    ----------
    maps : callable
        ``maps(subject, stem, kind)`` returns the bytes of a ``.nii.gz`` file (``kind`` is
        "cmaps" or "tmaps", ``stem`` nilearn's acquisition name such as "HorizontalCheckerboard"),
        or None when that file does not exist.
    n_subjects : int, default 94
        Subjects in the index (S01 ... S94 on the real server).

    Attributes
    ----------
    requests : list of (str, str)
        ``(url, path)`` of every request, path "" for the index and for unknown addresses.
    die_after : int or None
        Map downloads to complete before the connection dies in the middle of the next one.
    truncate : set of str
        Paths (as in the index) served with their second half cut off but a matching length.
    """

    def __init__(self, maps: Callable[[str, str, str], bytes | None], n_subjects: int = 94):
        folder = nilearn_test_data()
        template = json.loads((folder / "localizer_index.json").read_text())
        self.index: dict[str, str] = {}
        for k in range(1, n_subjects + 1):
            for key in template:
                path = key.format(f"S{k:02d}")
                self.index[path] = "/" + hashlib.sha1(path.encode()).hexdigest()[:24]
        self.tables = {
            "/localizer/participants.tsv": (folder / "localizer_participants.tsv").read_bytes(),
            "/localizer/phenotype/behavioural.tsv": (
                folder / "localizer_behavioural.tsv"
            ).read_bytes(),
        }
        for path in self.tables:
            self.index[path] = "/" + hashlib.sha1(path.encode()).hexdigest()[:24]
        self._by_key = {value[1:]: path for path, value in self.index.items()}
        self.maps = maps
        self.requests: list[tuple[str, str]] = []
        self.die_after: int | None = None
        self.truncate: set[str] = set()
        self._served_maps = 0

    # -- what a request gets ---------------------------------------------------------------
    def body(self, path: str) -> bytes | None:
        if path in self.tables:
            return self.tables[path]
        match = _MAP_PATH.fullmatch(path)
        if match is None:
            return None
        return self.maps(match["subject"], match["stem"], match["kind"])

    def map_requests(self) -> list[str]:
        """Paths of the map files requested so far (``.nii.gz``), in order."""
        return [path for _, path in self.requests if path.endswith(".nii.gz")]

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        """Replacement for ``requests.Session.send`` (bound to this double)."""
        url = request.url
        if url.rstrip("/") == INDEX_URL:
            self.requests.append((url, ""))
            return _response(request, 200, json.dumps(self.index).encode())
        match = _FILE_URL.fullmatch(url)
        path = self._by_key.get(match["key"]) if match else None
        self.requests.append((url, path or ""))
        body = None if path is None else self.body(path)
        if request.method == "HEAD":
            return _response(request, 200, b"")
        if body is None:
            return _response(request, 404, b"Not found")
        status, headers = 200, {}
        start = _range_start(request.headers.get("Range"))
        if start is not None and start < len(body):
            status, headers = 206, {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"}
            body = body[start:]
        if path in self.truncate:
            body = body[: len(body) // 2]  # a server error passed on as a complete file
        stream = None
        if path.endswith(".nii.gz"):
            if self.die_after is not None and self._served_maps >= self.die_after:
                self.die_after = None  # one interruption, then the connection works again
                stream = _DyingStream(body, len(body) // 2)
            self._served_maps += 1
        return _response(request, status, body, headers, stream)


def _range_start(header: str | None) -> int | None:
    match = re.fullmatch(r"bytes=(\d+)-", header or "")
    return int(match[1]) if match else None


def _response(
    request, status: int, body: bytes, headers: dict | None = None, stream: io.BytesIO | None = None
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.url = request.url
    response.request = request
    response.reason = {200: "OK", 206: "Partial Content", 404: "Not Found"}.get(status, "")
    response.headers = CaseInsensitiveDict({"Content-Length": str(len(body)), **(headers or {})})
    response.raw = stream if stream is not None else io.BytesIO(body)
    response.encoding = "utf-8"
    return response


@contextlib.contextmanager
def patched(double: OSFDouble) -> Iterator[OSFDouble]:
    """Route every ``requests`` call of this process to ``double`` while the block runs."""
    original = requests.sessions.Session.send
    requests.sessions.Session.send = lambda self, request, **kw: double.send(request, **kw)
    try:
        yield double
    finally:
        requests.sessions.Session.send = original


class LocalServer:
    """http.server on 127.0.0.1 (port 0) serving ``{path: bytes}``: what pooch downloads from in
    tests. It can die in the middle of one file (``die_on``); ``requests`` records the paths."""

    def __init__(self, files: dict[str, bytes], die_on: str | None = None):
        self.files, self.die_on, self.requests = files, die_on, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 5

            def do_GET(self):  # noqa: N802
                path = self.path.lstrip("/")
                outer.requests.append(path)
                body = outer.files.get(path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if path == outer.die_on:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


# -- maps from a stand-in ------------------------------------------------------------------


def gz_nifti(values: np.ndarray, mask_img) -> bytes:
    """``.nii.gz`` bytes of one masked map on the mask's grid (NaN outside the mask, as SPM)."""
    from course_utils.experiments import data

    img = data.unmask(values, mask_img=mask_img, fill=np.nan)
    return gzip.compress(img.to_bytes(), compresslevel=1, mtime=0)


def standard_errors(source, scale: float = 1.0) -> np.ndarray:
    """First-level standard errors served with a stand-in: ``(n_subjects, n_voxels)`` float64.

    They differ between subjects and vary smoothly across the brain, so that first-level
    variances are not the same everywhere.
    """
    ijk = np.argwhere(np.asanyarray(source.mask_img.dataobj) > 0).astype(np.float64)
    spatial = 1.0 + 0.3 * np.sin(ijk[:, 0] / 7.0) * np.cos(ijk[:, 1] / 9.0)
    per_subject = scale * (0.5 + 0.05 * (np.arange(len(source.subjects)) % 7))
    return per_subject[:, None] * spatial[None, :]


def standin_maps(source, scale: float = 1.0, nan_voxels: int = 0) -> Callable:
    """``maps(subject, stem, kind)`` serving a stand-in's maps under nilearn's names.

    The contrast map (``cmaps``) is ``scale`` times the stand-in's map; the t-map is the contrast
    map divided by :func:`standard_errors`. Subject S02 has its first ``nan_voxels`` brain voxels
    outside its first-level mask (NaN), as real SPM maps do.
    """
    from course_utils.experiments import data

    by_stem = {stem: condition for condition, stem in data.nilearn_stems().items()}
    se = standard_errors(source, scale)

    def maps(subject: str, stem: str, kind: str) -> bytes | None:
        condition = by_stem.get(stem)
        if condition not in source.conditions or subject not in source.subjects:
            return None
        k = source.subjects.index(subject)
        cmap = scale * source.array(condition, [subject])[0].astype(np.float64)
        if subject == "S02" and nan_voxels:
            cmap[:nan_voxels] = np.nan
        values = cmap if kind == "cmaps" else cmap / se[k]
        return gz_nifti(values.astype(np.float32), source.mask_img)

    return maps


def build(root: Path, n_subjects: int, *, seed: int = 0) -> Path:
    """Fetch a real-shaped Localizer into ``root`` with nilearn's own fetcher and this double.

    The maps come from the stand-in's real-shaped variant (``synthetic_localizer(...,
    real_shaped=True)``: larger, more extended effects, a different scale), the participants
    from nilearn's copy of the study's real tables (unequal sexes, ages 18-49, four unknown).
    """
    from course_utils.experiments import data

    source = data.synthetic_localizer(
        seed=seed, n_subjects=n_subjects, real_shaped=True, cache=False
    )
    double = OSFDouble(standin_maps(source, scale=2.5, nan_voxels=40))
    with patched(double):
        folder = data.fetch(
            "localizer_nilearn", n_subjects=n_subjects, root=root, progress=False, retries=0
        )
    print(f"{len(double.map_requests())} maps fetched by nilearn into {folder}")
    return folder


def build_dartbrains(root: Path, n_subjects: int = 20, *, seed: int = 0) -> Path:
    """Fetch a DartBrains-shaped copy into ``root`` with pooch, from a server on 127.0.0.1.

    Beta maps only (no t-maps, so no first-level variances) and **no participant table**, so no
    covariates: what the notebooks must survive. pooch names and places the files under the
    manifest's ``file_pattern``; the maps are the real-shaped stand-in on the 3 mm grid (the real
    copy's 2 mm grid would only make the notebook run longer).
    """
    import tempfile

    import pooch
    import yaml

    from course_utils.experiments import data

    pooch.get_logger().setLevel("WARNING")  # one line per file would drown the test log

    source = data.synthetic_localizer(
        seed=seed, n_subjects=n_subjects, real_shaped=True, cache=False
    )
    manifest = data.load_manifest()
    entry = manifest["datasets"]["localizer_dartbrains"]
    files = {
        entry["file_pattern"].format(subject=s, condition=c): gz_nifti(
            source.array(c)[k], source.mask_img
        )
        for c in data.CONDITIONS
        for k, s in enumerate(source.subjects)
    }
    server = LocalServer(files)
    entry["source"]["base_url"] = server.url
    entry["subjects"]["last"] = n_subjects
    original = os.environ.get("COURSE_DATA_MANIFEST")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "manifest.yaml"
        copy.write_text(yaml.safe_dump(manifest))
        os.environ["COURSE_DATA_MANIFEST"] = str(copy)
        try:
            folder = data.fetch(
                "localizer_dartbrains", n_subjects=n_subjects, root=root, progress=False, retries=0
            )
        finally:
            if original is None:
                del os.environ["COURSE_DATA_MANIFEST"]
            else:
                os.environ["COURSE_DATA_MANIFEST"] = original
            server.stop()
    print(
        f"{sum(r.endswith('.nii.gz') for r in server.requests)} maps fetched by pooch into "
        f"{folder}; participant table on the server: none"
    )
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="fetch a real-shaped cache through nilearn's fetcher")
    p_build.add_argument("--root", type=Path, required=True, help="COURSE_DATA_DIR to fill")
    p_build.add_argument("--n-subjects", type=int, default=40)
    p_build.add_argument("--seed", type=int, default=0)
    p_dart = sub.add_parser(
        "build-dartbrains", help="fetch a DartBrains-shaped cache (no covariates) with pooch"
    )
    p_dart.add_argument("--root", type=Path, required=True, help="COURSE_DATA_DIR to fill")
    p_dart.add_argument("--n-subjects", type=int, default=20)
    p_dart.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.root, args.n_subjects, seed=args.seed)
    else:
        build_dartbrains(args.root, args.n_subjects, seed=args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
