"""Throttling that cannot be turned against users: growing delays per account and per client address, claimed
before the password is checked (exact under concurrency), on sign-in, password change and reset requests."""

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, EmailMessage, Throttle
from app.models.base import utcnow
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.test_registration import mailed_link

WRONG = "wrong password guess!"


def actions(db, action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.fixture
def clock(monkeypatch):
    """The time the sign-in views see, moved on by the test."""
    now = {"at": utcnow()}
    monkeypatch.setattr("app.auth.routes.utcnow", lambda: now["at"])

    def advance(seconds: int) -> None:
        now["at"] += timedelta(seconds=seconds)

    return advance


def test_failures_bring_a_doubling_delay_the_same_for_known_and_unknown_addresses(client, db, clock):
    user = make_user()
    db.session.commit()
    pages = {}
    for email in (user.email, "no-such-person@example.com"):
        responses = [sign_in(client, email, WRONG) for _ in range(6)]
        pages[email] = [(r.status_code, "Try again in 30 seconds" in r.get_data(as_text=True)) for r in responses]
    assert pages[user.email] == pages["no-such-person@example.com"] == [(200, False)] * 5 + [(429, True)]
    assert sign_in(client, user.email).status_code == 429, "no password is checked while the delay lasts"
    clock(31)
    assert sign_in(client, user.email, WRONG).status_code == 200
    assert "Try again in 60 seconds" in sign_in(client, user.email).get_data(as_text=True), "the delay doubles"
    clock(61)
    assert sign_in(client, user.email).status_code == 302, "after the wait the owner signs in"
    assert actions(db, "login.failure") == 11 and actions(db, "login.throttled") == 4


def test_the_owner_gets_in_with_a_reset_link_while_a_stranger_keeps_failing(app, client, db, smtp):
    owner = make_user(email="owner@example.com")
    db.session.commit()
    stranger = app.test_client()
    for _ in range(8):
        sign_in(stranger, owner.email, WRONG)
    client.post("/auth/reset", data={"email": owner.email})
    link = mailed_link(smtp, owner.email, "/auth/reset/")
    sign_in(stranger, owner.email, WRONG)
    client.post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert "Your course" in client.get("/").get_data(as_text=True), "the reset link signs the owner in"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "password.reset")).all()
    assert event.actor_id == owner.id == event.subject_id


def test_spraying_one_password_over_many_accounts_from_one_address_is_slowed(client, db):
    sprayer = {"REMOTE_ADDR": "203.0.113.9"}
    responses = [client.post("/auth/login", data={"email": f"victim{n}@example.com", "password": WRONG},
                             environ_base=sprayer) for n in range(31)]
    assert [r.status_code for r in responses] == [200] * 30 + [429]
    assert "from your network" in responses[-1].get_data(as_text=True)
    assert actions(db, "login.throttled") == 1, "the delay is audited once, by the failure that began it"
    user = make_user()
    db.session.commit()
    assert sign_in(client, user.email).status_code == 302, "other client addresses are not slowed"


def test_a_flooding_address_is_refused_without_writing_anything(client, db):
    flooder = {"REMOTE_ADDR": "203.0.113.10"}
    for n in range(30):
        client.post("/auth/login", data={"email": f"random{n}@example.com", "password": WRONG}, environ_base=flooder)
    written = db.session.scalar(select(func.count()).select_from(AuditEvent)), db.session.scalar(select(func.max(Throttle.last_at)))
    refused = [client.post("/auth/login", data={"email": f"more{n}@example.com", "password": WRONG}, environ_base=flooder)
               for n in range(20)]
    assert {r.status_code for r in refused} == {429}
    db.session.expire_all()
    assert (db.session.scalar(select(func.count()).select_from(AuditEvent)),
            db.session.scalar(select(func.max(Throttle.last_at)))) == written, "a refused flood takes no write lock"


def test_people_signing_in_from_one_shared_address_are_never_slowed(app, db):
    user = make_user()
    db.session.commit()
    for _ in range(35):
        office = app.test_client()
        assert office.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD},
                           environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302


def test_sixteen_concurrent_wrong_passwords_get_exactly_five_checks(app, db):
    user = make_user()
    db.session.commit()
    clients = [app.test_client() for _ in range(16)]
    tokens = [c.csrf_token() for c in clients]
    start, statuses = threading.Barrier(16), []

    def attempt(browser, token):
        start.wait()
        statuses.append(browser.post("/auth/login", data={"email": user.email, "password": WRONG, "csrf_token": token}).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert actions(db, "login.failure") == 5, "exactly five passwords were checked"
    assert sorted(statuses) == [200] * 5 + [429] * 11 and actions(db, "login.throttled") == 11


def test_the_change_password_form_is_limited_and_its_failures_audited(client, db, login_as):
    login_as()
    form = {"current": WRONG, "password": "another strong passphrase", "confirm": "another strong passphrase"}
    assert [client.post("/auth/password", data=form).status_code for _ in range(6)] == [422] * 5 + [429]
    refused = client.post("/auth/password", data={**form, "current": DEFAULT_PASSWORD})
    assert refused.status_code == 429 and "Too many wrong current passwords" in refused.get_data(as_text=True)
    assert actions(db, "password.change_failure") == 5 and actions(db, "password.change") == 0


def test_fifteen_reset_requests_for_one_address_queue_three_emails(client, db):
    user = make_user()
    db.session.commit()
    responses = [client.post("/auth/reset", data={"email": user.email}) for _ in range(15)]
    assert {(r.status_code, r.headers["Location"]) for r in responses} == {(302, "/auth/login")}
    assert db.session.scalar(select(func.count()).select_from(EmailMessage)) == 3
    assert actions(db, "password.reset_throttled") == 12


def test_one_client_address_cannot_ask_for_unlimited_reset_links(client, db):
    codes = [client.post("/auth/reset", data={"email": f"any{n}@example.com"}).status_code for n in range(21)]
    assert codes == [302] * 20 + [429]


@pytest.fixture
def redis_url():
    """The local Redis server (the flood guard's shared store), or skip where there is none."""
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("REQUIRE_REDIS"):  # CI starts one: there, a missing server is a failure
            raise
        pytest.skip("no Redis server on 127.0.0.1:6379 (CI starts one and requires it)")
    return url


def test_with_redis_url_a_flood_from_one_address_is_refused_by_every_worker_before_the_database(database, db, redis_url):
    import secrets

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import CSRFClient, config_for

    settings = {"REDIS_URL": redis_url, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": redis_url,
                "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(8)}", "AUTH_FLOOD_LIMIT": "5 per minute"}
    workers = [create_app(config_for(database, **settings)) for _ in range(2)]
    statuses = []
    for n in range(7):
        worker = workers[n % 2]
        worker.test_client_class = CSRFClient
        with worker.app_context():
            page = worker.test_client().post("/auth/login", data={"email": f"flood{n}@example.com", "password": WRONG})
            statuses.append(page.status_code)
    for worker in workers:
        with worker.app_context():
            _db.engine.dispose()
    assert statuses == [200] * 5 + [429] * 2, "the count is shared by both workers"
    assert actions(db, "login.failure") == 5, "refused floods never reach the password check or the database"
