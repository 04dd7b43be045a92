"""Backups (docs/backup.md): export → empty database → import → the same export, on the test's
engine (SQLite, or PostgreSQL under scripts/with-postgres.sh); refusals that change nothing; a
database copy and its restore drill."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.security import check_password_hash

from tests import factories
from tests.conftest import PG_URL, _empty_every_table, seed_demo_table
from workshop.auth.services import open_session
from workshop.backup import copies, jsonfile, merge, queries, services, tables
from workshop.documents.snapshot import content_hash
from workshop.extensions import db
from workshop.models import (
    Account,
    AuditEvent,
    Base,
    Comment,
    DocumentFile,
    DocumentVersion,
    HelpRequest,
    Partnership,
    PlenaryKind,
    PlenaryRound,
    PlenaryState,
    Proposal,
    ProposalVote,
    Role,
    Seminar,
    SeminarStage,
    SignOff,
    Throttle,
    Vote,
    utcnow,
)


def _live_room(partnership: Partnership) -> None:
    """What a seminar day adds beyond the demo: a comment thread, dot votes, the plenary with a
    merged proposal, a help request, a closed stage, a signed document with its file, an audit
    line; and what a backup leaves out (a sign-in, a throttle count)."""
    seminar = db.session.scalar(sa.select(Seminar).order_by(Seminar.id))
    assert seminar is not None
    people = db.session.scalars(sa.select(Account).order_by(Account.id)).all()
    head = next(a for a in people if a.role == Role.HEAD)
    someone = people[-1]
    first = Comment(
        partnership_id=partnership.id,
        stage_key="needs",
        section_key="s",
        body="Who?",
        author_id=someone.id,
    )
    db.session.add(first)
    db.session.flush()
    db.session.add(
        Comment(
            partnership_id=partnership.id,
            stage_key="needs",
            section_key="s",
            body="Я.\n'=1",
            author_id=head.id,
            thread_id=first.id,
            resolved_at=utcnow(),
            resolved_by_id=head.id,
        )
    )
    db.session.add(
        Vote(
            partnership_id=partnership.id,
            stage_key="priorities",
            voter_id=someone.id,
            candidate="row-1",
            dots=2,
        )
    )
    db.session.add(
        PlenaryRound(seminar_id=seminar.id, kind=PlenaryKind.PRINCIPLE, state=PlenaryState.VOTING)
    )
    old = Proposal(seminar_id=seminar.id, kind=PlenaryKind.PRINCIPLE, text="Trust", author_id=None)
    db.session.add(old)
    db.session.flush()
    kept = Proposal(
        seminar_id=seminar.id,
        kind=PlenaryKind.PRINCIPLE,
        text="Trust and openness",
        partnership_id=partnership.id,
        author_id=someone.id,
    )
    db.session.add(kept)
    db.session.flush()
    old.merged_into_id = kept.id  # points at a newer row: inserted before what it names
    db.session.add(
        ProposalVote(seminar_id=seminar.id, proposal_id=kept.id, voter_id=head.id, dots=3)
    )
    db.session.add(HelpRequest(seminar_id=seminar.id, partnership_id=partnership.id))
    db.session.add(SeminarStage(seminar_id=seminar.id, stage_key="needs", closed=True))
    snapshot = {"format": 1, "answers": {"q": "Ї"}, "stages": {"needs": "approved"}}
    version = DocumentVersion(
        partnership_id=partnership.id,
        number=1,
        method_version=partnership.method_version,
        content_hash=content_hash(snapshot),
        snapshot=snapshot,
        verify_token="t" * 43,
    )
    db.session.add(version)
    db.session.flush()
    data = bytes(range(256)) * 4
    db.session.add(
        DocumentFile(
            version_id=version.id,
            kind="vision",
            fmt="pdf",
            language="uk",
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
        )
    )
    db.session.add(
        SignOff(
            version_id=version.id,
            account_id=head.id,
            institution_id=head.institution_id,
            side="ua",
            name="Head",
            position="Director",
            content_hash=version.content_hash,
        )
    )
    db.session.add(AuditEvent(action="test.line", actor_id=head.id, details={"b": 1, "a": [2]}))
    open_session(head, hours=8)
    db.session.add(Throttle(key="k", window_start=utcnow(), wait_until=utcnow() + timedelta(1)))
    db.session.commit()


def _export(engine: sa.Engine, seminar_id: int | None = None) -> str:
    with engine.connect() as connection:
        scope = (
            queries.Scope() if seminar_id is None else queries.seminar_scope(connection, seminar_id)
        )
        out = io.StringIO()
        jsonfile.write(connection, out, scope, queries.schema_revision(connection))
    return out.getvalue()


def _without_moment(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith('"exported_at"'))


def _import(engine: sa.Engine, text: str) -> services.Imported:
    backup = jsonfile.read(io.StringIO(text), "backup.json")
    with engine.begin() as connection:
        return services.import_file(connection, backup)


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return queries.counts(connection)


@pytest.fixture
def target(app: Flask, database_url: str, tmp_path: Path) -> Iterator[sa.Engine]:
    """A second, empty database at the code's schema revision, on the test's engine."""
    name = None
    if PG_URL:
        base = sa.make_url(database_url)
        name = f"{base.database}_restore"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine = sa.create_engine(base.set(database=name), poolclass=sa.pool.NullPool)
    else:
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'target.sqlite'}")
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        for head in copies.code_heads().split(","):
            connection.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
    try:
        yield engine
    finally:
        engine.dispose()
        if name is not None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()


def test_every_table_is_placed_once() -> None:
    """A new table must be classed: one seminar's rows, people, or left out (and say why in
    docs/backup.md)."""
    places = [set(tables.SEMINAR_ROWS), set(tables.PEOPLE), set(tables.LEFT_OUT)]
    names = {t.name for t in Base.metadata.sorted_tables}
    assert set.union(*places) == names
    assert sum(len(p) for p in places) == len(names)
    documented = Path(__file__).parents[1].joinpath("docs", "backup.md").read_text()
    assert all(f"`{name}`" in documented for name in tables.LEFT_OUT)


def test_round_trip_of_everything(app: Flask, target: sa.Engine) -> None:
    partnership = seed_demo_table()
    _live_room(partnership)
    before = _counts(db.engine)
    text = _export(db.engine)

    done = _import(target, text)

    assert _without_moment(_export(target)) == _without_moment(text)
    copied = {t: n for t, n in before.items() if t not in tables.LEFT_OUT}
    assert {t: n for t, n in _counts(target).items() if n} == {t: n for t, n in copied.items() if n}
    assert done.rows == sum(copied.values())
    data = json.loads(text)
    assert (data["format"], data["format_version"], data["kind"]) == (
        "twinning-workshop/seminar",
        2,
        "backup",
    )
    assert not set(tables.LEFT_OUT) & set(data["tables"])
    accounts = data["tables"]["account"]
    hashes = accounts["columns"].index("password_hash")
    assert any(row[hashes] for row in accounts["rows"])  # a restore keeps everyone's sign-in
    with target.connect() as connection:
        assert queries.verify_documents(connection).problems == []
        # New rows continue after the imported ids (PostgreSQL's sequences were moved on).
        proposal = tables.table("proposal")
        seminar_id = connection.scalar(sa.select(sa.func.min(tables.table("seminar").c.id)))
        new_id = connection.execute(
            proposal.insert().values(
                seminar_id=seminar_id, kind="principle", text="New", at=utcnow()
            )
        ).inserted_primary_key[0]
        highest = json.loads(text)["tables"]["proposal"]["rows"][-1][0]
        assert new_id > highest
        connection.rollback()


def test_round_trip_of_one_seminar(app: Flask, target: sa.Engine) -> None:
    world = factories.build_world()
    db.session.commit()
    _live_room(world.partnership)  # one comment there is by the other seminar's participant
    text = _export(db.engine, world.seminar.id)

    _import(target, text)

    assert _without_moment(_export(target, world.seminar.id)) == _without_moment(text)
    with target.connect() as connection:
        seminars = connection.scalars(sa.select(tables.table("seminar").c.id)).all()
        partnerships = connection.scalars(sa.select(tables.table("partnership").c.id)).all()
        accounts = set(connection.scalars(sa.select(tables.table("account").c.id)).all())
    assert seminars == [world.seminar.id]
    assert partnerships == [world.partnership.id]
    # Its facilitator, its table's people and hospital head, and whoever wrote there; nobody
    # else (the other seminar's seat of the commenter is not copied).
    assert accounts == {
        world.facilitator.id,
        world.participant.id,
        world.head.id,
        world.other_participant.id,
    }
    memberships = _table(text, "membership")
    assert {row[2] for row in memberships} == {world.partnership.id}
    with target.connect() as connection:
        assert queries.verify_documents(connection).files == 1


def _table(text: str, name: str) -> list[list[object]]:
    return json.loads(text)["tables"][name]["rows"]


def _rows(text: str) -> dict[str, int]:
    return {name: len(part["rows"]) for name, part in json.loads(text)["tables"].items()}


def test_one_seminar_added_beside_another(app: Flask, target: sa.Engine) -> None:
    """--as-new: the second seminar's rows get new ids, its references follow them, the people
    both seminars name are not copied twice; adding it again is refused, changing nothing."""
    world = factories.build_world()
    db.session.commit()
    _live_room(world.partnership)  # one of its comments is by the other seminar's participant
    ours = _export(db.engine, world.seminar.id)
    theirs = _export(db.engine, world.other_seminar.id)
    _import(target, theirs)
    people = {row[0] for text in (ours, theirs) for row in _table(text, "account")}

    with target.begin() as connection:
        merge.import_as_new(connection, jsonfile.read(io.StringIO(ours), "ours.json"))

    with target.connect() as connection:
        seminar = tables.table("seminar")
        new_id = connection.scalar(
            sa.select(seminar.c.id).where(seminar.c.title_en == world.seminar.title_en)
        )
        assert connection.scalar(sa.select(sa.func.count()).select_from(seminar)) == 2
        account = tables.table("account")
        assert connection.scalar(sa.select(sa.func.count()).select_from(account)) == len(people)
        # Named by both files (a comment here, a seat there), stored once.
        assert world.other_participant.id in {row[0] for row in _table(ours, "account")}
        comment, proposal = tables.table("comment"), tables.table("proposal")
        reply = connection.execute(sa.select(comment).where(comment.c.thread_id.is_not(None))).one()
        assert (
            connection.scalar(sa.select(comment.c.body).where(comment.c.id == reply.thread_id))
            == "Who?"
        )
        merged = connection.execute(
            sa.select(proposal).where(proposal.c.merged_into_id.is_not(None))
        ).one()
        assert merged.seminar_id == new_id
        assert (
            connection.scalar(
                sa.select(proposal.c.text).where(proposal.c.id == merged.merged_into_id)
            )
            == "Trust and openness"
        )
        assert queries.verify_documents(connection).problems == []
    assert new_id != world.seminar.id
    assert _rows(_export(target, new_id)) == _rows(ours)

    before = _counts(target)
    again = jsonfile.read(io.StringIO(ours), "ours.json")
    with (
        pytest.raises(jsonfile.BackupFileError, match="is already in this database"),
        target.begin() as connection,
    ):
        merge.import_as_new(connection, again)
    assert _counts(target) == before


def test_refusals_change_nothing(app: Flask, target: sa.Engine, tmp_path: Path) -> None:
    """A non-empty database, a cut file, a web export, a row the database refuses half-way:
    a clear message, exit status 1, and not one row stored."""
    world = factories.build_world()
    db.session.commit()
    _live_room(world.partnership)
    text = _export(db.engine)
    runner = app.test_cli_runner()
    before = _counts(db.engine)

    file = tmp_path / "backup.json"
    file.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["workshop", "import", str(file)])
    assert result.exit_code == 1
    assert "The database is not empty (rows in institution" in result.output
    assert "Nothing was imported." in result.output
    assert _counts(db.engine) == before

    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    result = runner.invoke(args=["workshop", "import", str(cut)])
    assert result.exit_code == 1
    assert "cut.json is not JSON (line" in result.output

    old = json.loads(text) | {"format_version": 1}
    with pytest.raises(jsonfile.BackupFileError, match="a web export"):
        jsonfile.read(io.StringIO(json.dumps(old)), "old.json")
    newer = json.loads(text) | {"format_version": 3}
    with pytest.raises(jsonfile.BackupFileError, match="format version 3"):
        jsonfile.read(io.StringIO(json.dumps(newer)), "new.json")

    # The last table's rows repeat an id: the database refuses it after every other table was
    # written, and the transaction takes all of them back.
    broken = json.loads(text)
    last = next(t for t in reversed(tables.backed_up()) if broken["tables"][t.name]["rows"])
    rows = broken["tables"][last.name]["rows"]
    rows.append(rows[0])
    with pytest.raises(jsonfile.BackupFileError, match=f"Table {last.name}: the database refused"):
        _import(target, json.dumps(broken))
    assert not any(_counts(target).values())
    # A sign-off of a document version the file does not hold (SQLite checks it before the
    # commit, PostgreSQL at the insert).
    broken = json.loads(text)
    part = broken["tables"]["sign_off"]
    part["rows"][0][part["columns"].index("version_id")] = 999_999
    with pytest.raises(jsonfile.BackupFileError, match="Table sign_off: the database refused"):
        _import(target, json.dumps(broken))
    assert not any(_counts(target).values())


def test_cli_import_into_an_empty_database(app: Flask, tmp_path: Path) -> None:
    world = factories.build_world()
    db.session.commit()
    head_id = world.head.id
    before = _counts(db.engine)
    runner = app.test_cli_runner()
    file = tmp_path / "all.json"
    assert runner.invoke(args=["workshop", "export", "--output", str(file)]).exit_code == 0
    db.session.remove()
    with db.engine.begin() as connection:
        _empty_every_table(connection)

    result = runner.invoke(args=["workshop", "import", str(file)])

    assert result.exit_code == 0, result.output
    assert f"Imported {sum(before.values())} rows into" in result.output
    # Every row back, and one line more in the trail: the import itself.
    assert _counts(db.engine) == before | {"audit_event": before["audit_event"] + 1}
    assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == (
        "backup_imported"
    )
    restored = db.session.get(Account, head_id)
    assert restored is not None
    assert check_password_hash(restored.password_hash or "", factories.PASSWORD)


def test_cli_export_of_one_seminar_and_unknown_seminar(app: Flask, tmp_path: Path) -> None:
    world = factories.build_world()
    db.session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "one.json"

    result = runner.invoke(
        args=["workshop", "export", "--seminar", str(world.seminar.id), "--output", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o077 == 0  # password hashes: the operator's eyes only
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["scope"] == "seminar"
    assert data["seminar"]["id"] == world.seminar.id
    result = runner.invoke(args=["workshop", "export", "--seminar", "999999"])
    assert result.exit_code == 1
    assert "No seminar with id 999999." in result.output


def test_backup_and_restore_drill(app: Flask, tmp_path: Path) -> None:
    world = factories.build_world()
    db.session.commit()
    _live_room(world.partnership)
    runner = app.test_cli_runner()
    copy = tmp_path / "nightly" / "workshop.backup"

    result = runner.invoke(args=["workshop", "backup", "--to", str(copy)])
    assert result.exit_code == 0, result.output
    assert copy.stat().st_mode & 0o077 == 0
    manifest = json.loads(copies.manifest_path(copy).read_text())
    assert manifest["counts"] == _counts(db.engine)
    assert manifest["engine"] == db.engine.dialect.name

    result = runner.invoke(args=["workshop", "restore-drill", str(copy)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("DRILL OK ")
    assert f"rows={sum(manifest['counts'].values())} files=1 hashes=ok" in result.output
    assert len(result.output.strip().splitlines()) == 1

    manifest["counts"]["answer"] += 1  # the copy lost a row since the manifest was written
    copies.manifest_path(copy).write_text(json.dumps(manifest))
    result = runner.invoke(args=["workshop", "restore-drill", str(copy)])
    assert result.exit_code == 1
    assert result.output.startswith("DRILL FAILED ")
    assert "row counts differ from the manifest: answer" in result.output
