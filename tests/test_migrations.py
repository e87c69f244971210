"""The schema comes from the migrations, and they agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.codeset.index import outside_metadata
from app.extensions import db
from config import BASE_DIR
from tests.conftest import config_for

MIGRATIONS = str(BASE_DIR / "migrations")


def include_name(name, type_, parent_names):
    return not (type_ in ("table", "index") and outside_metadata(name))


def test_migrations_match_the_models(tmp_path):
    app = create_app(config_for(tmp_path / "fresh.db"))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


def test_migrations_downgrade_and_upgrade_cleanly(tmp_path):
    app = create_app(config_for(tmp_path / "roundtrip.db"))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=MIGRATIONS)
        assert {"users", "quiz_attempts", "lesson_progress"} <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()
