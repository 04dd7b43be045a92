"""Input shapes for signing in, joining a seminar and coming back."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from workshop.accounts import passwords
from workshop.choices import options, record_id
from workshop.models import Side
from workshop.widgets import QuickSelect


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
    )


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters."),
        validators=[DataRequired(_l("Enter the new password.")), passwords.usable],
        render_kw={"autocomplete": "new-password"},
    )


class JoinCodeForm(FlaskForm):
    code = StringField(
        _l("Seminar code"),
        description=_l("The code on the screen or handout, for example K7QM2-XR9TB."),
        validators=[DataRequired(_l("Enter the seminar code.")), Length(max=40)],
    )


class JoinDetailsForm(FlaskForm):
    partnership = SelectField(
        _l("Your partnership"),
        coerce=record_id,
        validate_choice=True,
        widget=QuickSelect(),  # a programme seminar offers hundreds of tables
        validators=[DataRequired(_l("Choose your partnership."))],
    )
    side = RadioField(
        _l("Your side"),
        choices=options(
            [
                (Side.UKRAINIAN.value, _l("Ukrainian hospital")),
                (Side.PARTNER.value, _l("Partner hospital")),
            ]
        ),
        validators=[DataRequired(_l("Choose the hospital you come from."))],
    )
    display_name = StringField(
        _l("Your name"),
        description=_l("As your colleagues know you, e.g. Olena Kovalenko, head nurse."),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
    )
    email = EmailField(
        _l("E-mail (optional)"),
        description=_l(
            "Only if you want it on record for your partnership. Joined before? Come back with "
            "your return code instead."
        ),
        validators=[
            Optional(),
            Length(max=254),
            Email(_l("This does not look like an e-mail address."), check_deliverability=False),
        ],
    )


class ResumeForm(FlaskForm):
    code = StringField(
        _l("Your return code"),
        description=_l("The personal code you were given when you joined."),
        validators=[DataRequired(_l("Enter your return code.")), Length(max=40)],
    )
