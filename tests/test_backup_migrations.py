"""Backups taken while the app writes, restoring one, and migrations that never lose rows."""

import shutil
import sqlite3
import threading

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db as _db
from config import BASE_DIR
from tests.conftest import config_for, sqlite_only
from tests.factories import make_attempt, make_user, quiz

MIGRATIONS = str(BASE_DIR / "migrations")


@sqlite_only
def test_a_backup_taken_while_writing_is_consistent_and_restores(app, db, database_path, tmp_path):
    learner = make_user()
    role = quiz()
    for _ in range(50):
        make_attempt(learner, role, [True] * 8)
    db.session.commit()
    committed_before = 50
    stop = threading.Event()

    def keep_writing():
        writer = create_app(config_for(database_path))
        with writer.app_context():
            while not stop.is_set():
                make_attempt(_db.session.get(type(learner), learner.id), _db.session.get(type(role), role.id), [True] * 8)
                _db.session.commit()
            _db.engine.dispose()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0 and "integrity check passed" in result.output
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM quiz_attempts").fetchone()[0] >= committed_before
    copy.close()
    again = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
    assert again.exit_code == 1 and "already exists" in again.output
    # Restore, as the README describes: stop the app, copy the backup over the database file, start again.
    restored = tmp_path / "restored.db"
    shutil.copyfile(tmp_path / "copy.db", restored)
    restored_app = create_app(config_for(restored))
    with restored_app.app_context():
        count = _db.session.scalar(sa.text("SELECT count(*) FROM quiz_attempts"))
        _db.engine.dispose()
    assert count >= committed_before


def _fill_first_revision(connection) -> None:
    """A row in every table of the first revision (users, content, progress, attempts)."""
    run = connection.exec_driver_sql
    run("INSERT INTO users (id, email, display_name, password_hash, role, active, session_nonce, created_at) VALUES "
        "(1, 'a@example.com', 'A', 'x', 'student', 1, 'n', '2026-01-01'), (2, 'b@example.com', 'B', 'x', 'instructor', 1, 'n', '2026-01-01')")
    run("INSERT INTO content_versions (id, content_hash, synced_at, summary) VALUES (1, 'h', '2026-01-01', 's')")
    run("INSERT INTO modules (id, slug, title, position, summary, retired) VALUES (1, 'm', 'M', 1, 's', 0), (2, 'n', 'N', 2, 's', 0)")
    run("INSERT INTO lessons (id, slug, module_id, position, title, minutes, objectives, sources, body_html, source_file, retired) "
        "VALUES (1, 'l', 1, 1, 'L', 5, '[]', '[]', '<p>x</p>', 'lessons/l.md', 0), (2, 'k', 2, 1, 'K', 5, '[]', '[]', '<p>x</p>', 'lessons/k.md', 0)")
    run("INSERT INTO quizzes (id, slug, module_id, title, pass_mark, draw, attempts_allowed, source_file, retired) "
        "VALUES (1, 'q', 1, 'Q', 80, 1, 0, 'quizzes/q.yaml', 0)")
    run("INSERT INTO questions (id, quiz_id, key, position, type, definition, source_line, retired) "
        "VALUES (1, 1, 'k', 1, 'true_false', '{}', 3, 0), (2, 1, 'j', 2, 'true_false', '{}', 9, 0)")
    run("INSERT INTO lesson_progress (id, user_id, lesson_id, started_at, completed_at) VALUES (1, 1, 1, '2026-01-01', '2026-01-01')")
    run("INSERT INTO quiz_attempts (id, user_id, quiz_id, content_version_id, started_at, submitted_at, pass_mark, snapshot, "
        "answers, results, correct_count, score, passed) VALUES "
        "(1, 1, 1, 1, '2026-01-01', '2026-01-01', 80, '[]', '[]', '[]', 0, 0, 0), "
        "(2, 1, 1, 1, '2026-01-02', NULL, 80, '[]', NULL, NULL, NULL, NULL, NULL)")


def _counts(connection, tables) -> dict[str, int]:
    return {table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() for table in tables}  # noqa: S608 (table names come from the schema)


def test_migrations_upgrade_downgrade_and_upgrade_again_without_losing_rows(tmp_path):
    app = create_app(config_for(tmp_path / "history.db"))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0001")
        with _db.engine.begin() as connection:
            _fill_first_revision(connection)
            first_tables = [name for name in sa.inspect(connection).get_table_names() if name != "alembic_version"]
            before = _counts(connection, first_tables)
        assert all(before.values()), before
        upgrade(directory=MIGRATIONS)
        downgrade(directory=MIGRATIONS, revision="0001")
        upgrade(directory=MIGRATIONS)
        with _db.engine.connect() as connection:
            assert _counts(connection, first_tables) == before
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        _db.engine.dispose()
