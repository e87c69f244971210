"""The shipped course: coverage of the source, question banks, plain language, synthetic data, pictures."""

import re
from collections import Counter

import pytest

from app.content.loader import load_course
from app.content.readability import MAX_GRADE, lesson_grades
from config import BASE_DIR

COURSE, PROBLEMS = load_course(BASE_DIR)
DOCUMENT_MODULES = {"role", "training", "outlook", "workplace", "pay", "confidentiality", "ergonomics"}
ENRICHMENT = {"hipaa-practice": "confidentiality", "visit-to-payment": "role", "workstation": "ergonomics"}


def all_text() -> str:
    files = list((BASE_DIR / "lessons").glob("*.md")) + list((BASE_DIR / "quizzes").glob("*.yaml"))
    return "\n".join(path.read_text() for path in files)


def test_the_content_loads_without_problems():
    assert PROBLEMS == []


def test_every_fact_of_the_source_document_is_taught_somewhere():
    taught = {fact for lesson in COURSE.lessons for fact in lesson.sources}
    missing = [f"S-{n:02d}" for n in range(1, 28) if f"S-{n:02d}" not in taught]
    assert missing == []


def test_the_document_and_enrichment_modules_are_all_there_with_prerequisites():
    modules = {module.slug: module for module in COURSE.modules}
    assert DOCUMENT_MODULES | set(ENRICHMENT) <= set(modules)
    for enrichment, document in ENRICHMENT.items():
        assert document in modules[enrichment].requires


def test_every_module_quiz_has_a_bank_of_15_with_explanations_and_fact_ids():
    quizzes = {quiz.module: quiz for quiz in COURSE.quizzes if quiz.kind == "quiz"}
    for module in COURSE.modules:
        bank = quizzes[module.slug].questions
        assert len(bank) >= 15, module.slug
        assert quizzes[module.slug].draw < len(bank), f"{module.slug}: a retake must be able to differ"
        for question in bank:
            assert question.definition["explanation"].strip() and question.definition["source"]


def test_no_question_gives_itself_away():
    for quiz in COURSE.quizzes:
        for question in quiz.questions:
            text = str(question.definition).casefold()
            assert "all of the above" not in text and "none of the above" not in text, question.definition["id"]


def test_the_three_scenarios_use_the_scenario_question_types():
    exercises = {quiz.slug: Counter(q.definition["type"] for q in quiz.questions) for quiz in COURSE.quizzes if quiz.kind == "exercise"}
    assert exercises["hipaa-practice-spot-the-phi"]["select_parts"] >= 1
    assert exercises["visit-to-payment-follow-the-claim"]["ordering"] >= 1
    assert exercises["visit-to-payment-follow-the-claim"]["matching"] >= 1
    setup = [q.definition for quiz in COURSE.quizzes if quiz.slug == "workstation-set-up" for q in quiz.questions]
    assert setup and all(set(q["feedback"]) == set(q["choices"]) for q in setup), "feedback on every choice"


def test_there_is_a_final_exam_drawing_from_every_module():
    exams = [quiz for quiz in COURSE.quizzes if quiz.kind == "exam"]
    assert len(exams) == 1 and exams[0].draw_per_module >= 1


def test_every_lesson_has_knowledge_checks_and_glossary_terms():
    for lesson in COURSE.lessons:
        assert any(isinstance(part, dict) for part in lesson.parts), f"{lesson.file} has no knowledge check"
    assert sum(len(lesson.glossary) for lesson in COURSE.lessons) >= 40


@pytest.mark.parametrize("reading", lesson_grades(COURSE), ids=lambda r: r.file)
def test_every_lesson_reads_at_grade_10_or_below(reading):
    assert reading.grade <= MAX_GRADE


def test_example_social_security_numbers_cannot_be_real():
    for ssn in re.findall(r"(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])", all_text()):
        assert ssn[0] == "000" or ssn[0].startswith("9"), "-".join(ssn)


def test_cpt_codes_never_come_with_an_ama_descriptor():
    # A five-digit CPT code followed by a quoted or colon-introduced description would copy the AMA's text.
    assert not re.search(r"\b\d{5}\b\s*(:|—|-)\s*\"", all_text())


ILLUSTRATIONS = sorted(path.name for path in (BASE_DIR / "app" / "static" / "img").glob("*.svg"))


@pytest.mark.parametrize("name", ILLUSTRATIONS)
def test_illustrations_ship_with_a_text_alternative_and_are_shown(name):
    svg = (BASE_DIR / "app" / "static" / "img" / name).read_text()
    assert "<title" in svg and "<desc" in svg and "<script" not in svg and "http" not in svg.replace("http://www.w3.org", "")
    shown = re.findall(rf"!\[([^\]]+)\]\(/static/img/{re.escape(name)}\)", all_text())
    assert shown and len(shown[0]) > 40, "shown in a lesson with a full text alternative"


def test_every_module_of_the_first_ten_has_an_illustration():
    for module in (m for m in COURSE.modules if m.slug in DOCUMENT_MODULES | set(ENRICHMENT)):
        prose = "".join(part for lesson in COURSE.lessons if lesson.module == module.slug for part in lesson.parts if isinstance(part, str))
        assert re.search(r"!\[[^\]]{40,}\]\(/static/img/[a-z0-9-]+\.svg\)", prose), module.slug


def test_the_coding_modules_have_graded_cases_the_final_exam_can_draw():
    cases = Counter(quiz.module for quiz in COURSE.quizzes for q in quiz.questions if q.definition["type"] == "code_entry")
    assert cases["coding-icd10cm"] >= 10 and cases["icd10cm-guidelines"] >= 5
    banks = {quiz.module: quiz for quiz in COURSE.quizzes if quiz.kind == "quiz"}
    for module in ("coding-icd10cm", "icd10cm-guidelines"):
        assert any(q.definition["type"] == "code_entry" for q in banks[module].questions), module


@pytest.mark.parametrize("module", ["procedures-services", "insurance-claims"])
def test_the_claim_modules_have_graded_cases_and_the_final_exam_can_draw_them(module):
    exercises = [quiz for quiz in COURSE.quizzes if quiz.module == module and quiz.kind == "exercise"]
    assert exercises and len(exercises[0].questions) >= 5
    cases = {q.definition["prompt"] for q in exercises[0].questions}
    bank = next(quiz for quiz in COURSE.quizzes if quiz.module == module and quiz.kind == "quiz")
    assert sum(q.definition["prompt"] in cases for q in bank.questions) >= 2, "two cases in the bank the exam draws from"
