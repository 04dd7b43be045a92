"""Input shapes for the documents pages: signing a version."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class SignForm(FlaskForm):
    position = StringField(
        _l("Your position"),
        description=_l("As it should appear under your signature, e.g. Director General."),
        validators=[DataRequired(_l("Enter your position.")), Length(max=200)],
    )
    password = PasswordField(
        _l("Your password"),
        description=_l("Enter your password again to sign."),
        validators=[DataRequired(_l("Enter your password to sign.")), Length(max=1024)],
    )
