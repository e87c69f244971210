"""flask training commands: check and rebuild where each hire stands on their required training."""

import click
from flask.cli import AppGroup

from app.extensions import db
from app.services import training_progress

training_group = AppGroup("training", help="Required training: each open cycle's standing, kept on its row.")


def report_drift(drifts: list[training_progress.Drift], fixed: bool) -> None:
    """Print each difference between the stored standing and the facts."""
    for drift in drifts:
        click.echo(f"training {drift.training_id} (user {drift.user_id}): {drift.field} was {drift.stored!r}, "
                   f"the facts say {drift.actual!r}{'; fixed' if fixed else ''}")


@training_group.command("rebuild")
@click.option("--check", is_flag=True, help="Only report differences; change nothing (exit 1 if there are any).")
def training_rebuild(check: bool) -> None:
    """Recompute every open training cycle from lessons, attempts and acknowledgements, and report any drift."""
    drifts = training_progress.rebuild(fix=not check)
    report_drift(drifts, fixed=not check)
    if check:
        db.session.rollback()
        if drifts:
            raise click.ClickException(f"{len(drifts)} difference(s) between the stored standing and the facts.")
    else:
        db.session.commit()
    click.echo(f"{len(drifts)} difference(s) found{'' if check else ' and fixed'}.")
