"""What a lesson page shows that is the same for every learner: its text, knowledge checks and sources, kept per content
version, and the checks' grading (shown in place by lesson.js, or on the page without JavaScript)."""

import random
import re
from dataclasses import dataclass, replace

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.kept import Kept
from app.models import Lesson
from app.questions import AnswerError, question_type


@dataclass(frozen=True)
class LessonPage:
    """A lesson in force as its page shows it, with its text and checks drawn."""

    id: int
    slug: str
    title: str
    minutes: int
    module_id: int
    module_title: str
    objectives: tuple[str, ...]
    sources: tuple[str, ...]
    body: Markup


# A lesson changes only with the content, which records a new content version: drawn once per version and kept.
_pages = Kept(256)


def lesson_segments(lesson: Lesson) -> list[tuple[str, object]]:
    """The lesson body as ("html", text) and ("check", index) pieces, in reading order."""
    pieces: list[tuple[str, object]] = []
    for number, chunk in enumerate(re.split(r"<!--check:(\d+)-->", lesson.body_html)):
        pieces.append(("check", int(chunk)) if number % 2 else ("html", chunk))
    return pieces


def shown_check(lesson: Lesson, number: int) -> dict:
    """A knowledge check as shown; seeded by its number so the page and the grading see the same order."""
    definition = lesson.checks[number]
    # A seeded display order, not a secret.
    return question_type(definition["type"]).present(definition, random.Random(number))  # nosec B311


def grade_check(lesson: Lesson, number: int, form: MultiDict) -> dict:
    """Grade an ungraded knowledge check: whether it was right, the answer and the explanation."""
    shown = shown_check(lesson, number)
    kind = question_type(shown["type"])
    try:
        answer = kind.parse_answer(shown, form, "answer")
    except AnswerError as error:
        return {"error": str(error)}
    if answer is None:
        return {"error": "Choose an answer first."}
    return {"right": kind.is_correct(shown, answer), "correct": kind.describe_correct(shown),
            "explanation": shown["explanation"], "feedback": kind.feedback(shown, answer)}


def in_force(slug: str) -> Lesson | None:
    """The lesson with this address, unless retired."""
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug, Lesson.retired.is_(False)))


def _drawn(lesson: Lesson, feedback: dict | None) -> Markup:
    return Markup(render_template(  # nosec B704 - an autoescaped template
        "learn/_lesson_body.html", lesson=lesson, segments=lesson_segments(lesson), feedback=feedback,
        checks=[shown_check(lesson, n) for n in range(len(lesson.checks))]))


def _page(lesson: Lesson) -> LessonPage:
    return LessonPage(lesson.id, lesson.slug, lesson.title, lesson.minutes, lesson.module_id, lesson.module.title,
                      tuple(lesson.objectives or ()), tuple(lesson.sources or ()), _drawn(lesson, None))


def page_for(slug: str, version: int | None) -> LessonPage | None:
    """The page of the lesson in force at `slug` (None if there is none), kept for the content `version`."""
    key = (str(db.engine.url), version, slug)
    kept = _pages.get(key) if version is not None else None
    if kept is not None:
        return kept
    lesson = in_force(slug)
    if lesson is None:
        return None
    page = _page(lesson)
    if version is not None:
        _pages.put(key, page)
    return page


def with_feedback(page: LessonPage, args: MultiDict) -> LessonPage:
    """The page with feedback on the check answered in the address (?check=N&answer=...), for a browser without
    JavaScript; the page as it is when the address answers no check."""
    number = args.get("check", type=int)
    lesson = in_force(page.slug) if number is not None else None
    if lesson is None or not 0 <= number < len(lesson.checks):
        return page
    feedback = grade_check(lesson, number, args) | {"number": number}
    return replace(page, body=_drawn(lesson, feedback))
