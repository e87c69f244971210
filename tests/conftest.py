"""Fixtures: a migrated, content-loaded database copied fresh for every test; app, db, client, login_as."""

import contextvars
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from app.content.sync import sync_content
from app.extensions import db as _db
from config import BASE_DIR, TestingConfig
from tests.factories import DEFAULT_PASSWORD, make_user

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def config_for(database_path: Path, **overrides) -> type[TestingConfig]:
    """A TestingConfig subclass using a SQLite file (so every connection sees the same data)."""
    return type("TestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}", **overrides})


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """One database built by the real migrations and content sync; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "academy.db"
    app = create_app(config_for(path))
    with app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
        sync_content(BASE_DIR)
        _db.session.commit()
        _db.engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def database_path(template_db, tmp_path) -> Path:
    """A fresh copy of the template database for this test."""
    path = tmp_path / "academy.db"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def app(database_path):
    """The application on this test's database, inside an app context."""
    app = create_app(config_for(database_path))
    app.test_client_class = CSRFClient
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The SQLAlchemy extension, bound to this test's database."""
    return _db


class CSRFClient(FlaskClient):
    """A test client that sends a valid CSRF token with form posts, as a browser with the page open does.

    Pass csrf=False to post without one (to prove the protection refuses it).
    """

    def open(self, *args, **kwargs):
        # The test's own session commits first, so the request sees what the test wrote and
        # no write lock is held; then the request runs in a fresh context, with its own app
        # context (and `g`), exactly as in a server, rather than sharing the test's.
        if has_app_context():
            _db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self) -> str:
        page = self.get("/auth/login", follow_redirects=True).get_data(as_text=True)
        return CSRF_META.search(page).group(1)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "csrf_token" not in (data or {}):
            kwargs["data"] = {**(data or {}), "csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app) -> CSRFClient:
    """A browser-like test client (CSRF protection is on)."""
    return app.test_client()


def sign_in(client: CSRFClient, email: str, password: str = DEFAULT_PASSWORD):
    """Sign in through the real form."""
    return client.post("/auth/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(client, db):
    """Create a user with a role and sign the client in as them; returns the user."""

    def _login_as(role: str = "student", **fields):
        user = make_user(role=role, **fields)
        db.session.commit()
        response = sign_in(client, user.email)
        assert response.status_code == 302, "sign-in failed"
        return user

    return _login_as


@pytest.fixture
def smtp(app):
    """A real local SMTP server the app sends through; yields the collector of received messages."""
    from tests.smtp import start_server

    controller, collector, port = start_server()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield collector
    controller.stop()
