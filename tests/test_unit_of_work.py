"""One unit of work per request: no write lock during password checks, one commit, nothing half-written."""

import re
import sqlite3
from pathlib import Path

import argon2
import pytest
from flask import abort
from flask import session as flask_session
from sqlalchemy import func, insert, select, update

from app import unit_of_work
from app.extensions import db as _db
from app.models import AuditEvent, Throttle, User
from app.models.base import utcnow
from app.sqlite import WRITE
from tests.conftest import POSTGRES_URL, sign_in, sqlite_only
from tests.factories import DEFAULT_PASSWORD, make_user

APP = Path(__file__).resolve().parent.parent / "app"


@pytest.fixture
def lock_probe(monkeypatch, database_path):
    """Each password hash or check first tries to take the SQLite write lock from another connection, without waiting."""
    outcomes: list[str] = []

    def probe():
        connection = sqlite3.connect(database_path, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            outcomes.append("free")
        except sqlite3.OperationalError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    for name in ("verify", "hash"):
        original = getattr(argon2.PasswordHasher, name)

        def wrapped(self, *args, _original=original, **kwargs):
            probe()
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(argon2.PasswordHasher, name, wrapped)
    return outcomes


@sqlite_only
def test_no_write_lock_is_held_while_a_sign_in_checks_the_password(client, db, login_as, lock_probe):
    login_as()
    client.post("/auth/logout")
    lock_probe.clear()
    assert sign_in(client, "nobody@example.com", "a wrong password 123").status_code == 200
    assert lock_probe and set(lock_probe) == {"free"}
    # ...and the failure is still recorded, in the short write transaction after the check.
    assert db.session.scalar(select(func.sum(Throttle.hits)).where(Throttle.key.contains("nobody@example.com"))) == 1


@sqlite_only
def test_no_write_lock_is_held_while_a_password_is_hashed(client, db, login_as, lock_probe):
    assert client.post("/auth/register", data={"display_name": "Pat", "email": "pat@example.com", "password":
                                               "correct horse battery", "confirm": "correct horse battery"}).status_code == 302
    client.post("/auth/logout")
    user = login_as()
    assert client.post("/auth/password", data={"current": DEFAULT_PASSWORD, "password": "another horse battery 9",
                                               "confirm": "another horse battery 9"}).status_code == 302
    # registration: one hash; sign-in: one check; password change: one check and one hash.
    assert len(lock_probe) >= 4 and set(lock_probe) == {"free"}
    client.post("/auth/logout")
    assert sign_in(client, user.email).status_code == 200  # the old password no longer works
    assert sign_in(client, user.email, "another horse battery 9").status_code == 302


@pytest.fixture
def routes(app):
    """Test-only views that write a throttle row and then end in different ways."""
    key = "probe@example.com"

    def write_row(keep: bool = False):
        (unit_of_work.keep if keep else unit_of_work.write)()
        _db.session.add(Throttle(key=key, hits=1, last_at=utcnow(), blocked_until=utcnow()))
        _db.session.flush()

    def ok():
        write_row()
        return "done"

    def rerendered():
        write_row()
        return "try again", 422

    def kept():
        write_row(keep=True)
        return "kept", 422

    def kept_then_aborted():
        write_row(keep=True)
        abort(404)

    def aborted():
        write_row()
        abort(403)

    def crashed():
        write_row()
        raise RuntimeError("boom")

    def undeclared():
        _db.session.execute(insert(Throttle).values(key=key, hits=1, last_at=utcnow(), blocked_until=utcnow()))
        return "written"

    for view in (ok, rerendered, kept, kept_then_aborted, aborted, crashed, undeclared):
        app.add_url_rule(f"/_uow/{view.__name__}", view.__name__, view)

    def stored() -> int:
        return _db.session.scalar(select(func.count()).select_from(Throttle).where(Throttle.key == key))

    return stored


@pytest.mark.parametrize(("view", "status", "kept"), [
    ("ok", 200, 1), ("rerendered", 422, 0), ("kept", 422, 1), ("kept_then_aborted", 404, 0),
    ("aborted", 403, 0), ("crashed", 500, 0),
])
def test_a_request_commits_its_write_only_when_it_ends_well(client, routes, view, status, kept):
    assert client.get(f"/_uow/{view}").status_code == status
    assert routes() == kept


def test_a_write_that_was_not_declared_fails_loudly_and_changes_nothing(client, routes):
    assert client.get("/_uow/undeclared").status_code == 500
    assert routes() == 0


def test_changing_an_object_before_declaring_the_write_is_refused(app, db, login_as):
    user = login_as()
    with app.test_request_context("/"):
        user = db.session.merge(user)
        user.display_name = "Changed first"
        with pytest.raises(unit_of_work.UndeclaredWrite):
            unit_of_work.write()


def test_a_command_writes_in_its_own_unit_of_work(app, db):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(RuntimeError), unit_of_work.transaction():
        from app.services import audit

        audit.record("test.event", None)
        raise RuntimeError("the command failed")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
    with unit_of_work.transaction():
        from app.services import audit

        audit.record("test.event", None)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1


def test_a_reset_link_used_by_another_request_meanwhile_changes_nothing(app, db):
    from app.services import password_reset

    user = make_user()
    db.session.commit()
    with app.test_request_context("/"):
        loaded = db.session.get(User, user.id)  # checked against the link in this request's read transaction
        with db.engine.connect().execution_options(**{WRITE: True}) as other, other.begin():
            other.execute(update(User).where(User.id == user.id).values(password_hash="set by the other request"))
        assert password_reset.reset(loaded, "a brand new passphrase 7") is False
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == "set by the other request"


def test_nothing_commits_outside_the_unit_of_work():
    offenders = [f"{path.relative_to(APP.parent)}:{number}" for path in APP.rglob("*.py") if path.name != "unit_of_work.py"
                 for number, line in enumerate(path.read_text().splitlines(), 1) if re.search(r"\.commit\(\)", line)]
    assert offenders == []


@pytest.mark.skipif(not POSTGRES_URL, reason="only PostgreSQL pages read outside a transaction")
def test_a_page_on_postgresql_reads_without_a_transaction_until_it_declares_its_write(app, db):
    user = make_user(name="Read Without Begin")
    db.session.commit()
    with app.test_request_context("/auth/login"):
        unit_of_work.begin_request()
        assert not _db.session().in_transaction(), "a visitor's page that reads nothing takes no connection"
    with app.test_request_context("/"):
        flask_session["_user_id"] = user.get_id()
        unit_of_work.begin_request()
        assert _db.session.scalar(select(func.count()).select_from(User)) >= 1
        assert _db.session.connection().connection.dbapi_connection.autocommit, "no BEGIN and ROLLBACK round trips for a page read"
        unit_of_work.write()
        assert not _db.session.connection().connection.dbapi_connection.autocommit, "a declared write is one transaction"
        _db.session.rollback()
