"""flask audit commands: check the keyed audit chain against its head, and record a new head after a restore."""

import click
from flask.cli import AppGroup

from app.services import audit
from app.services.audit_head import read_head, write_head

audit_group = AppGroup("audit", help="The audit trail.")


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the audit trail's keyed chain and its head; exit 1 naming the first changed event, or the missing ones."""
    verdict = audit.verify()
    if verdict.problem:
        raise click.ClickException(verdict.problem)
    click.echo(f"The audit trail is intact: {verdict.checked} events, up to the recorded head.")


@audit_group.command("reset-head")
@click.confirmation_option(prompt="Record the database's chain as the audit head (after a restore or a lost head file)?")
def audit_reset_head() -> None:
    """Record the database's intact keyed chain as the new head, e.g. after restoring a backup; prints the old head."""
    verdict = audit.verify()
    if verdict.broken is not None:
        raise click.ClickException(verdict.problem + " The head was not changed.")
    old = read_head()
    write_head(verdict.end)
    click.echo(f"Audit head was {old or 'missing'}; now {verdict.end.count} events up to event {verdict.end.last_id}.")
