"""Quiz attempts: draw and snapshot the questions, grade on the server, record each submission once."""

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app import unit_of_work
from app.content.groups import draw_distinct
from app.content.sync import current_version_id
from app.extensions import db
from app.models import Module, Question, Quiz, QuizAttempt, User
from app.models.base import utcnow
from app.questions import AnswerError, question_type
from app.services import cohort_exceptions, course_standings, quiz_standings, xapi
from app.services import review as review_queue

_rng = random.SystemRandom()


class QuizError(Exception):
    """A quiz action that cannot be carried out; the message is safe to show."""


@dataclass
class ReviewRow:
    """One question of a submitted attempt, as the result page shows it."""

    number: int
    prompt: str
    given: str
    correct: str
    is_right: bool
    explanation: str
    feedback: str | None = None


def open_attempt(user: User, quiz: Quiz) -> QuizAttempt | None:
    """The learner's attempt at this quiz that is started but not yet submitted, if any."""
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id, QuizAttempt.submitted_at.is_(None)
        )
    )


def submitted_count(user: User, quiz: Quiz) -> int:
    """How many attempts the learner has handed in for this quiz."""
    return db.session.scalar(
        select(func.count()).where(
            QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id, QuizAttempt.submitted_at.is_not(None)
        )
    )


def attempts_left(user: User, quiz: Quiz) -> int | None:
    """Attempts the learner may still start (None when unlimited), counting extra attempts their instructor granted."""
    if not quiz.attempts_allowed:
        return None
    allowed = quiz.attempts_allowed + cohort_exceptions.extra_attempts(user.id, quiz.id)
    return max(0, allowed - submitted_count(user, quiz))


def _draw(quiz: Quiz) -> list[Question]:
    """The questions for one attempt: from the quiz's bank, or for the exam from every module's quiz."""
    if quiz.kind != "exam":
        return draw_distinct(quiz.questions, quiz.draw, _definition, _rng)
    drawn: list[Question] = []
    used: set[str] = set()  # shared-fact groups already asked, across every module's bank
    banks = db.session.scalars(
        select(Quiz).join(Quiz.module).where(Quiz.kind == "quiz", Quiz.retired.is_(False), Module.retired.is_(False))
        .order_by(Module.position)
    )
    for bank in banks:
        drawn += draw_distinct(bank.questions, quiz.draw_per_module or 1, _definition, _rng, used)
    return drawn


def _definition(question: Question) -> dict[str, Any]:
    return question.definition


def question_count(quiz: Quiz) -> tuple[int, int]:
    """How many questions an attempt shows, and how many the bank (or, for the exam, all banks) holds."""
    if quiz.kind != "exam":
        return min(quiz.draw, len(quiz.questions)), len(quiz.questions)
    sizes = [len(bank.questions) for bank in db.session.scalars(
        select(Quiz).join(Quiz.module).where(Quiz.kind == "quiz", Quiz.retired.is_(False), Module.retired.is_(False)))]
    return sum(min(quiz.draw_per_module or 1, size) for size in sizes), sum(sizes)


def start_attempt(user: User, quiz: Quiz) -> QuizAttempt:
    """Resume the learner's open attempt or start a new one with freshly drawn, shuffled questions."""
    existing = open_attempt(user, quiz)
    if existing is not None:
        return existing
    if attempts_left(user, quiz) == 0:
        raise QuizError("You have used every attempt this quiz allows.")
    drawn = _draw(quiz)
    if not drawn:
        raise QuizError("This quiz has no questions yet.")
    snapshot = [question_type(q.type).present(q.definition, _rng) | {"question_id": q.id} for q in drawn]
    attempt = QuizAttempt(
        user_id=user.id, quiz_id=quiz.id, pass_mark=quiz.pass_mark, snapshot=snapshot,
        content_version_id=current_version_id(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # A second tab started one at the same moment; the one-open-attempt index kept it single.
        return open_attempt(user, quiz)
    xapi.quiz_attempted(user, attempt)
    return attempt


def parse_answers(attempt: QuizAttempt, form: Any) -> tuple[list[Any], dict[int, str]]:
    """Read each question's answer from the form; returns the answers and {index: message} problems."""
    answers: list[Any] = []
    problems: dict[int, str] = {}
    for index, shown in enumerate(attempt.snapshot):
        try:
            answer = question_type(shown["type"]).parse_answer(shown, form, f"q{index}")
        except AnswerError as error:
            answer, problems[index] = None, str(error)
        else:
            if answer is None:
                problems[index] = "Answer this question before you submit."
        answers.append(answer)
    return answers, problems


# Built once (it runs inside the write lock of every submission). Only an attempt still open is handed in.
# A column's own name is reserved for SET's automatic parameter, so each value is passed as new_<column>.
_HANDED_IN = ("submitted_at", "answers", "results", "correct_count", "score", "passed")
_HAND_IN = (update(QuizAttempt).where(QuizAttempt.id == bindparam("attempt_id"), QuizAttempt.submitted_at.is_(None))
            .values({name: bindparam(f"new_{name}") for name in _HANDED_IN})
            .execution_options(synchronize_session=False))


def submit_attempt(attempt: QuizAttempt, answers: list[Any]) -> bool:
    """Grade and record the attempt; returns False (recording nothing) if it was already submitted.

    The conditional UPDATE is what makes a double click, a resubmitted form or a second tab record
    one result: only the first statement finds the row still open.
    """
    results = [question_type(shown["type"]).is_correct(shown, answer) for shown, answer in zip(attempt.snapshot, answers, strict=True)]
    correct = sum(results)
    score = round(100 * correct / len(results)) if results else 0
    handed_in = {"submitted_at": utcnow(), "answers": answers, "results": results, "correct_count": correct, "score": score,
                 "passed": score >= attempt.pass_mark}
    recorded = db.session.execute(_HAND_IN, {"attempt_id": attempt.id} | {f"new_{name}": value for name, value in handed_in.items()}
                                  ).rowcount
    if recorded:  # the row now holds exactly these values: no need to read it back
        for name, value in handed_in.items():
            set_committed_value(attempt, name, value)
    else:
        db.session.refresh(attempt)
    if recorded:
        quiz_standings.record(attempt)
        course_standings.refresh(attempt.user_id)
        review_queue.record_quiz_results(attempt)
        xapi.quiz_submitted(attempt)
    return recorded == 1


def review(attempt: QuizAttempt) -> list[ReviewRow]:
    """The submitted attempt question by question, from its snapshot."""
    rows = []
    for number, (shown, answer, right) in enumerate(zip(attempt.snapshot, attempt.answers or [], attempt.results or [], strict=False), 1):
        kind = question_type(shown["type"])
        rows.append(ReviewRow(number, shown["prompt"], kind.describe_answer(shown, answer), kind.describe_correct(shown),
                              right, shown["explanation"], kind.feedback(shown, answer)))
    return rows


def history(user: User, quiz: Quiz) -> list[QuizAttempt]:
    """The learner's submitted attempts at a quiz, newest first."""
    return list(db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())
    ))


def save_draft(attempt: QuizAttempt, form: Any) -> None:
    """Keep the answers entered so far on an open attempt (they come back when the attempt is reopened)."""
    if attempt.submitted_at is None:
        attempt.draft = {key: form.getlist(key) for key in form if key.startswith("q")}


def save_draft_on_timeout(user: User, request: Any) -> None:
    """When a session runs out just as a quiz is handed in, keep the answers rather than lose them."""
    if request.method != "POST" or request.endpoint not in ("learn.attempt", "learn.save_draft"):
        return
    attempt = db.session.get(QuizAttempt, (request.view_args or {}).get("attempt_id"))
    if attempt is not None and attempt.user_id == user.id and attempt.submitted_at is None:
        unit_of_work.write()
        save_draft(attempt, request.form)
