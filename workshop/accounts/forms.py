"""Input shape of a staff or hospital-head account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from workshop.accounts import passwords
from workshop.choices import options, record_id
from workshop.models import Role


class AccountForm(FlaskForm):
    display_name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=120)]
    )
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter the e-mail address.")),
            Length(max=254),
            Email(_l("This does not look like an e-mail address."), check_deliverability=False),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=options(
            [
                (Role.FACILITATOR.value, _l("Facilitator")),
                (Role.HEAD.value, _l("Hospital head")),
                (Role.ADMIN.value, _l("Programme lead (admin)")),
            ],
            placeholder=_l("Choose…"),
        ),
        default=Role.FACILITATOR.value,  # the usual new account, chosen as before
        validate_choice=True,
        validators=[DataRequired(_l("Choose the role."))],
    )
    institution = SelectField(
        _l("Institution (hospital heads)"), coerce=record_id, validate_choice=False
    )
    password = PasswordField(
        _l("First password"),
        description=_l("At least 12 characters. Give it to the person by a separate channel."),
        validators=[
            DataRequired(_l("Enter a first password.")),
            passwords.usable,
        ],
    )


class ActiveForm(FlaskForm):
    active = BooleanField()
