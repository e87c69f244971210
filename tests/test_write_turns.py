"""Writers take turns: SQLite writers queue for the write lock, and page views' audit events are appended in groups;
nothing is lost, nothing waits on a turn that was never given back, and the audit chain stays whole."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app import unit_of_work
from app.extensions import db as _db
from app.models import AuditEvent, User
from app.services import audit
from app.services.audit_head import read_head
from app.sqlite_writers import QueuedConnection
from tests.conftest import sqlite_only
from tests.factories import make_user


@sqlite_only
def test_threads_writing_at_once_all_write_without_a_locked_error(app, db):
    make_user(name="Writer Zero")
    db.session.commit()
    assert isinstance(db.session.connection().connection.dbapi_connection, QueuedConnection)
    db.session.rollback()

    def write(number: int) -> None:
        with app.app_context():
            for round_ in range(5):
                with unit_of_work.transaction():
                    make_user(name=f"Writer {number}-{round_}")
            _db.session.remove()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(6)))  # a "database is locked" error would be raised here
    assert db.session.scalar(select(func.count()).select_from(User).where(User.display_name.like("Writer %"))) == 31


@sqlite_only
def test_a_write_that_fails_gives_its_turn_back(app, db):
    with pytest.raises(RuntimeError), unit_of_work.transaction():
        make_user(name="Never Written")
        raise RuntimeError("the work failed half-way")
    finished = threading.Event()

    def write_elsewhere() -> None:
        with app.app_context():
            with unit_of_work.transaction():
                make_user(name="Written After")
            _db.session.remove()
        finished.set()

    started = time.monotonic()
    threading.Thread(target=write_elsewhere).start()
    assert finished.wait(5), "the next writer was left waiting for a turn the failed write kept"
    assert time.monotonic() - started < 2
    names = set(db.session.scalars(select(User.display_name)))
    assert "Written After" in names and "Never Written" not in names


def test_page_views_recorded_at_once_are_each_in_the_chain_once(app, db):
    def view(number: int) -> None:
        for n in range(8):
            with app.test_request_context("/"):
                audit.record("gradebook.view", None, target=f"cohort:{number}:{n}")

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(view, range(6)))
    targets = db.session.scalars(select(AuditEvent.target).where(AuditEvent.action == "gradebook.view")).all()
    assert sorted(targets) == sorted(f"cohort:{number}:{n}" for number in range(6) for n in range(8))
    verdict = audit.verify()
    assert verdict.problem == "" and read_head().count == verdict.checked
    assert read_head().last_id == db.session.scalar(select(func.max(AuditEvent.id)))


def test_a_page_view_whose_event_cannot_be_written_is_not_shown(client, db, login_as, monkeypatch):
    teacher = login_as("instructor")
    cohort_page = f"/teach/cohorts/{_cohort_of(db, teacher)}"

    def refuse(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(audit, "_append", refuse)
    response = client.get(cohort_page)
    assert response.status_code == 500 and "Gradebook" not in response.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get(cohort_page).status_code == 200, "the next view is recorded and shown"


def _cohort_of(db, teacher) -> int:
    from tests.factories import make_cohort

    cohort = make_cohort(teacher, [])
    db.session.commit()
    return cohort.id
