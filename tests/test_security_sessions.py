"""Sessions, sign-in throttling, headers, errors and the audit trail, with every protection switched on."""

import logging
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app import create_app
from app.extensions import db as _db
from app.models import AuditEvent, QuizAttempt
from app.services import audit
from config import ProductionConfig
from tests.conftest import config_for, sign_in
from tests.factories import DEFAULT_PASSWORD, make_user


def age_session(client, idle_seconds=0, age_seconds=0):
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - idle_seconds
        session["started"] = int(time.time()) - max(age_seconds, idle_seconds)


@pytest.mark.parametrize(("role", "minutes"), [("student", 30), ("instructor", 15), ("employer", 15), ("admin", 15)])
def test_idle_sessions_end_after_their_roles_limit(client, login_as, role, minutes):
    login_as(role)
    age_session(client, idle_seconds=(minutes - 1) * 60)
    assert client.get("/glossary").status_code == 200
    assert "Sign out" in client.get("/glossary").get_data(as_text=True)
    age_session(client, idle_seconds=minutes * 60 + 5)
    response = client.get("/glossary")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/quizzes/role-quiz").status_code == 302


def test_the_last_seen_time_is_stamped_once_a_minute_not_on_every_page(client, login_as):
    login_as()
    client.get("/glossary")  # the first page gives the session its CSRF token
    age_session(client, idle_seconds=10)
    quiet = client.get("/glossary")
    assert quiet.status_code == 200 and "Set-Cookie" not in quiet.headers  # nothing changed: no new cookie to sign and send
    age_session(client, idle_seconds=90)
    stamped = client.get("/glossary")
    assert stamped.status_code == 200 and "session=" in stamped.headers["Set-Cookie"]
    with client.session_transaction() as session:
        assert int(time.time()) - session["seen"] < 5


def test_sessions_end_after_12_hours_however_active(client, login_as):
    login_as()
    age_session(client, idle_seconds=60, age_seconds=12 * 3600 + 60)
    assert client.get("/quizzes/role-quiz").status_code == 302


def test_a_quiz_handed_in_after_the_idle_limit_keeps_its_answers(client, db, login_as):
    login_as()
    response = client.post("/quizzes/role-quiz/start")
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    token = client.csrf_token()  # the token of the page the learner has open
    age_session(client, idle_seconds=31 * 60)
    timed_out = client.post(f"/attempts/{attempt_id}", data={"q0": "1", "q1": "true", "csrf_token": token})
    assert "/auth/login" in timed_out.headers["Location"]
    attempt = db.session.get(QuizAttempt, attempt_id)
    db.session.refresh(attempt)
    assert attempt.submitted_at is None and attempt.draft["q0"] == ["1"]


def test_answers_are_saved_as_the_learner_goes_and_come_back(client, db, login_as):
    login_as()
    attempt_id = int(client.post("/quizzes/role-quiz/start").headers["Location"].rsplit("/", 1)[1])
    snapshot = db.session.get(QuizAttempt, attempt_id).snapshot
    index = next(i for i, shown in enumerate(snapshot) if shown["type"] == "single_choice")
    assert client.post(f"/attempts/{attempt_id}/draft", data={f"q{index}": "1"}).get_json() == {"saved": True}
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert f'name="q{index}" value="1" checked' in page


def test_the_old_cookie_fails_after_logout_password_change_and_deactivation(app, client, db, login_as):
    user = login_as()
    cookie = client.get_cookie("session").value
    for end_it in ("logout", "password", "deactivate"):
        replay = app.test_client()
        replay.set_cookie("session", cookie)
        assert replay.get("/quizzes/role-quiz").status_code == 200
        if end_it == "logout":
            client.post("/auth/logout")
        elif end_it == "password":
            client.post("/auth/password", data={"current": DEFAULT_PASSWORD, "password": "another strong passphrase",
                                                "confirm": "another strong passphrase"})
        else:
            from app.services.admin import set_active
            set_active(db.session.get(type(user), user.id), False)
            db.session.commit()
        assert replay.get("/quizzes/role-quiz").status_code == 302, end_it
        if end_it != "deactivate":
            password = DEFAULT_PASSWORD if end_it == "logout" else "another strong passphrase"
            sign_in(client, user.email, password)
            cookie = client.get_cookie("session").value


def test_production_cookies_are_secure_and_hsts_is_sent(database):
    config = config_for(database)
    production = type("Prod", (ProductionConfig,), {"SECRET_KEY": "x" * 40, "AUDIT_KEY": "y" * 40, "AUDIT_HEAD_PATH": config.AUDIT_HEAD_PATH,
                                                     "BASE_URL": "https://training.example.org", "MAIL_SEND_IN_BACKGROUND": False,
                                                     "SQLALCHEMY_DATABASE_URI": config.SQLALCHEMY_DATABASE_URI})
    app = create_app(production)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.app_context():
        response = app.test_client().get("/glossary")
        _db.engine.dispose()
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_repeated_failures_slow_the_address_without_revealing_whether_it_exists(client, db):
    user, bystander = make_user(), make_user()
    db.session.commit()
    answers = {}
    for email in (user.email, "no-such-person@example.com"):
        pages = [sign_in(client, email, "wrong password guess!").get_data(as_text=True) for _ in range(6)]
        answers[email] = ["Too many failed sign-ins" in page for page in pages]
    assert answers[user.email] == answers["no-such-person@example.com"] == [False] * 5 + [True]
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 429, "no password check while the delay lasts"
    assert sign_in(client, bystander.email, DEFAULT_PASSWORD).status_code == 302, "other accounts are unaffected"
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("login.failure") == 10 and actions.count("login.throttled") == 3


def test_the_delay_is_shared_by_every_worker(database, db):
    user = make_user()
    db.session.commit()
    workers = [create_app(config_for(database)) for _ in range(2)]
    for attempt in range(5):
        worker = workers[attempt % 2]
        with worker.app_context():
            sign_in(_client(worker), user.email, "wrong password guess!")
    with workers[0].app_context():
        assert "Too many failed" in sign_in(_client(workers[0]), user.email, DEFAULT_PASSWORD).get_data(as_text=True)
    for worker in workers:
        with worker.app_context():
            _db.engine.dispose()


def _client(app):
    from tests.conftest import CSRFClient
    app.test_client_class = CSRFClient
    return app.test_client()


def test_the_audit_trail_refuses_update_and_delete(app, db, login_as, client):
    login_as()
    event_id = db.session.scalar(select(AuditEvent.id))
    for statement in ("UPDATE audit_events SET action = 'x' WHERE id = :id", "DELETE FROM audit_events WHERE id = :id"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement), {"id": event_id})
        db.session.rollback()


def test_audit_verify_detects_a_changed_or_removed_event(app, db, client, login_as):
    user = login_as()
    for _ in range(3):
        client.post("/auth/logout")
        sign_in(client, user.email)
    runner = app.test_cli_runner()
    assert "intact" in runner.invoke(args=["audit", "verify"]).output
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":  # someone with direct database access removes the guard
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_change ON audit_events")
    else:
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
    second = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()[1]
    connection.exec_driver_sql(f"UPDATE audit_events SET target = 'tampered' WHERE id = {second}")
    db.session.commit()
    assert audit.verify()[1] == second
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"broken at event {second}" in result.output
    connection = db.session.connection()
    connection.exec_driver_sql(f"DELETE FROM audit_events WHERE id = {second}")
    db.session.commit()
    assert audit.verify()[1] == second + 1


def test_audit_events_carry_utc_time_actor_and_request_id_but_no_secrets(client, db, login_as):
    user = login_as()
    response = client.get("/glossary")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.success")).first()
    assert event.actor_id == user.id and len(event.request_id) == 32 and event.at.tzinfo is None
    assert response.headers["X-Request-ID"]
    stored = " ".join(str(e.details) for e in db.session.scalars(select(AuditEvent)))
    assert DEFAULT_PASSWORD not in stored and "session" not in stored and "csrf" not in stored


def test_admins_browse_and_filter_the_audit_trail(client, db, login_as):
    learner = make_user(name="Audited Person")
    db.session.commit()
    sign_in(client, learner.email, "wrong password guess!")
    admin = login_as("admin")
    # The filter form lists every recorded action; the events are in the table after it.
    page = client.get("/admin/audit", query_string={"action": "login.failure"}).get_data(as_text=True).split("<table", 1)[1]
    assert "login.failure" in page and "login.success" not in page
    mine = client.get("/admin/audit", query_string={"person": admin.email}).get_data(as_text=True).split("<table", 1)[1]
    assert "login.success" in mine and "login.failure" not in mine


def test_an_error_shows_an_id_that_matches_the_log_line(app, client, caplog):
    @app.route("/explode")
    def explode():
        raise RuntimeError("database password is hunter2 in /srv/app/secret.py")

    with caplog.at_level(logging.ERROR):
        response = client.get("/explode")
    page = response.get_data(as_text=True)
    error_id = response.headers["X-Request-ID"]
    assert response.status_code == 500 and error_id in page
    assert "hunter2" not in page and "/srv/app" not in page and "Traceback" not in page and "SELECT" not in page
    assert any(error_id in record.getMessage() for record in caplog.records)
