"""Who may see what: a route decorator for roles, and query filters used by every list."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select

from app.models import QuizAttempt, User


def roles_required(*roles: str) -> Callable:
    """Allow the view to signed-in users with one of `roles`; others get 403 (anonymous: the sign-in page)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def visible_attempts(query: Select, viewer: User) -> Select:
    """Restrict a query over QuizAttempt to the attempts `viewer` may see: their own."""
    return query.where(QuizAttempt.user_id == viewer.id)
