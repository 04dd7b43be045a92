"""The checks every browser test gets (conftest): they keep each page the browser was sent,
answers to form posts included, and name what is invalid or wider than a phone."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.browser.conftest import (
    Document,
    DocumentLog,
    NuValidator,
    settle,
    too_wide_on_a_phone,
)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/css/app.css"></head><body><main>{}</main></body></html>"""


def test_the_validator_names_each_error_with_its_line(nu_validator: NuValidator) -> None:
    errors = nu_validator.errors(
        PAGE.format('<p>Name</p>\n<label for="nowhere">Name</label><div aria-describedby=""></div>')
    )
    assert len(errors) == 2, errors
    assert any(e.startswith("line 4: The value of the “for” attribute") for e in errors), errors
    assert any("aria-describedby" in e for e in errors), errors
    assert nu_validator.errors(PAGE.format("<p>Fine.</p>")) == []


def test_a_page_wider_than_a_phone_is_named_with_what_sticks_out(
    browser: Browser, live_server: str
) -> None:
    # A line that cannot wrap (no inline style: the app's CSP forbids them, and applies here).
    line = "<pre id='long'>" + "x" * 200 + "</pre>"
    wide = Document("GET", live_server + "/wide", 200, PAGE.format(line))
    boxed = Document(
        "GET",
        live_server + "/boxed",
        200,
        PAGE.format(
            f'<div class="table-scroll" role="region" aria-label="t" tabindex="0">{line}</div>'
        ),
    )
    problems = too_wide_on_a_phone(browser, [wide, boxed])
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"GET {live_server}/wide (200) is "), problems
    assert "on a 390px phone" in problems[0]
    assert "pre#long reaches " in problems[0]


def test_pages_sent_to_the_browser_are_kept_form_answers_too(
    page: Page, live_server: str, page_log: DocumentLog
) -> None:
    page.goto(live_server + "/login")
    page.locator("#email").fill("nobody@example.org")
    page.locator("#password").press("Enter")  # no password: the form comes back with errors
    settle(page)
    kept = [(d.method, d.url.removeprefix(live_server), d.status) for d in page_log.documents]
    assert kept == [("GET", "/login", 200), ("POST", "/login", 422)], kept
    assert "<html" in page_log.documents[1].html
