"""The one-button forms in the page header."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from workshop.config import LANGUAGES
from workshop.prefs.display import MODES


class LanguageForm(FlaskForm):
    lang = SelectField(
        _l("Language"),
        choices=list(LANGUAGES),
        validate_choice=True,
    )
    next = HiddenField()


class DisplayForm(FlaskForm):
    mode = SelectField(_l("Display"), choices=list(MODES), validate_choice=True)
    next = HiddenField()
