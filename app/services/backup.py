"""Consistent copies of the SQLite database, taken while the application keeps writing."""

import sqlite3
from pathlib import Path

from app.extensions import db


class BackupError(RuntimeError):
    """The backup could not be made; the message says why."""


def backup_sqlite(target: Path) -> int:
    """Copy the live database to `target` with SQLite's online backup API; returns the copy's size in bytes.

    The backup API copies a consistent snapshot even while other connections write, and the copy is
    checked with PRAGMA integrity_check before it is reported as good.
    """
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError("This command backs up a SQLite database file; use pg_dump for PostgreSQL.")
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database, timeout=30)
    copy = sqlite3.connect(target)
    try:
        with copy:
            # In one step, from one snapshot: copied in parts, a backup restarts whenever another connection writes
            # between two parts, so a busy site's larger database (the code set included) would never finish.
            source.backup(copy, pages=-1)
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if result != "ok":
        target.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {result}")
    return target.stat().st_size
