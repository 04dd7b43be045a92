"""Every answer the app gives says truthfully what it is (ASVS 5.0 4.1.1, and 3.4.3's CSP).

A browser, a spreadsheet program or a script trusts the Content-Type: text without a charset is
guessed at (Ukrainian turns into mojibake in a CSV opened by a spreadsheet, or a page is read in
the wrong encoding), and a file labelled as something else is opened by the wrong program. Here
every route in the permission table is asked by every kind of person (pages, refusals,
redirects, JSON answers, CSV and spreadsheet downloads), plus what that table does not reach:
the other format of each download, a Word file and a PDF made by a job, a successful autosave,
the error pages and every static file. Each body must be what its Content-Type names; text
(text/*, XML) must say ``charset=utf-8``. JSON is UTF-8 by its definition (RFC 8259) and its
registration has no charset parameter, so the app's JSON answers may leave it out; where one is
named it must be UTF-8. Every answer also carries the CSP's ``base-uri 'none'`` and
``object-src 'none'``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.http import parse_options_header
from werkzeug.test import TestResponse

from tests.factories import World
from tests.test_groupwork import autosave, open_all_stages
from tests.test_permissions import CASES, ROLES, _signed_in
from workshop.documents import services as documents
from workshop.extensions import db
from workshop.jobs import services as jobs
from workshop.models import Account, Job, Throttle
from workshop.paths import STATIC_DIR

EN = {"Accept-Language": "en"}


@dataclass(frozen=True)
class Reply:
    """One response, as the walk met it."""

    where: str
    status: int
    content_type: str | None
    body: bytes
    csp: str


def _kept(where: str, response: TestResponse) -> Reply:
    reply = Reply(
        where=f"{where} -> {response.status_code}",
        status=response.status_code,
        content_type=response.headers.get("Content-Type"),
        body=response.get_data(),
        csp=response.headers.get("Content-Security-Policy", ""),
    )
    response.close()  # static files are streamed from an open file
    return reply


def _walk_the_permission_table(app: Flask, world: World) -> Iterator[Reply]:
    """Every route and method of the app, each asked by every kind of person in a browser of
    their own (tests/test_permissions.py keeps the table complete)."""
    for (endpoint, method), case in sorted(CASES.items()):
        for role in ROLES:
            db.session.execute(sa.delete(Throttle))  # earlier refusals count toward limits
            db.session.commit()
            client = _signed_in(app, role, world)
            url = case.url(world)
            yield _kept(f"{role} {method} {url} ({endpoint})", client.open(url, method=method))


def _version_id(world: World) -> int:
    version = documents.current_version(world.partnership, actor=None)
    db.session.commit()
    return version.id


def _made_by_a_job(client: FlaskClient, address: str) -> TestResponse:
    """A Word file or a PDF: the first request starts a job; once it ran, the file is served."""
    asked = client.get(address, headers=EN)
    assert asked.status_code == 303, address
    job = db.session.scalar(sa.select(Job).order_by(Job.id.desc()))
    assert job is not None
    jobs.run(job.id)
    return client.get(address, headers=EN)


def _walk_the_rest(
    app: Flask, world: World, login: Callable[[Account], FlaskClient]
) -> Iterator[Reply]:
    """What the table's one address per route does not reach."""
    anonymous = app.test_client()
    yield _kept("anon GET /nowhere", anonymous.get("/nowhere", headers=EN))
    yield _kept("anon GET /logout (POST only)", anonymous.get("/logout", headers=EN))
    yield _kept(
        "anon autosave",
        anonymous.post(
            url_for("answers.autosave", partnership_id=world.partnership.id),
            json={"question": "outage_plan", "value": "x", "base_version": 0},
            headers=EN,
        ),
    )
    for static in sorted(STATIC_DIR.rglob("*")):
        if static.is_file():
            path = static.relative_to(STATIC_DIR).as_posix()
            yield _kept(f"GET static {path}", anonymous.get(url_for("static", filename=path)))

    open_all_stages(world)
    participant = login(world.participant)
    stage = url_for("stage.page", partnership_id=world.partnership.id, stage_key="needs")
    yield _kept("participant GET stage page", participant.get(stage, headers=EN))
    saved = autosave(participant, world, question="outage_plan", value="Генератор", base_version=0)
    assert isinstance(saved, TestResponse)
    yield _kept("participant autosave", saved)
    yield _kept("participant GET /nowhere", participant.get("/nowhere", headers=EN))

    facilitator = login(world.facilitator)
    seminar = world.seminar.id
    for address in (
        url_for("dashboard.page", seminar_id=seminar),
        url_for("exports.answers", seminar_id=seminar, fmt="csv"),
        url_for("exports.answers", seminar_id=seminar, fmt="xlsx"),
        url_for("exports.seminar_json", seminar_id=seminar),
        url_for("plenary.export", seminar_id=seminar, fmt="csv"),
        url_for("plenary.export", seminar_id=seminar, fmt="xlsx"),
        url_for("imports.template", kind="csv"),
        url_for("imports.template", kind="xlsx"),
        url_for("seminars.detail", seminar_id=world.other_seminar.id),  # not theirs: 404
        url_for("accounts.index"),  # admins only: 403
    ):
        yield _kept(f"facilitator GET {address}", facilitator.get(address, headers=EN))

    admin = login(world.admin)
    audit_csv = url_for("auditlog.csv_file")
    yield _kept(f"admin GET {audit_csv}", admin.get(audit_csv, headers=EN))

    head = login(world.head)
    version = _version_id(world)
    for kind, lang, fmt in (("vision", "uk", "docx"), ("vision", "en", "pdf")):
        address = url_for("documents.download", version_id=version, kind=kind, lang=lang, fmt=fmt)
        yield _kept(f"head GET {address}", _made_by_a_job(head, address))


# What a body must look like for the type it is sent as. Text must decode as UTF-8 (the charset
# it names); a file must start as its format does. A type missing here is a new kind of answer:
# add it, with a check of its body, once its Content-Type is right.
OOXML = "application/vnd.openxmlformats-officedocument."
XLSX = OOXML + "spreadsheetml.sheet"
DOCX = OOXML + "wordprocessingml.document"


def _text(body: bytes) -> str:
    return body.decode("utf-8-sig")  # a CSV starts with a byte-order mark for spreadsheets


def _html(body: bytes) -> bool:
    return _text(body).lstrip().startswith("<")  # a page, or a fragment a page's script swaps in


def _csv(body: bytes) -> bool:
    text = _text(body)
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text.split("\n")[0] else ","))
    return bool(rows) and not text.lstrip().startswith(("<", "{", "["))


def _json(body: bytes) -> bool:
    json.loads(_text(body))
    return True


def _zip_holding(part: str) -> Callable[[bytes], bool]:
    def check(body: bytes) -> bool:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return not part or part in archive.namelist()

    return check


BODIES: dict[str, Callable[[bytes], bool]] = {
    "text/html": _html,
    "text/csv": _csv,
    "text/css": lambda body: bool(_text(body)),
    "text/javascript": lambda body: bool(_text(body)),
    "text/markdown": lambda body: bool(_text(body)),
    "image/svg+xml": lambda body: "<svg" in _text(body),
    "application/json": _json,
    "application/pdf": lambda body: body.startswith(b"%PDF-"),
    XLSX: _zip_holding("xl/workbook.xml"),
    DOCX: _zip_holding("word/document.xml"),
    "application/zip": _zip_holding(""),
}


def _needs_charset(mimetype: str) -> bool:
    """Text, as IANA registers it (text/*, XML): without a charset a browser guesses."""
    return mimetype.startswith("text/") or mimetype.endswith(("+xml", "/xml"))


def wrong_content_type(reply: Reply) -> str | None:
    """What is wrong with this answer's Content-Type for its body; None when nothing is."""
    if not reply.body:
        return None  # no body, nothing to describe (a 304)
    if not reply.content_type:
        return "a body without a Content-Type"
    mimetype, options = parse_options_header(reply.content_type)
    mimetype = mimetype.lower()
    charset = options.get("charset", "").lower()
    if mimetype not in BODIES:
        return f"{mimetype!r} is not a type this app sends on purpose (a generic download?)"
    if _needs_charset(mimetype) and charset != "utf-8":
        return f"{reply.content_type!r} does not say charset=utf-8"
    # JSON is UTF-8 by definition (RFC 8259) and its registration has no charset parameter;
    # where one is named anyway, it must be the one the body is in.
    if charset and charset != "utf-8":
        return f"{reply.content_type!r} names a charset the body is not in"
    try:
        matches = BODIES[mimetype](reply.body)
    except (UnicodeDecodeError, ValueError, zipfile.BadZipFile) as error:
        matches, why = False, f" ({type(error).__name__})"
    else:
        why = ""
    if not matches:
        return f"the body is not {mimetype}{why}: {reply.body[:40]!r}"
    return None


def test_every_answer_s_content_type_matches_its_body_with_utf_8_for_text(
    app: Flask, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    # The rest first: the table's posts (votes, versions, stage runs) would be in their way.
    rest = list(_walk_the_rest(app, world, login))
    table = list(_walk_the_permission_table(app, world))
    assert len(table) == len(CASES) * len(ROLES)
    replies = rest + table
    wrong = [f"{r.where}: {why}" for r in replies if (why := wrong_content_type(r)) is not None]
    assert wrong == [], "\n".join(wrong)
    types = {parse_options_header(r.content_type or "")[0] for r in replies if r.body}
    assert types == set(BODIES), "every kind of answer listed above was met on the walk"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", b"<!doctype html><p>Hi</p>"),  # no charset: the browser guesses
        ("text/csv; charset=windows-1251", "назва,рік\n".encode("cp1251")),
        ("application/json", b"<!doctype html><p>Hi</p>"),  # a page labelled JSON
        ("application/octet-stream", b"%PDF-1.7"),  # a generic download for a PDF
        ("application/pdf", b"PK\x03\x04"),
        ("application/json; charset=iso-8859-1", b"{}"),
    ],
)
def test_the_check_itself_refuses_a_wrong_label(content_type: str, body: bytes) -> None:
    """What the walk would report, shown on answers that are wrong on purpose."""
    reply = Reply(where="example", status=200, content_type=content_type, body=body, csp="")
    assert wrong_content_type(reply) is not None


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as its directives, each with its sources."""
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed.setdefault(name.lower(), sources)  # a browser obeys the first of a name
    return parsed


def test_every_answer_forbids_plugins_and_a_planted_base_address(
    app: Flask, world: World, login: Callable[[Account], FlaskClient]
) -> None:
    """``object-src 'none'``: no plugin runs whatever markup slips in. ``base-uri 'none'``: an
    injected <base href> cannot send the page's relative links and scripts to another site."""
    replies = list(_walk_the_rest(app, world, login))
    missing = [
        f"{reply.where}: {reply.csp!r}"
        for reply in replies
        if (found := directives(reply.csp)).get("object-src") != ["'none'"]
        or found.get("base-uri") != ["'none'"]
    ]
    assert missing == [], "\n".join(missing)
