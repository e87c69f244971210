"""Two app server processes on one database: nothing lives in a process's memory between requests."""

import re
import signal

import pytest

from app.extensions import db
from app.models import QuizAttempt
from tests.factories import DEFAULT_PASSWORD, make_user, right_answer_form
from tests.stress import Browser, free_port, start_server


@pytest.fixture
def two_servers(app, database, tmp_path):
    """Two separate gunicorn processes (one worker each) serving this test's database."""
    servers, bases = [], []
    for n in range(2):
        port = free_port()
        servers.append(start_server(database, port, tmp_path / f"server{n}.log", workers=1))
        bases.append(f"http://127.0.0.1:{port}")
    yield bases
    for server in servers:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def sign_in(browser: Browser, email: str, password: str) -> tuple[int, str]:
    return browser.request("/auth/login", {"email": email, "password": password, "csrf_token": browser.token()})


def test_a_sign_in_delay_on_one_server_holds_on_the_other(app, two_servers):
    user = make_user()
    db.session.commit()
    first, second = Browser(two_servers[0]), Browser(two_servers[1])
    for _ in range(5):
        sign_in(first, user.email, "wrong password guess!")
    status, page = sign_in(second, user.email, DEFAULT_PASSWORD)
    assert status == 429 and "Too many failed sign-ins" in page


def test_a_quiz_started_on_one_server_is_finished_on_the_other(app, two_servers):
    user = make_user()
    db.session.commit()
    browser = Browser(two_servers[0])
    assert sign_in(browser, user.email, DEFAULT_PASSWORD)[0] == 302
    status, _ = browser.request("/quizzes/role-quiz/start", {"csrf_token": browser.token()})
    assert status == 302
    attempt = db.session.query(QuizAttempt).filter_by(user_id=user.id).one()
    answers = right_answer_form(attempt)
    db.session.commit()  # the test holds no write lock while the servers work
    browser.base = two_servers[1]  # the load balancer now sends this browser elsewhere
    status, page = browser.request(f"/attempts/{attempt.id}")
    assert status == 200 and re.search(r'<form method="post" action="/attempts/\d+"', page)
    status, _ = browser.request(f"/attempts/{attempt.id}", {**answers, "csrf_token": browser.token()})
    assert status == 302
    db.session.refresh(attempt)
    assert attempt.score == 100
