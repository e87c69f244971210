"""Fixtures: a migrated, content-loaded database copied fresh for every test; app, db, client, login_as.

The suite runs on SQLite by default, and on PostgreSQL when TEST_DATABASE_URL names a PostgreSQL server:
the template database is then built once per run and each test gets a copy made from it.
"""

import contextvars
import itertools
import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from app.content.sync import sync_content
from app.extensions import db as _db
from config import BASE_DIR, TestingConfig
from tests.factories import DEFAULT_PASSWORD, make_user

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


pytest_plugins = ["tests.browser", "tests.lrs"]  # the browser, live_server and lrs fixtures

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "") if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql") else ""
sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="exercises SQLite itself (file locks, pragmas, the backup API)")
_copies = itertools.count()


_HEADS = Path(tempfile.mkdtemp(prefix="academy-audit-heads-"))  # this run's head files of PostgreSQL databases


def audit_head_for(database: Path | str) -> Path:
    """The audit head file that belongs to a test database: beside a SQLite file, or one per PostgreSQL database."""
    if isinstance(database, Path):
        return database.with_name(database.name + ".audit-head.json")
    url = sa.make_url(database)
    return _HEADS / f"{url.database or 'memory'}.audit-head.json" if url.get_backend_name() == "postgresql" else _HEADS / "other.json"


def config_for(database: Path | str, **overrides) -> type[TestingConfig]:
    """A TestingConfig subclass on a SQLite file (a Path) or a database URL (a str), with its own audit head file."""
    url = f"sqlite:///{database}" if isinstance(database, Path) else database
    fields = {"SQLALCHEMY_DATABASE_URI": url, "AUDIT_HEAD_PATH": str(audit_head_for(database))}
    return type("TestConfig", (TestingConfig,), {**fields, **overrides})


def _copy_head(source: Path | str, target: Path | str) -> None:
    """A copied database takes its audit head with it, as a restored backup would."""
    if audit_head_for(source).exists():
        shutil.copyfile(audit_head_for(source), audit_head_for(target))
    else:
        audit_head_for(target).unlink(missing_ok=True)


def _postgres(statement: str) -> None:
    """Run CREATE or DROP DATABASE on the test server (outside a transaction, as PostgreSQL requires)."""
    engine = sa.create_engine(sa.make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(statement)
    engine.dispose()


def _postgres_copy(name: str) -> str:
    return sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _build(database: Path | str) -> None:
    app = create_app(config_for(database))
    with app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
        sync_content(BASE_DIR)
        _db.session.commit()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path | str:
    """One database built by the real migrations and content sync; each test gets a copy."""
    if POSTGRES_URL:
        name = f"academy_template_{os.getpid()}"
        _postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _postgres(f"CREATE DATABASE {name}")
        _build(_postgres_copy(name))
        yield name
        _postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        return
    path = tmp_path_factory.mktemp("template") / "academy.db"
    _build(path)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    yield path


@pytest.fixture
def database(template_db, tmp_path) -> Path | str:
    """A fresh copy of the template database for this test: a SQLite file, or a PostgreSQL URL."""
    if POSTGRES_URL:
        name = f"academy_test_{os.getpid()}_{next(_copies)}"
        _postgres(f"CREATE DATABASE {name} TEMPLATE {template_db}")
        _copy_head(_postgres_copy(template_db), _postgres_copy(name))
        yield _postgres_copy(name)
        _postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        return
    path = tmp_path / "academy.db"
    shutil.copyfile(template_db, path)
    _copy_head(template_db, path)
    yield path
    # The copy holds the whole code set (about 20 MB); removing it keeps a run's disk use flat, and its pages
    # are often dropped before they are ever written out.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.fixture
def content(tmp_path) -> Path:
    """A writable copy of the real course content (lessons/ and quizzes/), so the real folders are never written."""
    root = tmp_path / "content"
    for folder in ("lessons", "quizzes"):
        shutil.copytree(BASE_DIR / folder, root / folder)
    return root


@pytest.fixture
def database_path(database) -> Path:
    """This test's SQLite file (for tests of SQLite itself)."""
    return database


@pytest.fixture
def app(database):
    """The application on this test's database, inside an app context."""
    app = create_app(config_for(database))
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


def pytest_collection_modifyitems(items) -> None:
    """Mark the tests that drive a real browser, so a run on a second database can leave them out (-m 'not browser')."""
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
