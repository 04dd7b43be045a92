"""Input shapes for the dashboard's two small forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from workshop.numbers import whole_number

STUCK_MINUTES = (1, 240)


class StuckMinutesForm(FlaskForm):
    stuck_minutes = StringField(
        _l("Stuck after how many minutes without a save"),
        description=_l("During a round, from 1 to 240 minutes."),
    )

    def validate_stuck_minutes(self, field: StringField) -> None:
        low, high = STUCK_MINUTES
        number = whole_number((field.data or "").strip(), low=low, high=high)
        if number is None:
            raise ValidationError(_l("Enter a whole number of minutes from 1 to 240."))
        field.data = str(number)

    @property
    def minutes(self) -> int:
        return int(self.stuck_minutes.data)


class ButtonForm(FlaskForm):
    """A button with a CSRF token ("Answered")."""
