"""The data stamp: a value that changes with every committed change, under which pages drawn from the data are kept.

Each connection notes whether its transaction ran anything but reads (any INSERT, UPDATE, DELETE or DDL, except
appending to the audit trail, which no kept page shows); when such a transaction commits, it first replaces the
stamp with a new random value, in the same transaction. A reader that sees a stamp therefore sees exactly the data
committed with it; a value names one committed state (a restored backup brings its own back with its data, and two
copies of a test database part ways at their first change), so a page kept under the stamp it was drawn at is
current for as long as the stamp is. Kept pages are reused only until the next change anywhere: cheap to trust, and
most useful for the reports people reload between changes.
"""

import re
import secrets
from collections.abc import Callable, Hashable
from typing import Any

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from app.extensions import db
from app.kept import Kept

_CHANGED, _READY = "data_stamp_changed", "data_stamp_ready"
_READS = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "SHOW", "SET ", "EXPLAIN")
_APPEND_ONLY = re.compile(r'\s*INSERT\s+INTO\s+"?audit_events\b', re.IGNORECASE)
_READ_STAMP = text("SELECT value FROM data_stamps WHERE id = 1")
# Stands in a kept page for the reader's own CSRF token; random per process, so no content can forge it.
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


def _note_change(connection, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    """Mark the connection's transaction as changing data when it runs anything but a read or an audit append."""
    head = statement.lstrip()[:10].upper()
    if head.startswith(_READS) or _APPEND_ONLY.match(statement):
        return
    if head.startswith(("CREATE", "DROP", "ALTER")):
        connection.info.pop(_READY, None)  # the stamp table may have come or gone: look again before stamping
    connection.info[_CHANGED] = True


def _has_stamp_table(cursor, dialect: str) -> bool:
    if dialect == "postgresql":
        cursor.execute("SELECT to_regclass('data_stamps') IS NOT NULL")
    else:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'data_stamps'")
    return bool(cursor.fetchone()[0])


def _stamp_on_commit(connection) -> None:
    """Replace the stamp inside a committing transaction that changed data (a schema without the table is skipped)."""
    if not connection.info.pop(_CHANGED, False):
        return
    cursor = connection.connection.cursor()  # the driver's own cursor: no statement events, no recursion
    try:
        if connection.info.get(_READY) or _has_stamp_table(cursor, connection.dialect.name):
            connection.info[_READY] = True
            cursor.execute(f"UPDATE data_stamps SET value = {secrets.randbits(62)} WHERE id = 1")  # nosec B608 - an int
    finally:
        cursor.close()


def _forget_change(connection) -> None:
    if not connection.invalidated:  # an invalidated connection has no transaction left to forget
        connection.info.pop(_CHANGED, None)


def register_data_stamp() -> None:
    """Attach the listeners once per process (they are global to every Engine)."""
    if not event.contains(Engine, "after_cursor_execute", _note_change):
        event.listen(Engine, "after_cursor_execute", _note_change)
        event.listen(Engine, "commit", _stamp_on_commit)
        event.listen(Engine, "rollback", _forget_change)


def current() -> int | None:
    """The stamp as this request's transaction sees it (None where the database has none: nothing is then kept)."""
    return db.session.connection().execute(_READ_STAMP).scalar()


def kept_page(store: Kept, key: Hashable, render: Callable[[], tuple[str, Any]]) -> tuple[Markup, Any]:
    """The part of a page `render` draws (with what the view needs to know about it, such as how many rows it shows),
    kept in `store` under `key` and the data stamp, with this reader's CSRF token put in its slot. `render` must draw
    every form's token as CSRF_SLOT (kept_csrf_token stands in for csrf_token())."""
    stamp = current()
    body, facts = render() if stamp is None else store.get_or((str(db.engine.url), stamp, key), render)
    if CSRF_SLOT in body:
        body = body.replace(CSRF_SLOT, generate_csrf())
    return Markup(body), facts  # nosec B704 - rendered by autoescaped templates


def kept_csrf_token() -> str:
    """What a kept page's template draws for csrf_token(): the slot each reader's own token goes in."""
    return CSRF_SLOT

