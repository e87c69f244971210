"""make screenshots: the dashboard, a lesson, a quiz, the code browser and a coding case at phone and desktop sizes.

Builds a throwaway database with the course loaded and a learner part-way through it, serves the app on a
free local port, and photographs each page with the system's Chromium: python -m tests.screenshots [FOLDER]
(default app/static/img/screenshots).
"""

import logging
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

from config import BASE_DIR, TestingConfig
from tests.browser import CHROMIUM

SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
LESSON = "/lessons/outlook-jobs-and-growth-2008"
DEFAULT_FOLDER = BASE_DIR / "app" / "static" / "img" / "screenshots"
EMAIL = "alex.rivera@example.com"
PASSWORD = "screenshots are not a secret 7"  # nosec B105 - a throwaway account in a throwaway database


def _build(database: Path):
    """A migrated, content-loaded database with a learner who finished one module and is mid-quiz in the next,
    and has the course's coding cases open."""

    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.content.sync import sync_content
    from app.extensions import db
    from app.models import Quiz
    from app.services import quizzes
    from app.services.accounts import create_user
    from tests.factories import complete_module

    config = type("ScreenshotConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    app = create_app(config)
    with app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
        sync_content(BASE_DIR)
        learner = create_user(EMAIL, PASSWORD, "Alex Rivera", "student")
        complete_module(learner, "role")
        complete_module(learner, "training")
        complete_module(learner, "visit-to-payment")  # the coding module opens after it
        attempt = quizzes.start_attempt(learner, db.session.scalar(select(Quiz).where(Quiz.slug == "outlook-quiz")))
        case = quizzes.start_attempt(learner, db.session.scalar(select(Quiz).where(Quiz.slug == "coding-icd10cm-cases")))
        # The reflux case first, so the picture shows a search that fits the note on screen.
        case.snapshot = sorted(case.snapshot, key=lambda shown: shown.get("codes") != ["K21.9"])
        db.session.commit()
        return app, attempt.id, case.id


def _open_lookup(page) -> None:
    """Open the code lookup beside the first case and search, as a learner would before picking a code."""
    page.get_by_role("link", name="Look up codes").first.click()
    page.get_by_label("Find a code").first.press_sequentially("gastro-esophageal reflux", delay=10)
    page.get_by_role("button", name="Use K21.9").wait_for()


def take(folder: Path) -> list[Path]:
    """Photograph each page at each size into `folder`; returns the files written."""
    if CHROMIUM is None:
        raise SystemExit("No system Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log between the file names
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        app, attempt_id, case_id = _build(Path(scratch) / "screenshots.db")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        pages = {"dashboard": "/", "lesson": LESSON, "quiz": f"/attempts/{attempt_id}", "codes": "/codes?q=ankle+sprain",
                 "code": "/codes/S93.401A", "coding-case": f"/attempts/{case_id}"}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                for size, viewport in SIZES.items():
                    context = browser.new_context(viewport=viewport, device_scale_factor=1)
                    page = context.new_page()
                    page.goto(f"{base}/auth/login")
                    page.fill("input[name=email]", EMAIL)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("form button[type=submit]")
                    page.wait_for_url(f"{base}/")
                    for name, path in pages.items():
                        page.goto(base + path)
                        if name == "coding-case":
                            _open_lookup(page)
                        target = folder / f"{name}-{size}.png"
                        page.screenshot(path=target)
                        written.append(target)
                    context.close()
                browser.close()
        finally:
            server.shutdown()
            with app.app_context():
                from app.extensions import db

                db.engine.dispose()
    return written


if __name__ == "__main__":
    for path in take(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER):
        print(path.relative_to(BASE_DIR) if path.is_relative_to(BASE_DIR) else path)
