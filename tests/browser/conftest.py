"""Browser fixtures: Debian's Chromium through Playwright, a live server, and axe-core.

Every HTML document the live server sends to a browser during a test (pages, answers to form
posts, 422 re-renders, error pages) is kept, and after the test each one is checked twice: by
the W3C Nu validator, and drawn on a 390 px phone, where the page itself must not scroll
sideways. See ``_every_page_valid_and_phone_wide``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page
from werkzeug.serving import make_server

from tests import factories
from workshop.extensions import db
from workshop.paths import PROJECT_ROOT

AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PHONE = {"width": 390, "height": 844}
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
def page_log() -> DocumentLog:
    """The HTML documents the live server sends to browsers during one test."""
    return DocumentLog()


@pytest.fixture
def live_server(app: Flask, page_log: DocumentLog) -> Iterator[str]:
    """Serve the test app on a free local port for the length of one test."""
    server = make_server("127.0.0.1", 0, page_log.wrap(app), threaded=True)
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


def seated_page(
    browser: Browser,
    base: str,
    code: str,
    viewport: dict[str, int] | None = None,
    locale: str = "en-GB",
) -> tuple[BrowserContext, Page]:
    """A participant's own browser, back at their table with their return code."""
    context = browser.new_context(locale=locale, viewport=viewport or {"width": 390, "height": 844})
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    page.goto(f"{base}/resume")
    page.locator("main form input[name=code]").fill(code)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/partnerships/*")
    return context, page


def at_a_new_table(
    browser: Browser, base: str, viewport: dict[str, int] | None = None, locale: str = "en-GB"
) -> tuple[BrowserContext, Page, int]:
    """A participant of a new partnership in a new seminar, on their first stage's page."""
    seminar = factories.make_seminar()
    partnership = factories.make_partnership(seminar=seminar)
    person = factories.make_participant(partnership=partnership, seminar=seminar)
    code, partnership_id = person.test_return_code, partnership.id  # type: ignore[attr-defined]
    db.session.commit()
    context, page = seated_page(browser, base, code, viewport, locale)
    page.goto(f"{base}/partnerships/{partnership_id}/stages/agreement")
    return context, page, partnership_id


def settle(page: Page) -> None:
    """Wait for a settled page: loaded, styled, fonts ready, no running transitions/animations.

    This waits for the document the page has *now*. After a click that submits a form, first
    wait for that navigation (``page.expect_navigation()``, ``page.wait_for_url``) or for
    something only the new page has, or this may settle the old page.
    """
    page.wait_for_load_state("load")
    page.wait_for_function(SETTLED_JS)
    page.evaluate(NEXT_FRAMES_JS)


# Only the violations, and only what the message needs: asking axe for its passes too and
# sending them all back from the page took four times as long on a stage page.
AXE_VIOLATIONS_JS = """async (tags) => {
  const result = await axe.run(document,
    {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, targets: v.nodes.slice(0, 5).map(n => n.target)}));
}"""


def assert_accessible(page: Page, label: str) -> None:
    """Run axe-core on the settled page; fail with the rules and the elements they hit."""
    settle(page)
    violations = page.evaluate(AXE_VIOLATIONS_JS, AXE_TAGS)
    problems = [f"{v['id']} ({v['impact']}): {v['targets']}" for v in violations]
    assert problems == [], f"axe on {label} ({page.url}):\n" + "\n".join(problems)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        name = label.replace(" ", "_").replace("/", "_")
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


# --- Every page valid HTML, and never wider than a phone --------------------------------------


@dataclass(frozen=True)
class Document:
    """One HTML document as the server sent it to a browser."""

    method: str
    url: str
    status: int
    html: str

    @property
    def key(self) -> str:
        # The same page drawn twice differs only in its form tokens (they carry a timestamp):
        # checked once per run.
        return hashlib.sha256(CSRF_VALUE.sub("", self.html).encode()).hexdigest()

    def where(self) -> str:
        return f"{self.method} {self.url} ({self.status})"


CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


@dataclass
class DocumentLog:
    """Keeps what the server answers to browser navigations: the pages a person sees."""

    documents: list[Document] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, wsgi: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        def keep_documents(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            # Chromium marks navigations (links, form posts, reloads) with Sec-Fetch-Dest:
            # document; the scripts' fetches and the stylesheets are not pages.
            if environ.get("HTTP_SEC_FETCH_DEST") != "document":
                return wsgi(environ, start_response)
            sent: dict[str, Any] = {}

            def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
                sent["status"] = int(status.split()[0])
                sent["type"] = next((v for k, v in headers if k.lower() == "content-type"), "")
                return start_response(status, headers, *exc)

            body = wsgi(environ, start)
            try:
                chunks = list(body)
            finally:
                if hasattr(body, "close"):
                    body.close()
            # A redirect's little HTML body is never shown: the browser follows it.
            if sent.get("type", "").startswith("text/html") and not 300 <= sent["status"] < 400:
                url = "http://" + environ["HTTP_HOST"] + environ.get("RAW_URI", "/")
                with self.lock:
                    self.documents.append(
                        Document(
                            environ["REQUEST_METHOD"],
                            url,
                            sent["status"],
                            b"".join(chunks).decode("utf-8"),
                        )
                    )
            return chunks

        return keep_documents


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _squeezed(text: str) -> str:
    return " ".join(text.split())


class NuValidator:
    """The W3C Nu HTML checker as a local web service: one JVM for the whole run.

    Started in the background when the first browser test begins, so its few seconds of
    start-up overlap that test; each document then takes tens of milliseconds, where a JVM
    started per test would add about three seconds to each test.
    """

    def __init__(self, log_path: Path) -> None:
        self.port = _free_port()
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    "java",
                    "-Xmx1g",
                    "-Dnu.validator.servlet.bind-address=127.0.0.1",
                    "-cp",
                    str(VNU_JAR),
                    "nu.validator.servlet.Main",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.ready = False
        self.checked: dict[str, list[str]] = {}  # document key -> errors, for the whole run

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 120
        while not self.ready:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Nu validator stopped: see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=5):
                    self.ready = True
            except (urllib.error.URLError, ConnectionError) as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the Nu validator did not start: see {self.log_path}"
                    ) from error
                time.sleep(0.2)

    def errors(self, html: str) -> list[str]:
        """The validator's errors (not its warnings) in one document, each with its line."""
        self._wait_until_ready()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/?out=json&level=error",
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - http only
            messages = json.load(response)["messages"]
        return [
            f"line {m.get('lastLine', '?')}: {m['message']} «{_squeezed(m.get('extract', ''))}»"
            for m in messages
            if m["type"] in ("error", "non-document-error")
        ]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def nu_validator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NuValidator]:
    validator = NuValidator(tmp_path_factory.mktemp("vnu") / "vnu.log")
    yield validator
    validator.stop()


# Where a page that scrolls sideways sticks out: each outermost element reaching past the
# viewport (outside any box of its own that scrolls or clips), and the element inside it that
# reaches furthest.
WIDEST_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const width = document.documentElement.scrollWidth;
  if (width <= vw) return {width, vw, culprits: []};
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map(c => '.' + c).join('');
  // How far right an element or what overflows it reaches (a box that scrolls keeps its own).
  const reach = el => {
    const box = el.getBoundingClientRect();
    return getComputedStyle(el).overflowX === 'visible'
      ? Math.max(box.right, box.left + el.scrollWidth) : box.right;
  };
  const contained = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const past = el => reach(el) > vw + 0.5;
  const px = n => Math.round(n) + 'px';
  const culprits = [];
  for (const el of document.body.children) {
    if (!past(el)) continue;
    let outer = el;  // down to the first element that itself sticks out, not only its content
    while (outer.getBoundingClientRect().right <= vw + 0.5) {
      const next = [...outer.children].find(past);
      if (!next) break;
      outer = next;
    }
    let widest = outer, right = reach(outer);
    for (const inner of outer.querySelectorAll('*')) {
      const r = reach(inner);
      if (r >= right - 0.5 && !contained(inner)) { widest = inner; right = r; }
    }
    culprits.push(`${name(outer)} reaches ${px(reach(outer))}`
      + (widest === outer ? '' : `; furthest inside it: ${name(widest)} at ${px(right)}`));
  }
  return {width, vw, culprits};
}"""


def too_wide_on_a_phone(browser: Browser, documents: list[Document]) -> list[str]:
    """Draw each document as the server sent it in a 390 px wide page (its stylesheet and
    scripts from the live server) and say which ones scroll sideways, and what sticks out."""
    if not documents:
        return []
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = []
    try:
        # A page of the live server's origin (any: this one is its 404), whose document is then
        # rewritten with each one kept: relative links resolve, and the stylesheet and scripts
        # come from the browser's cache after the first (routing requests would turn it off).
        origin = "/".join(documents[0].url.split("/")[:3])
        page.goto(origin + "/drawn-on-a-phone")
        for document in documents:
            page.set_content(document.html)
            # Waits with a time limit (page.evaluate has none): styled, fonts in, then measured.
            page.wait_for_function(SETTLED_JS)
            result = page.wait_for_function(WIDEST_JS).json_value()
            if result["culprits"] or result["width"] > result["vw"]:
                problems.append(
                    f"{document.where()} is {result['width']}px wide on a {result['vw']}px "
                    "phone:\n    " + "\n    ".join(result["culprits"] or ["(nothing found)"])
                )
    finally:
        context.close()
    return problems


def invalid_html(validator: NuValidator, documents: list[Document]) -> list[str]:
    """Each document with errors, and its errors (a page seen before is not sent again)."""
    invalid = []
    for document in documents:
        if document.key not in validator.checked:
            validator.checked[document.key] = validator.errors(document.html)
        if validator.checked[document.key]:
            invalid.append(
                f"{document.where()}:\n    " + "\n    ".join(validator.checked[document.key])
            )
    return invalid


_WIDTH_CHECKED: set[str] = set()  # document keys drawn at 390 px in this run


def drawn_on_a_phone(html: str) -> None:
    """Say that a test has itself checked this page's width on a phone: not drawn again."""
    _WIDTH_CHECKED.add(Document("GET", "", 200, html).key)


@pytest.fixture(autouse=True)
def _every_page_valid_and_phone_wide(
    request: pytest.FixtureRequest, browser: Browser, nu_validator: NuValidator
) -> Generator[None, None, None]:
    """After each browser test, every page its browsers were sent is valid HTML (W3C Nu
    validator) and fits a 390 px phone without the page scrolling sideways."""
    if "live_server" not in request.fixturenames:
        yield
        return
    # Started here, inside this fixture, so the server is still up for the phone check below.
    request.getfixturevalue("live_server")
    log: DocumentLog = request.getfixturevalue("page_log")
    yield
    fresh: dict[str, Document] = {}
    for document in log.documents:
        fresh.setdefault(document.key, document)

    # The validator works in its own process while the browser draws the pages.
    with ThreadPoolExecutor(max_workers=1) as pool:
        validating = pool.submit(invalid_html, nu_validator, list(fresh.values()))
        wide = too_wide_on_a_phone(
            browser, [d for key, d in fresh.items() if key not in _WIDTH_CHECKED]
        )
        _WIDTH_CHECKED.update(fresh)
        invalid = validating.result()
    problems = []
    if invalid:
        problems.append("Not valid HTML (W3C Nu validator):\n  " + "\n  ".join(invalid))
    if wide:
        problems.append("Wider than a phone:\n  " + "\n  ".join(wide))
    assert not problems, "\n".join(problems)
