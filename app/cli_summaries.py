"""flask summaries commands: check and rebuild the summary rows reports read (learner x quiz, learner x course, hire x training)."""

import click
from flask.cli import AppGroup

from app import unit_of_work
from app.extensions import db
from app.services import course_standings, quiz_standings, training_progress

summaries_group = AppGroup("summaries", help="The summary rows reports read: rebuilt and checked against the facts.")


def rebuild_summaries(fix: bool) -> int:
    """Recompute every summary row, print each difference from the stored one, and return how many there were."""
    drifts = [f"quiz standing of user {d.user_id}, quiz {d.quiz_id}: {d.field} was {d.stored!r}, the attempts say {d.actual!r}"
              for d in quiz_standings.rebuild(fix)]
    drifts += [f"course standing of user {d.user_id}: {d.field} was {d.stored!r}, the facts say {d.actual!r}"
               for d in course_standings.rebuild(fix)]
    drifts += [f"training {d.training_id} (user {d.user_id}): {d.field} was {d.stored!r}, the facts say {d.actual!r}"
               for d in training_progress.rebuild(fix)]
    for line in drifts:
        click.echo(line + ("; fixed" if fix else ""))
    return len(drifts)


@summaries_group.command("rebuild")
@click.option("--check", is_flag=True, help="Only report differences; change nothing (exit 1 if there are any).")
def summaries_rebuild(check: bool) -> None:
    """Recompute the summary rows from attempts, lessons and acknowledgements, and report any drift."""
    if check:
        found = rebuild_summaries(fix=False)
        db.session.rollback()
        if found:
            raise click.ClickException(f"{found} difference(s) between the summary rows and the facts.")
    else:
        with unit_of_work.transaction():
            found = rebuild_summaries(fix=True)
    click.echo(f"{found} difference(s) found{'' if check else ' and fixed'}.")
