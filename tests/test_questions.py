"""Question types: each validates its own definition and grades its own answers."""

import random

import pytest

from app.questions import REGISTRY, AnswerError, question_type

BASE = {"id": "q", "prompt": "?", "explanation": "Because.", "source": "S-01"}


def shown(kind: str, **fields):
    definition = {**BASE, "type": kind, **fields}
    assert question_type(kind).validate(definition) == []
    return question_type(kind).present(definition, random.Random(7))


def grade(question: dict, *values: str) -> bool:
    kind = question_type(question["type"])
    return kind.is_correct(question, kind.parse_values(question, list(values)))


def test_registry_holds_the_five_types():
    assert set(REGISTRY) >= {"single_choice", "multiple_response", "true_false", "numeric", "short_text"}


def test_single_choice_grades_by_the_shuffled_choice_shown():
    q = shown("single_choice", choices=["RHIT", "CPA", "PMP", "LPN"], answer="RHIT")
    right = str(q["choices"].index("RHIT"))
    wrong = str(q["choices"].index("CPA"))
    assert grade(q, right) is True
    assert grade(q, wrong) is False
    with pytest.raises(AnswerError):
        question_type("single_choice").parse_values(q, ["9"])
    with pytest.raises(AnswerError):
        question_type("single_choice").parse_values(q, [right, wrong])


def test_multiple_response_needs_exactly_the_right_set():
    q = shown("multiple_response", choices=["Names", "SSNs", "Year of birth", "Fax numbers"], answers=["Names", "SSNs", "Fax numbers"])
    index = {choice: str(i) for i, choice in enumerate(q["choices"])}
    assert grade(q, index["Names"], index["SSNs"], index["Fax numbers"]) is True
    assert grade(q, index["Names"], index["SSNs"]) is False
    assert grade(q, index["Names"], index["SSNs"], index["Fax numbers"], index["Year of birth"]) is False


def test_true_false():
    q = shown("true_false", answer=False)
    assert grade(q, "false") is True
    assert grade(q, "true") is False
    with pytest.raises(AnswerError):
        question_type("true_false").parse_values(q, ["maybe"])


def test_numeric_accepts_within_tolerance_and_common_formatting():
    q = shown("numeric", answer=172500, tolerance=100, unit="jobs")
    assert grade(q, "172,500") is True
    assert grade(q, "172600") is True
    assert grade(q, "172601") is False
    assert grade(q, "$172,450") is True
    with pytest.raises(AnswerError):
        question_type("numeric").parse_values(q, ["lots"])
    with pytest.raises(AnswerError):
        question_type("numeric").parse_values(q, ["nan"])


def test_short_text_ignores_case_and_extra_spaces():
    q = shown("short_text", accepted=["Registered Health Information Technician", "RHIT"])
    assert grade(q, "  registered   health information TECHNICIAN ") is True
    assert grade(q, "rhit") is True
    assert grade(q, "RHIA") is False


@pytest.mark.parametrize(("accepted", "typed"), [
    (["Registered Health Information Technician", "RHIT"], "Registered Health Information Technician (RHIT)"),
    (["Registered Health Information Technician (RHIT)"], "RHIT"),
    (["Registered Health Information Technician (RHIT)"], "registered health-information technician"),
    (["Office for Civil Rights (OCR)"], "The Office for Civil Rights"),
    (["Office for Civil Rights (OCR)"], "the O.C.R."),
    (["ICD-10-CM"], "ICD10 CM"),
    (["ICD-10-CM"], "icd 10-cm."),
    (["Registered Health Information Technician"], "Registered Health Information Technician (RHIT)"),
    (["Office for Civil Rights"], "OCR (Office for Civil Rights)"),
])
def test_short_text_accepts_what_a_learner_who_knows_writes(accepted, typed):
    assert grade(shown("short_text", accepted=accepted), typed) is True


@pytest.mark.parametrize(("accepted", "typed"), [
    (["Registered Health Information Technician (RHIT)"], "Registered Health Information Technician (RHIA)"),
    (["Registered Health Information Technician (RHIT)"], "RHIA"),
    (["Office for Civil Rights (OCR)"], "Office for Civil Rights (CMS)"),
    (["ICD-10-CM"], "ICD-10-PCS"),
    (["ICD-10-CM"], "ICD-10"),
    (["Office for Civil Rights (OCR)"], "the"),
    (["Registered Health Information Technician"], "RHIT"),
    (["Registered Health Information Technician"], "Registered Health Information Technician (RHIA)"),
])
def test_short_text_still_refuses_a_wrong_name_or_abbreviation(accepted, typed):
    assert grade(shown("short_text", accepted=accepted), typed) is False


def test_an_empty_answer_is_unanswered_not_wrong():
    for q, empty in ((shown("short_text", accepted=["x"]), ["   "]), (shown("numeric", answer=1), [""]), (shown("true_false", answer=True), [])):
        assert question_type(q["type"]).parse_values(q, empty) is None


@pytest.mark.parametrize(
    ("kind", "fields", "problem"),
    [
        ("single_choice", {"choices": ["a", "b"], "answer": "c"}, "answer: is not one of the choices"),
        ("single_choice", {"choices": ["a"], "answer": "a"}, "choices: needs at least 2 entries"),
        ("single_choice", {"choices": ["a", "A"], "answer": "a"}, "choices: has duplicate entries"),
        ("multiple_response", {"choices": ["a", "b", "c"], "answers": ["d"]}, "answers: 'd' is not one of the choices"),
        ("true_false", {"answer": "yes"}, "answer: must be true or false"),
        ("numeric", {"answer": "ten"}, "answer: must be a number"),
        ("numeric", {"answer": 10, "tolerance": -1}, "tolerance: must not be negative"),
        ("short_text", {"accepted": []}, "accepted: needs at least 1 entries"),
        ("true_false", {"answer": True, "choices": ["a"]}, "choices: unknown field for true_false questions"),
    ],
)
def test_each_type_validates_its_own_definition(kind, fields, problem):
    assert problem in question_type(kind).validate({**BASE, "type": kind, **fields})


def test_describe_answers_for_the_result_page():
    q = shown("numeric", answer=30610, unit="dollars")
    kind = question_type("numeric")
    assert kind.describe_correct(q) == "30,610 dollars"
    assert kind.describe_answer(q, None) == "(no answer)"


class Form(dict):
    """A minimal stand-in for a submitted form (one value per field name, or lists)."""

    def getlist(self, name):
        value = self.get(name, [])
        return value if isinstance(value, list) else [value]


def test_ordering_needs_every_item_in_its_place():
    q = shown("ordering", items=["Scheduling", "Coding", "Claim submission", "Payment posting"])
    kind = question_type("ordering")
    assert q["items"] != q["correct_order"], "the shown order must not give the answer away"
    right = Form({f"a-{i}": str(q["correct_order"].index(item) + 1) for i, item in enumerate(q["items"])})
    assert kind.is_correct(q, kind.parse_answer(q, right, "a"))
    swapped = dict(right)
    swapped["a-0"], swapped["a-1"] = right["a-1"], right["a-0"]
    assert not kind.is_correct(q, kind.parse_answer(q, Form(swapped), "a"))
    with pytest.raises(AnswerError, match="different position"):
        kind.parse_answer(q, Form({"a-0": "1", "a-1": "1", "a-2": "2", "a-3": "3"}), "a")
    assert kind.parse_answer(q, Form(), "a") is None


def test_matching_needs_every_pair_and_ignores_distractors():
    q = shown("matching", pairs=[{"prompt": "CMS-1500", "match": "Physicians"}, {"prompt": "UB-04", "match": "Hospitals"}],
              distractors=["Pharmacies"])
    kind = question_type("matching")
    key = {"CMS-1500": "Physicians", "UB-04": "Hospitals"}
    right = Form({f"m-{i}": str(q["options"].index(key[p])) for i, p in enumerate(q["prompts"])})
    assert kind.is_correct(q, kind.parse_answer(q, right, "m"))
    wrong = Form({f"m-{i}": str(q["options"].index("Pharmacies")) for i in range(2)})
    assert not kind.is_correct(q, kind.parse_answer(q, wrong, "m"))
    with pytest.raises(AnswerError):
        kind.parse_answer(q, Form({"m-0": "0"}), "m")


def test_select_parts_grades_the_exact_set_of_identifiers():
    q = shown("select_parts", passage="Patient [[Pat Sample]], SSN [[000-12-3456]], complaint [[cough]], state [[Ohio]].",
              answers=["Pat Sample", "000-12-3456"])
    kind = question_type("select_parts")
    parts = q["parts"]
    assert [s["text"] for s in q["segments"] if "part" in s] == parts
    assert kind.is_correct(q, kind.parse_answer(q, Form({"p": [str(parts.index("Pat Sample")), str(parts.index("000-12-3456"))]}), "p"))
    assert not kind.is_correct(q, kind.parse_answer(q, Form({"p": [str(parts.index("Pat Sample"))]}), "p"))
    assert not kind.is_correct(q, kind.parse_answer(q, Form({"p": [str(i) for i in range(4)]}), "p"))


def test_single_choice_feedback_is_given_for_the_choice_made():
    q = shown("single_choice", choices=["At eye level", "Far above the eyes"], answer="At eye level",
              feedback={"At eye level": "Good: head stays level.", "Far above the eyes": "This strains the neck."})
    kind = question_type("single_choice")
    assert kind.feedback(q, q["choices"].index("Far above the eyes")) == "This strains the neck."


@pytest.mark.parametrize(
    ("kind", "fields", "problem"),
    [
        ("ordering", {"items": ["a", "b"]}, "items: needs at least 3 entries"),
        ("matching", {"pairs": [{"prompt": "a"}]}, "pairs: must be a list of 2+ mappings with exactly a prompt and a match"),
        ("select_parts", {"passage": "[[a]] [[b]] [[c]]", "answers": ["d"]}, "answers: 'd' is not a marked part of the passage"),
        ("select_parts", {"passage": "no parts", "answers": ["a"]}, "passage: needs at least 3 parts marked [[like this]]"),
        ("single_choice", {"choices": ["a", "b"], "answer": "a", "feedback": {"c": "x"}}, "feedback: 'c' is not one of the choices"),
    ],
)
def test_new_types_validate_their_definitions(kind, fields, problem):
    assert problem in question_type(kind).validate({**BASE, "type": kind, **fields})
