"""Comparing names the way a person reads them.

Two spellings a reader takes for the same name — a typographic apostrophe or a straight one,
«» or "" quotes, an en dash or a hyphen, a doubled space, another case, a Latin "i" typed
inside a Cyrillic word on the wrong keyboard layout — get the same key, so a list that spells
a hospital differently from the database still finds it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

APOSTROPHES = "'’ʼʹ`´‘′ꞌ＇"
QUOTES = '"«»“”„‟″〝〞＂‹›'
DASHES = "‐‑‒–—―−﹘﹣－"
# Latin and Cyrillic letters that look alike: a word mostly in one script meant its letters.
_LATIN, _CYRILLIC = "aceiopxyïk", "асеіорхуїк"
TO_CYRILLIC = str.maketrans(_LATIN, _CYRILLIC)
TO_LATIN = str.maketrans(_CYRILLIC, _LATIN)

_FOLD = str.maketrans(
    {
        **dict.fromkeys(APOSTROPHES, "'"),
        **dict.fromkeys(QUOTES, " "),
        **dict.fromkeys(DASHES, "-"),
    }
)
_NUMBER_SIGN = re.compile(r"№\s*")
_SPACED_DASH = re.compile(r"\s*-\s*")
_DOT_BEFORE_WORD = re.compile(r"\.(?=\w)")
_WORD = re.compile(r"\w+")


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u052f"


def _fold_lookalikes(word: re.Match[str]) -> str:
    text = word.group()
    cyrillic = sum(1 for ch in text if _is_cyrillic(ch))
    if not cyrillic:
        return text
    letters = sum(1 for ch in text if ch.isalpha())
    return text.translate(TO_CYRILLIC if cyrillic * 2 >= letters else TO_LATIN)


@lru_cache(maxsize=8192)  # a list names each hospital and place many times
def name_key(text: str | None) -> str:
    """The form of ``text`` two spellings of one name share; empty for no name."""
    if not text:
        return ""
    # "№ 5" and "№5" read alike; NFKC would turn the sign into "No", so settle the space first.
    text = _NUMBER_SIGN.sub("№", text)
    text = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    # Invisible characters (zero-width space, soft hyphen, BOM) come along when pasting.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _DOT_BEFORE_WORD.sub(". ", text)  # "м.Київ" reads as "м. Київ"
    text = " ".join(text.split())
    text = _SPACED_DASH.sub("-", text)
    return _WORD.sub(_fold_lookalikes, text)


def script(text: str | None) -> str | None:
    """ "uk" when most letters of ``text`` are Cyrillic, "en" when most are Latin, else None."""
    letters = [ch for ch in text or "" if ch.isalpha()]
    if not letters:
        return None
    cyrillic = sum(1 for ch in letters if _is_cyrillic(ch))
    if cyrillic * 2 > len(letters):
        return "uk"
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return "en" if latin * 2 > len(letters) else None


def has_cyrillic(text: str | None) -> bool:
    return any(_is_cyrillic(ch) for ch in text or "")
