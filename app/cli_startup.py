"""flask setup: bring a development copy up to date in a few readable lines (what `make run` prints)."""

import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app import unit_of_work
from app.content.sync import ContentError, SyncReport, sync_content
from app.extensions import db
from app.models import User
from app.services.accounts import create_user

DEMO_ACCOUNTS = [
    ("student@demo.example", "Demo Student", "student"),
    ("instructor@demo.example", "Demo Instructor", "instructor"),
    ("employer@demo.example", "Demo Employer", "employer"),
    ("admin@demo.example", "Demo Admin", "admin"),
]
RESET_HINT = "Reset one with: flask --app app users set-password --email EMAIL"


def demo_account_lines() -> list[str]:
    """Create the demo accounts that do not exist yet; the lines that tell their one-time passwords (or the hint)."""
    existing = set(db.session.scalars(select(User.email).where(User.email.in_([e for e, _, _ in DEMO_ACCOUNTS]))))
    created = []
    with unit_of_work.transaction():
        for email, name, role in DEMO_ACCOUNTS:
            if email not in existing:
                password = secrets.token_urlsafe(12)
                create_user(email, password, name, role)
                created.append((email, role, password))
    if not created:
        return ["Demo accounts already exist: " + ", ".join(e for e, _, _ in DEMO_ACCOUNTS) + ".", f"  {RESET_HINT}"]
    return (["Demo accounts (development only; the passwords are shown once):"]
            + [f"  {role:<10} {email:<28} {password}" for email, role, password in created])


def _revision() -> str | None:
    """The database's migration revision (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext  # the command line's alone: web workers never load Alembic

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _sync() -> SyncReport:
    """Load the content and code set; every problem is printed and nothing is changed if there is one."""
    try:
        with unit_of_work.transaction():
            return sync_content(Path(current_app.config["CONTENT_DIR"]))
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(error.problems)} content problem(s) found; the database was not changed.") from None


def _course_line(report: SyncReport) -> str:
    """The course line of the start-up summary."""
    counts = report.counts
    state = "loaded" if report.changed else "up to date"
    return (f"Course: {counts['modules']} modules, {counts['lessons']} lessons, {counts['quizzes']} quizzes "
            f"and exercises, {counts['questions']} questions ({state}, content version {report.version.id})")


def _codes_line(report: SyncReport) -> str:
    """The code-set line of the start-up summary."""
    release = report.codes.release if report.codes else None
    if release is None:
        return "Code set: none loaded (the code browser and coding cases need one)"
    state = f"loaded in {release.seconds:.1f} s" if report.codes.changed else "already loaded"
    return f"Code set: {release.name}, {release.entries:,} entries ({state})"


@click.command("setup")
@click.option("-v", "--verbose", is_flag=True, help="Also show each migration step as Alembic logs it.")
@with_appcontext
def setup_command(verbose: bool) -> None:
    """Migrate the database, load the content and code set, create the demo accounts; print what was done."""
    from flask_migrate import upgrade

    before = _revision()
    upgrade(x_arg=["verbose=1"] if verbose else None)
    after = _revision()
    if before == after:
        click.echo(f"Database: up to date (revision {after})")
    else:
        click.echo(f"Database: migrated from {'an empty database' if before is None else 'revision ' + before} "
                   f"to revision {after}")
    if before is None:
        click.echo("Loading the course and the ICD-10-CM code set (the first time takes about a minute)...")
    report = _sync()
    click.echo(_course_line(report))
    click.echo(_codes_line(report))
    if current_app.config.get("DEMO_ACCOUNTS"):
        for line in demo_account_lines():
            click.echo(line)
    click.echo(f"Open {current_app.config['BASE_URL'] or 'the address flask run prints'} in your browser.")
