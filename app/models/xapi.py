"""xAPI statements waiting for, or already delivered to, the Learning Record Store."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow

XAPI_STATUSES = ("queued", "sent", "rejected")


class XapiStatement(db.Model):
    """One statement in the outbox: written with the learner's action, posted to the LRS after it, retried until it lands."""

    __tablename__ = "xapi_statements"
    __table_args__ = (Index("ix_xapi_statements_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The statement's own id: posting it twice is harmless, the store keeps one.
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    verb: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued, sent, rejected (the store said it is invalid)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A sender claims a batch for a short lease so two workers never post the same rows at once.
    claim: Mapped[str | None] = mapped_column(String(36))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
