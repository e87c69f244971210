"""Checks that span several content files (the loader checks each file on its own)."""

from typing import TYPE_CHECKING, Any

from app.content.groups import question_group
from app.content.schema import Problem

if TYPE_CHECKING:
    from app.content.loader import Course


def cross_check(course: "Course", problems: list[Problem]) -> None:
    """Checks across files: modules named exist, slugs and orders are unique, every module is complete."""
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
        if quiz.kind == "exam":
            key = ("slug", "exam", "")
            if key in seen:
                problems.append(Problem(quiz.file, 0, f"only one exam is allowed (also in {seen[key]})"))
            seen.setdefault(key, quiz.file)
            continue
        if quiz.module not in modules:
            problems.append(Problem(quiz.file, quiz.lines.get("module", 0), f"module: {quiz.module!r} is not in lessons/modules.yaml"))
        keys = [(("slug", "quiz", quiz.slug), "quiz slug")]
        if quiz.kind == "quiz":
            keys.append((("module", "quiz", quiz.module), "quiz for this module"))
        for key, what in keys:
            if key in seen:
                problems.append(Problem(quiz.file, quiz.lines.get(key[0], 0), f"{key[0]}: duplicate {what} (also in {seen[key]})"))
            seen.setdefault(key, quiz.file)
    _check_glossary(course, problems)
    _check_groups(course, problems)
    for module in course.modules:
        if not any(lesson.module == module.slug for lesson in course.lessons):
            problems.append(Problem("lessons/modules.yaml", 0, f"module {module.slug!r} has no lessons"))
        if not any(quiz.module == module.slug and quiz.kind == "quiz" for quiz in course.quizzes):
            problems.append(Problem("lessons/modules.yaml", 0, f"module {module.slug!r} has no quiz in quizzes/"))


def _check_glossary(course: "Course", problems: list[Problem]) -> None:
    """A term (or alias) is defined in one lesson only, so each glossary link has one target."""
    owners: dict[str, str] = {}
    for lesson in course.lessons:
        for entry in lesson.glossary:
            for name in [entry["term"], *entry.get("aliases", [])]:
                key = name.strip().casefold()
                if key in owners and owners[key] != lesson.file:
                    problems.append(Problem(lesson.file, lesson.lines.get("glossary", 0),
                                            f"glossary: {name!r} is already defined in {owners[key]}"))
                owners.setdefault(key, lesson.file)


def _check_groups(course: "Course", problems: list[Problem]) -> None:
    """Every draw can be filled with questions on different facts, the exam's across all module banks too."""
    groups = {quiz.file: {question_group(q.definition) for q in quiz.questions} for quiz in course.quizzes}
    for quiz in course.quizzes:
        if quiz.kind != "exam" and len(groups[quiz.file]) < quiz.draw:
            problems.append(Problem(quiz.file, quiz.lines.get("draw", 0), f"draw: {quiz.draw} questions on different facts "
                                    f"are asked, but the bank has {len(groups[quiz.file])} groups"))
    exam = next((quiz for quiz in course.quizzes if quiz.kind == "exam"), None)
    banks = [quiz for quiz in course.quizzes if quiz.kind == "quiz"]
    for bank in banks if exam else []:
        shared = set().union(*(groups[other.file] for other in banks if other is not bank))
        # Groups no other bank uses can always be drawn, whatever the banks before this one took.
        if len(groups[bank.file] - shared) < (exam.draw_per_module or 1):
            problems.append(Problem(bank.file, 0, f"group: the final exam draws {exam.draw_per_module} questions on different facts "
                                    f"from this bank, but only {len(groups[bank.file] - shared)} groups are not shared with other banks"))
