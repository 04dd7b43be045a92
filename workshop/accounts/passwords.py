"""The password rule for accounts that sign in with one (ASVS 5.0 6.2): length and commonness.

No composition rules (a capital, a digit …): they push people to predictable patterns. A
password is refused only when it is too short or too long, or when it is one of the passwords
attackers try first: the 3,000 most common ones in the ranked list zxcvbn ships (from leaked
password sets), compared without regard to letter case.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from werkzeug.security import generate_password_hash
from wtforms import Field, Form, ValidationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

SHORTEST = 12  # ASVS asks for at least 8 and recommends 15; staff accounts hold health data
LONGEST = 256  # long passphrases are welcome; this only bounds the hashing work
MOST_COMMON = 3_000


COMMON = frozenset(FREQUENCY_LISTS["passwords"][:MOST_COMMON])  # lower-case, like casefold()

# How passwords are stored (ASVS 5.0 11.4.2): scrypt with N=2^15, r=8, p=3, one of the settings
# ASVS and OWASP give as equivalent minimums. Werkzeug's default (p=1) is below them. p=3 keeps
# the default's 32 MiB of memory a hash and triples its work: about 0.3 s of one core here, paid
# only when staff sign in or change a password. Changing it needs no migration: every hash
# names its own settings, and an older one is replaced at its owner's next sign-in (rehashed).
HASH_METHOD = "scrypt:32768:8:3"


def hashed(password: str) -> str:
    """``password`` as it is stored."""
    return generate_password_hash(password, method=HASH_METHOD)


def rehashed(stored: str, password: str) -> str | None:
    """A new hash of ``password`` when ``stored`` (its current, checked hash) was made with
    other settings than HASH_METHOD; None when it is up to date."""
    return None if stored.startswith(f"{HASH_METHOD}$") else hashed(password)


def problem(password: str) -> str | None:
    """Why ``password`` may not be used, in the reader's language; None when it may."""
    if not SHORTEST <= len(password) <= LONGEST:
        return ngettext(
            "Use %(low)d to %(num)d character.",
            "Use %(low)d to %(num)d characters.",
            LONGEST,
            low=SHORTEST,
        )
    if password.casefold() in COMMON:
        return gettext("This is one of the most common passwords. Choose another.")
    return None


def usable(_form: Form, field: Field) -> None:
    """The rule as a form validator: the message next to the password field."""
    if (why := problem(field.data or "")) is not None:
        raise ValidationError(why)
