"""Input shape of a partnership."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workshop.choices import record_id
from workshop.widgets import QuickSelect


class PartnershipForm(FlaskForm):
    ua_institution = SelectField(
        _l("Ukrainian institution"),
        coerce=record_id,
        widget=QuickSelect(),  # a programme has a thousand to choose from
        # The service explains a wrong choice better than "Not a valid choice".
        validate_choice=False,
        validators=[DataRequired(_l("Choose the Ukrainian institution."))],
    )
    partner_institution = SelectField(
        _l("Partner institution"),
        coerce=record_id,
        widget=QuickSelect(),  # a programme has a thousand to choose from
        validate_choice=False,
        validators=[DataRequired(_l("Choose the partner institution."))],
    )
    memorandum_date = DateField(
        _l("Memorandum signed on"),
        validators=[Optional()],
        description=_l("Leave empty if the memorandum is not signed yet."),
    )
    focus_areas = TextAreaField(
        _l("Focus areas"),
        description=_l("One per line, for example: paediatric oncology."),
        validators=[Optional(), Length(max=2000)],
    )
    seminar = SelectField(_l("Seminar"), coerce=record_id, validate_choice=False)


def split_focus_areas(text: str | None) -> list[str]:
    """One area per line (commas also separate); blanks and repeats dropped, order kept."""
    seen: dict[str, None] = {}
    for line in (text or "").replace(",", "\n").replace(";", "\n").splitlines():
        area = " ".join(line.split())[:120]
        if area and area.casefold() not in {s.casefold() for s in seen}:
            seen[area] = None
    return list(seen)
