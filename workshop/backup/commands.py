"""`flask workshop export | import | backup | restore-drill` (docs/backup.md)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import click
import sqlalchemy as sa

from workshop import audit
from workshop.backup import copies, jsonfile, merge, queries, services
from workshop.extensions import db


@click.command("export")
@click.option("--seminar", "seminar_id", type=int, help="Only this seminar (its id).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (replaced when complete); standard output when left out.",
)
def export(seminar_id: int | None, output: Path | None) -> None:
    """Write everything, or one seminar, as a JSON backup file (with password hashes: keep it
    as safe as the database)."""
    # One transaction: on PostgreSQL every table is read from the same snapshot (SQLite's
    # read transaction is one snapshot already).
    options = {"isolation_level": "REPEATABLE READ"} if db.engine.name == "postgresql" else {}
    with db.engine.connect().execution_options(**options) as connection, connection.begin():
        if seminar_id is None:
            scope = queries.Scope()
        elif queries.seminar_exists(connection, seminar_id):
            scope = queries.seminar_scope(connection, seminar_id)
        else:
            raise click.ClickException(f"No seminar with id {seminar_id}.")
        revision = queries.schema_revision(connection)
        if output is None:
            # UTF-8 whatever the terminal's locale says: the file is read back as UTF-8.
            out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
            jsonfile.write(connection, out, scope, revision)
            out.flush()
            out.detach()
        else:
            _write_file(connection, scope, revision, output)
    _exported(scope, "standard output" if output is None else str(output))
    if output is not None:
        click.echo(f"Exported to {output}.", err=True)


def _write_file(
    connection: sa.Connection, scope: queries.Scope, revision: str | None, output: Path
) -> None:
    """Written beside its name and renamed when complete, readable by its owner only (it
    holds password and return-code hashes)."""
    part = output.with_name(output.name + ".part")
    try:
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "w", encoding="utf-8", newline="\n") as out:
            jsonfile.write(connection, out, scope, revision)
        os.replace(part, output)
    finally:
        part.unlink(missing_ok=True)


def _exported(scope: queries.Scope, where: str) -> None:
    """The trail says a copy of the data left the database (an operator's, so no actor)."""
    audit.record(
        "exported",
        actor=None,
        file="backup.json",
        scope="all" if scope.seminar_id is None else "seminar",
        seminar_id=scope.seminar_id,
        to=where,
    )
    db.session.commit()


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as-new",
    is_flag=True,
    help="Add a one-seminar file beside the seminars already here, every row with a new id.",
)
def import_(file: Path, as_new: bool) -> None:
    """Restore a JSON backup file into an empty database (or, with --as-new, add one seminar
    to a database that holds others): all of it or nothing."""
    store = merge.import_as_new if as_new else services.import_file
    try:
        with file.open(encoding="utf-8") as source:
            backup = jsonfile.read(source, file.name)
        with db.engine.begin() as connection:
            done = store(connection, backup)
    except jsonfile.BackupFileError as error:
        raise click.ClickException(f"{error} Nothing was imported.") from None
    # After the import's own commit: the file's rows are stored exactly, then this line.
    audit.record("backup_imported", actor=None, file=file.name, rows=done.rows, as_new=as_new)
    db.session.commit()
    click.echo(f"Imported {done.rows} rows into {done.tables} tables from {file.name}.")


@click.command("backup")
@click.option(
    "--to",
    "to",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The copy's path; a manifest is written beside it (PATH.manifest.json).",
)
def backup(to: Path) -> None:
    """Copy the live database (SQLite online backup, or pg_dump -Fc), safe while it runs."""
    try:
        copied = copies.backup(db.engine, to)
    except copies.CopyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {copied.rows} rows ({copied.engine}, {copied.size} bytes) to {to}.")


@click.command("restore-drill")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def restore_drill(path: Path) -> None:
    """Restore a copy into a scratch database, check it, print a one-line verdict; exit 1 when
    a check fails."""
    verdict = copies.restore_drill(path, db.engine)
    click.echo(verdict.line())
    if not verdict.ok:
        raise SystemExit(1)


COMMANDS = (export, import_, backup, restore_drill)
