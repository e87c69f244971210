"""Item analysis against a small hand-computed example."""

import csv
import io

from app.models import Quiz
from app.services import item_analysis
from tests.factories import make_attempt, make_cohort, make_user, quiz


def single_choice_quiz(db) -> Quiz:
    """The role quiz, with its first two questions guaranteed to be single-choice for this example."""
    role = quiz("role-quiz")
    picked = [q for q in role.questions if q.type == "single_choice"][:2]
    assert len(picked) == 2
    return role, picked


def build_example(db, teacher):
    """Six learners answer Q1 and Q2 (first attempts). Scores: 100, 100, 50, 50, 50, 0.

    Q1 is right for everyone but the last (facility 5/6 = 0.83). Q2 is right only for the two top scorers
    (facility 2/6 = 0.33). Groups of round(0.27 * 6) = 2: Q1 upper 2/2, lower 1/2 -> D = 0.5;
    Q2 upper 2/2, lower 0/2 -> D = 1.0.
    """
    role, (q1, q2) = single_choice_quiz(db)
    learners = [make_user() for _ in range(6)]
    cohort = make_cohort(teacher, learners)
    outcomes = [(True, True), (True, True), (True, False), (True, False), (True, False), (False, False)]
    right1 = q1.definition["choices"].index(q1.definition["answer"])
    wrong1 = next(i for i, c in enumerate(q1.definition["choices"]) if c != q1.definition["answer"])
    right2 = q2.definition["choices"].index(q2.definition["answer"])
    wrong2 = next(i for i, c in enumerate(q2.definition["choices"]) if c != q2.definition["answer"])
    for learner, (a, b) in zip(learners, outcomes, strict=True):
        attempt = make_attempt(learner, role, [a, b], picks=[right1 if a else wrong1, right2 if b else wrong2])
        # make_attempt shows the bank's first questions; point the snapshot at q1 and q2 in that order.
        attempt.snapshot = [_shown(q1), _shown(q2)]
    later = make_attempt(learners[5], role, [True, True], picks=[right1, right2])
    later.snapshot = [_shown(q1), _shown(q2)]
    db.session.commit()
    return cohort, role, q1, q2, learners


def _shown(question):
    return {**question.definition, "key": question.definition["id"], "question_id": question.id}


def test_facility_discrimination_and_choice_counts_match_the_hand_computation(app, db):
    teacher = make_user("instructor")
    cohort, role, q1, q2, learners = build_example(db, teacher)
    from app.permissions import visible_learner_ids
    attempts = item_analysis.attempts_for(role, visible_learner_ids(teacher, cohort.id), first_only=True)
    assert len(attempts) == 6
    items = {item.question_id: item for item in item_analysis.analyse(role, attempts)}
    one, two = items[q1.id], items[q2.id]
    assert (one.responses, one.facility, one.discrimination) == (6, 0.83, 0.5)
    assert (two.responses, two.facility, two.discrimination) == (6, 0.33, 1.0)
    assert one.choices[q1.definition["answer"]] == 5 and sum(one.choices.values()) == 6
    unpicked = [c for c in q1.definition["choices"] if one.choices[c] == 0]
    assert ("distractor nobody picks: " + "; ".join(unpicked)) in one.flags
    assert one.source_file == "quizzes/role.yaml" and one.source_line == q1.source_line > 0


def test_all_attempts_can_be_included(app, db):
    teacher = make_user("instructor")
    cohort, role, q1, q2, learners = build_example(db, teacher)
    from app.permissions import visible_learner_ids
    attempts = item_analysis.attempts_for(role, visible_learner_ids(teacher, cohort.id), first_only=False)
    items = {item.question_id: item for item in item_analysis.analyse(role, attempts)}
    assert items[q1.id].responses == 7 and items[q1.id].facility == round(6 / 7, 2)


def test_flags_for_easy_hard_and_weak_questions():
    item = item_analysis.ItemStats(1, "k", "p", "true_false", responses=10, correct=10, facility=1.0, discrimination=0.0,
                                   choices={"True": 10, "False": 0}, correct_choices={"True"})
    item_analysis._flag(item)
    assert item.flags == ["too easy", "weak discrimination", "distractor nobody picks: False"]
    hard = item_analysis.ItemStats(2, "k", "p", "numeric", responses=10, correct=1, facility=0.1, discrimination=-0.5)
    item_analysis._flag(hard)
    assert hard.flags == ["too hard", "negative discrimination"]
    few = item_analysis.ItemStats(3, "k", "p", "numeric", responses=2, correct=2, facility=1.0, discrimination=0.0)
    item_analysis._flag(few)
    assert few.flags == []


def test_the_page_names_the_method_links_the_source_and_exports_csv(client, db, login_as):
    teacher = login_as("instructor")
    cohort, role, q1, q2, learners = build_example(db, teacher)
    page = client.get(f"/teach/cohorts/{cohort.id}/quizzes/{role.slug}").get_data(as_text=True)
    assert item_analysis.METHOD in page
    assert f'/teach/content/quizzes/role.yaml#L{q1.source_line}' in page
    source = client.get("/teach/content/quizzes/role.yaml").get_data(as_text=True)
    assert f'id="L{q1.source_line}"' in source
    assert client.get("/teach/content/quizzes/..%2Fconfig.py").status_code == 404
    rows = list(csv.reader(io.StringIO(client.get(f"/teach/cohorts/{cohort.id}/quizzes/{role.slug}.csv").data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Question", "Type", "Responses", "Facility", "Discrimination"]
    assert ["6", "0.83", "0.5"] in [row[2:5] for row in rows[1:]]
