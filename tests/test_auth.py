"""Accounts: registration, sign-in, sign-out, CSRF (switched on), safe redirects, session renewal."""

import pytest
from sqlalchemy import func, select

from app.models import User
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.test_registration import mailed_link

NEW = {"display_name": "Pat Example", "email": "Pat@Example.com", "password": "correct horse battery", "confirm": "correct horse battery"}


def user_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_registering_creates_an_unconfirmed_student_who_signs_in_after_following_the_link(client, db, smtp):
    response = client.post("/auth/register", data=NEW)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "pat@example.com" and user.role == "student" and user.email_confirmed_at is None
    assert user.password_hash.startswith("$argon2id$")
    assert "Your course" not in client.get("/").get_data(as_text=True)
    refused = sign_in(client, "pat@example.com", NEW["password"])
    assert refused.status_code == 200 and "Confirm your e-mail address first" in refused.get_data(as_text=True)
    link = mailed_link(smtp, "pat@example.com", "/auth/confirm/")
    assert "Confirm my address" in client.get(link).get_data(as_text=True)
    db.session.refresh(user)
    assert user.email_confirmed_at is None, "opening the link (as a mail scanner does) confirms nothing"
    client.post(link)
    assert sign_in(client, "pat@example.com", NEW["password"]).status_code == 302
    assert "Your course" in client.get("/").get_data(as_text=True)


def test_email_addresses_are_unique_regardless_of_case(client, db, smtp):
    first = client.post("/auth/register", data=NEW, follow_redirects=True).get_data(as_text=True)
    again = client.post("/auth/register", data={**NEW, "email": "PAT@example.COM"}, follow_redirects=True)
    assert again.status_code == 200 and "already exists" not in again.get_data(as_text=True)
    assert "We have sent a message to pat@example.com" in first and "We have sent a message to pat@example.com" in again.get_data(as_text=True)
    assert user_count(db) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-address"}, "Invalid email address."),
        ({"password": "short", "confirm": "short"}, "Use 12 to 128 characters."),
        ({"confirm": "something else entirely"}, "The passwords do not match."),
        ({"display_name": ""}, "This field is required."),
    ],
)
def test_a_malformed_registration_shows_a_message_at_the_field_and_creates_nothing(client, db, changes, message):
    response = client.post("/auth/register", data={**NEW, **changes})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    assert user_count(db) == 0


def test_sign_in_with_a_wrong_password_fails_with_a_message(client, db):
    user = make_user()
    db.session.commit()
    response = sign_in(client, user.email, "the wrong password!!")
    assert response.status_code == 200
    assert "do not match an active account" in response.get_data(as_text=True)
    assert client.get("/quizzes/role-quiz").status_code == 302


def test_sign_in_ignores_the_case_of_the_email(client, db):
    make_user(email="casey@example.test")
    db.session.commit()
    assert sign_in(client, "CASEY@Example.Test").status_code == 302


def test_a_deactivated_account_cannot_sign_in(client, db):
    user = make_user()
    user.active = False
    db.session.commit()
    assert sign_in(client, user.email).status_code == 200


def test_csrf_is_enforced_a_post_without_a_token_is_refused_and_changes_nothing(client, db, app):
    assert app.config["WTF_CSRF_ENABLED"] is True
    response = client.post("/auth/register", data=NEW, csrf=False)
    assert response.status_code == 400
    assert "This form has expired or was not sent from this site." in response.get_data(as_text=True)
    assert user_count(db) == 0
    forged = client.post("/auth/register", data={**NEW, "csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 400 and user_count(db) == 0


def test_csrf_protects_learner_actions_too(client, db, login_as):
    login_as()
    response = client.post("/lessons/role-what-billers-and-coders-do/complete", csrf=False)
    assert response.status_code == 400
    assert "✓ read" not in client.get("/").get_data(as_text=True)


def test_the_session_is_renewed_at_sign_in(client, db):
    user = make_user()
    db.session.commit()
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_after_sign_out_the_old_session_cookie_no_longer_works(client, db, login_as):
    login_as()
    stolen = client.get_cookie("session").value
    client.post("/auth/logout")
    client.set_cookie("session", stolen)
    response = client.get("/quizzes/role-quiz")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_sign_out_needs_a_post(client, login_as):
    login_as()
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/quizzes/role-quiz").status_code == 200


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/quizzes/role-quiz", "/quizzes/role-quiz"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
        ("\t//evil.example", "/"),
    ],
)
def test_next_only_redirects_within_the_site(client, db, target, expected):
    user = make_user()
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_a_protected_page_sends_the_visitor_to_sign_in_and_back(client, db):
    user = make_user()
    db.session.commit()
    response = client.get("/quizzes/role-quiz")
    assert response.status_code == 302
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="/quizzes/role-quiz"' in login_page
    back = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "next": "/quizzes/role-quiz"})
    assert back.headers["Location"] == "/quizzes/role-quiz"


def test_users_create_command_makes_an_account_with_a_role(app, db):
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", "Boss@Example.test", "--role", "admin", "--password-stdin"],
                                          input="a strong admin password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.test"))
    assert user.role == "admin"
    again = app.test_cli_runner().invoke(args=["users", "create", "--email", "boss@example.test", "--password-stdin"],
                                         input="another long password\n")
    assert again.exit_code == 1 and "already exists" in again.output
