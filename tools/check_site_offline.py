#!/usr/bin/env python
"""Check that a built HTML site loads nothing from outside its own folder.

Scans every ``.html`` page for resources the browser would fetch (scripts, stylesheets, images,
iframes, media, preloads) and every ``.css`` file for ``url(...)`` and ``@import``. A resource
whose address is absolute (``http:``, ``https:``, ``//host``) fails the check; so does a local
resource that is missing from the build. Ordinary links (``<a href>``) are allowed: they are
only followed when a reader clicks them.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

RESOURCE_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
LINK_RELS_FETCHED = {
    "stylesheet",
    "preload",
    "icon",
    "shortcut",
    "modulepreload",
    "manifest",
    "apple-touch-icon",
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & LINK_RELS_FETCHED and attrs.get("href"):
                self.urls.append(attrs["href"])
            return
        for name in RESOURCE_ATTRS.get(tag, ()):
            value = attrs.get(name)
            if not value:
                continue
            if name == "srcset":
                self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())
            else:
                self.urls.append(value)


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme in {"http", "https"} or url.startswith("//"))


def _missing_local(page: Path, url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme or not parts.path:  # data:, blob:, javascript:, or an in-page anchor
        return False
    return not (page.parent / unquote(parts.path)).exists()


def check(site: Path) -> list[str]:
    problems = []
    # Files under _static/ are assets copied verbatim (some are Jinja templates), not pages.
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    if not pages:
        return [f"{site}: no HTML pages found; build the site first (make site)."]
    for page in pages:
        collector = _Collector()
        collector.feed(page.read_text(encoding="utf-8", errors="replace"))
        for url in collector.urls:
            rel = page.relative_to(site)
            if _is_external(url):
                problems.append(f"{rel}: loads an external resource {url}")
            elif _missing_local(page, url):
                problems.append(f"{rel}: resource {url} is missing from the build")
    for css in sorted(site.rglob("*.css")):
        for match in CSS_URL.finditer(css.read_text(encoding="utf-8", errors="replace")):
            url = match.group(1) or match.group(2)
            if _is_external(url):
                problems.append(f"{css.relative_to(site)}: loads an external resource {url}")
    return problems


def main(argv: list[str]) -> int:
    sites = [Path(arg) for arg in argv] or [Path("_build/site/instructor")]
    failed = False
    for site in sites:
        problems = check(site)
        for line in problems:
            print(line)
        n_pages = len([p for p in site.rglob("*.html") if "_static" not in p.parts])
        if problems:
            print(f"site offline check: {len(problems)} problem(s) in {site}")
            failed = True
        else:
            print(f"site offline check: {n_pages} pages load nothing from outside {site}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
