"""The daily reminders run: due-date reminders, overdue digests, expiry notices and yearly renewals.

Each reminder has a key recorded in reminders_sent, so running the command any number of times a day
sends each reminder once. Organisations are done one by one: one that fails is logged and skipped, and
never stops the others. Every text stored is fitted to its column (subjects through mail.fitted).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Assignment,
    HireTraining,
    Membership,
    Organisation,
    ReminderSent,
    User,
)
from app.models.base import utcnow
from app.services import local_time, mail
from app.services.assignments import renew_expired
from app.services.compliance import EXPIRING_DAYS


@dataclass
class RunReport:
    """What one run did, and the organisations it had to skip."""

    sent: list[str] = field(default_factory=list)
    renewed: int = 0
    failed: list[int] = field(default_factory=list)  # organisation ids whose part failed (logged) and was rolled back


def _kind(training: HireTraining, today: date) -> str | None:
    """Which reminder this cycle is due for today, if any."""
    if training.completed_at is None:
        days = (training.due_on - today).days
        if 3 < days <= 7:
            return "due-7"
        if 0 <= days <= 3:
            return "due-3"
        return "overdue" if days < 0 else None
    if training.expires_on is not None and 0 <= (training.expires_on - today).days <= EXPIRING_DAYS:
        return "expiry-30"
    return None


# Subjects are fitted to the column (mail.fitted): the title is shortened, never the fixed words.
MESSAGES = {
    "due-7": ("Reminder: “{title}” is due on {due}", "Your required training “{title}” is due in a week, on {due}.\n\nContinue here: {link}"),
    "due-3": ("“{title}” is due in 3 days", "Your required training “{title}” is due on {due}.\n\nContinue here: {link}"),
    "overdue": ("Overdue: “{title}”", "Your required training “{title}” was due on {due} and is not complete yet.\n\n"
                "Please finish it now: {link}"),
    "expiry-30": ("“{title}” expires on {expires}", "Your certificate for “{title}” expires on {expires}. "
                  "You will be asked to take the training again.\n\n{link}"),
}
DIGEST_SUBJECT = "{organisation}: {count} overdue training item(s) on {day}"


def _message(kind: str, training: HireTraining, user: User) -> tuple[str, str]:
    values = {"title": training.assignment.title, "due": f"{training.due_on:%d %B %Y}",
              "expires": f"{training.expires_on:%d %B %Y}" if training.expires_on else ""}
    subject, body = MESSAGES[kind]
    return (mail.fitted(subject, **values),
            f"Hello {user.display_name},\n\n{body.format(**values, link=mail.site_url('learn.dashboard'))}\n")


def _claim(key: str, already: set[str]) -> bool:
    """Record the reminder's key; False if it was sent before."""
    if key in already:
        return False
    db.session.add(ReminderSent(key=key))
    already.add(key)
    return True


def send_reminders(today: date | None = None, now: datetime | None = None) -> RunReport:
    """Queue every reminder due today that was not sent before, renew expired yearly training, and report.

    "Today" is each organisation's own date (its time zone) at `now`, unless `today` names the day for all.
    Each organisation is done in its own savepoint: one whose part fails is logged, rolled back and named in
    the report, and the others go on (the caller commits what succeeded).
    """
    report = RunReport()
    already = set(db.session.scalars(select(ReminderSent.key)))
    now = now or utcnow()
    for organisation in list(db.session.scalars(select(Organisation).order_by(Organisation.id))):
        organisation_id, day = organisation.id, today or local_time.today(organisation, now)
        try:
            with db.session.begin_nested():
                renewed, sent = _organisation_run(organisation_id, day, already)
        except Exception:  # whatever broke, the other organisations still get their reminders and renewals
            current_app.logger.exception("Reminders for organisation %s failed on %s; it was skipped", organisation_id, day)
            report.failed.append(organisation_id)
            continue
        report.renewed += renewed
        report.sent += sent
    return report


def _organisation_run(organisation_id: int, today: date, already: set[str]) -> tuple[int, list[str]]:
    """One organisation's renewals, reminders and manager digest: (renewals started, lines for the report)."""
    renewed = len(renew_expired(today, organisation_id=organisation_id))
    rows = db.session.execute(
        select(HireTraining, User, Assignment)
        .join(Assignment, Assignment.id == HireTraining.assignment_id).join(User, User.id == HireTraining.user_id)
        .join(Membership, (Membership.organisation_id == Assignment.organisation_id) & (Membership.user_id == User.id))
        .where(Assignment.organisation_id == organisation_id, Assignment.ended_at.is_(None), Membership.removed_at.is_(None),
               Membership.kind == "hire", User.active.is_(True))
        .order_by(HireTraining.id)).all()
    latest: dict[tuple[int, int], HireTraining] = {}
    for training, _user, _rule in rows:
        key = (training.assignment_id, training.user_id)
        if key not in latest or training.cycle > latest[key].cycle:
            latest[key] = training
    sent: list[str] = []
    overdue: list[tuple[User, HireTraining]] = []
    for training, user, _rule in rows:
        if latest[(training.assignment_id, training.user_id)] is not training:
            continue
        kind = _kind(training, today)
        if kind == "overdue":
            overdue.append((user, training))
        if kind and _claim(f"training:{training.id}:{kind}", already):
            subject, body = _message(kind, training, user)
            mail.queue(user.email, subject, body, kind=f"reminder-{kind}", training_id=training.id)
            sent.append(f"{kind} to {user.email}: {training.assignment.title}")
    if overdue and _claim(f"digest:{organisation_id}:{today.isoformat()}", already):
        sent += _digest(organisation_id, overdue, today)
    return renewed, sent


def _digest(organisation_id: int, overdue: list[tuple[User, HireTraining]], today: date) -> list[str]:
    organisation = db.session.get(Organisation, organisation_id)
    managers = db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.organisation_id == organisation_id, Membership.kind == "manager", Membership.removed_at.is_(None)))
    lines = "\n".join(f"- {user.display_name} ({user.email}): {training.assignment.title}, due {training.due_on:%d %B %Y}"
                      for user, training in overdue)
    link = mail.site_url("employer.dashboard", status="Overdue")
    subject = mail.fitted(DIGEST_SUBJECT, organisation=organisation.name, count=len(overdue), day=f"{today:%d %B %Y}")
    sent = []
    for manager in managers:
        mail.queue(manager.email, subject,
                   f"Hello {manager.display_name},\n\nThese required trainings are overdue:\n\n{lines}\n\nSee them all: {link}\n",
                   kind="digest")
        sent.append(f"digest to {manager.email}: {len(overdue)} overdue")
    return sent
