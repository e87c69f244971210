"""The evidence pack: a ZIP an auditor can read without the application."""

import io
import zipfile
from datetime import date, datetime, time

from sqlalchemy import and_, exists, or_, select

from app.extensions import db
from app.models import (
    Assignment,
    Attestation,
    Certificate,
    HireTraining,
    Membership,
    PolicyVersion,
    Quiz,
    QuizAttempt,
    User,
)
from app.services.certificates import render_pdf, status
from app.services.compliance import status_of
from app.services.exports import to_csv


def build_zip(organisation_id: int, user_ids: list[int], start: date | None, end: date | None, today: date) -> bytes:
    """Completions (with certificates), attempts and attestations of these hires, optionally within dates."""
    since = datetime.combine(start, time.min) if start else datetime.min
    until = datetime.combine(end, time.max) if end else datetime.max
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    trainings = db.session.scalars(select(HireTraining).join(Assignment).where(
        Assignment.organisation_id == organisation_id, HireTraining.user_id.in_(user_ids))
        .order_by(HireTraining.user_id, HireTraining.assignment_id, HireTraining.cycle)).all()
    certificates = {c.hire_training_id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.hire_training_id.in_([t.id for t in trainings])))}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        index, completions = [], []
        for training in trainings:
            user, certificate = users[training.user_id], certificates.get(training.id)
            in_range = training.completed_at is not None and since <= training.completed_at <= until
            pdf_name = f"certificates/{certificate.code}.pdf" if certificate and in_range else ""
            if pdf_name:
                archive.writestr(pdf_name, render_pdf(certificate))
            if in_range:
                completions.append([user.display_name, user.email, training.assignment.title, training.cycle,
                                    training.completed_at.date().isoformat(), training.expires_on or "",
                                    certificate.content_version_id if certificate else "", certificate.code if certificate else "",
                                    status(certificate, today) if certificate else ""])
            index.append([user.display_name, user.email, training.assignment.title, training.cycle,
                          training.assigned_at.date().isoformat(), training.due_on.isoformat(),
                          training.completed_at.date().isoformat() if training.completed_at else "", training.expires_on or "",
                          _status(training, today), pdf_name, _ended(training)])
        archive.writestr("index.csv", to_csv(["Learner", "E-mail", "Training", "Cycle", "Assigned", "Due", "Completed",
                                              "Expires", "Status", "Certificate file", "Training ended"], index))
        archive.writestr("completions.csv", to_csv(["Learner", "E-mail", "Training", "Cycle", "Completed", "Expires",
                                                    "Content version", "Certificate code", "Certificate status"], completions))
        attempts = _attempts(organisation_id, user_ids, trainings, since, until)
        archive.writestr("attempts.csv", to_csv(
            ["Learner", "E-mail", "Quiz", "Handed in (UTC)", "Score %", "Passed", "Questions", "Content version"],
            [[users[a.user_id].display_name, users[a.user_id].email, a.quiz.title, a.submitted_at.isoformat(timespec="seconds"),
              a.score, "yes" if a.passed else "no", len(a.snapshot), a.content_version_id or ""] for a in attempts]))
        attestations = db.session.execute(select(Attestation, PolicyVersion).join(PolicyVersion).where(
            PolicyVersion.organisation_id == organisation_id, Attestation.user_id.in_(user_ids),
            Attestation.at >= since, Attestation.at <= until).order_by(Attestation.at)).all()
        # The words each hire agreed to, not only a version number: the policy may since have changed.
        policy_files = {}
        for _attestation, version in attestations:
            if version.id not in policy_files:
                policy_files[version.id] = f"policies/version-{version.version}.txt"
                archive.writestr(policy_files[version.id], f"Confidentiality policy, version {version.version}, published "
                                 f"{version.created_at:%Y-%m-%d} (UTC)\n\n{version.text}\n")
        archive.writestr("attestations.csv", to_csv(
            ["Learner", "E-mail", "Policy version", "Acknowledged at (UTC)", "Policy text file"],
            [[users[a.user_id].display_name, users[a.user_id].email, v.version, a.at.isoformat(timespec="seconds"),
              policy_files[v.id]] for a, v in attestations]))
    return buffer.getvalue()


def _status(training: HireTraining, today: date) -> str:
    """The cycle's status; an unfinished cycle of an ended assignment no longer counts, so it reads "Ended"."""
    if training.assignment.ended_at is not None and training.completed_at is None:
        return "Ended"
    return status_of(training, today)


def _ended(training: HireTraining) -> str:
    return training.assignment.ended_at.date().isoformat() if training.assignment.ended_at else ""


def _required_quiz_ids(trainings: list[HireTraining]) -> dict[int, set[int] | None]:
    """User id -> the quizzes of the training the organisation requires of them (None: the whole course)."""
    modules: dict[int, set[int] | None] = {}
    for training in trainings:
        rule = training.assignment
        if rule.whole_course or modules.get(training.user_id, set()) is None:
            modules[training.user_id] = None
        else:
            modules.setdefault(training.user_id, set()).update(m.id for m in rule.modules)
    named = set().union(*(m for m in modules.values() if m))
    by_module: dict[int, set[int]] = {}
    for quiz_id, module_id in db.session.execute(select(Quiz.id, Quiz.module_id).where(Quiz.module_id.in_(named))):
        by_module.setdefault(module_id, set()).add(quiz_id)
    return {user_id: None if wanted is None else set().union(*(by_module.get(m, set()) for m in wanted))
            for user_id, wanted in modules.items()}


def _attempts(organisation_id: int, user_ids: list[int], trainings: list[HireTraining], since: datetime,
              until: datetime) -> list[QuizAttempt]:
    """Handed-in attempts made while the learner was the organisation's hire, on the training it requires of them.

    What a hire did before joining or after being removed, or on training the organisation never asked for, is
    not the employer's to see.
    """
    during = and_(Membership.organisation_id == organisation_id, Membership.kind == "hire",
                  Membership.user_id == QuizAttempt.user_id, QuizAttempt.submitted_at >= Membership.joined_at,
                  or_(Membership.removed_at.is_(None), QuizAttempt.submitted_at <= Membership.removed_at))
    attempts = db.session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id.in_(user_ids), QuizAttempt.submitted_at.is_not(None), exists().where(during),
        QuizAttempt.submitted_at >= since, QuizAttempt.submitted_at <= until).order_by(QuizAttempt.submitted_at, QuizAttempt.id)).all()
    required = _required_quiz_ids(trainings)
    return [a for a in attempts if a.user_id in required and (required[a.user_id] is None or a.quiz_id in required[a.user_id])]


def hire_ids(organisation_id: int, include_removed: bool = True) -> list[int]:
    """Every hire of the organisation (removed ones too: their records are evidence)."""
    query = select(Membership.user_id).where(Membership.organisation_id == organisation_id, Membership.kind == "hire")
    if not include_removed:
        query = query.where(Membership.removed_at.is_(None))
    return list(db.session.scalars(query))
