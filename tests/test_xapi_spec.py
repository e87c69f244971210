"""Every kind of statement the course makes follows xAPI 1.0.3: validated with Ralph's models, interactions checked by type."""

import random

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement
from ralph.models.xapi.base.unnested_objects import BaseXapiActivityInteractionDefinition
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Quiz, QuizAttempt, XapiStatement
from app.questions import REGISTRY, QuestionType, question_type
from app.questions.base import norm_text
from app.services import quizzes
from tests.factories import make_user, right_answer_form
from tests.test_xapi import first_lesson, take_quiz

INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
# The interaction type each question type is, in the xAPI 1.0.3 data specification's terms.
EXPECTED = {"single_choice": "choice", "multiple_response": "choice", "select_parts": "choice", "true_false": "true-false",
            "numeric": "numeric", "short_text": "fill-in", "ordering": "sequencing", "matching": "matching",
            "code_entry": "fill-in"}
COMPONENTS = {"choice": {"choices"}, "sequencing": {"choices"}, "matching": {"source", "target"}, "true-false": set(),
              "numeric": set(), "fill-in": set()}


@pytest.fixture
def store(app):
    # Queue statements without delivering them: these tests read the outbox.
    app.config.update(XAPI_ENDPOINT="http://127.0.0.1:9/xAPI/", XAPI_SEND_IN_BACKGROUND=False)


def statements() -> list[dict]:
    db.session.expire_all()
    return [row.body for row in db.session.scalars(select(XapiStatement).order_by(XapiStatement.id))]


def valid(body: dict) -> dict:
    """The statement, once Ralph's xAPI 1.0.3 model accepts it (raises otherwise)."""
    BaseXapiStatement.model_validate(body)
    definition = body["object"].get("definition", {})
    if definition.get("type") == INTERACTION:
        # Ralph's base model also accepts a plain definition here; the spec requires an interactionType.
        BaseXapiActivityInteractionDefinition.model_validate(definition)
    return body


def _every_question_answered(user, right: bool) -> list[QuizAttempt]:
    """One submitted attempt per quiz bank showing every question in it, shuffled, all answered right or all wrong."""
    attempts = []
    rng = random.Random(7)
    for quiz in db.session.scalars(select(Quiz).where(Quiz.kind != "exam").order_by(Quiz.id)):
        snapshot = [question_type(q.type).present(q.definition, rng) | {"question_id": q.id} for q in quiz.questions]
        attempt = QuizAttempt(user_id=user.id, quiz_id=quiz.id, pass_mark=quiz.pass_mark, snapshot=snapshot)
        db.session.add(attempt)
        db.session.flush()
        form = right_answer_form(attempt, wrong=0 if right else len(snapshot))
        answers, problems = quizzes.parse_answers(attempt, MultiDict(form))
        assert not problems
        assert quizzes.submit_attempt(attempt, answers)
        attempts.append(attempt)
    return attempts


def _matches(kind: str, response: str, patterns: list[str]) -> bool:
    if kind == "numeric":
        low, _, high = patterns[0].partition("[:]")
        return float(low) - 1e-9 <= float(response) <= float(high or low) + 1e-9
    if kind == "fill-in":
        unordered = "{order_matters=false}"
        given = [norm_text(part) for part in response.split("[,]")]
        for pattern in patterns:
            wanted = [norm_text(part) for part in pattern.removeprefix(unordered).split("[,]")]
            if given == wanted or (pattern.startswith(unordered) and sorted(given) == sorted(wanted)):
                return True
        return False
    return response in patterns


@pytest.mark.parametrize("right", [True, False], ids=["right", "wrong"])
def test_every_question_of_the_course_is_a_typed_interaction_with_its_response(app, db, store, right):
    learner = make_user()
    attempts = _every_question_answered(learner, right)
    answered = [valid(s) for s in statements() if s["verb"]["id"].endswith("/answered")]
    shown = [question for attempt in attempts for question in attempt.snapshot]
    assert len(answered) == len(shown) and {q["type"] for q in shown} == set(EXPECTED), "every type is covered"
    for statement, question in zip(answered, shown, strict=True):
        definition, result = statement["object"]["definition"], statement["result"]
        kind = definition["interactionType"]
        assert definition["type"] == INTERACTION and kind == EXPECTED[question["type"]], question["key"]
        assert set(definition) - {"type", "name", "interactionType", "correctResponsesPattern"} == COMPONENTS[kind]
        ids = {c["id"] for key in COMPONENTS[kind] for c in definition[key]}
        for key in COMPONENTS[kind]:
            assert all(c["description"]["en-US"] for c in definition[key])
        response = result["response"]
        if kind in ("choice", "sequencing", "matching"):
            used = {part for pair in response.split("[,]") for part in pair.split("[.]")} - {""}
            assert used <= ids, "a response names components of the definition"
        if kind == "true-false":
            assert response in ("true", "false") and definition["correctResponsesPattern"] in (["true"], ["false"])
        assert _matches(kind, response, definition["correctResponsesPattern"]) is right, question["key"]
        assert result["success"] is right


def test_every_other_statement_is_valid_and_the_score_is_exactly_raw_over_max(app, client, db, store, login_as):
    login_as()
    client.post(f"/lessons/{first_lesson().slug}/complete")
    attempt = take_quiz(client, wrong=1)
    total = len(attempt.snapshot)
    made = [valid(s) for s in statements()]
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in made]
    assert verbs == ["completed", "attempted"] + ["answered"] * total + ["completed", "passed" if attempt.passed else "failed"]
    for verdict in made[-2:]:
        score = verdict["result"]["score"]
        assert score["scaled"] == score["raw"] / score["max"] and (score["raw"], score["max"]) == (total - 1, total)


def test_five_of_six_is_sent_as_five_sixths(app, db, store):
    learner = make_user()
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "role-quiz"))
    snapshot = [question_type(q.type).present(q.definition, random.Random(1)) | {"question_id": q.id} for q in quiz.questions[:6]]
    attempt = QuizAttempt(user_id=learner.id, quiz_id=quiz.id, pass_mark=quiz.pass_mark, snapshot=snapshot)
    db.session.add(attempt)
    db.session.flush()
    answers, _ = quizzes.parse_answers(attempt, MultiDict(right_answer_form(attempt, wrong=1)))
    quizzes.submit_attempt(attempt, answers)
    verdict = valid(statements()[-1])
    assert verdict["result"]["score"]["scaled"] == 5 / 6 != 0.83


def test_every_question_type_describes_its_own_interaction():
    # A new type (such as code_entry) must say which xAPI interaction it is, not fall back to "other".
    for name, kind in REGISTRY.items():
        assert type(kind).interaction is not QuestionType.interaction, f"{name} has no interaction() of its own"


def test_the_fallback_for_an_undescribed_type_is_still_a_valid_interaction():
    class Essay(QuestionType):
        name = "essay"

        def describe_correct(self, shown):
            return "Any answer naming the minimum necessary rule"

    interaction = Essay().interaction({}, "Only what the task needs")
    assert (interaction.kind, interaction.response) == ("other", "Only what the task needs")
    BaseXapiActivityInteractionDefinition.model_validate({"type": INTERACTION, "interactionType": interaction.kind,
                                                          "correctResponsesPattern": interaction.correct})
