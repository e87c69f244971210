"""Read and validate lessons/ and quizzes/ (pure: no database, no Flask)."""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.content.course_checks import cross_check
from app.content.schema import Checker, Problem
from app.content.source_article import read_article
from app.content.yaml_lines import LineDict, load_yaml, plain, yaml_error_line
from app.questions import REGISTRY

MODULE_FIELDS = {"slug": "slug", "title": "text", "order": "int", "summary": "text", "requires": "slugs", "acknowledge_policy": "bool"}
LESSON_FIELDS = {
    "schema": "int", "slug": "slug", "title": "text", "module": "slug", "order": "int",
    "minutes": "int", "objectives": "texts", "sources": "facts", "glossary": "list",
}
GLOSSARY_FIELDS = {"term": "text", "definition": "text", "aliases": "texts"}
QUIZ_FIELDS = {
    "schema": "int", "slug": "slug", "kind": "text", "module": "slug", "title": "text",
    # A field's kind, not a password (bandit reads "pass" in the name).
    "pass_mark": "int",  # nosec B105
    "draw": "int", "draw_per_module": "int", "attempts_allowed": "int", "questions": "list",
}
# Fields each kind may leave out (everything else in QUIZ_FIELDS is required), and must leave out.
QUIZ_OPTIONAL = {"quiz": {"kind", "draw_per_module"}, "exercise": {"draw_per_module"}, "exam": {"module", "draw", "questions"}}
QUIZ_FORBIDDEN = {"quiz": {"draw_per_module"}, "exercise": {"draw_per_module"}, "exam": {"module", "draw", "questions"}}
# `group` names the fact a question tests when other questions test it too: one attempt shows one of them.
QUESTION_COMMON = {"id": "slug", "type": "text", "prompt": "text", "explanation": "text", "source": "fact", "group": "slug"}
CHECK_BLOCK = re.compile(r"^```check[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass
class ModuleSpec:
    slug: str
    title: str
    order: int
    summary: str
    requires: list[str] = field(default_factory=list)
    acknowledge_policy: bool = False  # completing required training of this module needs the employer's policy acknowledged


@dataclass
class LessonSpec:
    slug: str
    title: str
    module: str
    order: int
    minutes: int
    objectives: list[str]
    sources: list[str]
    parts: list[str | dict[str, Any]]  # Markdown chunks, and check questions between them
    file: str
    glossary: list[dict[str, Any]] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    checks: list["QuestionSpec"] = field(default_factory=list)  # the parts' questions, with their lines


@dataclass
class QuestionSpec:
    definition: dict[str, Any]
    line: int
    parsed: LineDict | None = None  # as read, with the line of every key and list item (for later checks)


@dataclass
class QuizSpec:
    slug: str
    kind: str
    module: str | None
    title: str
    pass_mark: int
    draw: int
    draw_per_module: int | None
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


def _read_yaml(path: Path, checker: Checker, text: str | None = None, offset: int = 0) -> Any:
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
        return load_yaml(text, offset)
    except UnicodeDecodeError:
        checker.add(0, "is not UTF-8 text")
    except yaml.YAMLError as error:
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        checker.add(yaml_error_line(error, offset), f"YAML syntax error: {reason}")
    return None


def load_facts(root: Path, problems: list[Problem]) -> frozenset[str]:
    """The fact ids of lessons/facts.yaml; problems with the file are added to `problems`."""
    checker = Checker("lessons/facts.yaml")
    data = _read_yaml(root / "lessons" / "facts.yaml", checker)
    if isinstance(data, dict) and isinstance(data.get("facts"), dict):
        return frozenset(data["facts"])
    if not checker.problems:
        checker.add(0, "must have a 'facts' mapping of fact ids")
    problems += checker.problems
    return frozenset()


def load_modules(root: Path, problems: list[Problem]) -> list[ModuleSpec]:
    """The modules of lessons/modules.yaml in order; problems with the file are added to `problems`."""
    checker = Checker("lessons/modules.yaml")
    data = _read_yaml(root / "lessons" / "modules.yaml", checker)
    modules: list[ModuleSpec] = []
    if checker.fields(data, {"schema": "int", "modules": "list"}):
        checker.schema(data)
        for index, item in enumerate(data["modules"]):
            if checker.fields(item, MODULE_FIELDS, optional=frozenset({"requires", "acknowledge_policy"}), where=f"modules[{index}]"):
                modules.append(ModuleSpec(**{key: item[key] for key in MODULE_FIELDS if key in item}))
        _unique(checker, data["modules"], "slug", "module slug")
        _unique(checker, data["modules"], "order", "module order")
        _check_requires(checker, data["modules"])
    problems += checker.problems
    return sorted(modules, key=lambda m: m.order)


def _check_requires(checker: Checker, items: list) -> None:
    """Prerequisites must name earlier modules, which also rules out cycles."""
    orders = {item.get("slug"): item.get("order") for item in items if isinstance(item, LineDict)}
    for item in items:
        if not isinstance(item, LineDict) or not isinstance(item.get("requires"), list):
            continue
        for slug in item["requires"]:
            if slug not in orders:
                checker.add(item.line_of("requires"), f"requires: {slug!r} is not a module")
            elif not isinstance(orders[slug], int) or not isinstance(item.get("order"), int) or orders[slug] >= item["order"]:
                checker.add(item.line_of("requires"), f"requires: {slug!r} must come earlier in the course")


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
    data = _read_yaml(path, checker, header, offset=1)
    lesson = None
    if checker.fields(data, LESSON_FIELDS, optional=frozenset({"glossary"})):
        checker.schema(data)
        checker.number_range(data, "order", 1, 999)
        checker.number_range(data, "minutes", 1, 120)
        body_line = header.count("\n") + 3
        if not body.strip():
            checker.add(body_line, "the lesson has no text after its header")
        glossary = data.get("glossary", [])
        for index, entry in enumerate(glossary):
            checker.fields(entry, GLOSSARY_FIELDS, optional=frozenset({"aliases"}), where=f"glossary[{index}]")
        checks: list[QuestionSpec] = []
        parts = _split_checks(checker, body, body_line, checks)
        fields = {k: data[k] for k in LESSON_FIELDS if k not in ("schema", "glossary")}
        lesson = LessonSpec(**fields, parts=parts, file=rel, glossary=plain(glossary), lines=dict(data.key_lines), checks=checks)
    problems += checker.problems
    return lesson if not checker.problems else None


def _split_checks(checker: Checker, body: str, body_line: int, specs: list[QuestionSpec]) -> list[str | dict[str, Any]]:
    """The lesson body as Markdown chunks with its ```check questions between them."""
    parts: list[str | dict[str, Any]] = []
    last = 0
    for number, match in enumerate(CHECK_BLOCK.finditer(body), start=1):
        parts.append(body[last:match.start()])
        line = body_line + body.count("\n", 0, match.start()) + 1
        where = f"check {number}"
        try:
            data = load_yaml(match.group(1), line)
        except yaml.YAMLError as error:
            checker.add(yaml_error_line(error, line), f"{where}: YAML syntax error")
            data = None
        if isinstance(data, LineDict):
            data.setdefault("id", f"check-{number}")
            data.key_lines.setdefault("id", data.line)
        spec = _load_question(checker, data, number - 1, line, where=where)
        if spec is not None:
            parts.append(spec.definition)
            specs.append(spec)
        last = match.end()
    parts.append(body[last:])
    return parts


def _load_question(checker: Checker, item: Any, index: int, line: int, where: str = "") -> QuestionSpec | None:
    where = where or f"questions[{index}]"
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
    common_ok = checker.fields(common, QUESTION_COMMON, optional=frozenset({"group"}), where=where)
    for message in kind.validate(item):
        field_name = message.split(":", 1)[0]
        checker.add(item.line_of(field_name), f"{where}.{message}")
    for key, line in item.duplicate_keys:
        checker.add(line, f"{where}.{key}: appears twice")
    return QuestionSpec(plain(item), item.line, item) if common_ok else None


def _load_quiz(path: Path, rel: str, facts: frozenset[str], problems: list[Problem]) -> QuizSpec | None:
    checker = Checker(rel, facts)
    data = _read_yaml(path, checker)
    quiz = None
    kind = data.get("kind", "quiz") if isinstance(data, LineDict) else "quiz"
    if kind not in QUIZ_OPTIONAL:
        checker.add(data.line_of("kind"), f"kind: must be one of {', '.join(QUIZ_OPTIONAL)}")
    elif checker.fields(data, QUIZ_FIELDS, optional=frozenset(QUIZ_OPTIONAL[kind])):
        for key in sorted(QUIZ_FORBIDDEN[kind] & data.keys()):
            checker.add(data.line_of(key), f"{key}: not used by a {kind}")
        checker.schema(data)
        checker.number_range(data, "pass_mark", 1, 100)
        checker.number_range(data, "attempts_allowed", 0, 100)
        checker.number_range(data, "draw_per_module", 1, 50)
        bank = data.get("questions", [])
        questions = [_load_question(checker, item, i, bank.item_lines[i]) for i, item in enumerate(bank)]
        _unique(checker, bank, "id", "question id")
        if "draw" in data:
            checker.number_range(data, "draw", 1, len(bank))
        kept = [q for q in questions if q is not None]
        quiz = QuizSpec(slug=data["slug"], kind=kind, module=data.get("module"), title=data["title"],
                        pass_mark=data["pass_mark"], draw=data.get("draw", 0), draw_per_module=data.get("draw_per_module"),
                        attempts_allowed=data["attempts_allowed"], questions=kept, file=rel, lines=dict(data.key_lines))
    problems += checker.problems
    return quiz if not checker.problems else None


def load_course(root: Path) -> tuple[Course, list[Problem]]:
    """Read every content file under `root`; the course is usable only if no problems are returned."""
    problems: list[Problem] = []
    digest = hashlib.sha256()
    facts = load_facts(root, problems)
    course = Course(modules=load_modules(root, problems))
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
    cross_check(course, problems)
    problems += read_article(root, facts)[1]
    course.content_hash = digest.hexdigest()
    return course, sorted(set(problems))
