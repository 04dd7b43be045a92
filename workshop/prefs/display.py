"""Large-text and high-contrast display modes, remembered in a cookie per browser."""

from __future__ import annotations

DISPLAY_COOKIE = "display"
MODES = ("large", "contrast")


def display_modes(cookie: str | None) -> set[str]:
    return {m for m in (cookie or "").split(",") if m in MODES}


def toggled(cookie: str | None, mode: str) -> str:
    modes = display_modes(cookie) ^ {mode}
    return ",".join(m for m in MODES if m in modes)
