"""`flask workshop audit …`: upkeep of the audit trail."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from workshop.auditlog import services
from workshop.extensions import db

audit_cli = AppGroup("audit", help="The audit trail (docs/audit.md).")


@audit_cli.command("prune")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Keep this many days (default: AUDIT_RETENTION_DAYS, 730).",
)
def prune(days: int | None) -> None:
    """Delete audit events older than the retention period. Run it daily (cron or a timer)."""
    try:
        keep = days or services.retention_days()
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    deleted = services.prune(keep)
    db.session.commit()
    click.echo(f"Deleted {deleted} audit event(s) older than {keep} days.")
