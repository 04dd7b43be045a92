"""Input shape of the review queue's bulk approval."""

from __future__ import annotations

from flask_wtf import FlaskForm

from workshop.numbers import whole_number


class ApproveForm(FlaskForm):
    """The ticked stages (``run`` fields, any number) and the CSRF token."""

    def run_ids(self, raw: list[str]) -> list[int] | None:
        """The ids posted, without repeats; None if any of them is no id at all."""
        ids = [whole_number(value, low=1) for value in raw]
        if any(i is None for i in ids):
            return None
        return sorted({i for i in ids if i is not None})
