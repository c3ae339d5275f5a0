"""Open every page of the built course site in headless Chromium, as a reader would, offline.

Run by ``make test-site`` after ``make site``. The site is served from 127.0.0.1; every request to
any other address is aborted and counted as a failure, so a page that needs the internet fails.
Each page must load with no JavaScript error, no failed request and no broken image; figures in
notebook outputs need alt text; pages with equations must render them with MathJax; no code block
scrolls sideways (every collapsed block is opened and measured: its ``scrollWidth`` must not
exceed its ``clientWidth``, so an 88-column line shows whole). A full-page screenshot of each page,
with the collapsed cells still collapsed, is saved for a person to look at. On the instructor
site every ``verify`` cell sits closed behind a "show the check" toggle; the student site has
none.

Environment: ``COURSE_SITE`` (default ``_build/site``, holding ``instructor/html`` and
``student/html``),
``COURSE_SCREENSHOTS`` (default ``_build/screenshots``), ``CHROMIUM`` (default: ``chromium`` on
PATH, Debian's package).
"""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tools.conftest import block_outside

REPO = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("COURSE_SITE", REPO / "_build" / "site"))
SHOTS = Path(os.environ.get("COURSE_SCREENSHOTS", REPO / "_build" / "screenshots"))
EDITIONS = ("instructor", "student")


def _pages(edition: str) -> list[str]:
    root = SITE / edition / "html"
    if not root.is_dir():
        return []
    return (
        ["index.html"]
        + sorted(p.name for p in root.glob("[0-9][0-9]_*.html"))
        + sorted(
            p.name
            for p in root.glob("*.html")
            if p.name not in {"index.html", "genindex.html", "search.html"}
            and not p.name[:2].isdigit()
        )
    )


PAGES = [(edition, page) for edition in EDITIONS for page in _pages(edition)]


# Every collapsible cell of a page: is it a claim's check (the "show the check" toggle), is it open.
TOGGLES_JS = """() => Array.from(document.querySelectorAll('details')).map(d => ({
  check: (d.querySelector('summary') || {textContent: ''}).textContent.includes('show the check'),
  open: d.open}))"""
# Open every collapsed block, then list the code blocks wider than their box.
WIDE_CODE_JS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  return Array.from(document.querySelectorAll('div.highlight pre'))
    .filter(p => p.scrollWidth > p.clientWidth + 1)
    .map(p => ({scroll: p.scrollWidth, client: p.clientWidth,
                line: p.textContent.split('\\n').reduce((a, b) => b.length > a.length ? b : a,
                                                        '')}));
}"""


# Printed reprs of matplotlib objects ("<Axes: ...>") are noise a cell leaks when its last line
# returns an axis; the figure itself is the output.
REPR_JS = """() => Array.from(document.querySelectorAll('.cell_output pre'))
  .map(p => p.textContent.trim())
  .filter(t => /^\\[?<(Axes|Figure|matplotlib)[\\s.:]/.test(t))
  .map(t => t.slice(0, 80))"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def server():
    if not PAGES:
        pytest.fail(f"No built site in {SITE}: run `make site` first.")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_every_edition_was_built():
    for edition in EDITIONS:
        assert _pages(edition), f"{SITE / edition / 'html'} has no pages: run `make site`."


@pytest.mark.parametrize(("edition", "page"), PAGES, ids=[f"{e}/{p}" for e, p in PAGES])
def test_page_loads_offline_and_renders(server, browser, edition, page):
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    block_outside(context, problems)
    tab = context.new_page()
    tab.on(
        "console", lambda msg: msg.type == "error" and problems.append(f"console error: {msg.text}")
    )
    tab.on("pageerror", lambda err: problems.append(f"JavaScript error: {err}"))
    tab.on(
        "requestfailed", lambda req: problems.append(f"request failed: {req.url} ({req.failure})")
    )
    tab.on(
        "response",
        lambda resp: resp.status >= 400 and problems.append(f"HTTP {resp.status}: {resp.url}"),
    )

    tab.goto(f"{server}/{edition}/html/{page}", wait_until="networkidle")
    title = tab.title()
    assert title.strip(), f"{edition}/{page} has no <title>"
    assert tab.locator("h1").count() >= 1, f"{edition}/{page} has no heading"

    broken = tab.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.getAttribute('src'))"
    )
    problems += [f"broken image: {src}" for src in broken]
    no_alt = tab.evaluate(
        "Array.from(document.querySelectorAll('.cell_output img'))"
        ".filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.getAttribute('src'))"
    )
    problems += [f"figure without alt text: {src}" for src in no_alt]

    n_math = tab.locator(".math").count()
    if n_math:
        tab.wait_for_function(
            "document.querySelectorAll('mjx-container').length > 0", timeout=15000
        )
        errors = tab.locator("mjx-merror").count()
        if errors:
            problems.append(f"{errors} equation(s) failed to render")

    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{edition}_{Path(page).stem}.png"), full_page=True)
    toggles = tab.evaluate(TOGGLES_JS)
    if edition == "student":
        problems += [f"a check reached the student site: {t}" for t in toggles if t["check"]]
    else:
        problems += [f"a check shows open: {t}" for t in toggles if t["check"] and t["open"]]
    problems += [
        f"code scrolls sideways ({w['scroll']} > {w['client']} px): {w['line']!r}"
        for w in tab.evaluate(WIDE_CODE_JS)
    ]
    problems += [
        f"an object's repr instead of a result (end the cell with ';'): {text!r}"
        for text in tab.evaluate(REPR_JS)
    ]
    context.close()
    assert not problems, f"{edition}/{page}:\n" + "\n".join(problems)


def test_student_edition_has_no_outputs_and_instructor_edition_has_figures():
    student = [p for p in (SITE / "student" / "html").glob("[0-9][0-9]_*.html")]
    instructor = [p for p in (SITE / "instructor" / "html").glob("[0-9][0-9]_*.html")]
    assert student and instructor
    for page in student:
        assert 'class="cell_output' not in page.read_text(), (
            f"student/{page.name} shows executed output"
        )
    assert any("cell_output" in p.read_text() for p in instructor), (
        "the instructor edition shows no executed output"
    )


def _launch_links(page: Path) -> dict[str, str]:
    """The theme's launch links of a page: {"JupyterHub": href, "Binder": href}."""
    import re
    from html import unescape

    found = {}
    for href, label in re.findall(
        r'<a href="([^"]+)"[^>]*>(?:(?!</a>).)*?'
        r'<span class="btn__text-container">([^<]+)</span>',
        page.read_text(),
        flags=re.S,
    ):
        if label.strip() in ("JupyterHub", "Binder"):
            found[label.strip()] = unescape(href)
    return found


def test_launch_links_open_each_pages_own_notebook_on_the_configured_hub():
    """With COURSE_REPO_URL and COURSE_HUB_URL set at build time, every notebook page links to
    the hub (nbgitpuller: repo, branch, that notebook in JupyterLab) and to Binder; unset, none."""
    from urllib.parse import parse_qs

    repo, hub = os.environ.get("COURSE_REPO_URL"), os.environ.get("COURSE_HUB_URL")
    for edition in EDITIONS:
        branch = (
            os.environ.get("COURSE_STUDENT_BRANCH", "student")
            if edition == "student"
            else os.environ.get("COURSE_REPO_BRANCH", "main")
        )
        pages = sorted((SITE / edition / "html").glob("[0-9][0-9]_*.html"))
        assert pages
        for page in pages:
            links = _launch_links(page)
            if not (repo and hub):
                assert not links, f"{edition}/{page.name} has launch links but none is configured"
                continue
            assert set(links) == {"JupyterHub", "Binder"}, f"{edition}/{page.name}: {links}"
            parts = urlsplit(links["JupyterHub"])
            assert f"{parts.scheme}://{parts.netloc}" == hub.rstrip("/")
            assert parts.path == "/hub/user-redirect/git-pull"
            query = parse_qs(parts.query)
            name = repo.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
            assert query["repo"] == [repo] and query["branch"] == [branch]
            assert query["urlpath"] == [f"lab/tree/{name}/notebooks/{page.stem}.md"]
            assert f"/{branch}?urlpath=lab/tree/notebooks/{page.stem}.md" in links["Binder"]


def test_the_instructor_site_folds_every_check_behind_its_toggle():
    """A page whose notebook has verify cells shows one "show the check" toggle per cell."""
    import jupytext

    pages = 0
    for source in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.md")):
        n_checks = sum("verify" in c.metadata.get("tags", []) for c in jupytext.read(source).cells)
        page = SITE / "instructor" / "html" / f"{source.stem}.html"
        student = SITE / "student" / "html" / f"{source.stem}.html"
        assert page.read_text().count("show the check") == n_checks, source.name
        assert "show the check" not in student.read_text(), source.name
        pages += n_checks > 0
    assert pages, "no notebook has a verify cell"
