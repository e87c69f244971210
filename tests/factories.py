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
    return shown["accepted"][0] if correct else "certainly not this"
