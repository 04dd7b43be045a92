"""Input shapes for seminars and the one-button actions on a seminar's page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from workshop.choices import record_id
from workshop.widgets import QuickSelect


class SeminarForm(FlaskForm):
    title_uk = StringField(
        _l("Title in Ukrainian"),
        validators=[DataRequired(_l("Enter the title in Ukrainian.")), Length(max=300)],
    )
    title_en = StringField(
        _l("Title in English"),
        validators=[DataRequired(_l("Enter the title in English.")), Length(max=300)],
    )
    starts_on = DateField(
        _l("First day"),
        validators=[DataRequired(_l("Enter the first day as a date."))],
    )
    ends_on = DateField(
        _l("Last day"),
        validators=[DataRequired(_l("Enter the last day as a date."))],
    )
    venue_uk = StringField(_l("Venue in Ukrainian"), validators=[Optional(), Length(max=300)])
    venue_en = StringField(_l("Venue in English"), validators=[Optional(), Length(max=300)])

    def validate(self, extra_validators: object = None) -> bool:
        ok = super().validate(extra_validators)  # type: ignore[arg-type]
        if ok and self.ends_on.data < self.starts_on.data:
            self.ends_on.errors = [
                *self.ends_on.errors,
                _l("The last day cannot be before the first."),
            ]
            ok = False
        return ok


class ConfirmForm(FlaskForm):
    """A button with a CSRF token: rotate the code, remove a person."""


class JoinOpenForm(FlaskForm):
    open = BooleanField()


class AddPartnershipForm(FlaskForm):
    partnership = SelectField(
        _l("Partnership"),
        coerce=record_id,
        validate_choice=False,
        widget=QuickSelect(),  # a programme has a thousand to choose from
        validators=[DataRequired(_l("Choose a partnership."))],
    )


class AddFacilitatorForm(FlaskForm):
    account = SelectField(
        _l("Facilitator"),
        coerce=record_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a facilitator."))],
    )
