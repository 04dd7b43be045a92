"""The processes the load test starts and always stops: a private PostgreSQL and gunicorn.

Both listen on 127.0.0.1 only, on ports the kernel hands out free. PostgreSQL is set up like
scripts/with-postgres.sh does (a throw-away cluster in a temporary folder, handed to the
postgres user when run as root); gunicorn runs from this venv with the settings in GUNICORN.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(command: list[str]) -> list[str]:
    # initdb refuses to run as root, so root hands the cluster to the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


class Postgres:
    """A private cluster; ``stop``/``start`` take it away and bring it back (the fault drill)."""

    def __init__(self, *, fsync: bool, scratch: Path | None = None, port: int = 0) -> None:
        """A new cluster's place, or (``scratch`` and ``port``) the running one made there."""
        found = sorted(
            glob.glob("/usr/lib/postgresql/*/bin"),
            key=lambda p: [int(x) if x.isdigit() else x for x in p.split("/")],
        )
        if not found:
            raise SystemExit("PostgreSQL is not installed: run scripts/system-deps.sh")
        self.bin = Path(found[-1])
        self.scratch = scratch or Path(tempfile.mkdtemp(prefix="bench-load-pg."))
        self.port = port or free_port()
        self.fsync = fsync
        if os.getuid() == 0 and scratch is None:
            shutil.chown(self.scratch, "postgres", "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/workshop"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_owner([str(self.bin / "pg_ctl"), "-D", str(self.scratch / "data"), *args]),
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=60,
        )

    def create(self) -> None:
        subprocess.run(
            _as_owner(
                [
                    str(self.bin / "initdb"),
                    *("-D", str(self.scratch / "data"), "-A", "trust", "-U", "postgres"),
                    *("-E", "UTF8", "--locale=C.UTF-8"),
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=120,
        )
        self.start()
        subprocess.run(
            [
                str(self.bin / "psql"),
                *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"),
                *("-q", "-c", "CREATE DATABASE workshop"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.scratch} -c listen_addresses=127.0.0.1 "
            f"-c fsync={'on' if self.fsync else 'off'} -c max_connections=100"
        )
        self._ctl("-l", str(self.scratch / "server.log"), "-w", "start", "-o", options)

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def cpu(self) -> float:
        """CPU seconds the cluster used so far: the postmaster's, its live backends' and those
        of backends that exited (the sync workers' connections come and go)."""
        try:
            postmaster = int((self.scratch / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0.0
        own, reaped = _stat(postmaster)
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children")
        try:
            live = [int(pid) for pid in children.read_text().split()]
        except OSError:
            live = []
        return own + reaped + sum(_stat(pid)[0] for pid in live)

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)


# Both apps are served alike: the project's gunicorn.conf.py (how production serves it) with
# these on top. 2 sync workers, one per core, as the issue asks (a save is Python work: threads
# would only share one core's GIL). Worker recycling and the access log are off for both: a fork
# every thousand requests and a log line per request cost hello-world's tiny requests far more,
# relatively, than a save, and would flatter the ratio.
CONFIG = ROOT / "gunicorn.conf.py"
GUNICORN = ["--workers", "2", "--threads", "1", "--worker-class", "sync", "--max-requests", "0"]
GUNICORN += ["--timeout", "30", "--graceful-timeout", "5", "--backlog", "2048"]
GUNICORN_ENV = {"WORKSHOP_ACCESS_LOG": "off"}


class Served:
    """A running gunicorn master, known by its pid and port (the load generator's view)."""

    def __init__(self, pid: int, port: int) -> None:
        self.pid = pid
        self.port = port

    def workers(self) -> list[int]:
        """The master's children: its workers now (a killed one is replaced by a new pid)."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def cpu(self) -> float:
        """CPU seconds its workers used so far: the live ones' (/proc/<pid>/stat utime + stime)
        and, through the master's cutime + cstime, those of workers that exited (a killed one)."""
        total = sum(_stat(pid)[0] for pid in self.workers())
        return total + _stat(self.pid)[1]


class Gunicorn(Served):
    """A gunicorn master serving ``app`` on a free loopback port, started and stopped here."""

    def __init__(self, app: str, env: dict[str, str], *, chdir: Path = ROOT) -> None:
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench-load-gunicorn.", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                *(["--config", str(CONFIG)] if CONFIG.exists() else []),
                *GUNICORN,
                *("--bind", f"127.0.0.1:{self.port}", "--chdir", str(chdir), app),
            ],
            env={**os.environ, **GUNICORN_ENV, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        super().__init__(self.process.pid, self.port)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=5):
                    pass
            except urllib.error.HTTPError:
                pass  # an answer of any status: it serves
            except OSError:
                time.sleep(0.2)
                continue
            if len(self.workers()) >= 2:
                return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within 60 s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if keep := os.environ.get("LOAD_KEEP_LOG"):  # a folder: gunicorn's log kept there
            shutil.copy(self.log.name, Path(keep) / Path(self.log.name).name)
        self.log.close()


def _stat(pid: int) -> tuple[float, float]:
    """A process's own CPU seconds, and its reaped children's."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    # Fields 14-17 of proc(5), counted from the state (field 3) here.
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return (utime + stime) / CLOCK_TICKS, (cutime + cstime) / CLOCK_TICKS
