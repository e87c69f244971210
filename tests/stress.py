"""Concurrent quiz submissions against a real gunicorn server: every submission sent twice, from several processes.

Used by test_concurrency.py; also runnable on its own:  python -m tests.stress --submissions 2000
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool
from pathlib import Path

from sqlalchemy import func, insert, select

from config import BASE_DIR, TestingConfig

PASSWORD = "a long stress test password 42"
TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def request(self, path: str, data: dict | list | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def token(self) -> str:
        return TOKEN.search(self.request("/glossary")[1]).group(1)


def prepare(database: Path, learners: int) -> list[tuple[str, list[tuple[int, list]]]]:
    """Learners with one open attempt per quiz; returns each learner's e-mail and (attempt id, answers) pairs."""
    from app import create_app
    from app.extensions import db
    from app.models import Quiz, QuizAttempt, User
    from app.models.base import utcnow
    from app.questions import question_type
    from app.services.accounts import hash_password

    app = create_app(type("StressConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}))
    plan = []
    with app.app_context():
        quizzes = db.session.scalars(select(Quiz).where(Quiz.kind != "exam")).all()
        hashed = hash_password(PASSWORD)
        ids = db.session.scalars(insert(User).returning(User.id), [
            {"email": f"stress{n}@example.com", "display_name": f"Stress {n}", "password_hash": hashed, "role": "student",
             "active": True, "session_nonce": f"nonce{n}", "email_confirmed_at": utcnow()} for n in range(learners)]).all()
        for n, user_id in enumerate(ids):
            work = []
            for quiz in quizzes:
                shown = [question_type(q.type).present(q.definition, _Keep()) | {"question_id": q.id} for q in quiz.questions[:3]]
                attempt = QuizAttempt(user_id=user_id, quiz_id=quiz.id, pass_mark=quiz.pass_mark, snapshot=shown)
                db.session.add(attempt)
                db.session.flush()
                work.append((attempt.id, _answers(shown, wrong=n % 2)))
            plan.append((f"stress{n}@example.com", work))
        db.session.commit()
        db.engine.dispose()
    return plan


class _Keep:
    def shuffle(self, items):
        """Keep the written order, so the answers are known."""


def _answers(shown: list[dict], wrong: int) -> list:
    from app.models import QuizAttempt
    from tests.factories import right_answer_form

    return sorted(right_answer_form(QuizAttempt(snapshot=shown), wrong=wrong).items())


def _learner_run(args: tuple[str, str, list]) -> list[int]:
    base, email, work = args
    browser = Browser(base)
    token = browser.token()
    status, _ = browser.request("/auth/login", {"email": email, "password": PASSWORD, "csrf_token": token})
    assert status == 302, f"sign-in failed for {email}: {status}"
    token = browser.token()
    statuses = []

    def submit(item):
        attempt_id, answers = item
        return browser.request(f"/attempts/{attempt_id}", [*answers, ("csrf_token", token)])[0]

    with ThreadPoolExecutor(max_workers=4) as pool:  # each submission twice, at the same moment
        statuses += list(pool.map(submit, [item for item in work for _ in range(2)]))
    return statuses


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database: Path | str, port: int, log: Path, workers: int = 2) -> subprocess.Popen:
    """A gunicorn server process on the database (a SQLite file, or a URL)."""
    url = f"sqlite:///{database}" if isinstance(database, Path) else database
    env = {**os.environ, "FLASK_CONFIG": "testing", "TEST_DATABASE_URL": url}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", "4", "--bind", f"127.0.0.1:{port}",
               "--error-logfile", str(log), "app:create_app(migrations=False)"]
    server = subprocess.Popen(command, env=env, cwd=BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def run(template: Path, submissions: int, processes: int = 4) -> dict:
    """Send every submission twice and report what the database holds afterwards."""
    from app import create_app
    from app.extensions import db
    from app.models import QuizAttempt, ReviewItem, User
    from app.services.progress import learner_facts

    workdir = Path(tempfile.mkdtemp(prefix="stress-"))
    database = workdir / "stress.db"
    shutil.copyfile(template, database)
    quizzes_per_learner = len(_quiz_count(database))
    learners = -(-submissions // quizzes_per_learner)
    plan = prepare(database, learners)
    prepared = sum(len(work) for _, work in plan)
    items = [(email, work) for email, work in plan]
    trimmed, left = [], submissions
    for email, work in items:
        trimmed.append((email, work[:left]))
        left -= len(work[:left])
    port, log = free_port(), workdir / "server.log"
    server = start_server(database, port, log)
    started = time.perf_counter()
    try:
        with Pool(processes) as pool:
            results = pool.map(_learner_run, [(f"http://127.0.0.1:{port}", email, work) for email, work in trimmed if work])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    seconds = time.perf_counter() - started
    statuses = [status for batch in results for status in batch]
    app = create_app(type("StressConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}))
    with app.app_context():
        submitted = db.session.scalar(select(func.count()).where(QuizAttempt.submitted_at.is_not(None)))
        rows = db.session.scalar(select(func.count()).select_from(QuizAttempt))
        # Odd-numbered learners answered one question wrong in each attempt: one review item per attempt.
        expected_reviews = sum(len(work) for email, work in trimmed if int(email[6:].split("@")[0]) % 2)
        reviews = db.session.scalar(select(func.count()).select_from(ReviewItem))
        counted = 0
        for user in db.session.scalars(select(User).where(User.email.in_([email for email, _ in trimmed]))):
            counted += sum(result.attempts for result in learner_facts(user)[2].values())
        db.engine.dispose()
    text = log.read_text()
    shutil.rmtree(workdir, ignore_errors=True)
    return {"submissions": submissions, "requests": len(statuses), "seconds": round(seconds, 1),
            "statuses": {code: statuses.count(code) for code in set(statuses)}, "submitted": submitted,
            "attempt_rows": rows, "lost": submissions - submitted, "duplicates": rows - prepared,
            "locked_errors": text.count("database is locked"), "server_errors": text.count("Traceback"),
            "attempts_in_progress": counted, "review_items": reviews, "review_items_expected": expected_reviews}


def _quiz_count(database: Path) -> list:
    import sqlite3

    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT id FROM quizzes WHERE kind != 'exam' AND retired = 0").fetchall()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--template", type=Path, required=True, help="a migrated database with the content loaded")
    arguments = parser.parse_args()
    print(run(arguments.template, arguments.submissions))
