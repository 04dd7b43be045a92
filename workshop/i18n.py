"""Choosing the language of a request and naming bilingual things in it."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from workshop.config import LANGUAGES

LANG_COOKIE = "lang"


def select_locale() -> str:
    """A signed-in person's saved choice, then this browser's choice, then Accept-Language."""
    if not has_request_context():  # commands and background work: the deployment's default
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    saved = getattr(current_user, "locale", None) if current_user else None
    if saved in LANGUAGES:
        return str(saved)
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    best = request.accept_languages.best_match(LANGUAGES)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_lang() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "uk"


def localized(obj: Any, field: str) -> str:
    """Pick ``field_uk`` or ``field_en`` for the current language, falling back to the other."""
    lang = current_lang()
    other = "en" if lang == "uk" else "uk"
    return str(getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_{other}", "") or "")


def partnership_label(partnership: Any) -> str:
    """ "Ukrainian institution — partner institution" in the current language."""
    ua = localized(partnership.ua_institution, "name")
    return f"{ua} — {localized(partnership.partner_institution, 'name')}"
