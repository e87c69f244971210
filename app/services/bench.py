"""Measuring a page as the server sees it: wall time per request and SQL statements issued."""

import statistics
import time

from flask import Flask
from sqlalchemy import event, select

from app.extensions import db
from app.models import Cohort, Enrolment, Membership, User


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
    learners = db.session.scalar(select(db.func.count()).where(Enrolment.cohort_id == cohort_id, Enrolment.removed_at.is_(None)))
    figures = time_page(app, db.session.get(User, cohort.instructor_id), f"/teach/cohorts/{cohort_id}", runs)
    return f"gradebook of cohort {cohort_id} ({learners} learners): {figures}"


def time_compliance(app: Flask, organisation_id: int, runs: int) -> str:
    """Median and worst time, and queries per request, of the organisation's compliance dashboard."""
    manager = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.organisation_id == organisation_id, Membership.kind == "manager"))
    if manager is None:
        return f"No organisation {organisation_id} with a manager."
    hires = db.session.scalar(select(db.func.count()).where(
        Membership.organisation_id == organisation_id, Membership.kind == "hire", Membership.removed_at.is_(None)))
    return f"compliance dashboard of organisation {organisation_id} ({hires} hires): {time_page(app, manager, '/employer/', runs)}"


def time_page(app: Flask, user: User, url: str, runs: int) -> str:
    """Request the page `runs` times (after one warm-up) as `user`, in-process; time and count queries."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user.get_id(), True
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
    return (f"median {statistics.median(timings):.1f} ms, worst {max(timings):.1f} ms over {runs} runs; "
            f"{queries[-1]} SQL queries per request")
