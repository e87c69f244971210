"""The full-text index over code titles and inclusion terms: SQLite FTS5 or a PostgreSQL tsvector table.

It lives outside the ORM metadata (a virtual table has no model), so migration 0010 creates it for its
dialect and the schema comparison leaves its tables out (`outside_metadata`).
"""

from sqlalchemy import text
from sqlalchemy.engine import Connection

TABLE = "icd_code_search"


def outside_metadata(name: str | None) -> bool:
    """Whether a table belongs to the search index (FTS5 keeps shadow tables named after it)."""
    return bool(name) and (name == TABLE or name.startswith(f"{TABLE}_"))


def clear(connection: Connection) -> None:
    """Empty the index before the codes it points at are deleted."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO icd_code_search(icd_code_search) VALUES ('delete-all')"))
    else:
        connection.execute(text("DELETE FROM icd_code_search"))


def rebuild(connection: Connection) -> None:
    """Index every loaded code in one statement; titles weigh more than inclusion terms."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO icd_code_search(icd_code_search) VALUES ('rebuild')"))
    else:
        connection.execute(text(
            "INSERT INTO icd_code_search (code_id, document) SELECT id, "
            "setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', terms), 'B') FROM icd_codes"))
