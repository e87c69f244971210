"""Account administration: roles and deactivation, never leaving the site without an active admin."""

import secrets

from sqlalchemy import func, or_, select

from app import unit_of_work
from app.extensions import db
from app.models import ROLES, User
from app.pagination import Page, paged
from app.services.accounts import AccountError, create_user, end_sessions
from app.services.password_reset import send_welcome


def search_users(query: str, role: str = "", number: int = 1, size: int = 50) -> Page[User]:
    """One page of the accounts whose name or e-mail contains the query and that have the role (either may be
    empty: all), by e-mail; counted and paged in SQL."""
    condition = []
    if query:
        pattern = f"%{query.replace('%', '').replace('_', '')}%"
        condition.append(or_(User.email.ilike(pattern), User.display_name.ilike(pattern)))
    if role in ROLES:
        condition.append(User.role == role)
    total = db.session.scalar(select(func.count()).select_from(User).where(*condition)) or 0
    return paged(select(User).where(*condition).order_by(User.email, User.id), total, number, size)


def add_user(email: str, display_name: str, role: str) -> User:
    """Create an account and e-mail its owner a link to choose their password; AccountError if the address (or a
    look-alike of it) is taken. Nobody knows the random password it starts with, so only the link lets them in."""
    user = create_user(email, secrets.token_urlsafe(32), display_name, role, confirmed=False)
    send_welcome(user)  # following the link also confirms the address
    return user


def is_last_active_admin(user: User) -> bool:
    """Whether the account is the only active admin (who must keep the role)."""
    return user.role == "admin" and user.active and not _other_active_admins(user)


def _other_active_admins(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != user.id))


def change_role(user: User, role: str) -> str:
    """Give the account a new role; returns the old one. The last active admin keeps their role."""
    unit_of_work.write()  # the last-admin rule is checked on what the write transaction reads
    if role not in ROLES:
        raise AccountError("Unknown role.")
    if user.role == "admin" and role != "admin" and not _other_active_admins(user):
        raise AccountError("This is the only active admin; make someone else an admin first.")
    old, user.role = user.role, role
    end_sessions(user)  # pages already open must not keep the old role's access
    return old


def set_active(user: User, active: bool) -> None:
    """Deactivate (their sessions end; history is kept) or reactivate an account."""
    unit_of_work.write()
    if not active and user.role == "admin" and not _other_active_admins(user):
        raise AccountError("This is the only active admin; it cannot be deactivated.")
    user.active = active
    if not active:
        end_sessions(user)
