"""Loading the signed-in user from the session cookie, and the session's idle and absolute time limits."""

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from app.extensions import db
from app.models import User
from app.services.quizzes import save_draft_on_timeout

STAFF_ROLES = frozenset({"instructor", "employer", "admin"})
# "seen" is stamped at most once a minute: a session may end up to a minute before its idle limit, never after it,
# and most responses need not carry a new cookie.
SEEN_EVERY = 60


def load_user(session_id: str) -> User | None:
    """The account named by a session id "<user id>:<nonce>", if the nonce is still current."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_nonce != nonce:
        return None
    return user


def start_session_clock() -> None:
    """Note when the session began (for the absolute limit) and was last used (for the idle limit)."""
    session["started"] = session["seen"] = int(time.time())


def enforce_session_limits():
    """Sign out a session idle too long (15 minutes for staff, 30 for learners) or older than 12 hours."""
    if not current_user.is_authenticated or request.endpoint == "static":
        return None
    config, now = current_app.config, int(time.time())
    idle = config["IDLE_MINUTES_STAFF" if current_user.role in STAFF_ROLES else "IDLE_MINUTES_LEARNER"] * 60
    started, seen = session.get("started", 0), session.get("seen", 0)
    if now - started > config["SESSION_HOURS"] * 3600 or now - seen > idle:
        save_draft_on_timeout(current_user, request)
        logout_user()
        session.clear()
        flash("You were signed out after a period without activity. Sign in again to continue"
              " (any quiz answers you had entered are saved).", "info")
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"))
    if now - seen >= SEEN_EVERY:
        session["seen"] = now
    return None
