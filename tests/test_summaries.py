"""Summary rows never drift from the facts: after random submissions, renewals and content syncs a recomputation
finds nothing to mend, and a row changed behind the app's back is found and put right."""

import random
from datetime import date, datetime

from sqlalchemy import func, select, update

from app.content.sync import sync_content
from app.models import CourseStanding, QuizAttempt, QuizStanding
from app.services import assignments, course_standings, quiz_standings, training_progress
from app.services.reminders import send_reminders
from tests.conftest import sign_in
from tests.factories import add_hire, complete_module, make_organisation, make_user, right_answer_form
from tests.test_compliance import assign

QUIZZES = ("role-quiz", "training-quiz", "pay-quiz")
ROLE_LESSONS = ("role-what-billers-and-coders-do", "role-where-they-work-and-job-title")


def submit(client, db, slug: str, wrong: int) -> None:
    response = client.post(f"/quizzes/{slug}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    attempt = db.session.get(QuizAttempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt, wrong=wrong)).status_code == 302


def test_summary_rows_match_a_recomputation_after_random_work(app, db, content):
    rng = random.Random(20261201)
    manager = make_user("employer")
    organisation = make_organisation(manager)
    learners = [make_user(name=f"Learner {n}") for n in range(4)]
    for learner in learners:
        add_hire(organisation, learner, hire_date=date(2026, 11, 1))
    assign(organisation, manager, module_slugs=["role"], yearly=True)
    db.session.commit()
    clients = {}
    for learner in learners:
        clients[learner.id] = app.test_client()
        sign_in(clients[learner.id], learner.email)
    for _ in range(16):
        learner = rng.choice(learners)
        submit(clients[learner.id], db, rng.choice(QUIZZES), wrong=rng.choice([0, 0, 1, 3, 8]))
        for slug in rng.sample(ROLE_LESSONS, rng.randint(0, 2)):
            assert clients[learner.id].post(f"/lessons/{slug}/complete").status_code == 302
    # A renewal: one learner completes the yearly training, it expires and its next cycle starts.
    complete_module(learners[0], "role", when=datetime(2026, 11, 20))
    assignments.refresh_completions(learners[0], now=datetime(2026, 11, 20, 9))
    send_reminders(date(2027, 11, 21))
    # A content sync that changes the course (a lesson edited) leaves the rows as they are: they still match.
    lesson = next((content / "lessons").glob("role-01-*.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nOne more plain sentence.\n", encoding="utf-8")
    assert sync_content(content).changed
    db.session.commit()
    assert quiz_standings.rebuild(fix=False) == []
    assert training_progress.rebuild(fix=False) == []
    assert course_standings.rebuild(fix=False) == []
    assert db.session.scalar(select(QuizStanding.attempts).limit(1)) is not None
    assert db.session.scalar(select(func.sum(CourseStanding.lessons_done))) > 0


def test_a_retired_lesson_stops_counting_in_every_course_row(app, db, content, client, login_as):
    learner = login_as()
    for slug in ROLE_LESSONS:
        assert client.post(f"/lessons/{slug}/complete").status_code == 302
    assert db.session.get(CourseStanding, learner.id).lessons_done == 2
    retired = next((content / "lessons").glob("role-02-*.md"))
    retired.unlink()
    assert sync_content(content).changed
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CourseStanding, learner.id).lessons_done == 1
    assert course_standings.rebuild(fix=False) == []


def test_a_drifted_row_is_reported_then_mended(app, db):
    learner = make_user()
    client = app.test_client()
    db.session.commit()
    sign_in(client, learner.email)
    submit(client, db, "role-quiz", wrong=0)
    submit(client, db, "role-quiz", wrong=8)
    db.session.execute(update(QuizStanding).values(best_score=10, attempts=7))
    db.session.commit()
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["summaries", "rebuild", "--check"])
    assert checked.exit_code == 1
    assert "best_score was 10, the attempts say 100" in checked.output and "attempts was 7, the attempts say 2" in checked.output
    assert runner.invoke(args=["summaries", "rebuild"]).exit_code == 0
    row = db.session.scalar(select(QuizStanding))
    db.session.refresh(row)
    assert (row.best_score, row.attempts, row.passed) == (100, 2, True)
    assert runner.invoke(args=["summaries", "rebuild", "--check"]).exit_code == 0


def test_the_daily_run_mends_drift(app, db):
    learner = make_user()
    db.session.commit()
    client = app.test_client()
    sign_in(client, learner.email)
    submit(client, db, "role-quiz", wrong=0)
    db.session.execute(QuizStanding.__table__.delete())
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["reminders", "send", "--today", "2026-12-01"]).output
    assert "quiz standing of user" in output and "fixed" in output
    assert quiz_standings.rebuild(fix=False) == []
