"""Assessments measure knowledge: cue figures per bank, short answers, one question per fact in a draw."""

import random
from collections import Counter

import pytest

from app.content.groups import draw_distinct, question_group
from app.services import quizzes as quiz_service
from tests.factories import quiz

CUED_QUIZ = """schema: 1
slug: role-quiz
module: role
title: "Quiz: the role"
pass_mark: 80
draw: 2
attempts_allowed: 0
questions:
"""
SINGLE = """  - id: {id}
    type: single_choice
    prompt: Which code set is for diagnoses?
    choices: [CPT, "ICD-10-CM, the diagnosis code set", HCPCS]
    answer: "ICD-10-CM, the diagnosis code set"
    explanation: ICD-10-CM codes diagnoses.
    source: S-04
"""
TRUE_FALSE = """  - id: {id}
    type: true_false
    prompt: Coders work only in hospitals.
    answer: false
    explanation: They work in many settings.
    source: S-02
"""
# Pairs a learner used to meet twice in one exam, as (bank, question id): each pair tests one fact.
SAME_FACT = [
    (("role", "largest-employers"), ("role", "only-large-hospitals")),
    (("role", "only-large-hospitals"), ("workplace", "range-of-settings")),
    (("ergonomics", "elbow-angle"), ("workstation", "neutral-elbows")),
    (("ergonomics", "typing-causes-cts"), ("workstation", "typing-causes-cts")),
    (("confidentiality", "ocr-enforces"), ("hipaa-practice", "ocr-penalties")),
    (("confidentiality", "tpo-meaning"), ("hipaa-practice", "tpo-consent")),
    (("confidentiality", "criminal-penalty-sale"), ("hipaa-practice", "criminal-false-pretenses")),
]


def write_role_quiz(content, body: str) -> None:
    (content / "quizzes" / "role.yaml").write_text(CUED_QUIZ + body)


def test_validate_reports_cue_figures_per_bank_and_warns_past_the_thresholds(app, content):
    write_role_quiz(content, "".join(SINGLE.format(id=f"s{i}") for i in range(3)) + "".join(TRUE_FALSE.format(id=f"t{i}") for i in range(3)))
    app.config["CONTENT_DIR"] = content
    result = app.test_cli_runner().invoke(args=["content", "validate"])
    assert result.exit_code == 0, result.output
    assert "quizzes/role.yaml: key longest in 3/3 single-choice (100%), true keys 0/3 (0%)" in result.output
    assert "warning: quizzes/role.yaml: the key is the longest choice in 3 of 3" in result.output
    assert "warning: quizzes/role.yaml: 0 of 3 true/false keys are true" in result.output
    strict = app.test_cli_runner().invoke(args=["content", "validate", "--strict"])
    assert strict.exit_code == 1 and "warning(s) in strict mode" in strict.output


def test_an_odd_true_false_count_split_one_apart_is_balanced(app, content):
    body = TRUE_FALSE.format(id="t0") + TRUE_FALSE.format(id="t1").replace("answer: false", "answer: true") + TRUE_FALSE.format(id="t2")
    write_role_quiz(content, body)
    app.config["CONTENT_DIR"] = content
    result = app.test_cli_runner().invoke(args=["content", "validate"])
    assert "true keys 1/3" in result.output and "warning: quizzes/role.yaml" not in result.output


def test_the_shipped_banks_give_no_cue_away(app):
    result = app.test_cli_runner().invoke(args=["content", "validate", "--strict"])
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.output


def test_a_draw_that_cannot_avoid_a_repeated_fact_is_a_content_problem(app, content):
    write_role_quiz(content, SINGLE.format(id="a") + "    group: one-fact\n" + SINGLE.format(id="b") + "    group: one-fact\n")
    app.config["CONTENT_DIR"] = content
    result = app.test_cli_runner().invoke(args=["content", "validate"])
    assert result.exit_code == 1
    assert "quizzes/role.yaml:6: draw: 2 questions on different facts are asked, but the bank has 1 groups" in result.output


def test_a_group_must_be_a_slug(app, content):
    write_role_quiz(content, SINGLE.format(id="a") + "    group: Not A Slug\n" + SINGLE.format(id="b"))
    app.config["CONTENT_DIR"] = content
    result = app.test_cli_runner().invoke(args=["content", "validate"])
    assert result.exit_code == 1 and "questions[0].group: must be lowercase letters" in result.output


def test_draw_distinct_takes_one_question_per_group():
    bank = [{"id": f"q{i}", "group": "same" if i < 5 else None} for i in range(8)]
    for seed in range(50):
        drawn = draw_distinct(bank, 4, lambda q: q, random.Random(seed))
        assert len(drawn) == 4
        assert max(Counter(question_group(q) for q in drawn).values()) == 1


def test_the_questions_on_one_fact_share_a_group():
    from app.content.loader import load_course
    from config import BASE_DIR

    groups = {(bank.module, q.definition["id"]): question_group(q.definition)
              for bank in load_course(BASE_DIR)[0].quizzes if bank.kind == "quiz" for q in bank.questions}
    for first, second in SAME_FACT:
        assert groups[first] == groups[second], (first, second)


def test_the_final_exam_never_draws_two_questions_on_one_fact(app, db):
    exam = quiz("final-exam")
    per_attempt = None
    for _ in range(300):
        drawn = quiz_service._draw(exam)
        groups = Counter(question_group(q.definition) for q in drawn)
        assert max(groups.values()) == 1, [g for g, n in groups.items() if n > 1]
        per_attempt = per_attempt or len(drawn)
        assert len(drawn) == per_attempt == quiz_service.question_count(exam)[0]


@pytest.mark.parametrize("slug", ["role-quiz", "workstation-quiz", "confidentiality-quiz"])
def test_a_module_quiz_never_draws_two_questions_on_one_fact(app, db, slug):
    bank = quiz(slug)
    for _ in range(200):
        drawn = quiz_service._draw(bank)
        assert len(drawn) == bank.draw
        assert max(Counter(question_group(q.definition) for q in drawn).values()) == 1


@pytest.mark.parametrize(("bank", "qid", "typed"), [
    ("training", "rhit-full-name", "Registered Health Information Technician (RHIT)"),
    ("confidentiality", "ocr-enforces", "The Office for Civil Rights"),
    ("role", "diagnosis-code-set", "ICD10 CM"),
    ("workstation", "eye-strain-other-name", "CVS"),
    ("hipaa-practice", "hitech-name", "the HITECH Act"),
])
def test_the_shipped_short_answers_accept_what_a_learner_who_knows_writes(bank, qid, typed):
    from app.content.loader import load_course
    from app.questions import question_type
    from config import BASE_DIR

    quiz_bank = next(q for q in load_course(BASE_DIR)[0].quizzes if q.module == bank and q.kind == "quiz")
    definition = next(q.definition for q in quiz_bank.questions if q.definition["id"] == qid)
    kind = question_type("short_text")
    assert kind.is_correct(definition, kind.parse_values(definition, [typed]))
