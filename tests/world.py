"""A populated world for security tests: each role's own objects, and a private learner others must not see."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Certificate, Invitation, Lesson, PolicyVersion
from app.models.base import utcnow
from app.services import assignments, policy
from tests.factories import add_hire, complete_module, make_attempt, make_cohort, make_organisation, make_user, quiz

SECRET_NAME = "Secret Owner Quinlan"
INVITE_TOKEN = "known-invitation-token-for-tests"


@dataclass
class World:
    owner: object
    attempt: object
    cohort: object
    organisation: object
    certificate: object
    policy_version: object
    accounts: dict
    teacher: object = None  # the owner's instructor and manager, who may see the owner's records
    manager: object = None  # role -> an account of that role that is NOT allowed to see the owner
    assignment_id: int = 0  # the organisation's required training


def build_world() -> World:
    owner = make_user(name=SECRET_NAME, email="secret.owner@example.com")
    teacher, manager = make_user("instructor"), make_user("employer")
    cohort = make_cohort(teacher, [owner])
    organisation = make_organisation(manager)
    add_hire(organisation, owner)
    version = policy.publish(organisation, manager, "Keep patient data private.")
    rule = assignments.create(organisation, manager, "Role basics", ["role"], "everyone", None, "", None, 30, True, utcnow().date())
    complete_module(owner, "role")
    attempt = make_attempt(owner, quiz(), [True, False] * 4)
    assignments.refresh_completions(owner)
    db.session.add(Invitation(organisation_id=organisation.id, email="invitee@example.com", name="Invitee",
                              token_hash=hashlib.sha256(INVITE_TOKEN.encode()).hexdigest(), invited_by=manager.id,
                              expires_at=utcnow() + timedelta(days=7)))
    other_manager = make_user("employer")
    make_organisation(other_manager, name="Other organisation")
    accounts = {"student": make_user(), "instructor": make_user("instructor"), "employer": other_manager, "admin": make_user("admin")}
    make_cohort(accounts["instructor"], [], name="Someone else's class")
    db.session.commit()
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == owner.id))
    return World(owner, attempt, cohort, organisation, certificate, db.session.get(PolicyVersion, version.id), accounts,
                 teacher, manager, rule.id)


def url_values(world: World, endpoint: str, arguments: set[str]) -> dict:
    """Values for a route's URL variables, pointing at objects that belong to the private owner."""
    lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
    values = {"attempt_id": world.attempt.id, "cohort_id": world.cohort.id, "user_id": world.owner.id,
              "certificate_id": world.certificate.id, "version_id": world.policy_version.id, "number": 0,
              "folder": "quizzes", "name": "role.yaml", "token": INVITE_TOKEN,
              "quiz_id": quiz().id,
              "invitation_id": db.session.scalar(select(Invitation.id).where(Invitation.organisation_id == world.organisation.id)),
              "assignment_id": world.assignment_id}
    values["slug"] = lesson.slug if "lesson" in endpoint or "check" in endpoint else "role-quiz"
    values["code"] = world.certificate.code if endpoint == "employer.verify" else world.cohort.join_code
    return {key: values[key] for key in arguments}
