"""Taking quizzes: drawing, grading on the server, one record per submission, snapshots, access."""

import threading

from markupsafe import escape
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Question, QuizAttempt
from app.questions import question_type
from tests.conftest import sign_in
from tests.factories import make_user, quiz, right_answer_form


def html(text: str) -> str:
    """Text as the page shows it (escaped)."""
    return str(escape(text))


def start(client, slug="role-quiz") -> QuizAttempt:
    response = client.post(f"/quizzes/{slug}/start")
    assert response.status_code == 302
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(QuizAttempt, attempt_id)


def count_attempts(db, user) -> int:
    return db.session.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.user_id == user.id))


def test_an_attempt_draws_the_configured_number_of_distinct_questions(client, login_as):
    login_as()
    attempt = start(client)
    role_quiz = quiz()
    assert len(attempt.snapshot) == role_quiz.draw < len(role_quiz.questions)
    assert len({shown["key"] for shown in attempt.snapshot}) == role_quiz.draw
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert page.count("<fieldset") == role_quiz.draw
    assert html(attempt.snapshot[0]["prompt"]) in page


def test_passing_and_failing_are_graded_on_the_server(client, db, login_as):
    login_as()
    attempt = start(client)
    response = client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt, wrong=3))
    assert response.status_code == 302
    db.session.refresh(attempt)
    draw = len(attempt.snapshot)
    assert attempt.correct_count == draw - 3
    assert attempt.score == round(100 * (draw - 3) / draw)
    assert attempt.passed is (attempt.score >= attempt.pass_mark)
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert f"{attempt.score}%" in page
    assert page.count("Incorrect.") == 3 and page.count("Correct answer:") == 3
    assert html(attempt.snapshot[0]["explanation"]) in page


def test_the_result_shows_the_learners_answer_and_the_correct_one(client, db, login_as):
    login_as()
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt, wrong=1))
    first = attempt.snapshot[0]
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    correct = question_type(first["type"]).describe_correct(first)
    assert f"Correct answer: <strong>{html(correct)}</strong>" in page


def test_a_double_submission_is_recorded_once(client, db, login_as):
    user = login_as()
    attempt = start(client)
    form = right_answer_form(attempt)
    first = client.post(f"/attempts/{attempt.id}", data=form)
    second = client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt, wrong=len(attempt.snapshot)))
    assert first.status_code == second.status_code == 302
    db.session.refresh(attempt)
    assert attempt.score == 100, "the second (all wrong) post must not overwrite the first"
    assert count_attempts(db, user) == 1
    assert "already been handed in" in client.get(second.headers["Location"]).get_data(as_text=True)


def test_concurrent_submissions_of_one_attempt_record_one_result(app, client, db, login_as):
    user = login_as()
    attempt = start(client)
    token = client.csrf_token()
    cookie = client.get_cookie("session").value
    url = f"/attempts/{attempt.id}"
    forms = [{**right_answer_form(attempt, wrong=n % 2), "csrf_token": token} for n in range(6)]
    db.session.commit()  # release this test's own write transaction before the requests race
    statuses = []

    def submit(form):
        other = app.test_client()
        other.set_cookie("session", cookie)
        statuses.append(other.post(url, data=form).status_code)

    threads = [threading.Thread(target=submit, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 6
    db.session.expire_all()
    rows = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)).all()
    assert len(rows) == 1 and rows[0].submitted_at is not None


def test_starting_twice_or_in_a_second_tab_resumes_the_same_attempt(client, db, login_as):
    user = login_as()
    first = start(client)
    second = start(client)
    assert first.id == second.id
    assert count_attempts(db, user) == 1
    assert "Resume your attempt" in client.get("/quizzes/role-quiz").get_data(as_text=True)


def test_an_unanswered_question_shows_the_form_again_and_records_nothing(client, db, login_as):
    login_as()
    attempt = start(client)
    form = right_answer_form(attempt)
    del form["q1"]
    response = client.post(f"/attempts/{attempt.id}", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Answer this question before you submit." in page
    assert 'id="q1-error"' in page
    db.session.refresh(attempt)
    assert attempt.submitted_at is None and attempt.score is None


def test_a_post_without_answers_at_all_is_refused_politely(client, db, login_as):
    login_as()
    attempt = start(client)
    response = client.post(f"/attempts/{attempt.id}", data={"q0": "not-a-number"})
    assert response.status_code == 422
    assert 'class="error" id="q1-error"' in response.get_data(as_text=True)
    db.session.refresh(attempt)
    assert attempt.submitted_at is None


def test_editing_the_quiz_later_never_rewrites_a_submitted_attempt(client, db, login_as):
    login_as()
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt))
    shown_prompt = attempt.snapshot[0]["prompt"]
    db.session.execute(update(Question).values(definition={"type": "true_false", "id": "x", "prompt": "Changed", "answer": True,
                                                           "explanation": "e", "source": "S-01"}, type="true_false"))
    db.session.commit()
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert html(shown_prompt) in page
    assert "100%" in page


def test_another_learners_attempt_is_not_found(client, db, login_as):
    owner = make_user()
    db.session.commit()
    sign_in(client, owner.email)
    attempt = start(client)
    client.post("/auth/logout")
    login_as()
    assert client.get(f"/attempts/{attempt.id}").status_code == 404
    assert client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt)).status_code == 404
    db.session.refresh(attempt)
    assert attempt.submitted_at is None


def test_attempt_limits_are_enforced(client, db, login_as):
    login_as()
    role_quiz = quiz()
    role_quiz.attempts_allowed = 1
    db.session.commit()
    attempt = start(client)
    client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt))
    response = client.post("/quizzes/role-quiz/start", follow_redirects=True)
    assert "You have used every attempt this quiz allows." in response.get_data(as_text=True)


def test_history_lists_every_attempt_and_retakes_differ_in_order_or_questions(client, db, login_as):
    login_as()
    snapshots = []
    for wrong in (10, 0):
        attempt = start(client)
        snapshots.append([(s["key"], tuple(s.get("choices", []))) for s in attempt.snapshot])
        client.post(f"/attempts/{attempt.id}", data=right_answer_form(attempt, wrong=wrong))
    page = client.get("/quizzes/role-quiz").get_data(as_text=True)
    assert page.count("Review answers") == 2
    assert "Passed" in page and "Not passed" in page
    assert snapshots[0] != snapshots[1]


def test_quiz_pages_need_a_signed_in_user(client):
    response = client.get("/quizzes/role-quiz")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
