"""The one check of the codes that content files key: every code in a key, an accepted set or a feedback."""

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from app.codeset import lookup, source
from app.codeset.load import current_release
from app.content.loader import Course, QuestionSpec
from app.content.schema import Problem
from app.extensions import db


@dataclass(frozen=True)
class KeyedCode:
    """One code written in a content file, where it was written."""

    file: str
    line: int
    question: str
    field: str
    code: str


def _lines(items, fallback: int) -> list[int]:
    return list(getattr(items, "item_lines", None) or [fallback] * len(items))


def _codes_of(file: str, spec: QuestionSpec) -> Iterator[KeyedCode]:
    parsed, definition = spec.parsed or {}, spec.definition
    where = spec.line
    qid = definition.get("id", "?")
    codes = definition.get("codes") or []
    for code, line in zip(codes, _lines(parsed.get("codes", codes), where), strict=False):
        yield KeyedCode(file, line, qid, "codes", code)
    accepted = definition.get("accepted") or []
    for group, raw, line in zip(accepted, parsed.get("accepted", accepted), _lines(parsed.get("accepted", accepted), where), strict=False):
        for code, code_line in zip(group, _lines(raw, line), strict=False):
            yield KeyedCode(file, code_line, qid, "accepted", code)
    feedback = parsed.get("feedback") or {}
    for code in definition.get("feedback") or {}:
        yield KeyedCode(file, feedback.line_of(code) if hasattr(feedback, "line_of") else where, qid, "feedback", code)


def keyed_codes(course: Course) -> list[KeyedCode]:
    """Every code keyed by a code_entry question, in quizzes and in lessons' knowledge checks."""
    specs = [(quiz.file, spec) for quiz in course.quizzes for spec in quiz.questions]
    specs += [(lesson.file, spec) for lesson in course.lessons for spec in lesson.checks]
    return [keyed for file, spec in specs if spec.definition.get("type") == "code_entry" for keyed in _codes_of(file, spec)]


def _from_tables(codes: set[str]) -> tuple[str, dict[str, lookup.CodeStatus]] | None:
    """The loaded release's answer, when the installed release is the one loaded; None otherwise."""
    try:
        release = current_release()
    except SQLAlchemyError:  # a database not yet migrated: the package answers instead
        db.session.rollback()
        return None
    if release is None or release.source != source.release()[0]:
        return None
    return f"{release.name} (loaded)", lookup.statuses(codes)


def check_codes(course: Course, tables_only: bool = False) -> tuple[str, list[Problem]]:
    """(release checked against, problems): each code of a key or accepted set must be a billable code of the
    release, and each code given feedback must be in it.

    The loaded tables answer when they hold the installed release; otherwise (a fresh database) the package.
    """
    keyed = keyed_codes(course)
    normal = {item.code: lookup.normalise(item.code) for item in keyed}
    wanted = {code for code in normal.values() if code}
    found = _from_tables(wanted)
    if found is None and tables_only:
        raise RuntimeError("The code set is not loaded.")
    release, known = found or (f"{source.release()[1]} (package)", source.statuses(wanted))
    problems = []
    for item in keyed:
        code = normal[item.code]
        if code is None:
            reason = f"{item.code!r} is not written like an ICD-10-CM code"
        elif item.field == "feedback" and code in known:
            reason = None  # feedback explains wrong answers, and a category without its digits is a common one
        else:
            reason = lookup.refusal(code, known.get(code), release)
        if reason:
            problems.append(Problem(item.file, item.line, f"question {item.question}: {item.field}: {reason}"))
    return release, problems
