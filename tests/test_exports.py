"""Seminar exports: the answers as CSV and XLSX read back cell by cell against the database, the
columns as documented, formulas escaped and restored, the JSON export read back without a
secret in it, who may download, and a constant number of queries."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests import factories
from tests.factories import World
from tests.querycount import count_queries
from workshop.auth.services import open_session
from workshop.documents import services as documents
from workshop.exports import columns, seminar_json, tabular
from workshop.exports.cells import unescape
from workshop.extensions import db
from workshop.models import (
    SHARED,
    Account,
    Answer,
    AnswerRevision,
    AuthSession,
    Comment,
    DocumentVersion,
    Membership,
    Partnership,
    PlenaryKind,
    Proposal,
    ProposalVote,
    Role,
    Seminar,
    SignOff,
    StageEvent,
    StageRun,
    Vote,
    utcnow,
)

EN = {"Accept-Language": "en"}
DOCS = Path(__file__).parent.parent / "docs" / "exports.md"
NUMERIC = {c.key for c in columns.LONG_COLUMNS if c.numeric}

# Values a spreadsheet would run as formulas, and their relatives, stored as answers of the
# demo seminar's second pair (question key, side, value).
HOSTILE = [
    ("shared_vision_en", SHARED, '=HYPERLINK("http://evil.example","click")'),
    ("want_to_learn", "ua", "+SUM(1,2)"),
    ("want_to_learn", "partner", "-2+3"),
    ("outage_plan", SHARED, "@cmd"),
    ("assessment_team", SHARED, "\r=carriage return"),
    ("resources_notes", "ua", "'already quoted"),
    ("resources_notes", "partner", 'Line 1, "quoted"\nLine 2; третій'),
    (
        "shared_objectives",
        SHARED,
        [{"row": "inject2345", "objective": "=1+1"}, {"row": "tabbed2345", "objective": "\t=2"}],
    ),
    ("memorandum_term_months", SHARED, -12),
    ("horizon_months", SHARED, 12.5),
    ("a_question_no_longer_asked", SHARED, {"old": ["=x", 1]}),
]


# -- Helpers ------------------------------------------------------------------------------------


def signed_in(client: FlaskClient, account: Account) -> FlaskClient:
    token = open_session(account, hours=1)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
    return client


def urls(seminar_id: int) -> dict[str, str]:
    base = f"/seminars/{seminar_id}/exports"
    return {
        "page": base,
        "csv": f"{base}/answers.csv",
        "xlsx": f"{base}/answers.xlsx",
        "json": f"{base}/seminar.json",
    }


def csv_lines(body: bytes) -> tuple[list[str], list[dict[str, str]]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    text = body.decode("utf-8-sig")
    assert "\r\n" in text and not re.search(r"[^\r]\n(?=\d+,)", text), "CRLF between lines"
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


XSTRING = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_text(value: Any) -> Any:
    """A cell as Excel reads it: ``_xHHHH_`` is the character HHHH (ECMA-376 ST_Xstring; the
    writer escapes a carriage return so), which openpyxl leaves as it is."""
    if not isinstance(value, str):
        return value
    return XSTRING.sub(lambda found: chr(int(found[1], 16)), value)


def xlsx_lines(sheet: Any) -> tuple[list[str], list[dict[str, Any]]]:
    rows = [[excel_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    header = list(rows[0])
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


def csv_value(line: dict[str, str]) -> Any:
    """A CSV value back as stored: numbers as numbers, JSON read, text unescaped."""
    raw, kind = line["value"], line["value_type"]
    if kind in ("status", "score", "number"):
        return json.loads(raw)
    return json.loads(unescape(raw)) if kind == "json" else unescape(raw)


def xlsx_value(line: dict[str, Any]) -> Any:
    raw = line["value"]
    if raw is None:
        return ""  # an empty cell is an empty text (a person's unfilled part)
    if isinstance(raw, str):
        text = unescape(raw)
        return json.loads(text) if line["value_type"] == "json" else text
    return raw


def rebuild(lines: list[dict[str, Any]], read: Callable[[dict[str, Any]], Any]) -> dict:
    """The stored answers put together again from the long format's lines alone."""
    found: dict[tuple[int, str, str], Any] = {}
    tables: dict[tuple[int, str, str], dict[int, dict[str, Any]]] = {}
    for line in lines:
        side = "" if line["side"] == "shared" else line["side"]
        key = (int(line["partnership_id"]), line["question_key"], side)
        value, kind, column = read(line), line["value_type"], line["column_key"]
        if line["question_type"] == "table":
            row = tables.setdefault(key, {}).setdefault(
                int(line["row_number"]), {"row": line["row_id"]}
            )
            if kind == "multi_choice":
                row.setdefault(column, []).append(value)
            else:
                row[column] = value
        elif line["question_type"] == "person":
            found.setdefault(key, {})[column] = value
        elif kind == "multi_choice":
            found.setdefault(key, []).append(value)
        else:
            found[key] = value
    for key, rows in tables.items():
        found[key] = [rows[n] for n in sorted(rows)]
    return found


def stored_answers(seminar: Seminar) -> dict[tuple[int, str, str], Any]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Answer.partnership_id, Answer.question_key, Answer.side, Answer.value)
        .join(Partnership, Partnership.id == Answer.partnership_id)
        .where(
            Answer.cycle == Partnership.cycle,
            Answer.partnership_id.in_([p.id for p in seminar.partnerships]),
        )
    )
    return {(p, k, s): v for p, k, s, v in rows if v is not None}


def demo_seminar() -> tuple[Seminar, Account]:
    seminar = db.session.scalar(sa.select(Seminar).where(Seminar.is_demo.is_(True)))
    assert seminar is not None
    return seminar, seminar.facilitators[0]


def add_hostile_answers(partnership: Partnership) -> None:
    for key, side, value in HOSTILE:
        db.session.add(
            Answer(partnership_id=partnership.id, question_key=key, side=side, value=value)
        )
    db.session.commit()


# -- The answers: CSV and XLSX -------------------------------------------------------------------


def test_csv_and_xlsx_read_back_to_every_stored_answer(
    demo_table: Partnership, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seminar, facilitator = demo_seminar()
    second = sorted(seminar.partnerships, key=lambda p: p.id)[1]
    add_hostile_answers(second)
    stored = stored_answers(seminar)
    assert len(stored) > 40  # the demo pair's stages 1–4, and the hostile ones
    signed_in(client, facilitator)

    response = client.get(urls(seminar.id)["csv"], headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    name = "partnership-for-transformation-shaping-t_2023-12-19_answers.csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    header, lines = csv_lines(response.get_data())
    assert header == list(columns.LONG_KEYS)
    assert rebuild(lines, csv_value) == stored

    # What a reader sees: labels in both languages, sides, rows named, timestamps in UTC.
    ipc = next(
        line
        for line in lines
        if line["question_key"] == "needs_matrix"
        and line["side"] == "ua"
        and line["row_id"] == "ipc"
        and line["column_key"] == "status"
    )
    assert ipc["row_label_en"] == "Infection prevention and control"
    assert ipc["stage_key"] == "needs" and ipc["stage_number"] == "2"
    assert (ipc["value"], ipc["value_label_en"]) == ("1", "1 — partly")
    assert ipc["value_label_uk"] == "1 — частково"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ipc["updated_at"])
    assert ipc["updated_by"] == "Олена Demo"
    assert {line["side"] for line in lines} == {"shared", "ua", "partner"}
    assert {line["cycle"] for line in lines} == {"1"}

    # Formulas reach the reader as text, and come back exactly.
    raw = response.get_data(as_text=True)
    assert '"\'=HYPERLINK(""http://evil.example"",""click"")"' in raw
    for escaped in ("'+SUM(1,2)", "'-2+3", "'@cmd", "''already quoted", "'=1+1", "'\t=2", "'\r="):
        assert escaped in raw, escaped
    term = next(
        line
        for line in lines
        if line["question_key"] == "memorandum_term_months"
        and line["partnership_id"] == str(second.id)
    )
    assert term["value"] == "-12"  # a number is never escaped
    retired = next(line for line in lines if line["question_key"] == "a_question_no_longer_asked")
    assert retired["value_type"] == "json" and retired["stage_key"] == ""

    response = client.get(urls(seminar.id)["xlsx"], headers=EN)
    workbook = response.get_data()
    response.close()  # the workbook is sent from a temporary file
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "_2023-12-19_answers.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(workbook))
    header, rows = xlsx_lines(book["answers"])
    assert header == list(columns.LONG_KEYS)
    assert rebuild(rows, xlsx_value) == stored
    # The same cells as the CSV, line for line.
    assert len(rows) == len(lines)
    for row, line in zip(rows, lines, strict=True):
        assert {k: "" if v is None else str(v) for k, v in row.items()} == line
    cells = [c for r in book["answers"].iter_rows() for c in r if isinstance(c.value, str)]
    assert not [c for c in cells if c.data_type == "f" or c.value.startswith(("=", "+", "@"))]

    # One sheet per stage: the keys, their wording, then a line per partnership and side.
    stage_names = ["1 agreement", "2 needs", "3 priorities", "4 action_plan"]
    assert book.sheetnames == ["answers", *stage_names, "columns", "questions"]
    agreement = list(book["1 agreement"].iter_rows(values_only=True))
    assert list(agreement[0][: len(columns.WIDE_COLUMNS)]) == [c.key for c in columns.WIDE_COLUMNS]
    assert agreement[1][agreement[0].index("shared_vision_en")] == "Shared vision (in English)"
    assert len(agreement) == 2 + 3 * len(seminar.partnerships)
    by_line = {(r[0], r[7]): dict(zip(agreement[0], r, strict=True)) for r in agreement[2:]}
    vision = stored[(demo_table.id, "shared_vision_en", SHARED)]
    assert by_line[(demo_table.id, "shared")]["shared_vision_en"] == vision
    assert by_line[(demo_table.id, "ua")]["shared_vision_en"] is None
    hostile = by_line[(second.id, "shared")]
    assert hostile["shared_vision_en"] == "'" + HOSTILE[0][2]
    assert hostile["memorandum_term_months"] == -12 and hostile["horizon_months"] == 12.5
    assert hostile["shared_objectives.objective"] == "1. =1+1\n2. \t=2"
    columns_sheet = [r[1] for r in book["columns"].iter_rows(min_row=2, values_only=True)]
    assert columns_sheet[: len(columns.LONG_KEYS)] == list(columns.LONG_KEYS)

    # Past Excel's row limit (made small here) the lines go on in the next sheet.
    monkeypatch.setattr(tabular, "EXCEL_ROWS", 150)
    response = client.get(urls(seminar.id)["xlsx"])
    book = load_workbook(io.BytesIO(response.get_data()))
    response.close()
    count = -(-len(rows) // 149)  # a header and 149 lines a sheet
    parts = ["answers", *(f"answers {n}" for n in range(2, count + 1))]
    assert count > 1 and book.sheetnames[: count + 1] == [*parts, "1 agreement"]
    split = [xlsx_lines(book[name]) for name in parts]
    assert all(header == list(columns.LONG_KEYS) for header, _lines in split)
    assert [line for _header, lines in split for line in lines] == rows


def test_columns_are_there_in_their_order_without_any_answer(
    world: World, client: FlaskClient
) -> None:
    signed_in(client, world.facilitator)
    response = client.get(urls(world.seminar.id)["csv"])
    header, lines = csv_lines(response.get_data())
    assert header == list(columns.LONG_KEYS) and lines == []

    response = client.get(urls(world.seminar.id)["xlsx"])
    book = load_workbook(io.BytesIO(response.get_data()))
    response.close()
    assert [list(r) for r in book["answers"].iter_rows(values_only=True)] == [
        list(columns.LONG_KEYS)
    ]
    stages = [name for name in book.sheetnames if name[0].isdigit()]
    assert stages[0] == "1 agreement" and len(stages) == 4
    first = list(book[stages[0]].iter_rows(values_only=True))
    assert list(first[0][:8]) == [c.key for c in columns.WIDE_COLUMNS]
    # The unanswered partnership still has its lines, one per side the stage asks.
    assert [(r[0], r[7]) for r in first[2:]] == [
        (world.partnership.id, side) for side in ("shared", "ua", "partner")
    ]


def test_the_documentation_lists_the_same_columns_and_parts() -> None:
    text = DOCS.read_text(encoding="utf-8")

    def table_after(heading: str) -> list[str]:
        part = text.split(heading, 1)[1]
        keys = []
        for line in part.splitlines()[1:]:
            if line.startswith("#"):
                break
            if found := re.match(r"\| `([a-z_.]+)` \|", line):
                keys.append(found.group(1))
        return keys

    assert table_after("### Columns of the answers") == list(columns.LONG_KEYS)
    assert table_after("### First columns of a stage sheet") == [
        c.key for c in columns.WIDE_COLUMNS
    ]
    assert table_after("### The top level") == [p.key for p in columns.JSON_PARTS]


# -- The JSON export ---------------------------------------------------------------------------


def test_the_json_export_reads_back_and_holds_no_secret(
    demo_table: Partnership, client: FlaskClient, app: Any
) -> None:
    seminar, facilitator = demo_seminar()
    voter = db.session.scalar(
        sa.select(Membership.account_id).where(Membership.partnership_id == demo_table.id)
    )
    db.session.add_all(
        [
            Comment(
                partnership_id=demo_table.id,
                stage_key="needs",
                section_key="areas",
                body="Which audit?",
                author_id=facilitator.id,
            ),
            Vote(
                partnership_id=demo_table.id,
                stage_key="priorities",
                voter_id=voter,
                candidate="gap-ipc",
                dots=2,
            ),
        ]
    )
    proposal = Proposal(
        seminar_id=seminar.id,
        kind=PlenaryKind.PRINCIPLE,
        partnership_id=demo_table.id,
        author_id=voter,
        text="Двостороннє навчання / Two-way learning",
    )
    db.session.add(proposal)
    db.session.flush()
    db.session.add(
        ProposalVote(seminar_id=seminar.id, proposal_id=proposal.id, voter_id=voter, dots=3)
    )
    version = documents.current_version(demo_table, actor=facilitator)
    head = db.session.scalar(sa.select(Account).where(Account.email == "head@demo.twinning.test"))
    db.session.add(
        SignOff(
            version=version,
            account_id=head.id,
            institution_id=demo_table.ua_institution_id,
            side="ua",
            name="Demo Head",
            position="Director",
            content_hash=version.content_hash,
        )
    )
    db.session.commit()
    signed_in(client, facilitator)
    plain_token = open_session(facilitator, hours=1)  # another live session: must not show
    db.session.commit()

    response = client.get(urls(seminar.id)["json"], headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="partnership-for-transformation-shaping-t_2023-12-19_seminar.json"'
    )
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert list(data) == [p.key for p in columns.JSON_PARTS]
    assert list(seminar_json.parts(seminar, facilitator)) == list(data)
    assert (data["format"], data["format_version"]) == ("twinning-workshop/seminar", 1)
    assert data["seminar"]["title_en"] == seminar.title_en
    assert data["seminar"]["starts_on"] == "2023-12-19"

    # Counts and values as the database holds them.
    ids = sorted(p.id for p in seminar.partnerships)
    assert [p["id"] for p in data["partnerships"]] == ids
    pair = data["partnerships"][0]
    assert pair["method_version"] == demo_table.method_version
    assert pair["cycles"][0]["number"] == 1
    assert pair["ua_institution_id"] == demo_table.ua_institution_id
    assert len(data["institutions"]) == 11
    answers = db.session.scalars(sa.select(Answer).where(Answer.partnership_id.in_(ids))).all()
    assert len(data["answers"]) == len(answers)
    revisions = db.session.scalar(
        sa.select(sa.func.count(AnswerRevision.id))
        .join(Answer)
        .where(Answer.partnership_id.in_(ids))
    )
    assert sum(len(a["revisions"]) for a in data["answers"]) == revisions > len(answers)
    by_key = {(a["partnership_id"], a["question_key"], a["side"]): a for a in data["answers"]}
    for answer in answers:
        exported = by_key[(answer.partnership_id, answer.question_key, answer.side)]
        assert exported["value"] == answer.value
        assert exported["version"] == answer.version == exported["revisions"][-1]["version"]
    matrix = by_key[(demo_table.id, "needs_matrix", "ua")]
    assert matrix["revisions"][0]["author_id"] == matrix["updated_by_id"]
    runs = db.session.scalar(
        sa.select(sa.func.count(StageRun.id)).where(StageRun.partnership_id.in_(ids))
    )
    events = db.session.scalar(
        sa.select(sa.func.count(StageEvent.id))
        .join(StageRun)
        .where(StageRun.partnership_id.in_(ids))
    )
    assert len(data["stage_runs"]) == runs == 4
    assert sum(len(r["events"]) for r in data["stage_runs"]) == events == 7
    assert {r["status"] for r in data["stage_runs"]} == {"approved", "submitted"}
    assert [c["body"] for c in data["comments"]] == ["Which audit?"]
    assert data["votes"] == [
        {
            "partnership_id": demo_table.id,
            "cycle": 1,
            "stage_key": "priorities",
            "candidate": "gap-ipc",
            "dots": 2,
        }
    ]
    assert [(p["text"], p["dots"]) for p in data["proposals"]] == [(proposal.text, 3)]
    [exported_version] = data["document_versions"]
    assert exported_version["content_hash"] == version.content_hash
    assert exported_version["snapshot"]["partnership"]["id"] == demo_table.id
    assert [s["name"] for s in exported_version["signoffs"]] == ["Demo Head"]
    assert data["facilitators"] == [
        {"id": facilitator.id, "display_name": "Demo Facilitator", "email": facilitator.email}
    ]
    people = {p["id"]: p for p in data["people"]}
    assert people[facilitator.id]["email"] == facilitator.email
    assert people[head.id]["email"] is None  # a head's address is not the facilitator's to see
    assert {(m["display_name"], m["side"]) for m in data["memberships"]} == {
        ("Олена Demo", "ua"),
        ("Anna Demo", "partner"),
    }

    # Nothing secret, whatever it is called.
    secrets = [
        *db.session.scalars(
            sa.select(Account.password_hash).where(Account.password_hash.is_not(None))
        ),
        *db.session.scalars(
            sa.select(Account.return_code_hash).where(Account.return_code_hash.is_not(None))
        ),
        *db.session.scalars(sa.select(AuthSession.token_hash)),
        *db.session.scalars(sa.select(DocumentVersion.verify_token)),
        seminar.join_code,
        plain_token,
    ]
    assert len(secrets) >= 10
    for secret in secrets:
        assert secret not in text
    for word in ("password", "return_code", "token", "join_code", "voter"):
        assert word not in text

    # An admin may see every address.
    admin = db.session.scalar(sa.select(Account).where(Account.role == Role.ADMIN))
    signed_in(client, admin)
    data = json.loads(client.get(urls(seminar.id)["json"]).get_data(as_text=True))
    assert {p["id"]: p["email"] for p in data["people"]}[head.id] == head.email


# -- Who may download ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("facilitator", 200),
        ("other_facilitator", 404),
        ("head", 403),
        ("participant", 403),
        (None, 302),
    ],
)
def test_only_the_seminars_facilitators_and_admins_export(
    world: World, client: FlaskClient, role: str | None, expected: int
) -> None:
    if role is not None:
        signed_in(client, getattr(world, role))
    for url in urls(world.seminar.id).values():
        response = client.get(url, headers=EN)
        assert response.status_code == expected, (role, url)
        if expected == 200:
            assert world.seminar.title_en.encode() in response.get_data() or "exports/" in url
        response.close()
    if role == "facilitator":
        page = client.get(urls(world.seminar.id)["page"], headers=EN).get_data(as_text=True)
        assert "Exports" in page and "value_label_en" in page and "document_versions" in page
        for url in urls(world.seminar.id).values():
            assert url in page or url.endswith("/exports")
        assert client.get(urls(world.other_seminar.id)["csv"]).status_code == 404
        assert client.get(urls(999_999)["json"]).status_code == 404


# -- Queries -------------------------------------------------------------------------------------


def seminar_with(count: int, facilitator: Account) -> Seminar:
    """A seminar of ``count`` partnerships, each with answers (shared, per side, a table),
    revisions, a stage run with an event, a comment, a vote and a person at the table."""
    seminar = factories.make_seminar(facilitators=[facilitator])
    for _n in range(count):
        partnership = factories.make_partnership(seminar=seminar, method_version="2024.2")
        person = factories.make_participant(partnership=partnership, seminar=seminar)
        for key, side, value in [
            ("shared_vision_en", SHARED, "A vision"),
            ("want_to_learn", "ua", "ECMO"),
            ("shared_objectives", SHARED, [{"row": "obj1234567", "objective": "Less infection"}]),
        ]:
            answer = Answer(
                partnership_id=partnership.id,
                question_key=key,
                side=side,
                value=value,
                updated_by_id=person.id,
            )
            db.session.add(answer)
            db.session.flush()
            db.session.add(
                AnswerRevision(answer_id=answer.id, version=1, value=value, author_id=person.id)
            )
        run = StageRun(partnership_id=partnership.id, stage_key="agreement", status="submitted")
        db.session.add(run)
        db.session.flush()
        db.session.add_all(
            [
                StageEvent(
                    run_id=run.id, action="submit", to_status="submitted", actor_id=person.id
                ),
                Comment(
                    partnership_id=partnership.id,
                    stage_key="agreement",
                    section_key="vision",
                    body="?",
                    author_id=person.id,
                    at=utcnow() - timedelta(minutes=1),
                ),
                Vote(
                    partnership_id=partnership.id,
                    stage_key="priorities",
                    voter_id=person.id,
                    candidate="x",
                    dots=1,
                ),
            ]
        )
    db.session.commit()
    return seminar


def test_each_export_costs_the_same_queries_for_2_and_20_partnerships(
    app: Any, client: FlaskClient
) -> None:
    facilitator = factories.make_account(role=Role.FACILITATOR)
    small, large = seminar_with(2, facilitator), seminar_with(20, facilitator)
    signed_in(client, facilitator)
    counts: dict[str, list[int]] = {}
    for seminar in (small, large):
        for what, url in urls(seminar.id).items():
            with count_queries() as statements:
                response = client.get(url)
                body = response.get_data()
                response.close()
            assert response.status_code == 200, what
            if what == "csv":
                assert body.count(b"\r\n") == 1 + 3 * len(seminar.partnerships)
            counts.setdefault(what, []).append(len(statements))
    for what, (few, many) in counts.items():
        assert few == many, (what, few, many)
    assert counts["csv"][0] <= 8 and counts["xlsx"][0] <= 8
    assert counts["json"][0] <= 25
