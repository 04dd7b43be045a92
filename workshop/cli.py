"""`flask workshop …` commands: seeding the demo, creating the first admin, checking a method."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from workshop import codes, demo
from workshop.accounts.services import AccountError, create_account
from workshop.extensions import db
from workshop.method.definition import MethodError, load_file
from workshop.models import Role

workshop_cli = AppGroup("workshop", help="Twinning Workshop commands.")


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
