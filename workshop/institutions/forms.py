"""Input shape of an institution."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workshop import geo
from workshop.choices import options
from workshop.i18n import current_lang
from workshop.models import UKRAINE


class InstitutionForm(FlaskForm):
    name_uk = StringField(
        _l("Name in Ukrainian"),
        description=_l("Required for Ukrainian institutions; for others, if you know it."),
        validators=[Optional(), Length(max=300)],
    )
    name_en = StringField(
        _l("Name in English"),
        validators=[DataRequired(_l("Enter the name in English.")), Length(max=300)],
    )
    country = SelectField(_l("Country"), validators=[DataRequired(_l("Choose the country."))])
    oblast = SelectField(
        _l("Oblast (Ukrainian institutions)"), validators=[Optional()], validate_choice=True
    )
    region = StringField(
        _l("Region, state or county (other countries)"),
        validators=[Optional(), Length(max=120)],
    )
    city_uk = StringField(_l("City in Ukrainian"), validators=[Optional(), Length(max=120)])
    city_en = StringField(_l("City in English"), validators=[Optional(), Length(max=120)])
    profile = TextAreaField(
        _l("Profile"),
        description=_l("Type of hospital, beds, main departments, what it is known for."),
        validators=[Optional(), Length(max=5000)],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        lang = current_lang()
        self.country.choices = options(geo.country_choices(lang), placeholder=_l("Choose…"))
        self.oblast.choices = options([("", "—"), *geo.region_choices(lang)])
        # A new form starts on Ukraine; a posted "Choose…" stays unchosen, and is refused.
        if not self.country.data and not self.is_submitted():
            self.country.data = UKRAINE

    def validate(self, extra_validators: object = None) -> bool:
        ok = super().validate(extra_validators)  # type: ignore[arg-type]
        if self.country.data == UKRAINE and not (self.name_uk.data or "").strip():
            self.name_uk.errors = [*self.name_uk.errors, _l("Enter the name in Ukrainian.")]
            ok = False
        if self.country.data == UKRAINE and not self.oblast.data:
            self.oblast.errors = [*self.oblast.errors, _l("Choose the oblast.")]
            ok = False
        return ok

    @property
    def region_value(self) -> str | None:
        if self.country.data == UKRAINE:
            return self.oblast.data or None
        return (self.region.data or "").strip() or None
