"""What one autosave costs the app in CPU, away from the network and the load generator.

`make bench-load` measures a save where it runs (gunicorn, loopback, a load generator sharing
the two cores), and there its CPU per save moved by a third from run to run on the same code.
This benchmark calls the app itself, in this process, with the request a seated participant's
page sends (PostgreSQL in a private cluster on loopback), in rounds interleaved with the
hello-world app's request (benchmarks/hello_app.py): the least CPU a round took per request.

`make bench-save-cpu` also counts the instructions of a save and of a hello-world request under
valgrind (callgrind), when valgrind is installed: the same count on a quiet or a busy machine,
so two versions of the code can be compared on any day. Counted as the difference between runs
of fewer and more requests (COUNTED), so starting Python, the app and the database is left out.

Last line: RESULT save_cpu_ms=<n> hello_cpu_ms=<n> ratio=<n> [save_instructions=<n>
hello_instructions=<n> instructions_ratio=<n>]
"""

from __future__ import annotations

import gc
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import load_servers as servers
from load_seed import Seat, seed

ROUNDS = int(os.environ.get("SAVE_CPU_ROUNDS", "7"))
SAVES = int(os.environ.get("SAVE_CPU_SAVES", "1000"))  # per round
# Requests in the two counted runs under valgrind, a save's and a hello-world request's: the
# difference is large enough that what else varies between two runs (the seeding) is noise.
COUNTED = {"save": (100, 500), "hello": (1_000, 6_000)}
TEXT = "Олена Коваленко, Anna Berg: infection control on the ward " * 8


def _environ(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None):
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    if "HTTP_CONTENT_TYPE" in environ:
        environ["CONTENT_TYPE"] = environ.pop("HTTP_CONTENT_TYPE")
    return environ


class Room:
    """The seated participants of a seeded seminar, each saving their own question in turn."""

    def __init__(self, app: Any, seats: list[Seat]) -> None:
        self.app, self.seats = app, seats
        self.versions = [0] * len(seats)
        self.turn = 0

    def save(self) -> None:
        n = self.turn % len(self.seats)
        self.turn += 1
        seat = self.seats[n]
        body = json.dumps(
            {
                "question": seat.question,
                "value": f"{TEXT} #{self.turn}",
                "base_version": self.versions[n],
                "key": uuid.uuid4().hex,
                "cycle": 1,
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": seat.csrf,
            "Cookie": "; ".join(f"{k}={v}" for k, v in seat.cookie.items()),
        }
        status: list[str] = []
        out = b"".join(
            self.app(
                _environ("POST", f"/partnerships/{seat.partnership_id}/answers", body, headers),
                lambda s, _h, _e=None: status.append(s),
            )
        )
        if not status[0].startswith("200"):
            raise SystemExit(f"the save was refused: {status[0]} {out[:300]!r}")
        self.versions[n] = json.loads(out)["version"]


def hello(app: Any) -> Callable[[], None]:
    def one() -> None:
        b"".join(app(_environ("GET", "/"), lambda *_a: None))

    return one


def cpu_per_request(work: Callable[[], None], n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        work()
    return (time.process_time() - started) / n * 1000


def _room() -> tuple[Room, Any]:
    """The app on a seeded database (this process's environment names it) and the hello app."""
    import hello_app

    from workshop import create_app
    from workshop.extensions import db

    app = create_app()
    with app.app_context():
        world = seed(app, seminars=2, tables=40, people=300, facilitators=1)
        db.engine.dispose()
    return Room(app, world.seeded[1]), hello_app.app


def counted(saves: int) -> None:
    """Under valgrind: warm up, then ``saves`` saves and as many hello-world requests."""
    room, hello_world = _room()
    for _ in range(COUNTED["save"][0]):
        room.save()
        hello(hello_world)()
    gc.freeze()  # as gunicorn.conf.py does before forking a worker
    work = room.save if os.environ["SAVE_CPU_COUNT"] == "save" else hello(hello_world)
    for _ in range(saves):
        work()


def fresh_database(pg: servers.Postgres, name: str, env: dict[str, str]) -> dict[str, str]:
    """``env`` pointed at a new, migrated database of the cluster (every counted run seeds its
    own: the seeded names are unique)."""
    subprocess.run(
        [
            str(pg.bin / "psql"),
            *("-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-q"),
            *("-c", f"CREATE DATABASE {name} TEMPLATE template0"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=60,
    )
    own = {**env, "WORKSHOP_DATABASE_URL": pg.url.rsplit("/", 1)[0] + f"/{name}"}
    subprocess.run(
        [str(servers.BIN / "flask"), "db", "upgrade"],
        check=True,
        timeout=300,
        env={**os.environ, **own},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=servers.ROOT,
    )
    return own


def instructions(kind: str, pg: servers.Postgres, env: dict[str, str]) -> int | None:
    """Instructions one ``kind`` request costs, from two runs under callgrind; None without it."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    totals = []
    with tempfile.TemporaryDirectory() as folder:
        small, large = COUNTED[kind]
        for saves in (small, large):
            out = Path(folder) / f"callgrind.{saves}"
            counting = subprocess.run(
                [
                    valgrind,
                    "--tool=callgrind",
                    f"--callgrind-out-file={out}",
                    sys.executable,
                    __file__,
                    "--counted",
                    str(saves),
                ],
                env={
                    **os.environ,
                    **fresh_database(pg, f"counted_{kind}_{saves}", env),
                    "SAVE_CPU_COUNT": kind,
                    "PYTHONHASHSEED": "0",
                },
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                timeout=3600,
            )
            if counting.returncode != 0:
                raise SystemExit(f"the counted run failed:\n{counting.stderr[-3000:]}")
            totals.append(
                next(
                    int(line.split()[1])
                    for line in out.read_text().splitlines()
                    if line.startswith(("summary:", "totals:"))
                )
            )
    return (totals[1] - totals[0]) // (large - small)


def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-save-cpu-")
    pg = servers.Postgres(fsync=False)
    try:
        pg.create()
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
        room, hello_world = _room()
        for _ in range(300):  # compiled statements, prepared statements, caches
            room.save()
            hello(hello_world)()
        # What the app made is out of the collector's sight in a served worker (gunicorn.conf.py
        # freezes it before forking): here too, or every collection would walk all of it.
        gc.freeze()
        saves, hellos = [], []
        for _ in range(ROUNDS):
            saves.append(cpu_per_request(room.save, SAVES))
            hellos.append(cpu_per_request(hello(hello_world), SAVES * 4))
        save_ms, hello_ms = min(saves), min(hellos)
        print(f"save CPU per request, ms, by round: {' '.join(f'{x:.3f}' for x in saves)}")
        print(f"hello-world CPU per request, ms, by round: {' '.join(f'{x:.3f}' for x in hellos)}")
        result = (
            f"save_cpu_ms={save_ms:.3f} hello_cpu_ms={hello_ms:.3f} ratio={save_ms / hello_ms:.1f}"
        )
        if os.environ.get("SAVE_CPU_INSTRUCTIONS", "1") != "0":
            save_count = instructions("save", pg, env)
            hello_count = instructions("hello", pg, env)
            if save_count is not None and hello_count:
                print(f"instructions: a save {save_count:,}, a hello-world request {hello_count:,}")
                result += (
                    f" save_instructions={save_count} hello_instructions={hello_count}"
                    f" instructions_ratio={save_count / hello_count:.1f}"
                )
            else:
                print("valgrind is not installed: instructions not counted")
        print(f"RESULT {result}")
    finally:
        pg.remove()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--counted"]:
        counted(int(sys.argv[2]))
    else:
        main()
