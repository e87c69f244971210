"""Item analysis of a quiz over a group's attempts: facility, discrimination, choice counts and flags.

Discrimination uses the upper-minus-lower groups method (Kelley's 27%): among the attempts that were
shown a question, rank them by the attempt's score, take the top and bottom 27% (at least one attempt
each), and subtract the lower group's proportion correct from the upper group's.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Question, Quiz, QuizAttempt

METHOD = "upper-minus-lower groups (top and bottom 27% of attempts by score)"
GROUP_SHARE = 0.27
MIN_RESPONSES = 5  # below this, flags would be noise
TOO_EASY, TOO_HARD, WEAK_DISCRIMINATION = 0.9, 0.3, 0.2
CHOICE_TYPES = {"single_choice", "multiple_response", "true_false"}


@dataclass
class ItemStats:
    """One question's figures over the attempts that were shown it."""

    question_id: int | None
    key: str
    prompt: str
    type: str
    responses: int = 0
    correct: int = 0
    facility: float | None = None
    discrimination: float | None = None
    choices: dict[str, int] = field(default_factory=dict)  # choice text -> times picked
    correct_choices: set[str] = field(default_factory=set)
    flags: list[str] = field(default_factory=list)
    source_file: str = ""
    source_line: int = 0


def attempts_for(quiz: Quiz, learner_ids: Select, first_only: bool = True) -> list[QuizAttempt]:
    """The submitted attempts at the quiz by these learners: each learner's first, or all of them."""
    query = select(QuizAttempt).where(
        QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id.in_(learner_ids), QuizAttempt.submitted_at.is_not(None))
    if first_only:
        first = (select(func.min(QuizAttempt.id)).where(
            QuizAttempt.quiz_id == quiz.id, QuizAttempt.submitted_at.is_not(None), QuizAttempt.user_id.in_(learner_ids))
            .group_by(QuizAttempt.user_id))
        query = query.where(QuizAttempt.id.in_(first))
    return list(db.session.scalars(query.order_by(QuizAttempt.id)))


def _upper_minus_lower(pairs: list[tuple[float, bool]]) -> float | None:
    """Proportion correct in the top group minus in the bottom group; None with fewer than 2 responses."""
    if len(pairs) < 2:
        return None
    size = max(1, math.floor(len(pairs) * GROUP_SHARE + 0.5))
    ranked = sorted(pairs, key=lambda pair: pair[0])
    lower, upper = ranked[:size], ranked[-size:]
    return round(sum(right for _, right in upper) / size - sum(right for _, right in lower) / size, 2)


def _count_codes(item: ItemStats, shown: dict[str, Any], answer: Any) -> None:
    """Each code entered, so the wrong codes learners chose stand out beside the key's."""
    item.correct_choices = {code for key in [shown["codes"], *shown.get("accepted", [])] for code in key}
    for code in shown["codes"]:
        item.choices.setdefault(code, 0)
    for code in answer or []:
        item.choices[code] = item.choices.get(code, 0) + 1


def _count_choices(item: ItemStats, shown: dict[str, Any], answer: Any) -> None:
    if shown["type"] == "code_entry":
        _count_codes(item, shown, answer)
        return
    if shown["type"] not in CHOICE_TYPES:
        return
    if shown["type"] == "true_false":
        options, picked = ["True", "False"], [] if answer is None else ["True" if answer else "False"]
        item.correct_choices = {"True" if shown["answer"] else "False"}
    else:
        options = shown["choices"]
        indices = [] if answer is None else (answer if isinstance(answer, list) else [answer])
        picked = [options[index] for index in indices]
        item.correct_choices = set(shown["answers"]) if shown["type"] == "multiple_response" else {shown["answer"]}
    for option in options:
        item.choices.setdefault(option, 0)
    for option in picked:
        item.choices[option] += 1


def _flag(item: ItemStats) -> None:
    if item.responses < MIN_RESPONSES:
        return
    if item.facility > TOO_EASY:
        item.flags.append("too easy")
    if item.facility < TOO_HARD:
        item.flags.append("too hard")
    if item.discrimination is not None and item.discrimination < WEAK_DISCRIMINATION:
        item.flags.append("negative discrimination" if item.discrimination < 0 else "weak discrimination")
    unpicked = [choice for choice, count in item.choices.items() if count == 0 and choice not in item.correct_choices]
    if unpicked:
        item.flags.append("distractor nobody picks: " + "; ".join(unpicked))


def analyse(quiz: Quiz, attempts: list[QuizAttempt]) -> list[ItemStats]:
    """Figures for every question that appeared in these attempts, in the bank's order."""
    items: dict[Any, ItemStats] = {}
    pairs: dict[Any, list[tuple[float, bool]]] = defaultdict(list)
    for attempt in attempts:
        for shown, answer, right in zip(attempt.snapshot, attempt.answers or [], attempt.results or [], strict=False):
            key = shown.get("question_id") or shown["key"]
            item = items.setdefault(key, ItemStats(shown.get("question_id"), shown["key"], shown["prompt"], shown["type"]))
            item.responses += 1
            item.correct += bool(right)
            pairs[key].append((attempt.score or 0, bool(right)))
            _count_choices(item, shown, answer)
    ids = [item.question_id for item in items.values() if item.question_id]
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(ids)).options(selectinload(Question.quiz)))}
    for key, item in items.items():
        item.facility = round(item.correct / item.responses, 2)
        item.discrimination = _upper_minus_lower(pairs[key])
        question = questions.get(item.question_id)
        if question is not None:  # the exam's questions live in the module quizzes' files
            item.source_file, item.source_line = question.quiz.source_file, question.source_line
        _flag(item)
    order = {q.id: (q.quiz_id, q.position) for q in questions.values()}
    return sorted(items.values(), key=lambda item: (order.get(item.question_id, (10**9, 0)), item.key))
