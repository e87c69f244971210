"""Measuring a page as the server sees it: wall time per request and SQL statements issued."""

import statistics
import time

from flask import Flask
from sqlalchemy import event, select

from app.extensions import db
from app.models import Cohort, Enrolment, User


class QueryCounter:
    """Counts SQL statements sent through the app's engine while active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args) -> None:
        self.count += 1

    def __enter__(self) -> "QueryCounter":
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(db.engine, "before_cursor_execute", self)


def time_gradebook(app: Flask, cohort_id: int, runs: int) -> str:
    """Median and worst time, and queries per request, of the cohort's gradebook page."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        return f"No cohort {cohort_id}."
    instructor = db.session.get(User, cohort.instructor_id)
    learners = db.session.scalar(select(db.func.count()).where(Enrolment.cohort_id == cohort_id, Enrolment.removed_at.is_(None)))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = instructor.get_id(), True
    url = f"/teach/cohorts/{cohort_id}"
    timings, queries = [], []
    for _ in range(runs + 1):
        with QueryCounter() as counter:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        queries.append(counter.count)
        if response.status_code != 200:
            return f"{url} answered {response.status_code}."
    timings = timings[1:]  # the first request warms caches and templates
    return (f"gradebook of cohort {cohort_id} ({learners} learners): median {statistics.median(timings):.1f} ms, "
            f"worst {max(timings):.1f} ms over {runs} runs; {queries[-1]} SQL queries per request")
