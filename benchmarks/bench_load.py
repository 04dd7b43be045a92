"""Load test: a seminar room, the most saves the box takes, and a programme day of ten seminars.

Run with `make bench-load`. Everything runs on 127.0.0.1 and stops by itself: a private
PostgreSQL (migrated with `flask db upgrade`, seeded through the models), the workshop under
gunicorn (2 sync workers), then, in the same run and with the same gunicorn settings, a
hello-world Flask app (benchmarks/hello_app.py) for the ceiling.

1. Seminar profile: 300 participants join one seminar of 40 partnerships through the join pages
   within 60 s and open their stage page, then each autosaves one answer every 10 s, while 10
   facilitators poll the live dashboard; LOAD_SECONDS (default 300) after the joins.
2. Saturation: saves back to back from 4, then 16 clients at once (LOAD_SATURATION_SECONDS
   each): the most saves per second, and the gunicorn workers' CPU per save (/proc/<pid>/stat);
   then hello-world the same way (LOAD_HELLO_SECONDS each): ratio = saves/s ÷ hello-world/s.
3. Programme day: ten seminars at once, 3,000 participants saving every 10 s (300 saves/s) and
   LOAD_DAY_FACILITATORS dashboards per seminar (default 1), for LOAD_DAY_SECONDS (default 120).
4. Every acknowledged save's unique value is looked for in the database (the answer or one of
   its revisions): those not found are ``lost``; answers whose current value is not their latest
   revision, or whose versions have gaps, are counted as half-written.

``errors``: answers other than the expected (2xx, 302 in the join flow, 304, a 409 conflict),
failed connections and timeouts (LOAD_TIMEOUT, default 10 s), in every phase.
``join_p95_ms``: every request of the join burst (the join pages and the first page loads).
LOAD_FAULTS=1 also SIGKILLs a gunicorn worker a third of the way into the seminar profile and
stops PostgreSQL for 10 s at two thirds; saves failing meanwhile are retried by the simulated
browser, and the run says whether the app came back by itself. LOAD_PG_FSYNC=1 runs PostgreSQL
with fsync on (default off, like scripts/with-postgres.sh). The last line is
RESULT join_p95_ms=… p50_ms=… p95_ms=… p99_ms=… errors=… lost=… ratio=… cpu_ms_per_save=…
day_p95_ms=…
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import load_http  # noqa: E402 - the benchmarks folder is this script's own path
import load_servers as servers  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import uvloop  # noqa: E402
from load_people import Facilitator, Participant, Record  # noqa: E402
from load_seed import World, seat_for, seed  # noqa: E402

from workshop import create_app  # noqa: E402
from workshop.extensions import db  # noqa: E402
from workshop.models import Answer, AnswerRevision  # noqa: E402


def _knob(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


SECONDS = _knob("LOAD_SECONDS", 300)
JOIN_SECONDS = _knob("LOAD_JOIN_SECONDS", 60)
PEOPLE = int(_knob("LOAD_PEOPLE", 300))
TABLES = int(_knob("LOAD_TABLES", 40))
SEMINARS = int(_knob("LOAD_SEMINARS", 10))
FACILITATORS = int(_knob("LOAD_FACILITATORS", 10))
EVERY = _knob("LOAD_SAVE_EVERY", 10)
SATURATION_SECONDS = _knob("LOAD_SATURATION_SECONDS", 20)
HELLO_SECONDS = _knob("LOAD_HELLO_SECONDS", 10)
DAY_SECONDS = _knob("LOAD_DAY_SECONDS", 120)
DAY_FACILITATORS = int(_knob("LOAD_DAY_FACILITATORS", 1))
TIMEOUT = _knob("LOAD_TIMEOUT", 10)
FAULTS = os.environ.get("LOAD_FAULTS", "") not in ("", "0")
FSYNC = os.environ.get("LOAD_PG_FSYNC", "") not in ("", "0")
# The stage page's own polls (the room's strip every 5 s, presence every 30 s) on top of the
# saves: what a real page sends, left out of the profile, so off by default.
PAGE_POLLS = os.environ.get("LOAD_PAGE_POLLS", "") not in ("", "0")
SATURATION_CLIENTS = (4, 16)
HELLO_CLIENTS = (8, 32)
OUTAGE_SECONDS = 10


class Overtime(BaseException):
    """The whole run took too long; a BaseException, so no ``except Exception`` swallows it."""


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _load() -> str:
    """The machine's load: other work on a shared box shows in every figure."""
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


class Generator:
    """This process's own CPU over a phase, to show it was not what limited the rate."""

    def __init__(self) -> None:
        self.cpu, self.wall = time.process_time(), time.monotonic()

    def share(self) -> float:
        return (time.process_time() - self.cpu) / max(1e-9, time.monotonic() - self.wall)


# -- 1. The seminar profile --------------------------------------------------------------------


async def _faults(
    pg: servers.Postgres, app: servers.Served, record: Record, start: float
) -> list[str]:
    """SIGKILL a worker at a third of the steady part, stop PostgreSQL for 10 s at two thirds."""
    notes = []
    await asyncio.sleep(max(0.0, start + SECONDS / 3 - time.monotonic()))
    victim = app.workers()[0]
    acked_before = len(record.acked)
    os.kill(victim, signal.SIGKILL)
    say(f"fault: SIGKILL worker {victim} ({acked_before} saves acknowledged so far)")
    await asyncio.sleep(5)
    notes.append(f"worker killed: {len(app.workers())} workers 5 s later")
    await asyncio.sleep(max(0.0, start + 2 * SECONDS / 3 - time.monotonic()))
    say("fault: stopping PostgreSQL")
    await asyncio.to_thread(pg.stop)
    down = time.monotonic()
    errors_before = len(record.errors)
    await asyncio.sleep(OUTAGE_SECONDS)
    await asyncio.to_thread(pg.start)
    back = time.monotonic()
    say(f"fault: PostgreSQL back after {back - down:.1f} s")
    acked_at_return = len(record.acked)
    # Back by itself: saves are acknowledged again with nothing restarted.
    while time.monotonic() < back + 30 and len(record.acked) == acked_at_return:
        await asyncio.sleep(0.5)
    recovered = len(record.acked) > acked_at_return
    notes.append(
        f"database outage: {len(record.errors) - errors_before} failed requests while down; "
        + (
            f"saves acknowledged again {time.monotonic() - back:.1f} s after it came back"
            if recovered
            else "NO save acknowledged within 30 s of its return"
        )
    )
    return notes


async def seminar_profile(
    world: World, port: int, record: Record, pg: servers.Postgres, app: servers.Served
) -> list[Participant]:
    rng = random.Random(11)  # noqa: S311 - think times, not secrets
    people = [
        Participant(f"Учасник {n + 1}", seat_for(n, world.tables[0]), port, record)
        for n in range(PEOPLE)
    ]
    staff = [Facilitator(email, port, record) for email in world.facilitator_emails[:FACILITATORS]]
    start = time.monotonic()
    until = start + JOIN_SECONDS + SECONDS

    async def one(n: int, person: Participant) -> None:
        await asyncio.sleep(n * JOIN_SECONDS / max(1, len(people)))
        try:
            await person.join(world.join_codes[0], think=rng.uniform(0.5, 2.0))
        except (load_http.Failed, LookupError) as failure:
            refused.append(f"{person.name}: {failure}")
            return
        if PAGE_POLLS:
            await asyncio.gather(
                person.autosave_every(EVERY, until, "seminar"),
                person.page_polls(until, "seminar"),
            )
        else:
            await person.autosave_every(EVERY, until, "seminar")

    refused: list[str] = []
    tasks = [one(n, p) for n, p in enumerate(people)]
    tasks += [f.watch(world.seminar_ids[0], until, "seminar") for f in staff]
    notes: list[str] = []
    if FAULTS:

        async def faults() -> None:
            notes.extend(await _faults(pg, app, record, start + JOIN_SECONDS))

        tasks.append(faults())
    await _with_progress(asyncio.gather(*tasks), record, "seminar", until)
    joined = sum(p.ready for p in people)
    say(f"seminar profile done: {joined}/{len(people)} joined")
    for line in refused[:3]:
        say(f"could not join: {line}")
    for note in notes:
        say(f"fault: {note}")
    return people


async def _with_progress(work: Awaitable[object], record: Record, phase: str, until: float) -> None:
    """Run ``work``, saying every 30 s how it goes; give up 60 s after it should have ended."""

    async def ticker() -> None:
        while True:
            await asyncio.sleep(30)
            saves = record.of(phase, "save")
            say(
                f"{phase}: {len(saves)} saves answered, p95 {percentile(saves, 0.95):.0f} ms, "
                f"{len(record.errors)} errors so far, {max(0, until - time.monotonic()):.0f} s left"
            )

    tick = asyncio.create_task(ticker())
    try:
        async with asyncio.timeout(max(1.0, until - time.monotonic()) + 60):
            await work
    finally:
        tick.cancel()


# -- 2. Saturation and the ceiling ---------------------------------------------------------------


async def _closed_loop(clients: int, seconds: float, one: Callable[[int], Awaitable[bool]]) -> int:
    """``clients`` loops each doing ``one`` back to back for ``seconds``: how many succeeded."""
    until = time.monotonic() + seconds
    done = 0

    async def loop(n: int) -> None:
        nonlocal done
        while time.monotonic() < until:
            ok = await one(n)  # awaited first: `done += await …` would read done before it
            done += ok

    await asyncio.gather(*(loop(n) for n in range(clients)))
    return done


async def saturation(
    people: list[Participant], app: servers.Served, pg: servers.Postgres, record: Record
) -> tuple[float, float]:
    """The most saves a second, and the workers' CPU milliseconds per save at that rate."""
    best, cpu_ms = 0.0, float("nan")
    for clients in SATURATION_CLIENTS:
        # Each client has people of its own, so no two saves in flight touch one answer.
        mine = [people[n::clients] for n in range(clients)]
        turn = [0] * clients

        async def one(n: int, mine: list[list[Participant]] = mine, turn: list[int] = turn) -> bool:
            turn[n] += 1
            return await mine[n][turn[n] % len(mine[n])].save("saturation")

        before, generator, started = app.cpu(), Generator(), time.monotonic()
        pg_before = pg.cpu()
        saves = await _closed_loop(clients, SATURATION_SECONDS, one)
        elapsed = time.monotonic() - started
        used = app.cpu() - before
        pg_used = pg.cpu() - pg_before
        rate = saves / elapsed
        per_save = used / max(1, saves) * 1000
        say(
            f"saturation, {clients} clients: {rate:.0f} saves/s, p95 "
            f"{percentile(record.latencies[('saturation', 'save')][-saves:], 0.95):.0f} ms, "
            f"workers' CPU {per_save:.2f} ms/save ({used / elapsed * 100:.0f}% of a core), "
            f"PostgreSQL's {pg_used / max(1, saves) * 1000:.2f} ms/save "
            f"({pg_used / elapsed * 100:.0f}% of a core), "
            f"generator CPU {generator.share() * 100:.0f}% of a core; {_load()}"
        )
        if rate > best:
            best, cpu_ms = rate, per_save
    return best, cpu_ms


async def ceiling(hello: servers.Gunicorn, workshop: servers.Served) -> float:
    """Hello-world's requests a second under the same gunicorn settings."""
    best = 0.0
    failures = 0

    async def one(_n: int) -> bool:
        nonlocal failures
        try:
            answer = await load_http.request(hello.port, "GET", "/", timeout=TIMEOUT)
        except load_http.Failed:
            failures += 1
            return False
        if answer.status != 200:
            failures += 1
            if failures <= 3:
                say(f"hello-world answered {answer.status}: {answer.text[:200]!r}")
        return answer.status == 200

    for clients in HELLO_CLIENTS:
        before, generator, started = hello.cpu(), Generator(), time.monotonic()
        idle = workshop.cpu()
        done = await _closed_loop(clients, HELLO_SECONDS, one)
        elapsed = time.monotonic() - started
        used = hello.cpu() - before
        say(
            f"hello-world, {clients} clients: {done / elapsed:.0f} requests/s, workers' CPU "
            f"{used / max(1, done) * 1000:.2f} ms/request ({used / elapsed * 100:.0f}% of a "
            f"core), generator CPU {generator.share() * 100:.0f}% of a core, {failures} failed; "
            f"the workshop's idle workers {(workshop.cpu() - idle) / elapsed * 100:.0f}% of a "
            f"core; {_load()}"
        )
        best = max(best, done / elapsed)
    return best


# -- 3. The programme day ------------------------------------------------------------------------


async def programme_day(
    world: World, everyone: list[Participant], port: int, record: Record
) -> None:
    emails = world.facilitator_emails
    staff = [
        (Facilitator(emails[n % len(emails)], port, record), world.seminar_ids[s])
        for s in range(len(world.seminar_ids))
        for n in range(DAY_FACILITATORS)
    ]
    say(
        f"programme day: {len(everyone)} participants in {len(world.seminar_ids)} seminars, "
        f"{len(staff)} dashboards, {len(everyone) / EVERY:.0f} saves/s for {DAY_SECONDS:.0f} s"
    )
    generator = Generator()
    until = time.monotonic() + DAY_SECONDS
    tasks = [p.autosave_every(EVERY, until, "day") for p in everyone]
    if PAGE_POLLS:
        tasks += [p.page_polls(until, "day") for p in everyone]
    tasks += [f.watch(seminar, until, "day") for f, seminar in staff]
    await _with_progress(asyncio.gather(*tasks), record, "day", until)
    saves = record.of("day", "save")
    say(
        f"programme day: {record.saves['day'] / DAY_SECONDS:.0f} saves/s acknowledged, p50 "
        f"{percentile(saves, 0.5):.0f} ms, p95 {percentile(saves, 0.95):.0f} ms, p99 "
        f"{percentile(saves, 0.99):.0f} ms; generator CPU {generator.share() * 100:.0f}% of a core"
    )


# -- 4. What the database kept ---------------------------------------------------------------------


def check_saves(record: Record) -> tuple[int, int]:
    """Acknowledged saves not found in the database, and half-written answers."""
    kept: set[tuple[int, str, str, str]] = set()
    half = 0
    revisions: dict[int, dict[int, object]] = {}
    for answer_id, version, value in db.session.execute(
        sa.select(AnswerRevision.answer_id, AnswerRevision.version, AnswerRevision.value)
    ):
        revisions.setdefault(answer_id, {})[version] = value
    for answer in db.session.scalars(sa.select(Answer)):
        mine = revisions.get(answer.id, {})
        if mine.get(answer.version) != answer.value or sorted(mine) != list(
            range(1, answer.version + 1)
        ):
            half += 1
        for value in [answer.value, *mine.values()]:
            kept.add((answer.partnership_id, answer.question_key, answer.side, str(value)))
    lost = [a for a in record.acked if a not in kept]
    for example in lost[:5]:
        say(f"lost: {example}")
    return len(lost), half


# -- The run -------------------------------------------------------------------------------------


def main() -> None:
    budget = JOIN_SECONDS + SECONDS + 2 * len(SATURATION_CLIENTS) * SATURATION_SECONDS
    budget += len(HELLO_CLIENTS) * HELLO_SECONDS + DAY_SECONDS + 900

    def overtime(*_args: object) -> None:
        raise Overtime(f"the load test ran past its {budget:.0f} s budget")

    def stopped(*_args: object) -> None:
        raise SystemExit("stopped by a signal")  # so the finally below still stops everything

    signal.signal(signal.SIGALRM, overtime)
    signal.signal(signal.SIGTERM, stopped)
    signal.alarm(int(budget))
    folder = tempfile.mkdtemp(prefix="bench-load-")
    pg = servers.Postgres(fsync=FSYNC)
    started: list[servers.Gunicorn] = []
    try:
        say(f"PostgreSQL on 127.0.0.1:{pg.port} (fsync {'on' if FSYNC else 'off'})")
        pg.create()
        # Served as in production (workshop/wsgi.py refuses an unsafe configuration), except
        # that it is plain HTTP on loopback: the client sends the Secure cookies back anyway.
        env = {
            "WORKSHOP_ENV": "production",
            "WORKSHOP_DATABASE_URL": pg.url,
            "WORKSHOP_SECRET_KEY": secrets.token_hex(32),
            "WORKSHOP_SESSION_COOKIE_SECURE": "true",
            "WORKSHOP_INSTANCE_PATH": folder,
            "FLASK_APP": "workshop",
        }
        os.environ.update(env)
        subprocess.run(
            [str(servers.BIN / "flask"), "db", "upgrade"],
            check=True,
            timeout=300,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=servers.ROOT,
        )
        app = create_app()
        with app.app_context():
            seeding = time.monotonic()
            world = seed(
                app, seminars=SEMINARS, tables=TABLES, people=PEOPLE, facilitators=FACILITATORS
            )
            say(
                f"seeded {SEMINARS} seminars × {TABLES} tables, {PEOPLE * (SEMINARS - 1)} seated "
                f"participants, {FACILITATORS} facilitators in {time.monotonic() - seeding:.1f} s"
            )
            db.engine.dispose()  # nothing of this process holds the database during the load
        entry = "workshop.wsgi:app" if (servers.ROOT / "workshop/wsgi.py").exists() else None
        workshop = servers.Gunicorn(
            os.environ.get("LOAD_APP", entry or "workshop:create_app()"), env
        )
        started.append(workshop)
        say(f"workshop under gunicorn on 127.0.0.1:{workshop.port}, workers {workshop.workers()}")
        # The load comes from a fresh process that never made the app: measured here, the
        # process that seeded the database was several times slower as a client, and the
        # server's CPU per request rose with it.
        job, out = Path(folder) / "job.json", Path(folder) / "result.json"
        job.write_text(
            json.dumps(
                {
                    "world": dataclasses.asdict(world),
                    "workshop": [workshop.pid, workshop.port],
                    "pg": [str(pg.scratch), pg.port],
                }
            )
        )
        subprocess.run(
            [sys.executable, __file__, "--generate", str(job), str(out)],
            check=True,
            timeout=budget,
        )
        result = json.loads(out.read_text())
        record = Record.from_json(result["record"])
        with app.app_context():
            lost, half = check_saves(record)
            db.engine.dispose()
        _report(record, lost, half, result["rate"], result["hello"], result["cpu_ms"])
    finally:
        signal.alarm(0)
        for server in started:
            server.stop()
        pg.remove()
        shutil.rmtree(folder, ignore_errors=True)


def generate(job_path: str, out_path: str) -> None:
    """The load generator's process: every phase against the servers the parent started."""
    job = json.loads(Path(job_path).read_text())
    world = World.from_json(job["world"])
    workshop = servers.Served(*job["workshop"])
    scratch, port = job["pg"]
    pg = servers.Postgres(fsync=FSYNC, scratch=Path(scratch), port=port)
    record = Record()
    started: list[servers.Gunicorn] = []
    try:
        rate, hello, cpu_ms = uvloop.run(_phases(world, workshop, pg, record, started))
    finally:
        for server in started:
            server.stop()
    result = {"record": record.to_json(), "rate": rate, "hello": hello, "cpu_ms": cpu_ms}
    Path(out_path).write_text(json.dumps(result))


async def _phases(
    world: World,
    workshop: servers.Served,
    pg: servers.Postgres,
    record: Record,
    started: list[servers.Gunicorn],
) -> tuple[float, float, float]:
    say(f"seminar profile: {PEOPLE} joins in {JOIN_SECONDS:.0f} s, then {SECONDS:.0f} s of saves")
    generator = Generator()
    people = await seminar_profile(world, workshop.port, record, pg, workshop)
    say(f"seminar profile: generator CPU {generator.share() * 100:.0f}% of a core")
    ready = [p for p in people if p.ready]
    # The other seminars' people were seated by the seeding; all of them saturate, each saving
    # now and then as people do: no two clients ever save into one answer, and no sign-in
    # comes near its limit of saves a minute (R8), which would answer 429 (an error here).
    seeded = [
        Participant(f"Учасник {s + 1}-{n + 1}", seat, workshop.port, record)
        for s, seats in enumerate(world.seeded)
        for n, seat in enumerate(seats)
    ]
    rate, cpu_ms = await saturation(ready + seeded, workshop, pg, record)
    hello = servers.Gunicorn("hello_app:app", {}, chdir=HERE)
    started.append(hello)
    ceiling_rate = await ceiling(hello, workshop)
    hello.stop()
    started.remove(hello)
    await programme_day(world, ready + seeded, workshop.port, record)
    return rate, ceiling_rate, cpu_ms


def _report(record: Record, lost: int, half: int, rate: float, hello: float, cpu_ms: float) -> None:
    joins = record.of("join")
    saves = record.of("seminar", "save")
    for (phase, kind), values in sorted(record.latencies.items()):
        say(
            f"{phase} {kind}: {len(values)} answers, median {statistics.median(values):.0f} ms, "
            f"p95 {percentile(values, 0.95):.0f} ms, max {max(values):.0f} ms"
        )
    kinds: dict[str, int] = {}
    for _when, phase, kind, why in record.errors:
        label = f"{phase} {kind}: {why[:60]}"
        kinds[label] = kinds.get(label, 0) + 1
    for label, count in sorted(kinds.items(), key=lambda item: -item[1])[:10]:
        say(f"error ×{count}: {label}")
    say(
        f"{len(record.acked)} acknowledged saves checked in the database: {lost} lost, "
        f"{half} answers half-written; {record.conflicts} conflicts (409, answered keep mine)"
    )
    say(f"most saves/s {rate:.0f}, hello-world {hello:.0f} requests/s")
    day = record.of("day", "save")
    print(
        f"RESULT join_p95_ms={percentile(joins, 0.95):.0f} p50_ms={percentile(saves, 0.5):.0f} "
        f"p95_ms={percentile(saves, 0.95):.0f} p99_ms={percentile(saves, 0.99):.0f} "
        f"errors={len(record.errors)} lost={lost} ratio={rate / max(hello, 1e-9):.3f} "
        f"cpu_ms_per_save={cpu_ms:.2f} day_p95_ms={percentile(day, 0.95):.0f}",
        flush=True,
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        generate(sys.argv[2], sys.argv[3])
    else:
        main()
