"""Every page each kind of person can reach by following links, in both languages, on a 390 px
phone and a 1280 px screen: no server error, no broken link, axe clean, and the page never
scrolls sideways. (Each page is also checked by the W3C Nu validator: conftest does that for
every page every browser test opens.)

Pages are followed breadth first from where a person lands after signing in. Pages of one kind
are visited once: the same view with other ids (the six partnerships, each seminar) is the same
page, so links are grouped by the view they open and its text arguments (which stage), and
answer histories by the kind of question they show (a table's history is not a text's).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, Page
from werkzeug.exceptions import HTTPException

from tests.browser.conftest import (
    AXE_JS,
    PHONE,
    WIDEST_JS,
    assert_accessible,
    drawn_on_a_phone,
    settle,
)
from workshop import demo
from workshop.extensions import db
from workshop.method.definition import Method, load
from workshop.models import Answer, Partnership

DESKTOP = {"width": 1280, "height": 900}
ROLES = ["admin", "facilitator", "head", "participant"]
STAFF = {
    "admin": "admin@demo.twinning.test",
    "facilitator": "facilitator@demo.twinning.test",
    "head": "head@demo.twinning.test",
}
# Links that do not lead to a page: files to download, the scripts' endpoints.
NOT_PAGES = {
    "static",
    "imports.template",
    "main.health",
    "answers.csrf_token",
    "documents.download",
}
MAX_PAGES = 80  # far above what the demo has; reaching it means the grouping below broke


@pytest.fixture
def seeded(app: Flask) -> demo.DemoSummary:
    summary = demo.seed()
    db.session.commit()
    return summary


def _sign_in(page: Page, base: str, role: str, summary: demo.DemoSummary) -> None:
    if role == "participant":
        page.goto(f"{base}/resume")
        page.locator("main form input[name=code]").fill(summary.participant_return_code or "")
        with page.expect_navigation(url=re.compile(r"/partnerships/\d+")):
            page.locator("main form button[type=submit]").click()
        return
    page.goto(base + "/login")
    page.locator("#email").fill(STAFF[role])
    page.locator("#password").fill(demo.DEMO_PASSWORDS[STAFF[role]])
    # Enter in the password field: the first submit button on the page is the language switch.
    with page.expect_navigation(url=lambda url: "/login" not in url):
        page.locator("#password").press("Enter")


@dataclass(frozen=True)
class Pairs:
    """What the crawl needs to know of the partnerships, read once before it starts: a query
    per link would keep a read transaction open in the test, and SQLite then makes the live
    server's writes (a stage page says "I am here") wait until they fail."""

    methods: dict[int, Method]
    answered: frozenset[int]

    @classmethod
    def read(cls) -> Pairs:
        pairs = db.session.execute(sa.select(Partnership.id, Partnership.method_version)).all()
        answered = db.session.scalars(sa.select(Answer.partnership_id).distinct()).all()
        db.session.rollback()  # the transaction ends here
        return cls({pid: load(version) for pid, version in pairs}, frozenset(answered))


def _kind_of_page(app: Flask, pairs: Pairs, url: str) -> tuple[object, ...] | None:
    """What page a same-origin link opens, as a key shared by the pages of one kind; None for
    links that are no page."""
    parts = urlsplit(url)
    try:
        endpoint, args = app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:
        return ("unknown", parts.path)  # visited, and its 404 reported
    if endpoint in NOT_PAGES:
        return None
    query = tuple(sorted(key for key, _value in parse_qsl(parts.query)))
    if endpoint == "answers.history":
        method = pairs.methods.get(args["partnership_id"])
        question = method.question(args["question_key"]) if method else None
        # Every answer but a table is a line of text; a table with a row per item differs from
        # one with numbered rows. One side's answer looks like the other side's.
        return (endpoint, question.type == "table", bool(question.rows)) if question else (url,)
    words = tuple(sorted((k, v) for k, v in args.items() if not isinstance(v, int)))
    if "partnership_id" in args:
        # An answered, reviewed pair (read-only tables, comments, history links) and a fresh one
        # (empty forms to fill) show the same view two different ways: both are visited.
        return (endpoint, words, query, args["partnership_id"] in pairs.answered)
    return (endpoint, words, query)


LINKS_JS = """() => [...document.querySelectorAll('a[href]')]
  .filter(a => !a.hasAttribute('download'))
  .map(a => a.href.split('#')[0])"""


def _problems_here(page: Page, label: str) -> list[str]:
    """axe at phone and desktop widths, and the page itself never wider than the phone."""
    problems = []
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        try:
            assert_accessible(page, f"{label} {viewport['width']}px")
        except AssertionError as failure:
            problems.append(str(failure).split("\nassert ")[0])
        if viewport is PHONE:
            wide = page.evaluate(WIDEST_JS)
            if wide["width"] > wide["vw"]:
                problems.append(
                    f"{label} ({page.url}) is {wide['width']}px wide on a phone: "
                    + "; ".join(wide["culprits"])
                )
    page.set_viewport_size(PHONE)
    return problems


@pytest.mark.parametrize("locale", ["uk-UA", "en-GB"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_person_reaches_is_accessible_and_fits_a_phone(
    browser: Browser,
    live_server: str,
    app: Flask,
    seeded: demo.DemoSummary,
    role: str,
    locale: str,
) -> None:
    context = browser.new_context(locale=locale, viewport=PHONE)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    _sign_in(page, live_server, role, seeded)
    settle(page)
    queue = deque([page.url.split("#")[0], live_server + "/"])
    pairs = Pairs.read()
    seen: set[tuple[object, ...]] = set()
    visited: list[str] = []
    problems: list[str] = []
    origin = urlsplit(live_server).netloc
    while queue:
        url = queue.popleft()
        if urlsplit(url).netloc != origin:
            continue
        kind = _kind_of_page(app, pairs, url)
        if kind is None or kind in seen:
            continue
        seen.add(kind)
        assert len(visited) < MAX_PAGES, f"more than {MAX_PAGES} kinds of page: {visited}"
        response = page.goto(url)
        assert response is not None
        visited.append(url)
        if response.status >= 400:
            # A link the app shows must lead somewhere: no server error, no 403, no 404.
            problems.append(f"{url} answered {response.status}")
            continue
        problems += _problems_here(page, f"{role} {locale[:2]} {urlsplit(url).path}")
        drawn_on_a_phone(response.text())  # measured here already: conftest need not again
        queue.extend(page.evaluate(LINKS_JS))
    assert problems == [], "\n".join(problems)
    # The crawl went somewhere: at least the landing page, a partnership and a stage.
    assert any("/stages/" in url for url in visited), visited
    context.close()


def test_the_crawl_reaches_each_kind_of_page_once(app: Flask, seeded: demo.DemoSummary) -> None:
    """The grouping that keeps the crawl short: ids do not make a new kind of page, a stage
    does, an answered pair differs from a fresh one, and a table's history from a text's."""
    answered, *fresh = db.session.scalars(sa.select(Partnership).order_by(Partnership.id))
    pairs = Pairs.read()
    base = "http://127.0.0.1:5000/partnerships"

    def kinds(stage: str, partnerships: list[Partnership]) -> set[object]:
        return {_kind_of_page(app, pairs, f"{base}/{p.id}/stages/{stage}") for p in partnerships}

    assert len(kinds("needs", fresh)) == 1
    assert len(kinds("needs", [answered, *fresh])) == 2
    assert kinds("needs", fresh) != kinds("priorities", fresh)
    questions = list(load(answered.method_version)._questions.values())
    table = next(q for q in questions if q.type == "table" and not q.rows and not q.per_side)
    text = next(q for q in questions if q.type == "long_text" and not q.per_side)
    history = f"{base}/{answered.id}/answers/{{}}/history"
    assert _kind_of_page(app, pairs, history.format(table.key)) != _kind_of_page(
        app, pairs, history.format(text.key)
    )
    assert _kind_of_page(app, pairs, "http://127.0.0.1:5000/static/css/app.css") is None
