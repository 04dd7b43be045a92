"""What the fuzz tests share: hostile values, a table where every endpoint can be reached,
the people allowed to use each endpoint, requests sent the way a browser or a script would
send them, and a snapshot of everything stored.

Hypothesis draws the values; this module knows the app. The property every test checks: no
5xx ever; a refusal is a 4xx with a message a person can read; a refusal stores nothing.
"""

from __future__ import annotations

import functools
import io
import json
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask import Flask, Request
from flask.testing import FlaskClient
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.routing import Rule
from werkzeug.test import TestResponse, encode_multipart

from tests import factories
from workshop import create_app
from workshop.documents import services as documents
from workshop.extensions import db
from workshop.groupwork.answers import services as answers
from workshop.groupwork.answers.wire import (
    PERSON_FIELDS,
    REMOVE,
    field_name,
    version_name,
)
from workshop.groupwork.review import comments
from workshop.method.definition import Stage, load
from workshop.models import SHARED, Account, Base, ImportBatch, Job, StageRun
from workshop.permissions import ENDPOINT_ACCESS, Access

EN = {"Accept-Language": "en"}


@functools.cache
def app_rules() -> tuple[Rule, ...]:
    """The app's routes, from an app built once for the whole run (test collection reads it)."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    return tuple(app.url_map.iter_rules())


# -- Hostile values ------------------------------------------------------------------------

# What outside testing found, and its relatives: every one of these has broken a web app.
SPECIAL_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: not UTF-8
    "x\udfffy",
    "\ud83d",  # half an emoji
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e",
    "e\u0301\u0301\u0301\u0301",  # combining characters
    "\r\n",
    "line\rbreak",
    "\ufeff",
    "\x1b[31m",
    "²",  # passes str.isdigit(), fails int()
    "¹²³",
    "١٢",  # Arabic-Indic digits: int() takes them
    "１２",  # fullwidth digits
    "0",
    "1",
    "-1",
    "007",
    "1_000",
    " 5 ",
    "+3",
    "1e309",
    "NaN",
    "Infinity",
    "9" * 25,
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(2**64),
    "<script>alert(1)</script>",
    "'; DROP TABLE account; --",
    "%00",
    "../../etc/passwd",
    "🙂" * 50,
    "x" * 100_000,
]

ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates too
# In an address: servers refuse request lines past a few kilobytes, long before the app.
url_text = st.one_of(
    st.sampled_from([t for t in SPECIAL_TEXT if len(t) < 1_000]),
    st.text(ANY_CHARACTER, max_size=40),
    st.integers().map(str),
)
hostile_text = st.one_of(
    url_text,
    st.sampled_from(["x" * 100_000, "9" * 5_000]),
    st.integers(min_value=1_000, max_value=70_000).map(lambda n: "é" * n),
)
hostile_number = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
json_leaf = st.one_of(st.none(), hostile_number, hostile_text)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)
# Raw JSON text no json.dumps would write: nesting past any limit, and very wide lists.
raw_json = st.one_of(
    st.sampled_from([33, 200, 1_000, 5_000, 100_000]).map(lambda n: "[" * n + "]" * n),
    st.sampled_from([33, 1_000, 50_000]).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.integers(min_value=1_000, max_value=30_000).map(lambda n: "[" + ",".join(["1"] * n) + "]"),
    st.sampled_from(["NaN", "-Infinity", "1e309", "9" * 5000, '"\\ud800"', '"\\u0000"', "{"]),
)
hostile_id = st.sampled_from(
    [
        "0",
        "-1",
        "²",
        "١",
        "１",
        "007",
        "1.0",
        "1e3",
        str(2**31),
        str(2**63 - 1),
        str(2**63),
        "9" * 30,
    ]
)


def encode(text: str) -> str:
    """Percent-encode as a browser would, a lone surrogate as the bytes it would be sent as."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# -- A table where every endpoint can be reached -------------------------------------------


@dataclass
class Table:
    """A seminar and partnership with every kind of thing an endpoint may point at."""

    world: factories.World
    comment_id: int
    batch_id: int
    membership_id: int
    stages: tuple[Stage, ...]
    version_id: int  # a document version of the partnership
    version_token: str  # its verification address's token
    job_token: str  # a failed job of the participant's (SIGNED_IN routes act as them)


def set_table() -> Table:
    """A partnership with an answer that has a history, a comment, an import waiting for its
    confirmation, every stage open; stored with the app's own services, in one commit."""
    world = factories.build_world()
    p = world.partnership.id
    method = load(world.partnership.method_version)
    db.session.add_all(
        StageRun(partnership_id=p, stage_key=key, opened_early=True)
        for key in ("needs", "priorities", "action_plan")
    )
    for version, text in enumerate(("first", "second")):
        answers.save_answer(
            partnership_id=p,
            cycle=1,
            key="outage_plan",
            side=SHARED,
            value=text,
            base_version=version,
            actor=world.participant,
        )
    stage = method.stage("needs")
    assert stage is not None
    comment = comments.add_comment(
        partnership_id=p,
        cycle=1,
        stage=stage,
        section_key="how",
        question_key=None,
        reply_to=None,
        body="Why?",
        actor=world.facilitator,
    )
    # Checking a real spreadsheet takes most of a second: an empty batch has the same routes.
    batch = ImportBatch(
        created_by_id=world.facilitator.id, filename="pairs.csv", seminar_id=world.seminar.id
    )
    db.session.add(batch)
    version = documents.current_version(world.partnership, actor=world.participant)
    job = Job(
        token=secrets.token_urlsafe(32),
        kind="render_file",
        params={},
        state="failed",
        created_by_id=world.participant.id,
    )
    db.session.add(job)
    db.session.commit()
    return Table(
        world=world,
        comment_id=comment.id,
        batch_id=batch.id,
        membership_id=world.participant.memberships[0].id,
        stages=method.stages,
        version_id=version.id,
        version_token=version.verify_token,
        job_token=job.token,
    )


def actor_for(table: Table, endpoint: str) -> Account | None:
    """Somebody the endpoint is meant for: the access table says who."""
    access = ENDPOINT_ACCESS[endpoint]
    world = table.world
    if access is Access.PUBLIC:
        return None
    if access is Access.ADMIN:
        return world.admin
    if access is Access.STAFF or endpoint in ("review.resolve_comment",):
        return world.facilitator
    return world.participant


# -- Where a request goes ------------------------------------------------------------------


def _stage_keys(table: Table, endpoint: str) -> list[str]:
    voting = [s.key for s in table.stages if s.vote_on]
    prefilled = [s.key for s in table.stages if any(q.prefill for q in s.questions())]
    if endpoint.startswith("voting."):
        return voting
    if endpoint == "stage.take_suggestions":
        return prefilled
    return [s.key for s in table.stages]


Pick = Callable[[list[str]], str]


def _valid_arg(pick: Pick, table: Table, endpoint: str, name: str, chosen: dict) -> str:
    world = table.world
    ids = {
        "partnership_id": world.partnership.id,
        "seminar_id": world.seminar.id,
        "account_id": world.participant.id,
        "institution_id": world.partnership.ua_institution_id,
        "membership_id": table.membership_id,
        "comment_id": table.comment_id,
        "batch_id": table.batch_id,
        "version_id": table.version_id,
    }
    if name in ids:
        return str(ids[name])
    if name == "token":
        return table.job_token if endpoint.startswith("jobs.") else table.version_token
    # A document made at once (a spreadsheet): a PDF would only queue a job nobody runs here.
    if name in ("kind", "fmt"):
        return {"kind": "action_plan", "fmt": "xlsx"}[name]
    if name == "lang":
        return pick(["uk", "en"])
    if name == "filename":  # a static file
        return pick(["css/app.css", "js/autosave.js", "img/favicon.svg"])
    if name == "stage_key":
        return pick(_stage_keys(table, endpoint))
    stage = next((s for s in table.stages if s.key == chosen.get("stage_key")), table.stages[0])
    if name == "section_key":
        return pick([s.key for s in stage.sections])
    if name == "question_key":
        if endpoint.startswith("answers."):  # often the one with a history to restore
            others = [q.key for s in table.stages for q in s.questions()]
            return pick(["outage_plan"] * len(others) + others)
        questions = [q for q in stage.questions() if q.prefill] or list(stage.questions())
        return pick([q.key for q in questions])
    raise AssertionError(f"no value for <{name}> in {endpoint}: teach tests/hostile.py")


_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def _url(rule: Rule, part: Callable[[str, dict[str, str]], str]) -> str:
    chosen: dict[str, str] = {}
    for name in _ARGUMENT.findall(rule.rule):  # in order: a section belongs to its stage
        chosen[name] = part(name, chosen)
    return _ARGUMENT.sub(lambda m: chosen[m.group(1)], rule.rule)


def valid_url(table: Table, rule: Rule) -> str:
    """The first real URL for ``rule``."""
    return _url(
        rule, lambda name, chosen: _valid_arg(lambda o: o[0], table, rule.endpoint, name, chosen)
    )


@st.composite
def urls(draw: st.DrawFn, table: Table, rule: Rule, odds: int = 6) -> str:
    """A URL for ``rule``: real ids and keys, one part in ``odds`` something hostile."""

    def part(name: str, chosen: dict[str, str]) -> str:
        if draw(st.sampled_from([False] * (odds - 1) + [True])):
            bad = hostile_id if name.endswith("_id") else url_text.filter(bool)
            return encode(draw(bad))

        def pick(options: list[str]) -> str:
            return draw(st.sampled_from(options))

        return _valid_arg(pick, table, rule.endpoint, name, chosen)

    return _url(rule, part)


# -- What each endpoint reads --------------------------------------------------------------

_read: set[str] = set()


class _RecordingDict(ImmutableMultiDict):  # type: ignore[type-arg]
    """Form and query fields that note every name a view asks for."""

    def __getitem__(self, key: Any) -> Any:
        _read.add(key)
        return super().__getitem__(key)

    def getlist(self, key: Any, type: Any = None) -> Any:
        _read.add(key)
        return super().getlist(key, type)

    def __contains__(self, key: object) -> bool:
        _read.add(str(key))
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = _RecordingDict


@contextmanager
def recording_reads(app: Flask) -> Iterator[set[str]]:
    """Every form and query field name the views ask for while the block runs."""
    _read.clear()
    saved, app.request_class = app.request_class, RecordingRequest
    try:
        yield _read
    finally:
        app.request_class = saved


AUTOSAVE_FIELDS = ["question", "value", "base_version", "key", "cycle"]
# A row the page's script would have just added (``wire.new_row_id``), fixed so that
# Hypothesis sees the same choices when it replays an example.
NEW_ROW = "k3mq7x9pzt"


def section_fields(table: Table, stage_key: str, section_key: str) -> list[str]:
    """The names a section's form posts (``answers.wire``), including new and removed rows."""
    stage = next((s for s in table.stages if s.key == stage_key), None)
    section = next((s for s in stage.sections if s.key == section_key), None) if stage else None
    if section is None:
        return ["cycle"]
    names = ["cycle"]
    for question in section.questions:
        names += [field_name(question.key), version_name(question.key)]
        if question.type == "person":
            names += [field_name(question.key, part) for part in PERSON_FIELDS]
        if question.type == "table":
            rows = [r.id for r in question.rows or ()] + [NEW_ROW, "Row\u0301", "0"]
            for row in rows[:3] + rows[-3:]:
                names += [field_name(question.key, row, c.key) for c in question.columns]
                names.append(field_name(question.key, row, REMOVE))
    return names


# -- Sending -------------------------------------------------------------------------------


def fresh_browser(client: FlaskClient, *, signed_in: bool) -> None:
    """Forget what the last example left in the browser: its messages, or its whole session
    for somebody who is not signed in."""
    if not signed_in:
        client.delete_cookie("session", domain="localhost")
        return
    with client.session_transaction() as session:
        session.pop("_flashes", None)  # redirects nobody follows would pile them up


@st.composite
def form_fields(
    draw: st.DrawFn, names: list[str], values: st.SearchStrategy[str] = hostile_text
) -> list[tuple[str, str]]:
    """Some of ``names`` (sometimes twice, sometimes one nobody reads) with hostile values."""
    chosen = draw(st.lists(st.sampled_from(names), max_size=8)) if names else []
    if draw(st.booleans()):
        chosen.append(draw(url_text))
    return [(name, draw(values)) for name in chosen]


def send_form(client: FlaskClient, url: str, fields: list[tuple[str, str]]) -> TestResponse:
    body = "&".join(f"{encode(k)}={encode(v)}" for k, v in fields)
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded", headers=EN)


def send_multipart(
    client: FlaskClient, url: str, fields: list[tuple[str, str]], filename: str, content: bytes
) -> TestResponse:
    # Multipart carries text as UTF-8 bytes: text that has none cannot be sent this way. The
    # body is built in memory: the client would spool a large one to a file it never closes.
    parts: list[tuple[str, Any]] = [(k, v) for k, v in fields if encodable(k) and encodable(v)]
    parts.append(("file", FileStorage(io.BytesIO(content), filename=filename)))
    boundary, body = encode_multipart(MultiDict(parts))
    return client.post(
        url, data=body, content_type=f"multipart/form-data; boundary={boundary}", headers=EN
    )


def send_json(client: FlaskClient, url: str, body: str) -> TestResponse:
    headers = {**EN, "Accept": "application/json"}
    return client.post(url, data=body, content_type="application/json", headers=headers)


def json_text(value: Any) -> str:
    """JSON as a script writes it; a lone surrogate goes out as its ``\\ud800`` escape."""
    return json.dumps(value, allow_nan=True)


# -- Checking ------------------------------------------------------------------------------

Snapshot = dict[str, list[tuple[Any, ...]]]


# Each sign-in's count of autosaves this minute (R8): a limit counts refused saves too.
NEVER_COMPARED_COLUMNS = {"auth_session": frozenset({"save_window", "saves_in_window"})}


def compared(table: sa.Table) -> list[sa.Column[Any]]:
    """The columns of ``table`` a refusal must leave as they were (not the rate counters)."""
    return [c for c in table.c if c.name not in NEVER_COMPARED_COLUMNS.get(table.name, ())]


def snapshot(skip: frozenset[str] = frozenset()) -> Snapshot:
    """Every committed row of every table, read on a connection of its own."""
    db.session.rollback()  # what a request left unflushed would end with it in production
    with db.engine.connect() as connection:
        return {
            t.name: sorted(
                (tuple(row) for row in connection.execute(sa.select(*compared(t)))), key=repr
            )
            for t in Base.metadata.sorted_tables
            if t.name not in skip
        }


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    return [name for name in before if before[name] != after[name]]


_H1 = re.compile(r"<h1[^>]*>\s*([^<]*\S[^<]*?)\s*</h1>")


def readable_refusal(response: TestResponse) -> str | None:
    """The message a refusal shows the person, or None when there is nothing to read."""
    if response.mimetype == "application/json":
        body = response.get_json(silent=True)
        error = body.get("error") if isinstance(body, dict) else None
        return error if isinstance(error, str) and error.strip() else None
    found = _H1.search(response.get_data(as_text=True))
    return found.group(1) if found else None


def check(
    response: TestResponse, before: Snapshot, after: Snapshot, *, may_change: frozenset[str]
) -> None:
    """No 5xx; a refusal is readable and leaves everything stored as it was."""
    status = response.status_code
    assert status < 500, (status, response.get_data(as_text=True)[:500])
    if status >= 400:
        assert readable_refusal(response), (status, response.get_data(as_text=True)[:500])
        assert [n for n in changed(before, after) if n not in may_change] == [], status
