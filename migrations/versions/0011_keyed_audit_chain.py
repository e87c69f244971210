"""audit chain keyed with an HMAC, its head kept outside the database, TRUNCATE refused

Existing events were chained with plain SHA-256, which anyone with database access can recompute. This
migration walks that chain and, for every event up to the first one that does not verify, replaces its hash
with the HMAC under AUDIT_KEY; then it records the head (count, last id, last hash) in AUDIT_HEAD_PATH. Events
after a break keep their old hashes, so `flask audit verify` still reports the break where it was found.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:40:00

"""
import hashlib
import hmac
import json

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
HASHED_FIELDS = ("at", "actor_id", "action", "subject_id", "target", "details", "request_id")
TRUNCATE_TRIGGER = ("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()")
EVENTS = sa.table("audit_events", sa.column("id"), sa.column("at", sa.DateTime()), sa.column("actor_id"),
                  sa.column("action"), sa.column("subject_id"), sa.column("target"), sa.column("details", sa.JSON()),
                  sa.column("request_id"), sa.column("prev_hash"), sa.column("hash"))


def _payload(prev, row):
    # The chain's fields as app.services.audit.event_hash writes them, frozen here so this migration never changes.
    fields = {name: row[name] for name in HASHED_FIELDS}
    if fields["details"] is not None and not isinstance(fields["details"], dict):
        fields["details"] = json.loads(fields["details"])
    if hasattr(fields["at"], "isoformat"):
        fields["at"] = fields["at"].isoformat(timespec="microseconds")
    return f"{prev}|{json.dumps(fields, sort_keys=True, separators=(',', ':'), default=str)}".encode()


def _plain(prev, row):
    return hashlib.sha256(_payload(prev, row)).hexdigest()


def _keyed(prev, row):
    return hmac.new(current_app.config["AUDIT_KEY"].encode(), _payload(prev, row), hashlib.sha256).hexdigest()


def _rechain(old_hash, new_hash):
    """Re-hash the chain while it verifies under old_hash; returns (count, last id, last new hash)."""
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
    old_prev, new_prev, count, last_id = GENESIS, GENESIS, 0, 0
    for row in connection.execute(sa.select(EVENTS).order_by(EVENTS.c.id)).mappings().all():
        if row["prev_hash"] != old_prev or row["hash"] != old_hash(old_prev, row):
            print(f"audit_events: the chain was already broken at event {row['id']}; it and later events keep their hashes.")
            break
        digest = new_hash(new_prev, row)
        connection.execute(EVENTS.update().where(EVENTS.c.id == row["id"]).values(prev_hash=new_prev, hash=digest))
        old_prev, new_prev, count, last_id = row["hash"], digest, count + 1, row["id"]
    if postgres:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")
    else:
        op.execute("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                   "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END")
    return count, last_id, new_prev


def upgrade():
    from app.services.audit_head import Head, write_head

    count, last_id, last_hash = _rechain(_plain, _keyed)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TRUNCATE_TRIGGER)
    write_head(Head(count, last_id, last_hash))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
    _rechain(_keyed, _plain)
