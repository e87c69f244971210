"""What a person changes about their own account: the display name, and closing the account."""

from sqlalchemy import exists, select

from app import unit_of_work
from app.extensions import db
from app.models import HireTraining, Membership, User
from app.services import admin as accounts_admin
from app.services.accounts import AccountError

ONLY_ADMIN = ("You are the only active administrator, so your account cannot be closed. "
              "Make someone else an administrator first.")


def rename(user: User, name: str) -> str:
    """Set the display name (trimmed); returns the old one."""
    unit_of_work.write()
    old, user.display_name = user.display_name, name.strip()
    return old


def keeps_employer_records(user: User) -> bool:
    """Whether an employer holds training records of this person (they are kept after the account closes)."""
    return bool(db.session.scalar(select(
        exists().where(Membership.user_id == user.id, Membership.kind == "hire")
        | exists().where(HireTraining.user_id == user.id))))


def close(user: User) -> None:
    """Deactivate one's own account and end its sessions; its records stay. The last active admin cannot."""
    try:
        accounts_admin.set_active(user, False)
    except AccountError:
        raise AccountError(ONLY_ADMIN, "password") from None
