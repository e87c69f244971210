"""make screenshots: the dashboard, a lesson, a quiz, the code browser, a coding case, an instructor's gradebook and a
manager's compliance matrix at phone and desktop sizes.

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
INSTRUCTOR = "ines.ortiz@example.com"
MANAGER = "morgan.lee@example.com"
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
    from app.services.demo import build_cohort, build_organisation
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
        cohort = build_cohort(create_user(INSTRUCTOR, PASSWORD, "Ines Ortiz", "instructor"), 60)
        build_organisation(create_user(MANAGER, PASSWORD, "Morgan Lee", "employer"), 60)
        db.session.commit()
        return app, attempt.id, case.id, cohort.id


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
        app, attempt_id, case_id, cohort_id = _build(Path(scratch) / "screenshots.db")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        pages = {EMAIL: {"dashboard": "/", "lesson": LESSON, "quiz": f"/attempts/{attempt_id}", "codes": "/codes?q=ankle+sprain",
                         "code": "/codes/S93.401A", "coding-case": f"/attempts/{case_id}"},
                 INSTRUCTOR: {"gradebook": f"/teach/cohorts/{cohort_id}"}, MANAGER: {"compliance": "/employer/"}}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                for size, viewport in SIZES.items():
                    for email, shots in pages.items():
                        context = browser.new_context(viewport=viewport, device_scale_factor=1)
                        page = context.new_page()
                        page.goto(f"{base}/auth/login")
                        page.fill("input[name=email]", email)
                        page.fill("input[name=password]", PASSWORD)
                        page.click("form button[type=submit]")
                        page.wait_for_load_state()
                        for name, path in shots.items():
                            page.goto(base + path)
                            if name == "coding-case":
                                _open_lookup(page)
                            if name == "gradebook":  # the grades, below the cohort's code, due dates and summary
                                page.locator(".gradebook-wrap").evaluate("table => window.scrollTo(0, table.offsetTop - 140)")
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
