"""flask xapi commands: deliver the statement queue (e.g. from cron) and report on it."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.services import xapi_delivery

xapi_group = AppGroup("xapi", help="xAPI statements for the Learning Record Store (XAPI_ENDPOINT).")


@xapi_group.command("send")
@click.option("--all", "everything", is_flag=True, help="Also send statements still waiting out a retry delay.")
def xapi_send(everything: bool) -> None:
    """Post queued statements to the Learning Record Store; exit 1 if the store could not take them."""
    if not current_app.config.get("XAPI_ENDPOINT"):
        raise click.ClickException("No Learning Record Store is configured (set XAPI_ENDPOINT).")
    counts = xapi_delivery.deliver_pending(due_only=not everything)
    click.echo(f"{counts['sent']} sent, {counts['retry']} to retry later, {counts['rejected']} rejected by the store.")
    if counts["retry"]:
        raise click.ClickException("The store did not take every statement; they stay queued and will be retried.")


@xapi_group.command("status")
def xapi_status() -> None:
    """Count the statements queued, sent and rejected."""
    counts = xapi_delivery.queue_counts()
    endpoint = current_app.config.get("XAPI_ENDPOINT") or "not configured"
    click.echo(f"Store: {endpoint}. Queued {counts['queued']}, sent {counts['sent']}, rejected {counts['rejected']}.")
