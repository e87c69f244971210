"""Coding cases (code_entry questions): answer reading, grading, validation, and every place questions appear."""

import random

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.content.loader import load_course
from app.content.sync import sync_content
from app.models import Lesson, Question, QuizAttempt, ReviewItem, User
from app.questions import AnswerError, question_type
from app.services import item_analysis
from tests.coding_content import EXERCISE, LESSON, add_coding_content
from tests.factories import make_attempt, make_cohort, make_user, quiz

CODE_ENTRY = question_type("code_entry")


def shown_case(**fields):
    definition = {"id": "case", "type": "code_entry", "prompt": "**Visit.** A case.", "explanation": "Why.",
                  "source": "S-01", "codes": ["E11.42"], **fields}
    assert CODE_ENTRY.validate(definition) == []
    return CODE_ENTRY.present(definition, random.Random(1))


def answer(shown, text):
    return CODE_ENTRY.parse_answer(shown, MultiDict({"q": text}), "q")


def test_answers_are_read_without_regard_to_case_dots_spaces_or_separators(app):
    shown = shown_case()
    assert answer(shown, " e11.42 ,e1142;\n z794  ") == ["E11.42", "Z79.4"]
    assert answer(shown, "   ") is None
    with pytest.raises(AnswerError, match="not written like an ICD-10-CM code"):
        answer(shown, "E11.42, diabetes")


def test_the_result_says_of_each_code_right_missing_extra_or_not_billable_with_the_mapped_feedback(app):
    shown = shown_case(codes=["E11.42", "Z79.4"], feedback={"E11.9": "The note documents a complication."})
    given = answer(shown, "E11.42 E11.9 E11")
    assert not CODE_ENTRY.is_correct(shown, given)
    verdicts = {v.code: (v.status, v.note) for v in CODE_ENTRY.verdicts(shown, given)}
    assert verdicts == {"E11.42": ("right", ""), "E11.9": ("extra", "The note documents a complication."),
                        "E11": ("not billable", "a category: choose a more specific code"), "Z79.4": ("missing", "")}
    assert "E11.9: extra (The note documents a complication.)" in CODE_ENTRY.feedback(shown, given)
    assert CODE_ENTRY.is_correct(shown, answer(shown, "z79.4, e11.42"))  # unordered by default


def test_ordered_keys_need_the_first_listed_diagnosis_first_and_accepted_sets_count(app):
    shown = shown_case(codes=["N39.0", "B96.20"], ordered=True, accepted=[["N39.0"]])
    assert CODE_ENTRY.is_correct(shown, ["N39.0", "B96.20"]) and CODE_ENTRY.is_correct(shown, ["N39.0"])
    swapped = ["B96.20", "N39.0"]
    assert not CODE_ENTRY.is_correct(shown, swapped)
    assert [v.status for v in CODE_ENTRY.verdicts(shown, swapped)] == ["misplaced", "misplaced"]
    assert CODE_ENTRY.describe_correct(shown) == "N39.0, B96.20 (in this order); also accepted: N39.0"


@pytest.mark.parametrize(("fields", "message"), [
    ({"codes": []}, "codes: must be a non-empty list of codes"),
    ({"codes": ["diabetes"]}, "codes: 'diabetes' is not written like an ICD-10-CM code (e.g. E11.42)"),
    ({"codes": ["E11.42", "e1142"]}, "codes: a set lists the same code twice"),
    ({"accepted": ["E11.40"]}, "accepted: must be a list of code lists, e.g. [[E11.40]]"),
    ({"ordered": "yes"}, "ordered: must be true or false"),
    ({"feedback": {"E11.9": ""}}, "feedback: must map codes to texts"),
])
def test_badly_written_definitions_are_refused(fields, message):
    definition = {"id": "x", "type": "code_entry", "prompt": "p", "explanation": "e", "source": "S-01", "codes": ["E11.42"], **fields}
    assert message in CODE_ENTRY.validate(definition)


def test_validate_refuses_categories_and_unknown_codes_with_file_and_line_and_names_the_release(app, content):
    add_coding_content(content, EXERCISE.replace("codes: [E11.42]", "codes: [E11]").replace("[[E11.40]]", "[[E11.99]]"))
    app.config["CONTENT_DIR"] = content
    result = app.test_cli_runner().invoke(args=["content", "validate"])
    assert result.exit_code == 1
    line = EXERCISE.splitlines().index("    codes: [E11.42]") + 1
    assert (f"quizzes/coding-demo.yaml:{line}: question t2dm-neuropathy: codes: E11 is a category in "
            "ICD-10-CM April 1, 2026 (loaded), not a billable code: choose a more specific code") in result.output
    assert f"quizzes/coding-demo.yaml:{line + 1}: question t2dm-neuropathy: accepted: E11.99 is not an ICD-10-CM code" in result.output
    assert "Codes checked against ICD-10-CM April 1, 2026 (loaded)." in result.output


def test_validate_checks_knowledge_checks_too_and_passes_good_content(app, content):
    add_coding_content(content)
    app.config["CONTENT_DIR"] = content
    ok = app.test_cli_runner().invoke(args=["content", "validate"])
    assert ok.exit_code == 0, ok.output
    lesson = content / LESSON
    lesson.write_text(lesson.read_text().replace("codes: [S93.401A]", "codes: [S93.401]"))
    bad = app.test_cli_runner().invoke(args=["content", "validate"])
    assert bad.exit_code == 1 and f"{LESSON}:" in bad.output and "S93.401 is a subcategory" in bad.output


@pytest.fixture
def coding(db, content):
    """The course with the coding exercise and a coding knowledge check, synced."""
    add_coding_content(content)
    sync_content(content)
    db.session.commit()
    return content


def test_a_coding_exercise_is_taken_graded_and_keeps_the_case_as_shown(client, db, login_as, coding):
    login_as()
    start = client.post("/quizzes/coding-demo/start")
    attempt = db.session.get(QuizAttempt, int(start.headers["Location"].rsplit("/", 1)[1]))
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "<strong>Office visit.</strong>" in page and 'data-code-lookup="q0-codes"' in page and 'href="/codes"' in page
    order = [shown["key"] for shown in attempt.snapshot]
    answers = {"t2dm-neuropathy": "e11.9", "uti-then-organism": "N39.0, B96.20"}
    client.post(f"/attempts/{attempt.id}", data={f"q{i}": answers[key] for i, key in enumerate(order)})
    db.session.refresh(attempt)
    assert attempt.answers[order.index("t2dm-neuropathy")] == ["E11.9"] and attempt.score == 50
    result = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "E11.9: extra (The note documents a complication, and diabetes has combination codes for it.)" in result
    assert "E11.42: missing" in result
    # Editing the case later never rewrites what the learner was shown.
    question = db.session.scalar(select(Question).where(Question.key == "t2dm-neuropathy"))
    question.definition = {**question.definition, "prompt": "Changed."}
    db.session.commit()
    db.session.refresh(attempt)
    assert "<strong>Office visit.</strong>" in attempt.snapshot[order.index("t2dm-neuropathy")]["case_html"]


def test_a_coding_knowledge_check_answers_in_the_lesson(client, db, login_as, coding):
    login_as()
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "role-what-billers-and-coders-do"))
    number = next(i for i, check in enumerate(lesson.checks) if check["type"] == "code_entry")
    wrong = client.get(f"/lessons/{lesson.slug}/checks/{number}", query_string={"answer": "s93401"}).get_json()
    assert wrong["right"] is False and "S93.401: not billable (The sprain codes need a 7th character" in wrong["feedback"]
    assert client.get(f"/lessons/{lesson.slug}/checks/{number}", query_string={"answer": "S93.401A"}).get_json()["right"]
    bad = client.get(f"/lessons/{lesson.slug}/checks/{number}", query_string={"answer": "ankle"}).get_json()
    assert "not written like an ICD-10-CM code" in bad["error"]


def test_a_missed_coding_case_comes_back_in_the_review_queue_with_its_verdicts(client, db, login_as, coding, monkeypatch):
    from datetime import timedelta

    from app.models.base import utcnow

    user = login_as()
    start = client.post("/quizzes/coding-demo/start")
    attempt = db.session.get(QuizAttempt, int(start.headers["Location"].rsplit("/", 1)[1]))
    client.post(f"/attempts/{attempt.id}", data={f"q{i}": "R69" for i in range(len(attempt.snapshot))})
    items = db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == user.id)).all()
    assert len(items) == 2
    later = utcnow() + timedelta(days=1, hours=1)
    monkeypatch.setattr("app.services.review.utcnow", lambda: later)
    page = client.get("/review").get_data(as_text=True)
    assert 'data-code-lookup="q' in page
    item = next(i for i in items if db.session.get(Question, i.question_id).key == "t2dm-neuropathy")
    result = client.post("/review", data={"items": [str(item.id)], f"q{item.id}": "E11.40"}).get_data(as_text=True)
    assert "Correct." in result and "E11.40: right" in result


def test_item_analysis_counts_the_wrong_codes_learners_chose(app, db, coding):
    exercise = quiz("coding-demo")
    case = next(q for q in exercise.questions if q.key == "t2dm-neuropathy")
    learners = [make_user() for _ in range(4)]
    make_cohort(make_user("instructor"), learners)
    shown = CODE_ENTRY.present(case.definition, random.Random(1)) | {"question_id": case.id}
    for learner, given in zip(learners, [["E11.42"], ["E11.9"], ["E11.9"], ["E11.40", "Z79.4"]], strict=True):
        attempt = make_attempt(learner, exercise, [CODE_ENTRY.is_correct(shown, given)])
        attempt.snapshot, attempt.answers = [shown], [given]
    db.session.commit()
    attempts = item_analysis.attempts_for(exercise, select(User.id).where(User.id.in_([u.id for u in learners])))
    [item] = item_analysis.analyse(exercise, attempts)
    assert item.choices == {"E11.42": 1, "E11.9": 2, "E11.40": 1, "Z79.4": 1}
    assert item.correct_choices == {"E11.42", "E11.40"} and item.correct == 1  # E11.40 with Z79.4 is no accepted set


def test_the_shipped_content_loads_with_the_new_type_registered():
    course, problems = load_course(__import__("config").BASE_DIR)
    assert problems == [] and course.quizzes


def test_the_final_exam_draws_and_grades_coding_cases_from_a_module_bank(app, db, content, monkeypatch):
    from app.services import quizzes

    role = content / "quizzes" / "role.yaml"
    case = EXERCISE.split("questions:\n", 1)[1].split("  - id: uti-then-organism")[0]
    role.write_text(role.read_text().replace("questions:\n", "questions:\n" + case, 1))
    sync_content(content)
    # The exam draws at random; put the coding case first so that it is among the role bank's draw.
    def case_first(items):
        if items and hasattr(items[0], "definition"):  # a bank's questions, not one question's choices
            items.sort(key=lambda q: q.definition.get("id") != "t2dm-neuropathy")

    monkeypatch.setattr(quizzes._rng, "shuffle", case_first)
    learner = make_user()
    attempt = quizzes.start_attempt(learner, quiz("final-exam"))
    case_id = db.session.scalar(select(Question.id).where(Question.key == "t2dm-neuropathy"))
    index = next(i for i, shown in enumerate(attempt.snapshot) if shown["question_id"] == case_id)
    answers, problems = quizzes.parse_answers(attempt, MultiDict({f"q{index}": "E11.42"}))
    assert index not in problems and answers[index] == ["E11.42"]
    quizzes.submit_attempt(attempt, answers)
    assert attempt.results[index] is True


def test_before_the_code_set_is_loaded_validate_checks_against_the_package(app, content, monkeypatch):
    from app.codeset import checks

    add_coding_content(content, EXERCISE.replace("codes: [E11.42]", "codes: [E11.4]"))
    monkeypatch.setattr(checks, "current_release", lambda: None)  # as in a database with no code set yet
    course, problems = load_course(content)
    release, code_problems = checks.check_codes(course)
    assert problems == [] and release == "ICD-10-CM April 1, 2026 (package)"
    assert [p.message for p in code_problems] == [
        "question t2dm-neuropathy: codes: E11.4 is a subcategory in ICD-10-CM April 1, 2026 (package), "
        "not a billable code: choose a more specific code"]
