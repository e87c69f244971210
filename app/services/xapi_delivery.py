"""Posting queued xAPI statements to the Learning Record Store, with retries that lose nothing.

A sender claims a batch of due statements for a short lease (so two workers never post the same rows at
once; the claim is app.services.outbox's, shared with the e-mail outbox), posts them, and records each
outcome. An unreachable or failing store leaves the statements queued with a growing delay; only a
statement the store itself calls invalid (400) or conflicting (409) is set aside as "rejected", with the
store's answer, for an administrator to look at.
"""

import base64
import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import unit_of_work
from app.extensions import db
from app.models import XapiStatement
from app.models.base import utcnow
from app.services import outbox

FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)
PERMANENT = (400, 409)  # the statement itself is refused; posting it again would get the same answer


class StoreError(Exception):
    """The store could not be reached or did not accept a post; `status` is the HTTP status, if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def statements_url() -> str:
    """The store's statements resource."""
    return current_app.config["XAPI_ENDPOINT"].rstrip("/") + "/statements"


def post_statements(bodies: list[dict]) -> None:
    """POST statements to the store; raises StoreError unless it answers 2xx."""
    config = current_app.config
    request = urllib.request.Request(statements_url(), data=json.dumps(bodies).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Experience-API-Version", "1.0.3")
    if config.get("XAPI_USERNAME"):
        pair = f"{config['XAPI_USERNAME']}:{config.get('XAPI_PASSWORD') or ''}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode())
    try:
        # The scheme is checked to be http(s) when the app starts (config.Config.init_app).
        with urllib.request.urlopen(request, timeout=config["XAPI_TIMEOUT"]):  # nosec B310
            return
    except urllib.error.HTTPError as error:
        detail = error.read(300).decode("utf-8", "replace")
        raise StoreError(f"HTTP {error.code}: {detail}", error.code) from None
    except (OSError, ValueError) as error:
        raise StoreError(f"{type(error).__name__}: {error}") from None


def _claim(limit: int, due_only: bool) -> list[XapiStatement]:
    """Claim up to `limit` queued statements for this sender, committing the claim (see app.services.outbox)."""
    return outbox.claim(XapiStatement, limit, due_only)


def _record(rows: list[XapiStatement], error: StoreError | None) -> str:
    now = utcnow()
    with unit_of_work.transaction():  # the outcome is its own short write, after the talk with the store
        fresh = db.session.scalars(select(XapiStatement).where(XapiStatement.id.in_([row.id for row in rows]))).all()
        for row in fresh:
            row.attempts += 1
            outbox.release(row)
            if error is None:
                row.status, row.sent_at, row.last_error = "sent", now, ""
            else:
                row.last_error = str(error)[:500]
                if error.status in PERMANENT:
                    row.status = "rejected"
                else:
                    row.next_attempt_at = now + outbox.retry_delay(row.attempts, FIRST_DELAY, MAX_DELAY)
    return "sent" if error is None else ("rejected" if error.status in PERMANENT else "retry")


def _send(rows: list[XapiStatement], counts: dict[str, int]) -> None:
    bodies = [row.body for row in rows]
    unit_of_work.end_read()  # reading the claimed rows began a transaction: none stays open while the store answers
    try:
        post_statements(bodies)
    except StoreError as error:
        if error.status in PERMANENT and len(rows) > 1:
            # One bad statement refuses the whole batch; send them one by one so only that one is set aside.
            for row in rows:
                _send([row], counts)
            return
        current_app.logger.warning("xAPI: %s statement(s) not delivered: %s", len(rows), error)
        counts[_record(rows, error)] += len(rows)
        return
    counts[_record(rows, None)] += len(rows)


def deliver_pending(due_only: bool = True, limit: int | None = None) -> dict[str, int]:
    """Post queued statements in batches, oldest first; returns counts by outcome (sent, retry, rejected)."""
    counts = {"sent": 0, "retry": 0, "rejected": 0}
    if not current_app.config.get("XAPI_ENDPOINT"):
        return counts
    batch = current_app.config["XAPI_BATCH_SIZE"]
    remaining = limit
    while remaining is None or remaining > 0:
        rows = _claim(batch if remaining is None else min(batch, remaining), due_only)
        if not rows:
            break
        _send(rows, counts)
        if counts["retry"]:
            break  # the store is down: the rest waits for the next round instead of each timing out
        if remaining is not None:
            remaining -= len(rows)
    return counts


def queue_counts() -> dict[str, int]:
    """How many statements are queued, sent and rejected."""
    rows = db.session.execute(select(XapiStatement.status, func.count()).group_by(XapiStatement.status))
    return {"queued": 0, "sent": 0, "rejected": 0} | dict(rows.all())


def _deliver_in_background(app: Flask) -> None:
    with app.app_context():
        try:
            deliver_pending()
        except Exception:  # a background thread has no one to show an error to; the rows stay queued
            app.logger.exception("xAPI: background delivery failed")
        finally:
            db.session.remove()


def send_after_commit(session: Session) -> None:
    """After a commit that queued statements, post them from a background thread (the learner never waits)."""
    if not session.info.pop("xapi_queued", False):
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["XAPI_SEND_IN_BACKGROUND"]:
        threading.Thread(target=_deliver_in_background, args=(app,), daemon=True, name="xapi-delivery").start()


def forget_after_rollback(session: Session) -> None:
    """A rolled-back request queued nothing."""
    session.info.pop("xapi_queued", None)
