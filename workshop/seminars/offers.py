"""The two choices on a seminar's page, offering only what the object rules allow."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from workshop.choices import options
from workshop.i18n import partnership_label
from workshop.models import Account, Seminar
from workshop.seminars import queries


def partnership_options(actor: Account, seminar: Seminar) -> list[SelectChoice]:
    """Partnerships ``actor`` may bring into ``seminar`` (``may_attach_partnership``)."""
    found = queries.attachable_partnerships(actor, seminar)
    return options([(p.id, partnership_label(p)) for p in found], placeholder=_("Choose…"))


def facilitator_options(actor: Account, seminar: Seminar) -> list[SelectChoice]:
    """Facilitators ``actor`` may add, named so they can be told apart, e-mails kept private."""
    found = [a for a in queries.facilitator_accounts() if a not in seminar.facilitators]
    shown = queries.email_visible(actor, found)
    return options(
        [(a.id, label) for a, label in zip(found, _labels(found, shown), strict=True)],
        placeholder=_("Choose…"),
    )


def _labels(accounts: Sequence[Account], email_shown: set[int]) -> list[str]:
    """The name; with the e-mail where ``email_shown`` allows it (admins, people the actor
    already runs a seminar with). Two people of the same name otherwise differ by the domain
    of their address: the organisation, which is how colleagues tell each other apart, and no
    way to write to anybody."""
    namesakes = Counter(a.display_name.casefold() for a in accounts)
    labels = []
    for account in accounts:
        email = account.email or ""
        if account.id in email_shown and email:
            labels.append(f"{account.display_name} <{email}>")
        elif namesakes[account.display_name.casefold()] > 1 and "@" in email:
            labels.append(f"{account.display_name} (…@{email.rsplit('@', 1)[1]})")
        else:
            labels.append(account.display_name)
    return labels
