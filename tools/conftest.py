"""What the browser tests in tools/ share: Debian's Chromium, headless and offline.

``test_site_browser.py`` (the built site) and ``test_lab.py`` (JupyterLab) use the ``browser``
fixture and :func:`block_outside`, so both open pages the same way and refuse the same requests.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest

#: Flags for Chromium on a closed network (no background connections, no first-run pages).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def block_outside(context, problems: list[str]) -> None:
    """Abort every request of ``context`` to an address other than 127.0.0.1, and record it."""

    def route(request_route):
        if urlsplit(request_route.request.url).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            problems.append(f"non-local request blocked: {request_route.request.url}")
            request_route.abort()

    context.route("**/*", route)


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("Debian's chromium is not installed: `make browser` installs it.")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
