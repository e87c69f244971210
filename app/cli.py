"""flask commands: content validate/sync, users create/set-password, demo create, setup."""

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import unit_of_work
from app.cli_audit import audit_group
from app.cli_startup import demo_account_lines, setup_command
from app.cli_summaries import rebuild_summaries, summaries_group
from app.cli_xapi import xapi_group
from app.codeset.checks import check_codes
from app.content.bank_stats import course_figures
from app.content.gift_command import import_gift
from app.content.loader import load_course
from app.content.sync import ContentError, sync_content
from app.models import ROLES
from app.services import mail
from app.services.accounts import AccountError, create_user, find_user, set_password
from app.services.backup import BackupError, backup_sqlite
from app.services.bench import time_compliance, time_gradebook
from app.services.demo import build_cohort, build_organisation
from app.services.passwords import password_problem
from app.services.reminders import send_reminders


def _content_root() -> Path:
    return Path(current_app.config["CONTENT_DIR"])


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    for group in (content, users, demo, reminders, mail_group, audit_group, xapi_group, summaries_group):
        app.cli.add_command(group)
    app.cli.add_command(backup_command)
    app.cli.add_command(setup_command)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH (safe while the app is running)."""
    try:
        size = backup_sqlite(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {path} ({size:,} bytes); integrity check passed.")


reminders = AppGroup("reminders", help="Required-training reminders (run daily, e.g. from cron).")
mail_group = AppGroup("mail", help="The e-mail outbox.")


@reminders.command("send")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Act as if it were this day everywhere (by default each organisation's own date today).")
def reminders_send(today) -> None:
    """Send due, overdue and expiry reminders once each, renew expired yearly training, deliver the outbox.

    An organisation whose part fails is logged and skipped; the others are done, and the command exits 1.
    """
    day = today.date() if today else None
    with unit_of_work.transaction():
        rebuild_summaries(fix=True)  # the daily run checks the summary rows against the facts and mends any drift
        report = send_reminders(day)
    delivered = mail.deliver_pending()
    for line in report.sent:
        click.echo(f"sent {line}")
    when = day or "each organisation's date today"
    click.echo(f"{len(report.sent)} reminder(s) queued for {when}, {report.renewed} yearly renewal(s); "
               f"outbox: {delivered['sent']} sent, {delivered['retry']} to retry, {delivered['failed']} failed.")
    if report.failed:
        raise click.ClickException(f"Skipped {len(report.failed)} organisation(s) that failed (ids "
                                   f"{', '.join(map(str, report.failed))}); see the log. The others were done.")


@mail_group.command("send")
@click.option("--all", "everything", is_flag=True, help="Also send messages still waiting out a retry delay.")
def mail_send(everything: bool) -> None:
    """Deliver queued e-mail now (from cron, e.g. every 5 minutes; the app's own sender does the same)."""
    delivered = mail.deliver_pending(due_only=not everything)
    click.echo(f"{delivered['sent']} sent, {delivered['retry']} to retry later, {delivered['failed']} failed for good.")
    if delivered["retry"]:  # cron reports a mail server that is down or refuses us for now
        raise click.ClickException("The mail server did not take every message; they stay queued and will be retried.")


content = AppGroup("content", help="Check and load the course content (lessons/ and quizzes/).")
content.add_command(import_gift)


@content.command("validate")
@click.option("--strict", is_flag=True, help="Exit 1 on cue warnings too (a key that is the longest choice, lopsided true/false).")
def content_validate(strict: bool) -> None:
    """Report every problem in the content files, with file and line, and each bank's cue figures; exit 1 on a problem."""
    course, problems = load_course(_content_root())
    release, code_problems = check_codes(course) if not problems else ("", [])
    for problem in sorted(problems + code_problems):
        click.echo(str(problem), err=True)
    checked = f"Codes checked against {release}." if release else ""
    if problems or code_problems:
        click.echo(checked, err=True)
        raise click.ClickException(f"{len(problems) + len(code_problems)} problem(s) found; nothing was loaded.")
    warned = 0
    for figures in course_figures(course):
        click.echo(f"{figures.file}: key longest in {figures.key_longest}/{figures.single} single-choice "
                   f"({figures.key_longest_share:.0%}), true keys {figures.true_keys}/{figures.true_false} "
                   f"({figures.true_share:.0%})")
        for warning in figures.warnings():
            warned += 1
            click.echo(f"warning: {figures.file}: {warning}", err=True)
    questions = sum(len(q.questions) for q in course.quizzes)
    click.echo(f"OK: {len(course.modules)} modules, {len(course.lessons)} lessons, "
               f"{len(course.quizzes)} quizzes, {questions} questions, {warned} warning(s). {checked}")
    if strict and warned:
        raise click.ClickException(f"{warned} warning(s) in strict mode.")


@content.command("readability")
def content_readability() -> None:
    """Print each lesson's Flesch-Kincaid grade; exit 1 if any is above grade 10."""
    from app.content.readability import MAX_GRADE, lesson_grades  # textstat's dictionaries only when asked

    course, problems = load_course(_content_root())
    if problems:
        raise click.ClickException("Fix the content problems first: flask --app app content validate")
    readings = lesson_grades(course)
    for reading in readings:
        click.echo(f"{reading.grade:5.1f}  {'ok ' if reading.ok else 'TOO HARD'}  {reading.file}")
    too_hard = [r for r in readings if not r.ok]
    if too_hard:
        raise click.ClickException(f"{len(too_hard)} lesson(s) above grade {MAX_GRADE:g}.")
    average = sum(r.grade for r in readings) / len(readings)
    click.echo(f"All {len(readings)} lessons at grade {MAX_GRADE:g} or below (average {average:.1f}).")


@content.command("sync")
def content_sync() -> None:
    """Validate, then load the content into the database in one transaction."""
    try:
        with unit_of_work.transaction():
            report = sync_content(_content_root())
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s) found; the database was not changed.") from None
    state = "loaded" if report.changed else "already up to date"
    counts = ", ".join(f"{value} {key}" for key, value in report.counts.items())
    click.echo(f"Content {state} (version {report.version.id}): {counts}.")
    release = report.codes.release
    if report.codes.changed:
        click.echo(f"Code set {release.name} loaded: {release.entries:,} entries ({release.billable:,} billable) in {release.seconds:.1f} s.")
    else:
        click.echo(f"Code set {release.name} already loaded ({release.entries:,} entries).")


users = AppGroup("users", help="Manage accounts.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), default="student", show_default=True)
@click.option("--name", "display_name", default=None, help="Display name (defaults to the part before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, role: str, display_name: str | None, password_stdin: bool) -> None:
    """Create an account with a role."""
    password = _read_password(password_stdin)
    problem = password_problem(password, email, display_name or "")
    if problem:
        raise click.ClickException(problem)
    try:
        with unit_of_work.transaction():
            user = create_user(email, password, display_name or email.split("@")[0], role)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} account {user.email}.")


@users.command("set-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_set_password(email: str, password_stdin: bool) -> None:
    """Give an account a new password (its sessions end)."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account with e-mail {email}.")
    password = _read_password(password_stdin)
    problem = password_problem(password, user.email, user.display_name)
    if problem:
        raise click.ClickException(problem)
    with unit_of_work.transaction():
        set_password(user, password)
    click.echo(f"Password changed for {user.email}.")


demo = AppGroup("demo", help="Demo data for development.")


@demo.command("cohort")
@click.option("--learners", default=1000, show_default=True, help="How many learners to generate.")
@click.option("--instructor", "instructor_email", default="instructor@demo.example", show_default=True)
def demo_cohort(learners: int, instructor_email: str) -> None:
    """Build a cohort of generated learners (10 quizzes, 3 attempts each) for measuring the gradebook."""
    if not current_app.config.get("DEMO_ACCOUNTS"):
        raise click.ClickException("Demo data is disabled in this configuration.")
    instructor = find_user(instructor_email)
    if instructor is None or instructor.role not in ("instructor", "admin"):
        raise click.ClickException(f"No instructor account {instructor_email}; run: flask --app app demo create")
    with unit_of_work.transaction():
        cohort = build_cohort(instructor, learners)
    click.echo(f"Cohort {cohort.id} “{cohort.name}” built. Measure it with: flask --app app demo time-gradebook --cohort {cohort.id}")


@demo.command("organisation")
@click.option("--hires", default=2000, show_default=True, help="How many hires to generate.")
@click.option("--manager", "manager_email", default="employer@demo.example", show_default=True)
def demo_organisation(hires: int, manager_email: str) -> None:
    """Build an organisation of generated hires with 5 required trainings each, for the compliance dashboard."""
    if not current_app.config.get("DEMO_ACCOUNTS"):
        raise click.ClickException("Demo data is disabled in this configuration.")
    manager = find_user(manager_email)
    if manager is None or manager.role != "employer":
        raise click.ClickException(f"No employer account {manager_email}; run: flask --app app demo create")
    with unit_of_work.transaction():
        organisation = build_organisation(manager, hires)
    click.echo(f"Organisation {organisation.id} built. Measure it with: flask --app app demo time-compliance --organisation {organisation.id}")


@demo.command("time-compliance")
@click.option("--organisation", "organisation_id", type=int, required=True)
@click.option("--runs", default=20, show_default=True)
def demo_time_compliance(organisation_id: int, runs: int) -> None:
    """Render an organisation's compliance dashboard several times in-process; print server time and SQL queries."""
    click.echo(time_compliance(current_app, organisation_id, runs))


@demo.command("time-gradebook")
@click.option("--cohort", "cohort_id", type=int, required=True)
@click.option("--runs", default=20, show_default=True)
def demo_time_gradebook(cohort_id: int, runs: int) -> None:
    """Render a cohort's gradebook several times in-process and print server time and SQL query count."""
    report = time_gradebook(current_app, cohort_id, runs)
    click.echo(report)


@demo.command("create")
def demo_create() -> None:
    """Create one demo account per role with a random one-time password (never in production)."""
    if not current_app.config.get("DEMO_ACCOUNTS"):
        raise click.ClickException("Demo accounts are disabled in this configuration.")
    for line in demo_account_lines():
        click.echo(line)
