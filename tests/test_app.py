"""Application-wide behaviour: error pages, security headers, SQLite settings, configuration."""

import pytest
from sqlalchemy import text

from app import create_app
from config import ProductionConfig
from tests.conftest import sqlite_only


def test_unknown_url_gives_a_plain_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_an_error_gives_a_plain_500_page_without_a_trace(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "secret internal detail" not in page and "Traceback" not in page


def test_security_headers_are_set(client, login_as):
    login_as()
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(client, login_as):
    login_as()
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


@sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(db):
    connection = db.session.connection()
    assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


@sqlite_only
def test_writes_outside_read_only_requests_take_the_write_lock_at_begin(db, database_path):
    import sqlite3
    db.session.execute(text("SELECT 1"))  # begins this session's transaction
    other = sqlite3.connect(database_path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    db.session.rollback()
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


@pytest.mark.parametrize("key", [None, "short"])
def test_production_refuses_a_missing_or_short_secret_key(monkeypatch, key):
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": key, "AUDIT_KEY": "y" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_refuses_debug_mode():
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": "x" * 40, "AUDIT_KEY": "y" * 40, "DEBUG": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="Debug"):
        create_app(config)


@pytest.mark.parametrize("key", [None, "short", "x" * 40])
def test_production_refuses_a_missing_short_or_reused_audit_key(key):
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": "x" * 40, "AUDIT_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="AUDIT_KEY"):
        create_app(config)


def test_production_starts_with_a_proper_key_and_no_demo_accounts():
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": "x" * 40, "AUDIT_KEY": "y" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                                                "BASE_URL": "https://training.example.org"})
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    result = app.test_cli_runner().invoke(args=["demo", "create"])
    assert result.exit_code == 1 and "disabled" in result.output


def test_demo_accounts_are_created_once_with_printed_passwords(app):
    first = app.test_cli_runner().invoke(args=["demo", "create"])
    assert first.exit_code == 0 and "student@demo.example" in first.output
    second = app.test_cli_runner().invoke(args=["demo", "create"])
    assert second.exit_code == 0 and "already exist" in second.output


def test_a_generated_organisation_completes_nothing_in_the_future(app, db):
    """Demo data is read as real records: no cycle may be completed after today, nor completed before it began."""
    from sqlalchemy import select

    from app.models import HireTraining
    from app.models.base import utcnow
    from app.services.demo import build_organisation
    from tests.factories import make_user

    build_organisation(make_user("employer"), 60)
    db.session.flush()
    cycles = db.session.scalars(select(HireTraining).where(HireTraining.completed_at.is_not(None))).all()
    assert len(cycles) > 100
    assert all(cycle.assigned_at <= cycle.completed_at <= utcnow() for cycle in cycles)
