"""Content pipeline: validation of every kind of broken file, idempotent all-or-nothing sync."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.content.loader import load_course
from app.content.sync import ContentError, sync_content
from app.models import ContentVersion, Lesson, Question, Quiz
from config import BASE_DIR

GOOD_QUIZ = """schema: 1
slug: role-quiz
module: role
title: "Quiz: the role"
pass_mark: 80
draw: 1
attempts_allowed: 0
questions:
  - id: first
    type: single_choice
    prompt: Which handbook?
    choices: [Occupational Outlook Handbook, A phone book]
    answer: Occupational Outlook Handbook
    explanation: The BLS publishes it.
    source: S-04
"""


def problems_in(root: Path) -> list[str]:
    return [str(problem) for problem in load_course(root)[1]]


def test_the_shipped_content_is_valid():
    course, problems = load_course(BASE_DIR)
    assert problems == []
    assert len(course.modules) >= 10
    assert all(len(quiz.questions) >= 8 for quiz in course.quizzes if quiz.kind == "quiz")
    assert {lesson.module for lesson in course.lessons} == {module.slug for module in course.modules}


def test_validate_command_exits_non_zero_and_names_file_and_line(app, content):
    (content / "quizzes" / "role.yaml").write_text(GOOD_QUIZ.replace("    answer: Occupational Outlook Handbook", "    answer: The Yellow Pages"))
    app.config["CONTENT_DIR"] = content
    result = app.test_cli_runner().invoke(args=["content", "validate"])
    assert result.exit_code == 1
    assert "quizzes/role.yaml:13: questions[0].answer: is not one of the choices" in result.output


def test_validate_command_reports_ok_for_good_content(app):
    result = app.test_cli_runner().invoke(args=["content", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("OK: 18 modules")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda q: q.replace("draw: 1", "draw: 1\ncolour: blue"), "quizzes/role.yaml:7: colour: unknown field"),
        (lambda q: q.replace("    answer: Occupational Outlook Handbook\n", ""),
         "quizzes/role.yaml:9: questions[0].answer: required for single_choice questions"),
        (lambda q: q.replace("type: single_choice", "type: essay"), "quizzes/role.yaml:10: questions[0].type: unknown question type 'essay'"),
        (lambda q: q.replace("source: S-04", "source: S-99"), "quizzes/role.yaml:15: questions[0].source: S-99 is not an id in lessons/facts.yaml"),
        (lambda q: q.replace("draw: 1", "draw: 5"), "quizzes/role.yaml:6: draw: must be between 1 and 1"),
        (lambda q: q.replace("pass_mark: 80", "pass_mark: [80"), "quizzes/role.yaml:6: YAML syntax error"),
        (lambda q: q.replace("module: role", "module: astronomy"), "quizzes/role.yaml:3: module: 'astronomy' is not in lessons/modules.yaml"),
        (lambda q: q + q[q.index("  - id: first"):], "quizzes/role.yaml:16: id: duplicate question id 'first'"),
    ],
    ids=["unknown-field", "missing-answer", "unknown-type", "unknown-fact", "draw-too-big", "yaml-syntax", "missing-module", "duplicate-question"],
)
def test_each_kind_of_broken_quiz_is_reported_with_its_line(content, edit, expected):
    (content / "quizzes" / "role.yaml").write_text(edit(GOOD_QUIZ))
    found = problems_in(content)
    assert any(problem.startswith(expected) for problem in found), found


def test_duplicate_lesson_slug_is_reported(content):
    original = content / "lessons" / "role-01-what-billers-and-coders-do.md"
    copy = content / "lessons" / "role-09-copy.md"
    copy.write_text(original.read_text().replace("order: 1", "order: 9"))
    found = problems_in(content)
    assert any(p.startswith("lessons/role-09-copy.md:3: slug: duplicate lesson slug") for p in found), found


def test_lesson_pointing_to_a_missing_module_is_reported(content):
    path = content / "lessons" / "role-01-what-billers-and-coders-do.md"
    path.write_text(path.read_text().replace("module: role", "module: nowhere", 1))
    found = problems_in(content)
    assert any("role-01-what-billers-and-coders-do.md:" in p and "'nowhere' is not in lessons/modules.yaml" in p for p in found), found


def test_lesson_without_front_matter_is_reported(content):
    (content / "lessons" / "role-05-bare.md").write_text("# Just text\n")
    assert "lessons/role-05-bare.md:1: must start with a front-matter header between two '---' lines" in problems_in(content)


def test_sync_is_idempotent(app, db):
    before = {model: db.session.scalar(select(func.count()).select_from(model)) for model in (Lesson, Quiz, Question, ContentVersion)}
    report = sync_content(BASE_DIR)
    db.session.commit()
    after = {model: db.session.scalar(select(func.count()).select_from(model)) for model in (Lesson, Quiz, Question, ContentVersion)}
    assert report.changed is False
    assert before == after


def test_a_broken_file_changes_nothing_in_the_database(app, db, content):
    lesson = content / "lessons" / "role-01-what-billers-and-coders-do.md"
    lesson.write_text(lesson.read_text().replace("title:", "title: Renamed\nold_title:", 1))
    (content / "quizzes" / "role.yaml").write_text("schema: 1\nslug: [oops\n")
    titles = list(db.session.scalars(select(Lesson.title).order_by(Lesson.id)))
    with pytest.raises(ContentError) as raised:
        sync_content(content)
    db.session.rollback()
    assert {p.file for p in raised.value.problems} >= {"quizzes/role.yaml", "lessons/role-01-what-billers-and-coders-do.md"}
    assert list(db.session.scalars(select(Lesson.title).order_by(Lesson.id))) == titles
    assert db.session.scalar(select(func.count()).select_from(ContentVersion)) == 1


def test_sync_updates_by_slug_retires_removed_items_and_records_a_version(app, db, content):
    lesson_file = content / "lessons" / "role-01-what-billers-and-coders-do.md"
    text = lesson_file.read_text()
    slug = text.split("slug: ", 1)[1].split("\n", 1)[0]
    lesson_file.write_text(text.replace("title: ", 'title: "Revised ', 1).replace("\nmodule:", '"\nmodule:', 1))
    (content / "lessons" / "role-02-where-they-work-and-job-title.md").unlink()
    lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == slug))
    report = sync_content(content)
    db.session.commit()
    assert report.changed and report.version.id == 2
    updated = db.session.scalar(select(Lesson).where(Lesson.slug == slug))
    assert updated.id == lesson_id and updated.title.startswith("Revised")
    retired = db.session.scalar(select(Lesson).where(Lesson.source_file == "lessons/role-02-where-they-work-and-job-title.md"))
    assert retired.retired is True


def test_lesson_markdown_is_sanitised_at_sync(app, db, content):
    path = content / "lessons" / "role-01-what-billers-and-coders-do.md"
    path.write_text(path.read_text() + '\n<script>alert(1)</script>\n\n[click](javascript:alert(1))\n')
    sync_content(content)
    html = db.session.scalar(select(Lesson.body_html).where(Lesson.source_file == "lessons/role-01-what-billers-and-coders-do.md"))
    assert "<script" not in html and 'href="javascript' not in html
    assert "<h2>" in html or "<p>" in html
