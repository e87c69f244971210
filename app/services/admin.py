"""Account administration: roles and deactivation, never leaving the site without an active admin."""

from sqlalchemy import func, or_, select

from app import unit_of_work
from app.extensions import db
from app.models import ROLES, User
from app.services.accounts import AccountError, end_sessions


def search_users(query: str) -> list[User]:
    """Accounts whose name or e-mail contains the query (all accounts when it is empty), by e-mail."""
    statement = select(User).order_by(User.email)
    if query:
        pattern = f"%{query.replace('%', '').replace('_', '')}%"
        statement = statement.where(or_(User.email.ilike(pattern), User.display_name.ilike(pattern)))
    return list(db.session.scalars(statement))


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
