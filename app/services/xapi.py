"""xAPI 1.0.3 statements about lessons and quizzes, queued with the learner's action when an LRS is configured.

The statements ride in the request's transaction: they exist exactly when the action they describe was
recorded. `app.services.xapi_delivery` posts them to the Learning Record Store after the commit.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import current_app

from app.extensions import db
from app.models import Lesson, QuizAttempt, User, XapiStatement
from app.questions import question_type
from app.questions.base import Interaction
from app.services.mail import site_url

VERBS = {verb: f"http://adlnet.gov/expapi/verbs/{verb}" for verb in ("attempted", "answered", "completed", "passed", "failed")}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
}
PLATFORM = "Billing & Coding Academy"
LANGUAGE = "en-US"


def enabled() -> bool:
    """Whether a Learning Record Store is configured."""
    return bool(current_app.config.get("XAPI_ENDPOINT"))


class _Builder:
    """Builds the statements of one action, with absolute activity ids on BASE_URL."""

    def __init__(self) -> None:
        self.base = current_app.config["BASE_URL"].rstrip("/")
        self.course = self.activity(site_url("learn.dashboard"), "course", PLATFORM)

    def activity(self, iri: str, kind: str, name: str) -> dict[str, Any]:
        return {"objectType": "Activity", "id": iri,
                "definition": {"type": ACTIVITY_TYPES[kind], "name": {LANGUAGE: name[:250]}}}

    def interaction(self, iri: str, prompt: str, interaction: Interaction) -> dict[str, Any]:
        """A question as a cmi.interaction activity: its interaction type, correct responses and components."""
        target = self.activity(iri, "question", prompt)
        definition = target["definition"]
        definition["interactionType"] = interaction.kind
        definition["correctResponsesPattern"] = interaction.correct
        for kind, components in interaction.components.items():
            definition[kind] = [{"id": key, "description": {LANGUAGE: text}} for key, text in components]
        return target

    def actor(self, user: User) -> dict[str, Any]:
        # An account on this site, not the e-mail address: the store needs a stable id, not a mailbox.
        return {"objectType": "Agent", "name": user.display_name, "account": {"homePage": self.base, "name": str(user.id)}}

    def statement(self, user: User, verb: str, target: dict[str, Any], when: datetime, *, result: dict | None = None,
                  parents: list[dict] | None = None, registration: str | None = None) -> XapiStatement:
        context: dict[str, Any] = {"platform": PLATFORM, "language": LANGUAGE,
                                   "contextActivities": {"grouping": [self.course]}}
        if parents:
            context["contextActivities"]["parent"] = parents
        if registration:
            context["registration"] = registration
        body = {
            "id": str(uuid.uuid4()),
            "actor": self.actor(user),
            "verb": {"id": VERBS[verb], "display": {LANGUAGE: verb}},
            "object": target,
            "context": context,
            "timestamp": when.replace(tzinfo=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        if result is not None:
            body["result"] = result
        row = XapiStatement(statement_id=body["id"], verb=verb, user_id=user.id, body=body)
        db.session.add(row)
        db.session.info["xapi_queued"] = True  # tells the after-commit hook there is something to send
        return row


def lesson_completed(user: User, lesson: Lesson, when: datetime) -> None:
    """Queue "completed" for a lesson the learner has just finished for the first time."""
    if not enabled():
        return
    build = _Builder()
    target = build.activity(site_url("learn.lesson", slug=lesson.slug), "lesson", lesson.title)
    build.statement(user, "completed", target, when, result={"completion": True})


def _registration(build: _Builder, attempt: QuizAttempt) -> str:
    # Every statement about one attempt shares a registration, derived so that it is the same on each send.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{build.base}/attempts/{attempt.id}"))


def quiz_attempted(user: User, attempt: QuizAttempt) -> None:
    """Queue "attempted" for a newly started quiz attempt."""
    if not enabled():
        return
    build = _Builder()
    quiz = build.activity(site_url("learn.quiz", slug=attempt.quiz.slug), "assessment", attempt.quiz.title)
    build.statement(user, "attempted", quiz, attempt.started_at, registration=_registration(build, attempt))


def quiz_submitted(attempt: QuizAttempt) -> None:
    """Queue "answered" for each question, then "completed" and "passed" or "failed" for the attempt."""
    if not enabled():
        return
    user = db.session.get(User, attempt.user_id)
    build = _Builder()
    registration = _registration(build, attempt)
    quiz_iri = site_url("learn.quiz", slug=attempt.quiz.slug)
    quiz = build.activity(quiz_iri, "assessment", attempt.quiz.title)
    when = attempt.submitted_at
    for shown, answer, right in zip(attempt.snapshot, attempt.answers, attempt.results, strict=True):
        interaction = question_type(shown["type"]).interaction(shown, answer)
        question = build.interaction(f"{quiz_iri}#{shown['key']}", shown["prompt"], interaction)
        result: dict[str, Any] = {"success": bool(right)}
        if interaction.response:  # an unanswered question has no response (xAPI forbids an empty one)
            result["response"] = interaction.response
        build.statement(user, "answered", question, when, parents=[quiz], registration=registration, result=result)
    total = len(attempt.results)
    # Exactly raw / max: a rounded percentage would send 5 of 6 as 0.83.
    scaled = attempt.correct_count / total if total else 0.0
    outcome = {"score": {"scaled": scaled, "raw": attempt.correct_count, "min": 0, "max": total},
               "success": bool(attempt.passed), "completion": True}
    build.statement(user, "completed", quiz, when, result=outcome, registration=registration)
    build.statement(user, "passed" if attempt.passed else "failed", quiz, when, result=outcome, registration=registration)
