"""Copies of the whole database (SQLite's online backup API, PostgreSQL's pg_dump) with a
manifest beside each, and the restore drill that proves a copy can be restored."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from workshop.backup import jsonfile, queries
from workshop.exports.cells import moment
from workshop.models import utcnow
from workshop.usererror import UserError

MANIFEST_FORMAT = "twinning-workshop/backup-manifest"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
PG_TIMEOUT_S = 6 * 3600  # a dump or restore that takes longer is stuck, not slow


class CopyError(UserError):
    """A copy or a drill could not run; the message says why."""


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def code_heads() -> str:
    """The Alembic head(s) of the code that runs: where a restored copy must be."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return ",".join(sorted(ScriptDirectory.from_config(config).get_heads()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_manifest(path: Path, engine: str, counts: dict[str, int], revision: str | None) -> None:
    manifest = {
        "format": MANIFEST_FORMAT,
        "engine": engine,
        "taken_at": moment(utcnow()),
        "schema_revision": revision,
        "sha256": _sha256(path),
        "size": path.stat().st_size,
        "counts": counts,
    }
    target = manifest_path(path)
    scratch = target.with_name(target.name + ".part")
    scratch.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(scratch, target)


@dataclass(frozen=True)
class Copied:
    path: Path
    engine: str
    rows: int
    size: int


def backup(engine: sa.Engine, to: Path) -> Copied:
    """Copy the live database to ``to`` (replaced atomically when done) and write its manifest:
    the row counts of the same snapshot the copy holds."""
    to.parent.mkdir(parents=True, exist_ok=True)
    part = to.with_name(to.name + ".part")
    part.unlink(missing_ok=True)
    # Only its owner may read the copy: it holds password and return-code hashes.
    part.touch(mode=0o600)
    part.chmod(0o600)
    try:
        if engine.dialect.name == "sqlite":
            counts, revision = _sqlite_backup(engine, part)
        elif engine.dialect.name == "postgresql":
            counts, revision = _pg_dump(engine, part)
        else:
            raise CopyError(f"No backup for {engine.dialect.name} databases.")
        os.replace(part, to)
    finally:
        part.unlink(missing_ok=True)
    _write_manifest(to, engine.dialect.name, counts, revision)
    return Copied(to, engine.dialect.name, sum(counts.values()), to.stat().st_size)


def _sqlite_backup(engine: sa.Engine, part: Path) -> tuple[dict[str, int], str | None]:
    """SQLite's online backup API from inside one read transaction: the counts and the copy
    see the same snapshot, and writers (WAL) go on meanwhile."""
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise CopyError("An in-memory SQLite database has nothing to back up.")
    source = sqlite3.connect(source_path, isolation_level=None)
    target = sqlite3.connect(part, isolation_level=None)
    try:
        source.execute("PRAGMA busy_timeout=10000")
        source.execute("BEGIN")
        reader = sa.create_engine("sqlite://", creator=lambda: source, poolclass=sa.pool.StaticPool)
        with reader.connect() as connection:
            counts = queries.counts(connection)
            revision = queries.schema_revision(connection)
            # Still inside the read transaction the counts saw (closing ends it).
            source.backup(target)
        # One self-contained file: no WAL beside it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    return counts, revision


def pg_program(name: str) -> str:
    """pg_dump or pg_restore of the newest PostgreSQL installed (as scripts/with-postgres.sh
    finds it), else the one on PATH."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    program = found[-1] if found else shutil.which(name)
    if program is None:
        raise CopyError(f"{name} is not installed (apt-get install postgresql-client).")
    return program


def pg_env(url: sa.URL, database: str | None = None) -> dict[str, str]:
    """libpq's environment for ``url``: the password travels here, never in argv (where any
    user of the machine could read it in the process list)."""
    env = dict(os.environ)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": database or url.database,
        "PGSSLMODE": url.query.get("sslmode"),
    }
    env.update({k: str(v) for k, v in values.items() if v})
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    try:
        # argv is the installed pg_dump/pg_restore with our own options: no shell, no input.
        done = subprocess.run(  # noqa: S603
            argv, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise CopyError(f"{Path(argv[0]).name} took over {PG_TIMEOUT_S} s; stopped.") from None
    if done.returncode != 0:
        raise CopyError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-500:]}")


def _pg_dump(engine: sa.Engine, part: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump in the custom format, from a snapshot exported by a transaction that counts the
    rows of the same snapshot."""
    with (
        engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
        connection.begin(),
    ):
        snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
        counts = queries.counts(connection)
        revision = queries.schema_revision(connection)
        argv = [pg_program("pg_dump"), "-Fc", "--no-password", f"--snapshot={snapshot}"]
        _run([*argv, "-f", str(part)], pg_env(engine.url))
    return counts, revision


@dataclass
class Verdict:
    path: Path
    engine: str = "?"
    checks: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        """One line for a drill log."""
        head = "DRILL OK" if self.ok else "DRILL FAILED"
        facts = " ".join(f"{k}={v}" for k, v in self.checks.items())
        line = f"{head} {moment(utcnow())} backup={self.path} engine={self.engine} {facts}"
        line += f" seconds={self.seconds:.1f}"
        if self.problems:
            line += " problems: " + "; ".join(self.problems)
        return line


def restore_drill(path: Path, live: sa.Engine) -> Verdict:
    """Restore ``path`` into a scratch database, check it, drop the scratch copy."""
    started = time.monotonic()
    verdict = Verdict(path)
    try:
        manifest = _manifest(path)
        verdict.engine = _engine_of(path)
        if manifest.get("sha256") != _sha256(path):
            verdict.problems.append("the file's SHA-256 is not the manifest's (changed or cut)")
        with _scratch(path, verdict.engine, live) as scratch:
            _check(scratch, manifest, verdict)
    except Exception as error:  # whatever breaks, the drill log gets its line
        verdict.problems.append(str(error).splitlines()[0] if str(error) else repr(error))
    verdict.seconds = time.monotonic() - started
    return verdict


def _manifest(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CopyError(f"no backup at {path}")
    try:
        manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CopyError(f"no readable manifest at {manifest_path(path)}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise CopyError(f"{manifest_path(path)} is not a backup manifest")
    return manifest


def _engine_of(path: Path) -> str:
    with path.open("rb") as f:
        start = f.read(16)
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_MAGIC):
        return "postgresql"
    raise CopyError("neither an SQLite database nor a pg_dump custom-format file")


@contextmanager
def _scratch(path: Path, engine: str, live: sa.Engine) -> Iterator[sa.Engine]:
    """A throw-away database holding the restored copy: a temporary SQLite file, or a
    temporary PostgreSQL database beside the live one (dropped afterwards)."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="workshop-drill-") as folder:
            copy = Path(folder) / "restored.sqlite"
            shutil.copyfile(path, copy)
            scratch = sa.create_engine(f"sqlite:///{copy}")
            try:
                yield scratch
            finally:
                scratch.dispose()
        return
    if live.dialect.name != "postgresql":
        raise CopyError("a pg_dump file is drilled against PostgreSQL: run with its URL")
    name = f"workshop_drill_{secrets.token_hex(4)}"
    admin = sa.create_engine(live.url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        scratch = sa.create_engine(live.url.set(database=name), poolclass=sa.pool.NullPool)
        try:
            _run(
                [
                    pg_program("pg_restore"),
                    "--no-owner",
                    "--no-acl",
                    "--exit-on-error",
                    "--no-password",
                    "-d",
                    name,
                    str(path),
                ],
                pg_env(live.url, database=name),
            )
            yield scratch
        finally:
            scratch.dispose()
            # FORCE (PostgreSQL 13+) ends a connection a failed check may have left open.
            force = " WITH (FORCE)" if (admin.dialect.server_version_info or (0,)) >= (13,) else ""
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"{force}'))
    finally:
        admin.dispose()


class _Counting:
    """A file that only counts what is written to it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


def _check(scratch: sa.Engine, manifest: dict[str, Any], verdict: Verdict) -> None:
    with scratch.connect() as connection:
        revision = queries.schema_revision(connection)
        heads = code_heads()
        verdict.checks["schema"] = str(revision)
        if revision != heads:
            verdict.problems.append(f"schema at {revision}, the code's head is {heads}")
        counts = queries.counts(connection)
        expected = manifest.get("counts", {})
        verdict.checks["rows"] = str(sum(counts.values()))
        differ = [
            f"{t} {counts.get(t)}≠{expected.get(t)}"
            for t in sorted(set(counts) | set(expected))
            if counts.get(t) != expected.get(t)
        ]
        if differ:
            verdict.problems.append("row counts differ from the manifest: " + ", ".join(differ))
        hashes = queries.verify_documents(connection)
        verdict.checks["files"] = str(hashes.files)
        verdict.checks["hashes"] = "ok" if not hashes.problems else "bad"
        verdict.problems.extend(hashes.problems[:5])
        sink = _Counting()
        jsonfile.write(connection, sink, queries.Scope(), revision)  # type: ignore[arg-type]
        verdict.checks["export_bytes"] = str(sink.size)
