"""The full-text index over code titles and inclusion terms: an SQLite FTS5 table, or a PostgreSQL GIN index.

Neither has a model (a virtual table and an expression index), so migration 0010 creates the one for its
dialect and the schema comparison leaves them out (`outside_metadata`).
"""

from sqlalchemy import text
from sqlalchemy.engine import Connection

NAME = "icd_code_search"
# The document PostgreSQL searches and ranks: the expression its GIN index was built on, title weighing most.
POSTGRES_DOCUMENT = "(setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', terms), 'B'))"


def outside_metadata(name: str | None) -> bool:
    """Whether a table or index belongs to the search index (FTS5 keeps shadow tables named after it)."""
    return bool(name) and (name == NAME or name.startswith(f"{NAME}_"))


def clear(connection: Connection) -> None:
    """Empty the FTS5 table before the codes it points at are deleted (PostgreSQL's index follows its table)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO icd_code_search(icd_code_search) VALUES ('delete-all')"))


def rebuild(connection: Connection) -> None:
    """Index every loaded code in one statement (PostgreSQL's index is kept up to date by the inserts)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO icd_code_search(icd_code_search) VALUES ('rebuild')"))
        return
    # A bulk insert leaves GIN entries in the index's pending list, which every search would scan (about 100 times
    # slower); move them into the index now, and give the planner statistics for the new rows.
    connection.execute(text("SELECT gin_clean_pending_list('icd_code_search')"))
    connection.execute(text("ANALYZE icd_codes"))
