"""Factories for test data."""

import itertools

from sqlalchemy import select

from app.extensions import db
from app.models import Quiz, QuizAttempt
from app.services.accounts import create_user

DEFAULT_PASSWORD = "a long test password 42"
_sequence = itertools.count(1)


def make_user(role: str = "student", email: str | None = None, password: str = DEFAULT_PASSWORD, name: str | None = None):
    """A user with a unique e-mail address (flushed, not committed)."""
    number = next(_sequence)
    return create_user(email or f"user{number}@example.test", password, name or f"Test User {number}", role)


def quiz(slug: str = "role-quiz") -> Quiz:
    """A quiz of the loaded course by slug."""
    return db.session.scalar(select(Quiz).where(Quiz.slug == slug))


def right_answer_form(attempt: QuizAttempt, wrong: int = 0) -> dict:
    """Form data answering the attempt's questions, the first `wrong` of them incorrectly."""
    data: dict = {}
    for index, shown in enumerate(attempt.snapshot):
        answer = _answer(shown, correct=index >= wrong)
        if isinstance(answer, dict):
            data.update({f"q{index}-{key}": value for key, value in answer.items()})
        else:
            data[f"q{index}"] = answer
    return data


def _answer(shown: dict, correct: bool):
    kind = shown["type"]
    if kind == "ordering":
        order = shown["correct_order"] if correct else list(reversed(shown["correct_order"]))
        return {i: str(order.index(item) + 1) for i, item in enumerate(shown["items"])}
    if kind == "matching":
        key = {p["prompt"]: p["match"] for p in shown["pairs"]}
        picks = [shown["options"].index(key[prompt]) for prompt in shown["prompts"]]
        return {i: str(pick if correct else (pick + 1) % len(shown["options"])) for i, pick in enumerate(picks)}
    if kind == "select_parts":
        wanted = shown["answers"] if correct else shown["answers"][:-1] or [p for p in shown["parts"] if p not in shown["answers"]][:1]
        return [str(shown["parts"].index(part)) for part in wanted]
    if kind == "single_choice":
        choices = shown["choices"]
        target = shown["answer"] if correct else next(c for c in choices if c != shown["answer"])
        return str(choices.index(target))
    if kind == "multiple_response":
        choices = shown["choices"]
        picked = shown["answers"] if correct else [c for c in choices if c not in shown["answers"]][:1]
        return [str(choices.index(c)) for c in picked]
    if kind == "true_false":
        return "true" if shown["answer"] == correct else "false"
    if kind == "numeric":
        return str(shown["answer"] if correct else shown["answer"] + shown.get("tolerance", 0) + 1000)
    if kind == "code_entry":
        return ", ".join(shown["codes"]) if correct else "R69"
    return shown["accepted"][0] if correct else "certainly not this"


def make_attempt(user, quiz_row: Quiz, results: list[bool], when=None, picks: list | None = None) -> QuizAttempt:
    """A submitted attempt with the quiz's first questions shown in file order and the given results."""
    from app.models.base import utcnow
    from app.questions import question_type
    from app.services import course_standings, quiz_standings

    class InOrder:
        def shuffle(self, items):
            """Keep the written order, so tests can name choices by position."""

    questions = quiz_row.questions[: len(results)]
    snapshot = [question_type(q.type).present(q.definition, InOrder()) | {"question_id": q.id} for q in questions]
    score = round(100 * sum(results) / len(results))
    when = when or utcnow()
    attempt = QuizAttempt(user_id=user.id, quiz_id=quiz_row.id, pass_mark=quiz_row.pass_mark, snapshot=snapshot,
                          answers=picks or [None] * len(results), results=results, correct_count=sum(results),
                          score=score, passed=score >= quiz_row.pass_mark, started_at=when, submitted_at=when)
    db.session.add(attempt)
    db.session.flush()
    quiz_standings.record(attempt)  # as submitting does
    course_standings.refresh(user.id)
    return attempt


def make_cohort(instructor, learners=(), name: str = "Test cohort"):
    """A cohort run by `instructor` with these learners enrolled."""
    from app.models import Cohort, Enrolment

    cohort = Cohort(name=name, instructor_id=instructor.id)
    db.session.add(cohort)
    db.session.flush()
    for learner in learners:
        db.session.add(Enrolment(cohort_id=cohort.id, user_id=learner.id))
    db.session.flush()
    return cohort


def make_organisation(manager, name: str = "Lakeside Billing Office"):
    """An organisation managed by `manager`."""
    from app.services.organisations import create_organisation

    organisation = create_organisation(manager, name)
    db.session.flush()
    return organisation


def add_hire(organisation, user, job_role: str = "coder", hire_date=None):
    """Make `user` a current hire of the organisation (as if they accepted an invitation)."""
    from app.models import Membership

    membership = Membership(organisation_id=organisation.id, user_id=user.id, kind="hire", job_role=job_role, hire_date=hire_date)
    db.session.add(membership)
    db.session.flush()
    return membership


def complete_module(user, slug: str, when=None):
    """Record every lesson of the module read and its quiz and exercises passed, as the learner would."""
    from sqlalchemy import select as _select

    from app.models import Module
    from app.models.base import utcnow

    module = db.session.scalar(_select(Module).where(Module.slug == slug))
    when = when or utcnow()
    complete_lessons(user, module.lessons, when)
    for graded in [module.quiz, *module.exercises]:
        make_attempt(user, graded, [True] * min(4, len(graded.questions)), when=when)
    db.session.flush()
    return module


def complete_lessons(user, lessons, when=None) -> None:
    """Record these lessons read by the learner, with the summary row kept as reading them keeps it."""
    from sqlalchemy import select as _select

    from app.models import LessonProgress
    from app.models.base import utcnow
    from app.services import course_standings

    for lesson in lessons:
        row = db.session.scalar(_select(LessonProgress).filter_by(user_id=user.id, lesson_id=lesson.id))
        if row is None:
            db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, completed_at=when or utcnow()))
        else:
            row.completed_at = when or utcnow()
    db.session.flush()
    course_standings.refresh(user.id)
