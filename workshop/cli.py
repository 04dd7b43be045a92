"""`flask workshop …` commands: seeding the demo, creating the first admin, checking a method."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from workshop import codes, demo, production
from workshop.accounts.services import AccountError, create_account
from workshop.auditlog.commands import audit_cli
from workshop.extensions import db
from workshop.method.definition import MethodError, load_file
from workshop.models import Role

workshop_cli = AppGroup("workshop", help="Twinning Workshop commands.")
workshop_cli.add_command(audit_cli)  # `flask workshop audit prune` (docs/audit.md)


def _print_demo(join_code: str | None, return_code: str | None) -> None:
    click.echo("Demo data (illustrative, labelled [demo]):")
    if join_code:
        click.echo(f"  seminar join code:      {codes.grouped(join_code)}")
    for email, password in demo.DEMO_PASSWORDS.items():
        click.echo(f"  sign in: {email:34} password: {password}")
    if return_code:
        click.echo(f"  demo participant return code: {codes.grouped(return_code)}")


@workshop_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when a seminar already exists.")
def seed_demo(if_empty: bool) -> None:
    """Seed the demo seminar of 19 December 2023 and one account per role."""
    if not production.demo_accounts_allowed(current_app.config):
        raise click.ClickException(
            "Refusing to seed the demo in production (WORKSHOP_ENV=production): its accounts, "
            "an admin among them, have passwords anybody can read in the README. Set "
            "WORKSHOP_ALLOW_DEMO=true only if this server is a demonstration."
        )
    if not demo.is_empty():
        if if_empty:
            _print_demo(demo.demo_join_code(), None)
            return
        raise click.ClickException("The database already holds seminars; seed an empty one.")
    summary = demo.seed()
    db.session.commit()
    _print_demo(summary.join_code, summary.participant_return_code)


@workshop_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create a programme-lead (admin) account."""
    try:
        create_account(
            display_name=name,
            email=email,
            role=Role.ADMIN,
            password=password,
            institution_id=None,
            actor=None,
        )
    except AccountError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Admin {email} created.")


@workshop_cli.command("check-method", with_appcontext=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_method(file: Path) -> None:
    """Check a method file and list every problem in it, with where it is."""
    try:
        method = load_file(file)
    except MethodError as error:
        for problem in error.problems or (str(error),):
            click.echo(str(problem))
        count = len(error.problems) or 1
        click.echo(f"{file.name}: {count} problem{'s' if count != 1 else ''}.")
        raise SystemExit(1) from None
    questions = sum(len(stage.questions()) for stage in method.stages)
    click.echo(f"OK: {method.version}, {len(method.stages)} stages, {questions} questions")


@workshop_cli.command("move-method")
@click.argument("partnership_id", type=int)
@click.argument("version")
@click.option("--by", "by_email", required=True, help="E-mail of the admin doing the move.")
@click.option("--dry-run", is_flag=True, help="Show what would move; change nothing.")
def move_method(partnership_id: int, version: str, by_email: str, dry_run: bool) -> None:
    """Move a partnership to another method version, keeping every answer (see
    docs/method-moves.md)."""
    from workshop.models import Account, Partnership
    from workshop.partnerships.versions import MoveRefused, move_to

    partnership = db.session.get(Partnership, partnership_id)
    actor = db.session.scalar(
        sa.select(Account).where(Account.email == by_email, Account.role == Role.ADMIN)
    )
    if partnership is None or actor is None:
        raise click.ClickException("No such partnership, or no admin with that e-mail.")
    try:
        result = move_to(partnership, version, actor=actor, dry_run=dry_run)
    except MoveRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    for moved in result.report:
        where = f" ({moved.side})" if moved.side else ""
        target = moved.target or "—"
        click.echo(f"{moved.source}{where} → {target}: {moved.how}")
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {result.changed} answers would change; nothing was stored.")
        return
    db.session.commit()
    click.echo(
        f"Moved partnership {partnership_id} from {result.from_version} to "
        f"{result.to_version}: {result.changed} answers stored as new revisions."
    )


def _add_backup_commands() -> None:
    """export, import, backup, restore-drill (workshop/backup, docs/backup.md)."""
    from workshop.backup.commands import COMMANDS

    for command in COMMANDS:
        workshop_cli.add_command(command)


_add_backup_commands()
