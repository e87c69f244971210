"""CSRF on every state-changing route, safe redirects, and passwords."""

import re

import pytest
from argon2 import extract_parameters
from flask import url_for
from sqlalchemy import func, select

from app.models import User
from app.models.base import utcnow
from app.services.accounts import hash_password
from app.services.passwords import password_problem
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.world import build_world, url_values


def all_counts(db) -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_every_post_route_refuses_a_missing_or_forged_csrf_token_and_changes_nothing(app, client, db):
    world = build_world()
    with app.test_request_context():
        posts = [(rule, url_for(rule.endpoint, **url_values(world, rule.endpoint, set(rule.arguments))))
                 for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert app.config["WTF_CSRF_ENABLED"] is True and len(posts) >= 25
    for role in ("anonymous", "student", "instructor", "employer", "admin"):
        if role != "anonymous":
            sign_in(client, world.accounts[role].email, DEFAULT_PASSWORD)
        before = all_counts(db)
        for _rule, url in posts:
            for token in (None, "forged-token"):
                data = {"name": "x", "email": "csrf@example.com", "password": "a long test password 42", "role": "admin"}
                if token:
                    data["csrf_token"] = token
                response = client.post(url, data=data, csrf=False)
                assert response.status_code == 400, (role, url, response.status_code)
        assert all_counts(db) == before, role
        if role != "anonymous":
            client.post("/auth/logout")
    print(f"CSRF: {len(posts)} POST routes x 5 roles x 2 tokens refused")


REDIRECT_VECTORS = [
    "https://evil.example/", "http://evil.example", "//evil.example", "///evil.example", "/\\evil.example",
    "\\\\evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "http:/evil.example", "https:evil.example", "\t//evil.example", " //evil.example", "%2F%2Fevil.example",
    "/%09/evil.example", "http://127.0.0.1@evil.example", "//evil.example%2F..", "\x00//evil.example",
    "https://evil.example/?next=/", "ftp://evil.example",
]


@pytest.mark.parametrize("vector", REDIRECT_VECTORS)
def test_next_can_never_leave_the_site(client, db, vector):
    user = make_user()
    db.session.commit()
    for via_query in (True, False):
        if via_query:
            page = client.get("/auth/login", query_string={"next": vector}).get_data(as_text=True)
            posted = re.search(r'name="next" type="hidden" value="([^"]*)"', page)
            target = posted.group(1) if posted else ""
            response = client.post("/auth/login", query_string={"next": vector},
                                   data={"email": user.email, "password": DEFAULT_PASSWORD, "next": vector})
        else:
            response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "next": vector})
            target = vector
        if "\x00" in vector:  # a NUL character is refused outright, before any redirect is considered
            assert response.status_code == 400 and "Location" not in response.headers, (vector, target)
            continue
        location = response.headers["Location"]
        assert response.status_code == 302 and location == "/", (vector, target, location)
        client.post("/auth/logout")


def test_a_path_on_the_site_is_a_fine_next(client, db):
    user = make_user()
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "next": "/glossary?q=phi"})
    assert response.headers["Location"] == "/glossary?q=phi"


def test_passwords_are_hashed_with_argon2id_of_at_least_19_mib_and_2_passes(app, db):
    for config in (app.config, {"ARGON2_MEMORY_KIB": 65536, "ARGON2_TIME_COST": 3}):
        app.config.update(ARGON2_MEMORY_KIB=config["ARGON2_MEMORY_KIB"], ARGON2_TIME_COST=config["ARGON2_TIME_COST"])
        parameters = extract_parameters(hash_password("a long test password 42"))
        assert parameters.type.name == "ID" and parameters.memory_cost >= 19 * 1024 and parameters.time_cost >= 2


def test_password_rules():
    assert password_problem("short") == "Use 12 to 128 characters."
    assert password_problem("x" * 129) == "Use 12 to 128 characters."
    assert "most common" in password_problem("password1234")
    assert "too easy to guess" in password_problem("aaaaaaaaaaaa")
    assert "too easy to guess" in password_problem("pat.sample@example.com", "pat.sample@example.com")
    assert password_problem("quiet harbour lantern 42") is None
    assert password_problem("w" * 50 + " fine long pass phrase " + "z" * 40) is None


def test_a_long_password_is_not_silently_truncated(client, db):
    long_password = "correct horse battery staple " * 4  # 116 characters
    client.post("/auth/register", data={"display_name": "Long Pass", "email": "long@example.com",
                                        "password": long_password, "confirm": long_password})
    db.session.scalar(select(User).where(User.email == "long@example.com")).email_confirmed_at = utcnow()  # as the link does
    assert sign_in(client, "long@example.com", long_password[:-1] + "X").status_code == 200
    assert sign_in(client, "long@example.com", long_password[:72]).status_code == 200
    assert sign_in(client, "long@example.com", long_password).status_code == 302


def test_registration_rejects_a_common_password(client, db):
    response = client.post("/auth/register", data={"display_name": "Common", "email": "common@example.com",
                                                   "password": "qwerty123456", "confirm": "qwerty123456"})
    assert "most common passwords" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "common@example.com")) is None


def test_changing_the_password_asks_for_the_current_one_and_ends_other_sessions(app, client, db, login_as):
    user = login_as()
    other = app.test_client()
    sign_in(other, user.email)
    wrong = client.post("/auth/password", data={"current": "not my password!", "password": "a fresh new passphrase",
                                                "confirm": "a fresh new passphrase"})
    assert "That is not your current password." in wrong.get_data(as_text=True)
    client.post("/auth/password", data={"current": DEFAULT_PASSWORD, "password": "a fresh new passphrase",
                                        "confirm": "a fresh new passphrase"})
    assert client.get("/quizzes/role-quiz").status_code == 200, "this session carries on"
    assert other.get("/quizzes/role-quiz").status_code == 302, "the other session ended"
    assert sign_in(app.test_client(), user.email, "a fresh new passphrase").status_code == 302
