"""The audit trail proves what it claims: a keyed chain and a head kept outside the database show every tampering."""

import hashlib
import hmac
import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app.models import AuditEvent
from app.services import audit
from app.services.audit_head import APPENDED, read_head
from config import BASE_DIR, TestingConfig
from tests.conftest import POSTGRES_URL

MIGRATIONS = str(BASE_DIR / "migrations")


def record_events(db, count: int) -> list[int]:
    for number in range(count):
        audit.record("test.event", None, target=f"thing:{number}", n=number)
        db.session.commit()
    return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def drop_guards(db):
    """What someone with direct database access does first: remove the append-only triggers."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_change ON audit_events")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    else:
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
    return connection


def rehash_from(db, first_id: int, digest) -> None:
    """Recompute every hash from `first_id` on with `digest(prev, row)`, as a forger would."""
    connection = db.session.connection()
    rows = connection.execute(select(AuditEvent.__table__).order_by(AuditEvent.id)).mappings().all()
    prev = "0" * 64
    for row in rows:
        if row["id"] >= first_id:
            new = digest(prev, row)
            connection.execute(text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :id"), {"p": prev, "h": new, "id": row["id"]})
            prev = new
        else:
            prev = row["hash"]
    db.session.commit()


def payload(prev, row) -> bytes:
    fields = {name: row[name] for name in audit.HASHED_FIELDS}
    fields["at"] = fields["at"].isoformat(timespec="microseconds")
    return f"{prev}|{json.dumps(fields, sort_keys=True, separators=(',', ':'), default=str)}".encode()


def plain_sha256(prev, row) -> str:
    return hashlib.sha256(payload(prev, row)).hexdigest()


def with_the_real_key(prev, row) -> str:
    return hmac.new(TestingConfig.AUDIT_KEY.encode(), payload(prev, row), hashlib.sha256).hexdigest()


def cli_verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_an_intact_trail_verifies_up_to_its_head(app, db):
    ids = record_events(db, 5)
    head = read_head()
    assert (head.count, head.last_id) == (len(ids), ids[-1])
    result = cli_verify(app)
    assert result.exit_code == 0 and f"intact: {len(ids)} events" in result.output


def test_deleting_the_last_20_events_is_detected(app, db):
    ids = record_events(db, 30)
    drop_guards(db).exec_driver_sql(f"DELETE FROM audit_events WHERE id >= {ids[-20]}")
    db.session.commit()
    result = cli_verify(app)
    assert result.exit_code == 1 and "removed from the end" in result.output
    record_events(db, 1)  # later events do not make the head forget what it vouched for
    assert "removed from the end" in audit.verify().problem


@pytest.mark.parametrize("forger", [plain_sha256, with_the_real_key], ids=["without-the-key", "with-the-key"])
def test_deleting_one_event_and_recomputing_every_later_hash_is_detected(app, db, forger):
    ids = record_events(db, 10)
    drop_guards(db).exec_driver_sql(f"DELETE FROM audit_events WHERE id = {ids[4]}")
    db.session.commit()
    rehash_from(db, ids[5], forger)
    verdict = audit.verify()
    assert verdict.problem and cli_verify(app).exit_code == 1
    if forger is plain_sha256:  # without the key the first forged hash gives it away
        assert verdict.broken == ids[5]
    else:  # an insider with the key still cannot make the head agree
        assert verdict.broken is None and "head records 10 events" in verdict.problem


def test_an_edited_event_is_detected(app, db):
    ids = record_events(db, 5)
    drop_guards(db).exec_driver_sql(f"UPDATE audit_events SET target = 'tampered' WHERE id = {ids[2]}")
    db.session.commit()
    assert audit.verify().broken == ids[2]
    assert f"broken at event {ids[2]}" in cli_verify(app).output


@pytest.mark.skipif(not POSTGRES_URL, reason="SQLite has no TRUNCATE")
def test_truncate_is_refused_and_a_truncated_trail_is_detected(app, db):
    record_events(db, 5)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("TRUNCATE audit_events"))
    db.session.rollback()
    assert audit.verify().problem == ""
    drop_guards(db).exec_driver_sql("TRUNCATE audit_events")
    db.session.commit()
    result = cli_verify(app)
    assert result.exit_code == 1 and "holds 0 good events" in result.output


def test_a_head_left_behind_catches_up_at_the_next_commit(app, db):
    ids = record_events(db, 3)
    audit.record("test.event", None, target="head not moved")
    db.session.info.pop(APPENDED)  # as if the process died between the commit and the head update
    db.session.commit()
    assert read_head().last_id == ids[-1] and audit.verify().problem == ""  # events past the head are chained by the key
    ids = record_events(db, 1)
    assert read_head().count == len(ids)


def test_an_existing_unkeyed_trail_is_keyed_by_the_migration(app, db):
    ids = record_events(db, 6)
    db.session.commit()
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision="0006")  # back to the plain SHA-256 chain the old code wrote
    rows = db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.id)).mappings().all()
    assert rows[1]["hash"] == plain_sha256(rows[0]["hash"], rows[1])
    db.session.remove()
    upgrade(directory=MIGRATIONS)
    verdict = audit.verify()
    assert (verdict.checked, verdict.broken, verdict.problem) == (len(ids), None, "") and read_head().count == len(ids)


def test_the_migration_keeps_a_break_in_an_old_trail_visible(app, db):
    ids = record_events(db, 6)
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision="0006")
    drop_guards(db).exec_driver_sql(f"DELETE FROM audit_events WHERE id = {ids[3]}")
    db.session.commit()
    db.session.remove()
    if db.engine.dialect.name == "sqlite":  # the triggers come back as the migrations made them
        with db.engine.begin() as connection:
            for name in ("update", "delete"):
                connection.exec_driver_sql(f"CREATE TRIGGER audit_events_no_{name} BEFORE {name.upper()} ON audit_events "
                                           "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END")
    else:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
                                       "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")
    upgrade(directory=MIGRATIONS)
    assert audit.verify().broken == ids[4]


def test_workers_writing_at_once_keep_one_head_that_vouches_for_every_event(database):
    from concurrent.futures import ThreadPoolExecutor

    from app import create_app
    from app.extensions import db as _db
    from tests.conftest import config_for

    workers = [create_app(config_for(database)) for _ in range(2)]  # two processes' apps on one database and head file

    def write(number: int) -> None:
        with workers[number % 2].app_context():
            for n in range(10):
                audit.record("test.event", None, target=f"worker:{number}:{n}")
                _db.session.commit()
            _db.session.remove()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(6)))
    with workers[0].app_context():
        total = _db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
        verdict = audit.verify()
        assert verdict.problem == "" and read_head().count == verdict.checked >= 60 and read_head().last_id == total
        _db.session.remove()
        for app in workers:
            with app.app_context():
                _db.engine.dispose()


def test_after_a_restore_the_operator_records_the_restored_chain_as_the_head(app, db):
    ids = record_events(db, 8)
    drop_guards(db).exec_driver_sql(f"DELETE FROM audit_events WHERE id > {ids[4]}")  # an older backup put back
    db.session.commit()
    assert audit.verify().problem
    result = app.test_cli_runner().invoke(args=["audit", "reset-head", "--yes"])
    assert result.exit_code == 0 and "now 5 events" in result.output and f"last_id={ids[-1]}" in result.output
    assert cli_verify(app).exit_code == 0
    connection = db.session.connection()
    connection.exec_driver_sql(f"UPDATE audit_events SET target = 'x' WHERE id = {ids[1]}")
    db.session.commit()
    refused = app.test_cli_runner().invoke(args=["audit", "reset-head", "--yes"])
    assert refused.exit_code == 1 and "was not changed" in refused.output and read_head().count == 5


def test_page_views_move_the_head_over_their_own_events_and_catch_up_after_a_gap(app, db):
    """A page view's event (its own short transaction) moves the head; one left behind is walked from the database."""
    ids = record_events(db, 2)
    db.session.rollback()  # end the test's own transaction, as a request's ends before the next
    with app.test_request_context("/"):
        audit.record("test.view", None, target="page")
    assert read_head().count == 3 and audit.verify().problem == ""
    audit.record("test.event", None, target="head not moved")
    db.session.info.pop(APPENDED)  # as if the process died between the commit and the head update
    db.session.commit()
    with app.test_request_context("/"):
        audit.record("test.view", None, target="page after a gap")  # does not follow the recorded head directly
    head = read_head()
    assert head.count == len(ids) + 3 and head.last_id == db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    assert audit.verify().problem == ""
