"""Read and validate lessons/ and quizzes/ (pure: no database, no Flask)."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.content.schema import Checker, Problem
from app.content.yaml_lines import LineDict, load_yaml, plain, yaml_error_line
from app.questions import REGISTRY

MODULE_FIELDS = {"slug": "slug", "title": "text", "order": "int", "summary": "text"}
LESSON_FIELDS = {
    "schema": "int", "slug": "slug", "title": "text", "module": "slug", "order": "int",
    "minutes": "int", "objectives": "texts", "sources": "facts",
}
QUIZ_FIELDS = {
    "schema": "int", "slug": "slug", "module": "slug", "title": "text", "pass_mark": "int",
    "draw": "int", "attempts_allowed": "int", "questions": "list",
}
QUESTION_COMMON = {"id": "slug", "type": "text", "prompt": "text", "explanation": "text", "source": "fact"}


@dataclass
class ModuleSpec:
    slug: str
    title: str
    order: int
    summary: str


@dataclass
class LessonSpec:
    slug: str
    title: str
    module: str
    order: int
    minutes: int
    objectives: list[str]
    sources: list[str]
    body: str
    file: str
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class QuestionSpec:
    definition: dict[str, Any]
    line: int


@dataclass
class QuizSpec:
    slug: str
    module: str
    title: str
    pass_mark: int
    draw: int
    attempts_allowed: int
    questions: list[QuestionSpec]
    file: str
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Course:
    """Everything read from the content folders, plus a hash that changes with any file."""

    modules: list[ModuleSpec] = field(default_factory=list)
    lessons: list[LessonSpec] = field(default_factory=list)
    quizzes: list[QuizSpec] = field(default_factory=list)
    content_hash: str = ""


def _read_yaml(path: Path, rel: str, checker: Checker, text: str | None = None, offset: int = 0) -> Any:
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
        return load_yaml(text, offset)
    except UnicodeDecodeError:
        checker.add(0, "is not UTF-8 text")
    except yaml.YAMLError as error:
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        checker.add(yaml_error_line(error, offset), f"YAML syntax error: {reason}")
    return None


def _load_facts(root: Path, problems: list[Problem]) -> frozenset[str]:
    checker = Checker("lessons/facts.yaml")
    data = _read_yaml(root / "lessons" / "facts.yaml", "lessons/facts.yaml", checker)
    if isinstance(data, dict) and isinstance(data.get("facts"), dict):
        return frozenset(data["facts"])
    if not checker.problems:
        checker.add(0, "must have a 'facts' mapping of fact ids")
    problems += checker.problems
    return frozenset()


def _load_modules(root: Path, problems: list[Problem]) -> list[ModuleSpec]:
    checker = Checker("lessons/modules.yaml")
    data = _read_yaml(root / "lessons" / "modules.yaml", "lessons/modules.yaml", checker)
    modules: list[ModuleSpec] = []
    if checker.fields(data, {"schema": "int", "modules": "list"}):
        checker.schema(data)
        for index, item in enumerate(data["modules"]):
            if checker.fields(item, MODULE_FIELDS, where=f"modules[{index}]"):
                modules.append(ModuleSpec(**{key: item[key] for key in MODULE_FIELDS}))
        _unique(checker, data["modules"], "slug", "module slug")
        _unique(checker, data["modules"], "order", "module order")
    problems += checker.problems
    return sorted(modules, key=lambda m: m.order)


def _unique(checker: Checker, items: list, key: str, what: str) -> None:
    seen: set = set()
    for item in items:
        if isinstance(item, LineDict) and key in item:
            if item[key] in seen:
                checker.add(item.line_of(key), f"{key}: duplicate {what} {item[key]!r}")
            seen.add(item[key])


def _load_lesson(path: Path, rel: str, facts: frozenset[str], problems: list[Problem]) -> LessonSpec | None:
    checker = Checker(rel, facts)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(rel, 0, "is not UTF-8 text"))
        return None
    parts = text.split("\n---", 1) if text.startswith("---\n") else []
    if len(parts) != 2:
        problems.append(Problem(rel, 1, "must start with a front-matter header between two '---' lines"))
        return None
    header, body = parts[0][4:], parts[1].split("\n", 1)[-1] if "\n" in parts[1] else ""
    data = _read_yaml(path, rel, checker, header, offset=1)
    lesson = None
    if checker.fields(data, LESSON_FIELDS):
        checker.schema(data)
        checker.number_range(data, "order", 1, 999)
        checker.number_range(data, "minutes", 1, 120)
        if not body.strip():
            checker.add(header.count("\n") + 3, "the lesson has no text after its header")
        lesson = LessonSpec(**{k: data[k] for k in LESSON_FIELDS if k != "schema"}, body=body, file=rel, lines=dict(data.key_lines))
    problems += checker.problems
    return lesson if not checker.problems else None


def _load_question(checker: Checker, item: Any, index: int, line: int) -> QuestionSpec | None:
    where = f"questions[{index}]"
    if not isinstance(item, LineDict):
        checker.add(line, f"{where}: must be a mapping of fields")
        return None
    kind = REGISTRY.get(item.get("type"))
    if kind is None:
        known = ", ".join(sorted(REGISTRY))
        checker.add(item.line_of("type"), f"{where}.type: unknown question type {item.get('type')!r} (known: {known})")
        return None
    common = LineDict({key: value for key, value in item.items() if key in QUESTION_COMMON})
    common.line, common.key_lines = item.line, item.key_lines
    common_ok = checker.fields(common, QUESTION_COMMON, where=where)
    for message in kind.validate(item):
        field_name = message.split(":", 1)[0]
        checker.add(item.line_of(field_name), f"{where}.{message}")
    for key, line in item.duplicate_keys:
        checker.add(line, f"{where}.{key}: appears twice")
    return QuestionSpec(plain(item), item.line) if common_ok else None


def _load_quiz(path: Path, rel: str, facts: frozenset[str], problems: list[Problem]) -> QuizSpec | None:
    checker = Checker(rel, facts)
    data = _read_yaml(path, rel, checker)
    quiz = None
    if checker.fields(data, QUIZ_FIELDS):
        checker.schema(data)
        checker.number_range(data, "pass_mark", 1, 100)
        checker.number_range(data, "attempts_allowed", 0, 100)
        bank = data["questions"]
        questions = [_load_question(checker, item, i, bank.item_lines[i]) for i, item in enumerate(bank)]
        _unique(checker, data["questions"], "id", "question id")
        checker.number_range(data, "draw", 1, len(data["questions"]))
        kept = [q for q in questions if q is not None]
        quiz = QuizSpec(**{k: data[k] for k in QUIZ_FIELDS if k not in ("schema", "questions")}, questions=kept, file=rel, lines=dict(data.key_lines))
    problems += checker.problems
    return quiz if not checker.problems else None


def _cross_check(course: Course, problems: list[Problem]) -> None:
    modules = {m.slug for m in course.modules}
    seen: dict[tuple[str, Any], str] = {}
    for lesson in course.lessons:
        if lesson.module not in modules:
            problems.append(Problem(lesson.file, lesson.lines.get("module", 0), f"module: {lesson.module!r} is not in lessons/modules.yaml"))
        for key, what in ((("slug", lesson.slug), "lesson slug"), (("order", lesson.module, lesson.order), "lesson order in its module")):
            if key in seen:
                problems.append(Problem(lesson.file, lesson.lines.get(key[0], 0), f"{key[0]}: duplicate {what} (also in {seen[key]})"))
            seen.setdefault(key, lesson.file)
    for quiz in course.quizzes:
        if quiz.module not in modules:
            problems.append(Problem(quiz.file, quiz.lines.get("module", 0), f"module: {quiz.module!r} is not in lessons/modules.yaml"))
        for key, what in ((("slug", "quiz", quiz.slug), "quiz slug"), (("module", "quiz", quiz.module), "quiz for this module")):
            if key in seen:
                problems.append(Problem(quiz.file, quiz.lines.get(key[0], 0), f"{key[0]}: duplicate {what} (also in {seen[key]})"))
            seen.setdefault(key, quiz.file)
    for module in course.modules:
        if not any(lesson.module == module.slug for lesson in course.lessons):
            problems.append(Problem("lessons/modules.yaml", 0, f"module {module.slug!r} has no lessons"))
        if not any(quiz.module == module.slug for quiz in course.quizzes):
            problems.append(Problem("lessons/modules.yaml", 0, f"module {module.slug!r} has no quiz in quizzes/"))


def load_course(root: Path) -> tuple[Course, list[Problem]]:
    """Read every content file under `root`; the course is usable only if no problems are returned."""
    problems: list[Problem] = []
    digest = hashlib.sha256()
    facts = _load_facts(root, problems)
    course = Course(modules=_load_modules(root, problems))
    files = sorted((root / "lessons").glob("*.md")) + sorted((root / "quizzes").glob("*.yaml"))
    for path in files:
        rel = path.relative_to(root).as_posix()
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
        if path.suffix == ".md":
            lesson = _load_lesson(path, rel, facts, problems)
            course.lessons += [lesson] if lesson else []
        else:
            quiz = _load_quiz(path, rel, facts, problems)
            course.quizzes += [quiz] if quiz else []
    for meta in ("modules.yaml", "facts.yaml"):
        digest.update((root / "lessons" / meta).read_bytes() if (root / "lessons" / meta).exists() else b"")
    _cross_check(course, problems)
    course.content_hash = digest.hexdigest()
    return course, sorted(set(problems))
