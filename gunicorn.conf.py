"""gunicorn's settings for the Twinning Workshop: `make serve`, explained in docs/deployment.md.

Nothing here needs editing for a deployment: WORKSHOP_BIND, WORKSHOP_WEB_WORKERS,
WORKSHOP_WEB_THREADS and WORKSHOP_ACCESS_LOG cover the usual changes, and any gunicorn option
can be given in GUNICORN_CMD_ARGS or on the command line, which both win over this file
(e.g. GUNICORN_CMD_ARGS="--timeout 60").
"""

from __future__ import annotations

import gc
import os
from typing import Any

from workshop.serving import ACCESS_LOG_FORMAT, AccessLogger, default_workers


def _whole(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number from 1, not {raw!r}")
    return int(raw)


# The app, in production unless WORKSHOP_ENV says otherwise (workshop/wsgi.py).
wsgi_app = "workshop.wsgi:app"
# Loopback by default: a TLS proxy on the same machine (nginx, Caddy) faces the network.
bind = [os.environ.get("WORKSHOP_BIND", "127.0.0.1:8000")]
# P9: 2 × cores + 1 sync workers. Threads (gthread) only when asked: on SQLite they make the
# writers queue for one lock (see workshop/database.py).
workers = _whole("WORKSHOP_WEB_WORKERS", default_workers())
threads = _whole("WORKSHOP_WEB_THREADS", 1)
# A request takes milliseconds; one still running after 30 s is stuck, and its worker is
# replaced. PDFs are made by background jobs (workshop/jobs), never inside a request.
timeout = 30
# On SIGTERM or a restart, a worker finishes the save it is writing, for up to this long.
graceful_timeout = 30
# Each worker is replaced after about a thousand requests (staggered by the jitter so they are
# not all replaced at once), so a slow leak in any library never grows for a whole programme day.
max_requests = 1000
max_requests_jitter = 100
# Seconds a kept-alive connection waits for its next request (threaded workers; a sync worker
# answers one request per connection, which is right behind a proxy).
keepalive = 5
# Load the app once in the master, then fork the workers from it:
# - an unsafe configuration stops the server at once with one message (workshop/production.py),
#   rather than each worker failing in turn;
# - a worker replaced after max_requests, or after being killed, starts in milliseconds and
#   shares the app's memory with its siblings;
# - in development, a generated secret key is made once, before any worker exists.
# What it costs: a new release needs a full restart (HUP reloads settings, not code), and
# nothing made at start-up may be shared across the fork: each worker drops the database
# connections it inherited (post_fork below), and workers start their job thread themselves.
preload_app = True
proc_name = "workshop"
# gunicorn's control socket (for gunicornc) defaults to one path per user, which a second
# server on the machine (a staging copy, the load test's) would take over. Off unless
# WORKSHOP_CONTROL_SOCKET names this server's own path; systemd and signals manage it otherwise.
if os.environ.get("WORKSHOP_CONTROL_SOCKET"):
    control_socket = os.environ["WORKSHOP_CONTROL_SOCKET"]
else:
    control_socket_disable = True
loglevel = "info"
errorlog = "-"
# No query strings (join codes) and no tokens in paths: workshop/serving.py. "off" for none.
_access_log = os.environ.get("WORKSHOP_ACCESS_LOG", "-")
accesslog = None if _access_log == "off" else _access_log
access_log_format = ACCESS_LOG_FORMAT
logger_class = AccessLogger


def post_fork(server: Any, worker: Any) -> None:
    """Each worker opens its own database connections (with preload_app they would otherwise be
    the master's, shared by every worker)."""
    from workshop.serving import forget_inherited_connections

    if server.cfg.preload_app:
        forget_inherited_connections(worker.app.wsgi())


def pre_fork(server: Any, worker: Any) -> None:
    """Move everything the preloaded app made out of the garbage collector's sight before the
    fork (Python's advice for fork without exec): a worker's collections then never write to
    the pages it shares with its siblings, and a worker leaving after max_requests exits in
    milliseconds instead of walking the whole app's objects for a second or more."""
    gc.freeze()
