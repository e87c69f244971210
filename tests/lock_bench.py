"""How long a learner's draft save waits while strangers flood the sign-in form (SQLite under gunicorn).

Builds a SQLite file (content and one learner with an open attempt), starts the app under gunicorn
(production configuration and argon2 cost; 2 workers x 16 threads by default), then for SECONDS: 8 threads
post sign-ins with random unknown addresses while the learner saves a quiz draft every 50 ms. Prints the
draft save's p50/p99/max, the sign-in and draft counts, and how many requests failed with "database is
locked" (counted in the server's error log) or with any other unexpected status.

    .venv/bin/python -m tests.lock_bench [--seconds 20] [--code DIR]

--code runs the server from another checkout of the project (to measure older code on the same data).
Every request goes to 127.0.0.1.
"""

import argparse
import os
import secrets
import signal
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from config import BASE_DIR
from tests.bench import _config, serve, server_env, session_cookie
from tests.stress import Browser, free_port

SIGN_IN_THREADS, DRAFT_EVERY = int(os.environ.get("LOCK_BENCH_FLOODERS", 8)), 0.05


def build(url: str) -> tuple[str, str, int]:
    """Migrate, load the content, add a learner with an open attempt; returns their cookie, CSRF token, attempt id."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.content.sync import sync_content
    from app.extensions import db
    from app.models import Quiz, QuizAttempt
    from app.services.accounts import create_user

    app = create_app(_config(url))
    with app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
        sync_content(BASE_DIR)
        learner = create_user("lock.learner@example.com", secrets.token_urlsafe(16), "Lock Learner")
        quiz = db.session.scalar(select(Quiz).where(Quiz.kind == "quiz").order_by(Quiz.id))
        attempt = QuizAttempt(user_id=learner.id, quiz_id=quiz.id, pass_mark=quiz.pass_mark, snapshot=[])
        db.session.add(attempt)
        db.session.commit()
        cookie, token = session_cookie(app, learner)
        attempt_id = attempt.id
        db.engine.dispose()
    return cookie, token, attempt_id


def flood_sign_ins(base: str, stop: threading.Event, counts: dict, lock: threading.Lock) -> None:
    """Post sign-ins with random unknown addresses until stopped; each should answer 200 (the form again)."""
    browser = Browser(base)
    token = browser.token()
    while not stop.is_set():
        email = f"{secrets.token_hex(6)}@flood.example"
        status, _ = browser.request("/auth/login", {"email": email, "password": "not the password 123", "csrf_token": token})
        with lock:
            counts["sign_ins"] += 1
            if status != 200:
                counts["sign_in_failures"] += 1


def save_drafts(base: str, cookie: str, token: str, attempt_id: int, stop: threading.Event, times: list, counts: dict) -> None:
    """Save a draft every DRAFT_EVERY seconds, timing each save."""
    body = f"q0=draft&csrf_token={token}".encode()
    while not stop.is_set():
        request = urllib.request.Request(f"{base}/attempts/{attempt_id}/draft", data=body, method="POST", headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                ok = response.status == 200
        except urllib.error.HTTPError:
            ok = False
        times.append((time.perf_counter() - started) * 1000)
        if not ok:
            counts["draft_failures"] += 1
        stop.wait(DRAFT_EVERY)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--code", type=Path, default=BASE_DIR, help="the checkout to run the server from")
    parser.add_argument("--workers", type=int, default=2)
    # More threads than flooding clients: otherwise the draft save queues for a free thread, whatever the database does.
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lock-bench-"))
    url = f"sqlite:///{work / 'lock.db'}"
    cookie, token, attempt_id = build(url)
    port = free_port()
    log = work / "server.log"
    env = server_env(url, work) | {"PYTHONPATH": os.pathsep.join(filter(None, [str(args.code), os.environ.get("PYTHONPATH", "")]))}
    server = serve("app:create_app()", port, env, log, "/healthz", args.workers, args.threads, args.code)
    base = f"http://127.0.0.1:{port}"
    counts = {"sign_ins": 0, "sign_in_failures": 0, "draft_failures": 0}
    times: list[float] = []
    stop, lock = threading.Event(), threading.Lock()
    try:
        threads = [threading.Thread(target=flood_sign_ins, args=(base, stop, counts, lock)) for _ in range(SIGN_IN_THREADS)]
        threads.append(threading.Thread(target=save_drafts, args=(base, cookie, token, attempt_id, stop, times, counts)))
        for thread in threads:
            thread.start()
        stop.wait(args.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    locked = log.read_text(errors="replace").count("database is locked")
    print(f"{args.seconds:g} s, {SIGN_IN_THREADS} threads flooding sign-ins, one learner saving a draft every "
          f"{DRAFT_EVERY * 1000:.0f} ms; gunicorn {args.workers} workers x {args.threads} threads, code in {args.code}")
    print(f"sign-ins: {counts['sign_ins']} ({counts['sign_ins'] / args.seconds:.1f}/s), "
          f"{counts['sign_in_failures']} not answered 200")
    if times:
        print(f"draft saves: {len(times)}, p50 {statistics.median(times):.1f} ms, p99 {percentile(times, 0.99):.1f} ms, "
              f"max {max(times):.1f} ms, {counts['draft_failures']} failed")
    print(f'"database is locked" errors in the server log: {locked}')


if __name__ == "__main__":
    main()
