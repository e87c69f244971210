"""Required training: assignment rules, each hire's cycles, completion and yearly renewal."""

from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    Assignment,
    HireTraining,
    Membership,
    Module,
    Organisation,
    QuizAttempt,
    User,
)
from app.models.base import utcnow
from app.services import certificates, policy
from app.services.progress import course_progress

RENEWAL_GRACE_DAYS = 30  # a renewed yearly training is due this long after the last one expired
AUDIENCES = ("hire", "role", "everyone")


class AssignmentError(ValueError):
    """An assignment that cannot be made; the message is safe to show."""


def create(organisation: Organisation, manager: User, title: str, module_slugs: list[str], audience: str,
           hire_id: int | None, job_role: str, due_date: date | None, due_days: int | None, yearly: bool,
           today: date) -> Assignment:
    """A rule requiring modules (or the whole course) of hires, applied at once to the hires it matches."""
    if audience not in AUDIENCES:
        raise AssignmentError("Choose who the training is for.")
    if (due_date is None) == (due_days is None):
        raise AssignmentError("Give either a fixed due date or a number of days after the hire date.")
    known = set(db.session.scalars(select(Module.slug).where(Module.retired.is_(False))))
    if not set(module_slugs) <= known:
        raise AssignmentError("Choose modules from the list.")
    if audience == "role" and not job_role.strip():
        raise AssignmentError("Give the job role this training is for.")
    rule = Assignment(organisation_id=organisation.id, title=title.strip(), module_slugs=module_slugs, audience=audience,
                      hire_id=hire_id if audience == "hire" else None, job_role=job_role.strip() if audience == "role" else "",
                      due_date=due_date, due_days=due_days, yearly=yearly, created_by=manager.id)
    db.session.add(rule)
    db.session.flush()
    hires = db.session.scalars(select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.kind == "hire", Membership.removed_at.is_(None)))
    matched = [m for m in hires if applies(rule, m)]
    if audience == "hire" and not matched:
        raise AssignmentError("That person is not a current hire of your organisation.")
    for membership in matched:
        _start_cycle(rule, membership.user_id, 1, due_on(rule, membership, today))
    return rule


def applies(rule: Assignment, membership: Membership) -> bool:
    """Whether an assignment rule covers this hire."""
    if rule.audience == "everyone":
        return True
    if rule.audience == "role":
        return membership.job_role.strip().casefold() == rule.job_role.casefold()
    return rule.hire_id == membership.user_id


def due_on(rule: Assignment, membership: Membership, today: date) -> date:
    """A fixed due date, or the hire date (today if unknown) plus the rule's days."""
    if rule.due_date is not None:
        return rule.due_date
    return (membership.hire_date or today) + timedelta(days=rule.due_days)


def _start_cycle(rule: Assignment, user_id: int, cycle: int, due: date) -> HireTraining | None:
    try:
        with db.session.begin_nested():
            training = HireTraining(assignment_id=rule.id, user_id=user_id, cycle=cycle, due_on=due)
            db.session.add(training)
        return training
    except IntegrityError:  # already there (a repeated join or renewal)
        return None


def apply_rules_to_new_hire(membership: Membership, today: date) -> int:
    """Give a hire who just joined every role-based or everyone assignment they match; returns how many."""
    rules = db.session.scalars(select(Assignment).where(
        Assignment.organisation_id == membership.organisation_id, Assignment.audience != "hire"))
    started = [_start_cycle(rule, membership.user_id, 1, due_on(rule, membership, today))
               for rule in rules if applies(rule, membership)]
    return sum(1 for training in started if training)


def required_modules(rule: Assignment) -> list[Module]:
    """The modules the rule requires (every module when it names none: the whole course)."""
    query = select(Module).where(Module.retired.is_(False)).order_by(Module.position)
    if rule.module_slugs:
        query = query.where(Module.slug.in_(rule.module_slugs))
    return list(db.session.scalars(query))


def _passed_since(user: User, modules: list[Module], since: datetime) -> bool:
    """Whether every graded quiz of the modules was passed at or after `since` (for a renewal cycle)."""
    for module in modules:
        for quiz in [module.quiz, *module.exercises]:
            if quiz is not None and not db.session.scalar(select(exists().where(
                    QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id, QuizAttempt.passed.is_(True),
                    QuizAttempt.submitted_at >= since))):
                return False
    return True


def is_complete(training: HireTraining, user: User) -> bool:
    """Lessons read and quizzes passed (again, for a renewal) and, if it covers confidentiality, the policy acknowledged."""
    rule = training.assignment
    progress = course_progress(user)
    modules = required_modules(rule)
    slugs = {module.slug for module in modules}
    if not all(entry.complete for entry in progress.modules if entry.module.slug in slugs):
        return False
    if not rule.module_slugs and not progress.complete:
        return False
    if training.cycle > 1 and not _passed_since(user, modules, training.assigned_at):
        return False
    if "confidentiality" in slugs and policy.needs_attestation(user, rule.organisation_id):
        return False
    return True


def refresh_completions(user: User, now: datetime | None = None) -> list[HireTraining]:
    """Mark the learner's open trainings that are now complete, issuing a certificate for each."""
    now = now or utcnow()
    open_trainings = db.session.scalars(
        select(HireTraining).join(Assignment).join(Membership, (Membership.organisation_id == Assignment.organisation_id)
                                                   & (Membership.user_id == HireTraining.user_id))
        .where(HireTraining.user_id == user.id, HireTraining.completed_at.is_(None), Membership.removed_at.is_(None))).all()
    completed = []
    for training in open_trainings:
        if is_complete(training, user):
            training.completed_at = now
            if training.assignment.yearly:
                training.expires_on = _one_year_after(now.date())
            certificates.issue(training, user)
            completed.append(training)
    return completed


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def renew_expired(today: date, organisation_id: int | None = None) -> list[HireTraining]:
    """Start the next cycle of every yearly training (of one organisation, if given) that has expired and has no newer cycle."""
    query = select(HireTraining).join(Assignment).where(
        Assignment.yearly.is_(True), HireTraining.expires_on.is_not(None), HireTraining.expires_on < today)
    if organisation_id is not None:
        query = query.where(Assignment.organisation_id == organisation_id)
    expired = db.session.scalars(query).all()
    started = []
    for training in expired:
        later = db.session.scalar(select(exists().where(
            HireTraining.assignment_id == training.assignment_id, HireTraining.user_id == training.user_id,
            HireTraining.cycle > training.cycle)))
        still_hired = db.session.scalar(select(exists().where(
            Membership.organisation_id == training.assignment.organisation_id, Membership.user_id == training.user_id,
            Membership.removed_at.is_(None))))
        if not later and still_hired:
            renewal = _start_cycle(training.assignment, training.user_id, training.cycle + 1,
                                   training.expires_on + timedelta(days=RENEWAL_GRACE_DAYS))
            if renewal:
                started.append(renewal)
    return started
