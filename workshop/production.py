"""What a production configuration must meet (R17), checked once, when the app is made.

``ENV`` says where the app runs: ``development`` (the default: `make run`, tests) or
``production`` (``WORKSHOP_ENV=production``, the default of ``workshop/wsgi.py``, which gunicorn
serves). In production ``create_app`` refuses to start on a configuration that would be unsafe
with real data, and names every problem at once so one restart fixes them all:

- debug on (the debugger runs any code a visitor types);
- a missing or weak ``SECRET_KEY`` (it signs sessions, device cookies and pending joins): it
  must come from the configuration, the same on every host, and hold 32 random bytes;
- cookies without ``Secure`` (a session would travel over plain HTTP);
- CSRF protection switched off;
- SQLite, unless ``ALLOW_SQLITE`` says it was chosen on purpose.

The demo's accounts are default accounts (their passwords are printed in the README), so in
production ``flask workshop seed-demo`` refuses to run and signing in to one is refused, unless
``ALLOW_DEMO`` says the server is a demonstration on purpose (``demo_accounts_allowed``).
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Mapping
from typing import Any

from flask import Flask

ENVIRONMENTS = ("development", "production")
KEY_BITS = 256  # 32 random bytes
# Words found in the example values of configuration guides. Each is long enough that a random
# key contains one by chance less than once in billions.
_PLACEHOLDERS = (
    "changeme",
    "replaceme",
    "placeholder",
    "secretkey",
    "yoursecret",
    "notsecret",
    "insecure",
    "example",
    "donotuse",
    "dontuse",
)
_BASE64 = frozenset(string.ascii_letters + string.digits + "+/=-_")
_HOW_TO_MAKE_A_KEY = (
    "set WORKSHOP_SECRET_KEY to the output of "
    "`python3 -c 'import secrets; print(secrets.token_hex(32))'`, the same on every host"
)


class UnsafeConfiguration(RuntimeError):
    """The configuration is unsafe for production. A RuntimeError: gunicorn then prints the
    message alone and stops, rather than a traceback per worker."""


def environment(config: Mapping[str, Any]) -> str:
    """``development`` or ``production``; any other value is refused (a typo such as "prod"
    must not quietly switch the checks off)."""
    value = str(config.get("ENV") or "development").strip().lower()
    if value not in ENVIRONMENTS:
        raise UnsafeConfiguration(
            f"ENV (WORKSHOP_ENV) must be one of {', '.join(ENVIRONMENTS)}, not {value!r}"
        )
    return value


def refuse_unsafe(app: Flask) -> None:
    """Stop the app from starting in production on an unsafe configuration (every problem
    listed); in development, do nothing."""
    if environment(app.config) != "production":
        return
    found = problems(app.config, debug=app.debug)
    if found:
        listed = "\n".join(f"  - {problem}" for problem in found)
        raise UnsafeConfiguration(
            "Refusing to start in production (WORKSHOP_ENV=production); "
            f"see docs/deployment.md:\n{listed}"
        )


def demo_accounts_allowed(config: Mapping[str, Any]) -> bool:
    """Whether the demo may be seeded and its accounts signed in to: anywhere but production,
    and there only with ``ALLOW_DEMO`` true (the JSON ``true`` of WORKSHOP_ALLOW_DEMO, as for
    ALLOW_SQLITE: a stray value must not open the accounts)."""
    return environment(config) != "production" or config.get("ALLOW_DEMO") is True


def problems(config: Mapping[str, Any], *, debug: bool) -> list[str]:
    """What makes ``config`` unsafe for production, one sentence each."""
    found = []
    if debug:
        found.append("debug is on: unset FLASK_DEBUG and WORKSHOP_DEBUG")
    key_problem = secret_key_problem(config.get("SECRET_KEY"))
    if key_problem:
        found.append(key_problem)
    if config.get("SESSION_COOKIE_SECURE") is not True:
        found.append(
            "cookies are not Secure: serve over HTTPS and set WORKSHOP_SESSION_COOKIE_SECURE=true"
        )
    if config.get("WTF_CSRF_ENABLED", True) is not True:
        found.append("CSRF protection is off: unset WTF_CSRF_ENABLED")
    url = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if url.startswith("sqlite") and config.get("ALLOW_SQLITE") is not True:
        found.append(
            f"the database is SQLite ({url}): set WORKSHOP_DATABASE_URL to PostgreSQL, or "
            "WORKSHOP_ALLOW_SQLITE=true if one machine with SQLite is what you chose"
        )
    return found


def secret_key_problem(key: object) -> str | None:
    """Why ``key`` is not a production secret key, or None when it is one."""
    if key is None or (isinstance(key, str | bytes) and not key.strip()):
        return f"SECRET_KEY is not set: {_HOW_TO_MAKE_A_KEY}"
    text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
    folded = re.sub(r"[^a-z0-9]", "", text.lower())
    if any(word in folded for word in _PLACEHOLDERS):
        return f"SECRET_KEY is an example value, not a secret: {_HOW_TO_MAKE_A_KEY}"
    if _repeats(text) or _entropy_per_character(text) < 3.0:
        return f"SECRET_KEY is a pattern (one character or a few, repeated): {_HOW_TO_MAKE_A_KEY}"
    bits = len(text) * math.log2(256 if isinstance(key, bytes) else _alphabet(text))
    if bits < KEY_BITS:
        return (
            f"SECRET_KEY is too short: at most {int(bits)} random bits where 256 are needed "
            f"(64 hexadecimal digits): {_HOW_TO_MAKE_A_KEY}"
        )
    return None


def _repeats(text: str) -> bool:
    """Whether ``text`` is one shorter piece written again and again."""
    return (text + text).find(text, 1) < len(text)


def _entropy_per_character(text: str) -> float:
    """Shannon entropy of the characters' frequencies: near 4 for random hexadecimal, near 5
    for base64, low for a key made of few characters however long."""
    counts = Counter(text).values()
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts)


def _alphabet(text: str) -> int:
    """How many characters a random key written like ``text`` draws from, at most."""
    characters = set(text)
    if characters <= set(string.digits):
        return 10
    if characters <= set(string.hexdigits):
        return 16
    if characters <= set(string.ascii_letters + string.digits):
        return 62
    if characters <= _BASE64:
        return 64
    return 95  # printable ASCII; anything else is rare in a key and given the same benefit
