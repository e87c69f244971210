"""People: user accounts and their roles."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow

ROLES = ("student", "instructor", "employer", "admin")


def new_session_nonce() -> str:
    """A fresh random value that ties login sessions to the account's current state."""
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    """An account; e-mail addresses are stored normalised and lower-case, so uniqueness ignores case.

    `email_key` is the address's look-alike skeleton (unique), so "аdmin@" in Cyrillic cannot sit beside "admin@".
    """

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    email_key: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="student")
    active: Mapped[bool] = mapped_column(default=True)
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    email_confirmed_at: Mapped[datetime | None]  # None until the owner follows the e-mailed link
    last_sign_in_at: Mapped[datetime | None]  # the last successful sign-in (or password reset, which signs in)

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses sessions of deactivated accounts."""
        return self.active

    def get_id(self) -> str:
        """The session id names the account and its nonce; a new nonce ends every old session."""
        return f"{self.id}:{self.session_nonce}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class Throttle(db.Model):
    """Attempts counted against one limit for one subject (an address, an account, a client), shared by every worker."""

    __tablename__ = "throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(320), unique=True)
    hits: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[datetime] = mapped_column(default=utcnow)
