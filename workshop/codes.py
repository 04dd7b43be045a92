"""Short codes people read aloud and type: seminar join codes and personal return codes."""

from __future__ import annotations

import hashlib
import math
import secrets

# No look-alikes: 0/O, 1/I/L are gone, so a code copied from a projector survives.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 10  # 10 × log2(31) ≈ 49.5 bits
RETURN_CODE_LENGTH = 12  # ≈ 59.4 bits

# Letters a Ukrainian keyboard layout produces that look like the Latin ones on screen.
_CYRILLIC_LOOKALIKES = str.maketrans("АВСЕНКМОРТХУ", "ABCEHKMOPTXY")


def entropy_bits(length: int) -> float:
    return length * math.log2(len(ALPHABET))


def new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise(typed: str) -> str:
    """Turn what a person typed into the canonical code: case, spaces, dashes, Cyrillic."""
    upper = typed.upper().translate(_CYRILLIC_LOOKALIKES)
    return "".join(ch for ch in upper if ch.isalnum())


def looks_valid(code: str, length: int) -> bool:
    return len(code) == length and all(ch in ALPHABET for ch in code)


def grouped(code: str) -> str:
    """Show a code in groups of four or five so it can be read out and copied."""
    size = 5 if len(code) % 5 == 0 else 4
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


def digest(code: str) -> str:
    """Hash a random, high-entropy code for storage; a slow KDF buys nothing here."""
    return hashlib.sha256(code.encode()).hexdigest()
