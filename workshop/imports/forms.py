"""The upload form for spreadsheets of institutions and partnerships."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from workshop.choices import record_id


class UploadForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet (.csv or .xlsx)"),
        description=_l("One row per partnership, with the columns of the template."),
        validators=[FileRequired(_l("Choose a file to upload."))],
    )
    seminar = SelectField(
        _l("Add the partnerships to seminar"), coerce=record_id, validate_choice=False
    )


class ConfirmImportForm(FlaskForm):
    """The confirm button, with its CSRF token."""
