"""Load the installed release into the code tables: idempotent, in bulk, inside the caller's transaction."""

import json
import time
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from app.codeset import index, source
from app.extensions import db
from app.models import CodeRelease, IcdCode
from app.models.base import utcnow


@dataclass
class CodeSetReport:
    """What a code-set sync did."""

    release: CodeRelease
    changed: bool


def current_release() -> CodeRelease | None:
    """The release in force: the one loaded last."""
    return db.session.scalar(select(CodeRelease).order_by(CodeRelease.loaded_at.desc(), CodeRelease.id.desc()).limit(1))


COLUMNS = ("id", "release_id", "code", "kind", "title", "parent_id", "position", "billable", "terms", "notes", "seventh")


def _insert(rows: list[dict]) -> None:
    """Insert the rows in bulk: one executemany on SQLite, COPY on PostgreSQL (several times faster there)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(insert(IcdCode), rows)
        return
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY icd_codes ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[name]) if name in ("notes", "seventh") and row[name] is not None else row[name]
                            for name in COLUMNS])


def ensure_loaded() -> CodeSetReport:
    """Load the installed release unless it is already the one in force (then this costs two small queries).

    Flushes only; the caller commits. Earlier releases' codes are replaced: attempts keep the codes they
    showed in their snapshots, and the release rows stay as the record of what was loaded when.
    """
    source_id, name = source.release()
    current = current_release()
    if current is not None and current.source == source_id and db.session.scalar(select(IcdCode.id).limit(1)):
        return CodeSetReport(current, False)
    started = time.perf_counter()
    entries = list(source.entries())
    connection = db.session.connection()
    index.clear(connection)
    db.session.execute(delete(IcdCode))
    release = db.session.scalar(select(CodeRelease).where(CodeRelease.source == source_id))
    if release is None:
        release = CodeRelease(source=source_id, name=name)
        db.session.add(release)
    db.session.flush()
    ids = {entry["code"]: number for number, entry in enumerate(entries, start=1)}
    rows = [{**{k: v for k, v in entry.items() if k != "parent"}, "id": ids[entry["code"]], "position": ids[entry["code"]],
             "parent_id": ids.get(entry["parent"]), "release_id": release.id} for entry in entries]
    _insert(rows)
    index.rebuild(connection)
    release.name, release.entries = name, len(rows)
    release.billable = sum(row["billable"] for row in rows)
    release.loaded_at = utcnow()  # a release installed again is the one in force again
    release.seconds = round(time.perf_counter() - started, 2)
    db.session.flush()
    return CodeSetReport(release, True)
