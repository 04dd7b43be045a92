"""Browser fixtures: Debian's Chromium through Playwright, a live server, and axe-core."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from werkzeug.serving import make_server

from workshop.paths import PROJECT_ROOT

AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = os.environ.get("WORKSHOP_SCREENSHOTS")  # a folder: keep pictures to look at


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's Chromium, never a downloaded one (no network here, and none wanted).
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the test app on a free local port for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["SERVER_NAME"] = None
    # In a real browser every form carries its token, as in production.
    app.config["WTF_CSRF_ENABLED"] = True
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(autouse=True)
def _axe_everywhere(page: Page) -> None:
    # An init script runs before the page's own and is not subject to its CSP, so axe is there
    # on every page without loosening the app's Content-Security-Policy.
    page.context.add_init_script(path=str(AXE_JS))


# True once the page is the one a person sees: every stylesheet applied, fonts in, nothing moving.
# Until then sizes are the browser's unstyled defaults (a 19 px link, a 21 px button) and axe's
# target-size rule measures those: elements can be in the DOM while the CSS is still on its way.
SETTLED_JS = """() => document.readyState === 'complete'
  && [...document.querySelectorAll('link[rel~=stylesheet]')].every(link => link.sheet !== null)
  && document.fonts.status === 'loaded'
  && document.getAnimations().every(a => a.playState !== 'running')"""
# Fonts ready, then two frames, so that style and layout of the settled page have run.
NEXT_FRAMES_JS = """() => document.fonts.ready.then(() => new Promise(
  done => requestAnimationFrame(() => requestAnimationFrame(() => done(true)))))"""


def settle(page: Page) -> None:
    """Wait for a settled page: loaded, styled, fonts ready, no running transitions/animations.

    This waits for the document the page has *now*. After a click that submits a form, first
    wait for that navigation (``page.expect_navigation()``, ``page.wait_for_url``) or for
    something only the new page has, or this may settle the old page.
    """
    page.wait_for_load_state("load")
    page.wait_for_function(SETTLED_JS)
    page.evaluate(NEXT_FRAMES_JS)


def assert_accessible(page: Page, label: str) -> None:
    """Run axe-core on the settled page; fail with the rules and the elements they hit."""
    settle(page)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    problems = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]
    assert problems == [], f"axe on {label} ({page.url}):\n" + "\n".join(problems)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        name = label.replace(" ", "_").replace("/", "_")
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
