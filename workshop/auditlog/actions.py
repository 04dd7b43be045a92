"""What each recorded action is called in the admin view, and how it ended."""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

OK, REFUSED, FAILED = "ok", "refused", "failed"


class Kind(NamedTuple):
    label: LazyString
    outcome: str = OK


# Every action written by workshop.audit callers. One missing here is still shown, by its
# stored name (tests/test_audit_log.py checks the list against the code).
ACTIONS: dict[str, Kind] = {
    # Signing in
    "login": Kind(_l("Signed in")),
    "login_failed": Kind(_l("Sign-in failed"), FAILED),
    "joined": Kind(_l("Joined a seminar")),
    "resumed": Kind(_l("Came back with a return code")),
    "resume_failed": Kind(_l("Return code refused"), FAILED),
    "password_changed": Kind(_l("Password changed")),
    "password_change_failed": Kind(_l("Password change refused: wrong current password"), FAILED),
    # Refused authorisations
    "access_denied": Kind(_l("Access refused"), REFUSED),
    "object_not_found": Kind(_l("Object refused or missing"), REFUSED),
    # Accounts and roles
    "account_created": Kind(_l("Account created")),
    "account_enabled": Kind(_l("Account switched on")),
    "account_disabled": Kind(_l("Account switched off")),
    "facilitator_added": Kind(_l("Facilitator added to a seminar")),
    "facilitator_removed": Kind(_l("Facilitator removed from a seminar")),
    "member_removed": Kind(_l("Participant removed from a table")),
    # Hospitals, partnerships, seminars
    "institution_saved": Kind(_l("Hospital saved")),
    "partnership_created": Kind(_l("Partnership created")),
    "method_moved": Kind(_l("Partnership moved to another method version")),
    "cycle_closed": Kind(_l("Cycle closed")),
    "cycle_started": Kind(_l("Cycle started")),
    "seminar_saved": Kind(_l("Seminar saved")),
    "join_code_rotated": Kind(_l("Join code changed")),
    "join_opened": Kind(_l("Joining opened")),
    "join_closed": Kind(_l("Joining closed")),
    "seminar_partnership_added": Kind(_l("Partnership added to a seminar")),
    "import_applied": Kind(_l("Spreadsheet imported")),
    # Stages: transitions, approvals and overrides
    "stage_submit": Kind(_l("Stage submitted")),
    "stage_request_changes": Kind(_l("Stage returned for changes")),
    "stage_approve": Kind(_l("Stage approved")),
    "stage_reopen": Kind(_l("Stage reopened")),
    "stage_opened_early": Kind(_l("Stage opened early")),
    "bulk_approved": Kind(_l("Stages approved together")),
    "answer_restored": Kind(_l("Earlier answer restored")),
    "votes_revealed": Kind(_l("Votes revealed")),
    "votes_hidden": Kind(_l("Votes hidden")),
    # Documents, downloads, exports, sign-offs
    "document_version": Kind(_l("Document version made")),
    "document_downloaded": Kind(_l("Document downloaded")),
    "job_downloaded": Kind(_l("Prepared file downloaded")),
    "exported": Kind(_l("Seminar data exported")),
    "backup_imported": Kind(_l("Backup imported")),
    "signed": Kind(_l("Document signed")),
    "sign_refused": Kind(_l("Signature refused"), FAILED),
    # The live room
    "room_stage_opened": Kind(_l("Stage opened for the room")),
    "room_stage_closed": Kind(_l("Stage closed for the room")),
    "countdown_started": Kind(_l("Countdown started")),
    "countdown_extended": Kind(_l("Countdown extended")),
    "countdown_stopped": Kind(_l("Countdown stopped")),
    "notice_sent": Kind(_l("Notice sent to the room")),
    "notice_cleared": Kind(_l("Notice cleared")),
    "help_asked": Kind(_l("Help asked for")),
    "help_answered": Kind(_l("Help request answered")),
    "stuck_minutes_set": Kind(_l("Stuck time changed")),
    "plenary_proposed": Kind(_l("Plenary proposal made")),
    "plenary_withdrawn": Kind(_l("Plenary proposal withdrawn")),
    "plenary_merged": Kind(_l("Plenary proposals merged")),
    "plenary_split": Kind(_l("Plenary proposal split")),
    "plenary_vote_opened": Kind(_l("Plenary vote opened")),
    "plenary_revealed": Kind(_l("Plenary result revealed")),
    "plenary_back_to_collecting": Kind(_l("Plenary back to collecting")),
    # The trail itself
    "audit_pruned": Kind(_l("Old audit events deleted")),
}

OUTCOMES: dict[str, LazyString] = {
    OK: _l("Done"),
    REFUSED: _l("Refused"),
    FAILED: _l("Failed"),
}

# What objects the trail names, as the filter offers them (stored as the model's class name,
# or for a refused address the object it names: /partnerships/<partnership_id> → partnership).
OBJECT_TYPES: dict[str, LazyString] = {
    "account": _l("Account"),
    "membership": _l("Seat at a table"),
    "institution": _l("Hospital"),
    "partnership": _l("Partnership"),
    "seminar": _l("Seminar"),
    "stagerun": _l("Stage of a partnership"),
    "documentversion": _l("Document version"),
    "job": _l("Prepared file"),
    "importbatch": _l("Spreadsheet import"),
    "helprequest": _l("Help request"),
    "proposal": _l("Plenary proposal"),
    "comment": _l("Review comment"),
}


def label(action: str) -> str:
    kind = ACTIONS.get(action)
    return str(kind.label) if kind else action


def outcome(action: str) -> str:
    kind = ACTIONS.get(action)
    return kind.outcome if kind else OK


def actions_with(outcome_name: str) -> list[str]:
    return [name for name, kind in ACTIONS.items() if kind.outcome == outcome_name]
