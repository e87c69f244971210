"""Load validated content into the database: upsert by slug, idempotent, all or nothing."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.codeset.checks import check_codes
from app.codeset.load import CodeSetReport, ensure_loaded
from app.content.glossary import TermLink, link_first_uses, term_slug
from app.content.loader import Course, LessonSpec, load_course
from app.content.render import render_markdown
from app.content.schema import Problem
from app.extensions import db
from app.models import Assignment, ContentVersion, GlossaryTerm, HireTraining, Lesson, Module, Organisation, Question, Quiz
from app.models.compliance import assignment_modules
from app.services import course_standings, structure


class ContentError(Exception):
    """The content has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} content problem(s)")
        self.problems = problems


@dataclass
class SyncReport:
    """What a sync did."""

    version: ContentVersion
    changed: bool
    counts: dict[str, int]
    codes: CodeSetReport | None = None


def _upsert(model: type, existing: dict[Any, Any], key: Any, values: dict[str, Any]) -> Any:
    row = existing.pop(key, None)
    if row is None:
        row = model(**values)
        db.session.add(row)
    else:
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    row.retired = False
    return row


def _retire(rows: Iterable[Any]) -> None:
    # Rows removed from the files stay in the database: learners' progress and attempts point at them.
    for row in rows:
        row.retired = True


CHECK_MARKER = "<!--check:{}-->"


def _lesson_html(spec: LessonSpec, links: list[TermLink]) -> tuple[str, list[dict[str, Any]]]:
    """Render and sanitise the Markdown chunks, link glossary terms, and mark where each check goes.

    Markers are added after sanitising (which would remove them), so lesson text can never forge one.
    """
    html, checks = [], []
    for part in spec.parts:
        if isinstance(part, str):
            html.append(render_markdown(part))
        else:
            html.append(CHECK_MARKER.format(len(checks)))
            checks.append(part)
    return link_first_uses("".join(html), links), checks


def _glossary_links(course: Course) -> list[TermLink]:
    return [TermLink(name, term_slug(entry["term"]))
            for lesson in course.lessons for entry in lesson.glossary
            for name in [entry["term"], *entry.get("aliases", [])]]


def _still_required(removed: list[Module]) -> list[Problem]:
    """Modules leaving the course that an unfinished training in force still requires: removing them would void it."""
    if not removed:
        return []
    rows = db.session.execute(
        select(Module.slug, Assignment.title, Organisation.name).distinct()
        .join(assignment_modules, assignment_modules.c.module_id == Module.id)
        .join(Assignment, Assignment.id == assignment_modules.c.assignment_id)
        .join(Organisation, Organisation.id == Assignment.organisation_id)
        .join(HireTraining, HireTraining.assignment_id == Assignment.id)
        .where(Module.id.in_([m.id for m in removed]), HireTraining.completed_at.is_(None), Assignment.ended_at.is_(None))
        .order_by(Module.slug, Organisation.name, Assignment.title)).all()
    return [Problem("lessons/modules.yaml", 0, f"module {slug!r} cannot be removed: “{title}” of {organisation} requires it "
                    "and is not finished by every hire; end or change that assignment first") for slug, title, organisation in rows]


def _apply(course: Course) -> dict[str, int]:
    modules = {m.slug: m for m in db.session.scalars(select(Module))}
    problems = _still_required([m for slug, m in modules.items() if not m.retired and slug not in {s.slug for s in course.modules}])
    if problems:
        raise ContentError(problems)
    lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson))}
    quizzes = {q.slug: q for q in db.session.scalars(select(Quiz))}
    terms = {t.slug: t for t in db.session.scalars(select(GlossaryTerm))}
    by_slug: dict[str, Module] = {}
    for spec in course.modules:
        by_slug[spec.slug] = _upsert(Module, modules, spec.slug, {
            "slug": spec.slug, "title": spec.title, "position": spec.order, "summary": spec.summary,
            "requires": spec.requires, "acknowledge_policy": spec.acknowledge_policy,
        })
    db.session.flush()
    links = _glossary_links(course)
    for spec in course.lessons:
        body_html, checks = _lesson_html(spec, links)
        lesson = _upsert(Lesson, lessons, spec.slug, {
            "slug": spec.slug, "module_id": by_slug[spec.module].id, "position": spec.order,
            "title": spec.title, "minutes": spec.minutes, "objectives": spec.objectives,
            "sources": spec.sources, "body_html": body_html, "checks": checks, "source_file": spec.file,
        })
        db.session.flush()
        for entry in spec.glossary:
            _upsert(GlossaryTerm, terms, term_slug(entry["term"]), {
                "slug": term_slug(entry["term"]), "term": entry["term"], "definition": entry["definition"],
                "aliases": entry.get("aliases", []), "lesson_id": lesson.id,
            })
    for spec in course.quizzes:
        quiz = _upsert(Quiz, quizzes, spec.slug, {
            "slug": spec.slug, "kind": spec.kind, "module_id": by_slug[spec.module].id if spec.module else None,
            "title": spec.title, "pass_mark": spec.pass_mark, "draw": spec.draw,
            "draw_per_module": spec.draw_per_module, "attempts_allowed": spec.attempts_allowed,
            "source_file": spec.file,
        })
        db.session.flush()
        questions = {q.key: q for q in db.session.scalars(select(Question).where(Question.quiz_id == quiz.id))}
        for position, question in enumerate(spec.questions, start=1):
            definition = question.definition
            _upsert(Question, questions, definition["id"], {
                "quiz_id": quiz.id, "key": definition["id"], "position": position, "type": definition["type"],
                "definition": definition, "source_line": question.line,
            })
        _retire(questions.values())
    for leftovers in (modules, lessons, quizzes, terms):
        _retire(leftovers.values())
    return _counts(course)


def _counts(course: Course) -> dict[str, int]:
    return {"modules": len(course.modules), "lessons": len(course.lessons), "quizzes": len(course.quizzes),
            "questions": sum(len(q.questions) for q in course.quizzes)}


def sync_content(root: Path) -> SyncReport:
    """Validate the files under `root` and upsert them; raises ContentError and writes nothing on a problem.

    Flushes only; the caller commits (or rolls back) the one transaction.
    """
    course, problems = load_course(root)
    if problems:
        raise ContentError(problems)
    # The code set first: a new release may turn a keyed answer into a category or retire it.
    codes = ensure_loaded()
    problems = check_codes(course, tables_only=True)[1]
    if problems:
        raise ContentError(problems)
    version = db.session.scalar(select(ContentVersion).where(ContentVersion.content_hash == course.content_hash))
    if version is not None and version.id == db.session.scalar(select(db.func.max(ContentVersion.id))):
        return SyncReport(version, False, _counts(course), codes)
    counts = _apply(course)
    version = ContentVersion(content_hash=course.content_hash, summary=", ".join(f"{v} {k}" for k, v in counts.items()))
    db.session.add(version)
    db.session.flush()
    # What counts towards completion changed: every learner's course row is recomputed against the new structure
    # (read here rather than through the cache: this version is not committed yet).
    course_standings.rebuild(fix=True, course=structure.load())
    return SyncReport(version, True, counts, codes)


def current_version_id() -> int | None:
    """The id of the content version in force (the latest sync)."""
    return db.session.scalar(select(db.func.max(ContentVersion.id)))

