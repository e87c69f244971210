"""make bench: load-test the app under gunicorn with wrk, beside a bare Flask ceiling on the same server.

Builds a database with 1,000 learners in a cohort (30,000 attempts), an organisation of 1,000 hires and
open attempts to submit, starts the app (production configuration, 2 workers) and the ceiling app, drives
each endpoint with wrk at 64 connections (after a quiet second and a 2-second warm-up, a 6-second run in which
both workers served), and prints requests per second, p50 and p99 latency, errors, the ratio to the matching
ceiling (the page ceiling is measured first and last, and the better run counts), and each worker's peak
memory. DATABASE_URL may name a PostgreSQL database.
"""

import hashlib
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from itsdangerous import URLSafeTimedSerializer

from config import BASE_DIR, ProductionConfig
from tests.stress import free_port

CONNECTIONS, THREADS, SECONDS, WORKERS = 64, 2, 8, 2
RUNS, RUN_SECONDS = 5, 6
SECRET, AUDIT_KEY = secrets.token_hex(32), secrets.token_hex(32)
BASE_URL = "https://training.example.org"


def _config(url: str):
    return type("BenchConfig", (ProductionConfig,), {"SECRET_KEY": SECRET, "AUDIT_KEY": AUDIT_KEY, "SQLALCHEMY_DATABASE_URI": url,
                                                      "BASE_URL": BASE_URL,
                                                     "DEMO_ACCOUNTS": True, "SESSION_COOKIE_SECURE": False})


def build(url: str) -> dict:
    """Migrate, load the content and the generated data; return what the load needs (ids, cookies, bodies)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.content.sync import sync_content
    from app.extensions import db
    from app.models import Lesson, Module, Quiz, QuizAttempt, User
    from app.questions import question_type
    from app.services.accounts import create_user
    from app.services.demo import build_cohort, build_organisation

    app = create_app(_config(url))
    with app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
        sync_content(BASE_DIR)
        instructor = create_user("bench.instructor@example.com", secrets.token_urlsafe(16), "Bench Instructor", "instructor")
        manager = create_user("bench.manager@example.com", secrets.token_urlsafe(16), "Bench Manager", "employer")
        cohort = build_cohort(instructor, 1000)
        organisation = build_organisation(manager, 1000)
        db.session.commit()
        learners = db.session.scalars(select(User).where(User.email.like("learner%"))).all()
        quizzes = db.session.scalars(select(Quiz).where(Quiz.kind == "quiz")).all()
        submissions = []
        for learner in learners:
            for quiz in quizzes:
                shown = [question_type(q.type).present(q.definition, _Keep()) | {"question_id": q.id} for q in quiz.questions[:10]]
                attempt = QuizAttempt(user_id=learner.id, quiz_id=quiz.id, pass_mark=quiz.pass_mark, snapshot=shown)
                db.session.add(attempt)
                submissions.append((learner, attempt, shown))
        db.session.flush()
        from tests.factories import right_answer_form

        posts = []
        for learner, attempt, shown in submissions:
            cookie, token = session_cookie(app, learner)
            form = right_answer_form(QuizAttempt(snapshot=shown), wrong=1)
            body = "&".join(f"{k}={v}" for k, values in form.items() for v in (values if isinstance(values, list) else [values]))
            posts.append((f"/attempts/{attempt.id}", cookie, f"{body}&csrf_token={token}"))
        db.session.commit()
        student = learners[0]
        # The course's first lesson: open to a new learner (later ones wait for their prerequisites).
        lesson = db.session.scalar(select(Lesson).join(Module).order_by(Module.position, Lesson.position))
        plan = {"cohort": cohort.id, "organisation": organisation.id, "lesson": lesson.slug, "posts": posts,
                "student": student.get_id(), "instructor": instructor.get_id(), "manager": manager.get_id()}
        plan["search"] = time_searches()
        db.engine.dispose()
    return plan


SEARCHES = ["type 2 diabetes with neuropathy", "UTI", "ankle sprain", "GERD", "chronic kidney disease stage 3", "E11.4",
            "sprain", "pain in the knee", "COPD", "fracture of the left wrist"]


def time_searches(runs: int = 20) -> str:
    """One code search's in-process time over the full code set: median and 95th percentile of every query x runs."""
    import statistics

    from app.codeset.search import search

    timings = []
    for _ in range(runs + 1):
        for query in SEARCHES:
            start = time.perf_counter()
            search(query)
            timings.append((time.perf_counter() - start) * 1000)
    timings = sorted(timings[len(SEARCHES):])  # the first round warms the caches
    return (f"code search in-process over {len(timings)} searches: p50 {statistics.median(timings):.1f} ms, "
            f"p95 {timings[int(len(timings) * 0.95)]:.1f} ms")


class _Keep:
    def shuffle(self, items):
        """Keep the written order, so the right answers are known."""


# Flask-Login's fingerprint of the client that signed in (its address and user agent), as a session made by signing in
# from wrk (127.0.0.1, no User-Agent header) holds it; without it each request would mark the session changed.
WRK_IDENTIFIER = hashlib.sha512(f"{b'127.0.0.1'}|None".encode()).hexdigest()


def session_cookie(app, user) -> tuple[str, str]:
    """A signed session cookie for the user, and the CSRF token that goes with it (as a browser would hold)."""
    return fresh_cookie(user.get_id(), app)


def fresh_cookie(session_id: str, app=None) -> tuple[str, str]:
    """A session cookie (and its CSRF token) for the account with this session id, stamped now: the cookie a browser
    holds while its user goes from page to page, signed with the bench's secret (by `app`, or a bare Flask app)."""
    from flask import Flask

    if app is None:
        app = Flask(__name__)
        app.secret_key = SECRET
    raw = secrets.token_hex(20)
    now = int(time.time())
    data = {"_user_id": session_id, "_id": WRK_IDENTIFIER, "_fresh": True, "_permanent": True, "started": now, "seen": now,
            "csrf_token": raw}
    cookie = app.session_interface.get_signing_serializer(app).dumps(data)
    token = URLSafeTimedSerializer(SECRET, salt="wtf-csrf-token").dumps(raw)
    return f"session={cookie}", token


def server_env(url: str, work: Path) -> dict:
    """The environment the production app needs to start on `url`, with its audit head kept in `work`."""
    return {"FLASK_CONFIG": "production", "SECRET_KEY": SECRET, "AUDIT_KEY": AUDIT_KEY, "AUDIT_HEAD_PATH": str(work / "audit-head.json"),
            "DATABASE_URL": url, "SESSION_COOKIE_SECURE": "0", "BASE_URL": BASE_URL, "MAIL_BACKEND": "console"}


def serve(app_spec: str, port: int, env: dict, log: Path, probe: str, workers: int = WORKERS, threads: int = 4,
          code: Path = BASE_DIR) -> subprocess.Popen:
    """gunicorn as `make serve` runs it, from the checkout `code`, once `probe` answers."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
               "--error-logfile", str(log), "--capture-output", app_spec]
    server = subprocess.Popen(command, env={**os.environ, **env}, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                              start_new_session=True)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1)
            return server
        except Exception:  # noqa: BLE001 (the server is still starting)
            if server.poll() is not None:
                break
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"{app_spec} did not start; see {log}")


LUA = """
local posts = {POSTS}
local counters = {}
index, step, sent, bad = 0, 1, 0, 0  -- globals, so done() can read them through thread:get
function setup(thread) thread:set("id", #counters) table.insert(counters, thread) end
function init(args) index = id + 1 step = %d end
function request()
  local p = posts[index]
  index = index + step
  if index > #posts then index = id + 1 end
  return wrk.format("POST", p[1], {["Cookie"] = p[2], ["Content-Type"] = "application/x-www-form-urlencoded"}, p[3])
end
function response(status, headers, body)
  sent = sent + 1
  if status ~= 302 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total, wrong = 0, 0
  for _, t in ipairs(counters) do total = total + t:get("sent") wrong = wrong + t:get("bad") end
  io.write(string.format("SUBMITTED %%d BAD %%d\\n", total, wrong))
end
""" % THREADS


def wrk(url: str, cookie: str = "", script: Path | None = None, seconds: int = SECONDS) -> dict:
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    return parse(output)


def _worker_ticks(server: subprocess.Popen) -> list[int]:
    """CPU time (clock ticks) each worker of `server` has used so far."""
    ticks = []
    for pid in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks.append(int(fields[11]) + int(fields[12]))
    return ticks


def _balanced_run(url: str, cookie: str, server: subprocess.Popen) -> tuple[dict, bool]:
    """One run, and whether every worker did at least half the work of the busiest."""
    before = _worker_ticks(server)
    result = wrk(url, cookie, seconds=RUN_SECONDS)
    used = [after - start for start, after in zip(before, _worker_ticks(server), strict=False)]
    return result, bool(used) and min(used) * 2 >= max(used)


def measured(url: str, server: subprocess.Popen, session_id: str = "", script: Path | None = None) -> dict:
    """One endpoint's figures, after a quiet second (the previous endpoint's queued requests drain) and a 2-second
    warm-up on the same address (caches filled, workers settled). gunicorn's threaded workers sometimes leave all of
    wrk's kept-alive connections with one worker while the other idles, which halves a run: up to RUNS runs of
    RUN_SECONDS are made until one keeps every worker busy (else the best is taken). A signed-in page is asked for
    with a session cookie stamped just before, as a browser holds it between pages. The submissions (each attempt
    can be handed in once) are one run of SECONDS."""
    time.sleep(1)
    cookie = fresh_cookie(session_id)[0] if session_id else ""
    if script is not None:
        return wrk(url, cookie, script)
    wrk(url, cookie, seconds=2)
    runs = []
    for _ in range(RUNS):
        result, balanced = _balanced_run(url, cookie, server)
        if balanced:
            return result
        runs.append(result)
    return max(runs, key=lambda result: result["rps"])


def parse(output: str) -> dict:
    def ms(label):
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    errors += int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0
    submitted = re.search(r"SUBMITTED (\d+) BAD (\d+)", output)
    return {"rps": rps, "p50": ms("50%"), "p99": ms("99%"), "errors": errors,
            "submitted": int(submitted.group(1)) if submitted else None, "bad": int(submitted.group(2)) if submitted else None}


def watch_memory(parent: subprocess.Popen, peaks: dict, stop: threading.Event) -> None:
    """Record the peak resident memory (MB) of each gunicorn worker of `parent`."""
    while not stop.is_set():
        children = subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True, text=True).stdout.split()
        for pid in children:
            try:
                rss = int(next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS")).split()[1])
            except (OSError, StopIteration):
                continue
            peaks[pid] = max(peaks.get(pid, 0), rss / 1024)
        stop.wait(0.5)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'bench.db'}"
    print(f"Building data on {url.split('@')[-1]} ...", flush=True)
    plan = build(url)
    ceiling_db = work / "ceiling.db"
    with sqlite3.connect(ceiling_db) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE hits (id INTEGER PRIMARY KEY, note TEXT)")
    app_port, ceiling_port = free_port(), free_port()
    app_server = serve("app:create_app(migrations=False)", app_port, server_env(url, work), work / "app.log", "/healthz")
    ceiling = serve("tests.bench_ceiling:create_app()", ceiling_port, {"CEILING_DATABASE": str(ceiling_db)}, work / "ceiling.log", "/page")
    peaks: dict = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch_memory, args=(app_server, peaks, stop), daemon=True)
    watcher.start()
    script = work / "submit.lua"
    posts = ",".join("{%s}" % ",".join(f'"{part}"' for part in post) for post in plan["posts"])
    script.write_text(LUA.replace("{POSTS}", "{" + posts + "}"))
    app, top = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{ceiling_port}"
    rows = []
    try:
        # The ceiling page is measured first and last, and the better run is the one every ratio is taken to.
        first_ceiling = measured(f"{top}/page", ceiling)
        insert_script = work / "insert.lua"
        insert_script.write_text('wrk.method = "POST"\n')
        insert_ceiling = wrk(f"{top}/insert", script=insert_script)
        endpoints = [("sign-in page", f"{app}/auth/login", ""), ("learner dashboard", f"{app}/", plan["student"]),
                     ("lesson page", f"{app}/lessons/{plan['lesson']}", plan["student"]),
                     ("quiz submission", f"{app}/attempts/0", ""),
                     ("gradebook (1,000 learners)", f"{app}/teach/cohorts/{plan['cohort']}", plan["instructor"]),
                     ("compliance (1,000 hires)", f"{app}/employer/", plan["manager"]),
                     ("code search (words)", f"{app}/codes?q=type+2+diabetes+with+neuropathy", ""),
                     ("code page (E11.40)", f"{app}/codes/E11.40", "")]
        measured_rows = [(name, measured(url, app_server, cookie, script if name == "quiz submission" else None))
                         for name, url, cookie in endpoints]
        last_ceiling = measured(f"{top}/page", ceiling)
        page_ceiling = max(first_ceiling, last_ceiling, key=lambda result: result["rps"])
        rows.append(("ceiling: 10 KB page (first)", first_ceiling, None))
        rows.append(("ceiling: 10 KB page (last)", last_ceiling, None))
        rows.append(("ceiling: one-row insert", insert_ceiling, None))
        rows += [(name, result, insert_ceiling if name == "quiz submission" else page_ceiling) for name, result in measured_rows]
    finally:
        stop.set()
        after = {pid: peak for pid, peak in peaks.items()}
        for server in (app_server, ceiling):
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    submitted = _submitted(url)
    print(f"\n{'endpoint':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'ratio':>7}")
    for name, result, ceiling_result in rows:
        ratio = f"{result['rps'] / ceiling_result['rps']:.0%}" if ceiling_result else "-"
        print(f"{name:<28} {result['rps']:>8.0f} {result['p50']:>8.1f} {result['p99']:>8.1f} {result['errors']:>7} {ratio:>7}")
    posted = next(result for name, result, _ceiling in rows if name == "quiz submission")
    print(f"\nquiz submissions: {posted['submitted']} answered, {posted['bad']} not answered 302; "
          f"{submitted} attempts recorded as submitted ({max(0, min(posted['submitted'] or 0, len(plan['posts'])) - submitted)} lost)")
    print(plan["search"])
    print("peak resident memory per app worker: " + ", ".join(f"{mb:.0f} MB" for mb in sorted(after.values())))
    print(f"whole run: {time.perf_counter() - started:.0f} s")
    shutil.rmtree(work, ignore_errors=True)


def _submitted(url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM quiz_attempts WHERE submitted_at IS NOT NULL")).scalar()
    engine.dispose()
    return count - 30000  # the generated history holds 30,000 submitted attempts


if __name__ == "__main__":
    main()
