"""Production serving: the health check, and static files with content-hashed, long-cached URLs."""

import re
import subprocess
import sys

from app import create_app
from app.extensions import db
from config import BASE_DIR, ProductionConfig
from tests.conftest import config_for


def test_healthz_answers_200_when_the_database_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": True}


def test_healthz_answers_503_when_the_database_is_not(tmp_path):
    app = create_app(config_for("sqlite:////nonexistent-folder/for/sure/academy.db"))
    with app.app_context():
        response = app.test_client().get("/healthz")
        db.engine.dispose()
    assert response.status_code == 503 and response.get_json()["database"] is False


def test_static_urls_carry_a_content_hash_and_are_cached_for_a_year_in_production(database):
    production = type("Prod", (ProductionConfig,), {"SECRET_KEY": "x" * 40, "AUDIT_KEY": "y" * 40,
                                                     "AUDIT_HEAD_PATH": config_for(database).AUDIT_HEAD_PATH,
                                                     "BASE_URL": "https://training.example.org", "MAIL_SEND_IN_BACKGROUND": False,
                                                     "SQLALCHEMY_DATABASE_URI": config_for(database).SQLALCHEMY_DATABASE_URI})
    app = create_app(production)
    with app.app_context():
        client = app.test_client()
        page = client.get("/glossary").get_data(as_text=True)
        url = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page).group(1)
        with client.get(url) as response:
            assert response.status_code == 200 and "max-age=31536000" in response.headers["Cache-Control"]
        db.engine.dispose()


def test_a_web_worker_leaves_the_migration_tools_and_look_alike_tables_unloaded(tmp_path):
    """Each gunicorn worker holds only what serving needs: Alembic and the confusables tables cost megabytes each."""
    script = ("import sys; from app import create_app; from config import TestingConfig;"
              f" TestingConfig.SQLALCHEMY_DATABASE_URI = 'sqlite:///{tmp_path / 'web.db'}';"
              " app = create_app(TestingConfig, migrations=False);"
              " app.test_client().get('/auth/login');"
              " print(sorted(name for name in ('alembic', 'flask_migrate', 'confusable_homoglyphs') if name in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=BASE_DIR, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == "[]"
    script = script.replace("migrations=False", "migrations=True")
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=BASE_DIR, timeout=120)
    assert shown.stdout.strip().splitlines()[-1] == "['alembic', 'flask_migrate']"
