"""The audit trail: security-relevant events and every view or export of another person's results."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class AuditEvent(db.Model):
    """One event, written once and never changed: who did what, to whom, when (UTC)."""

    __tablename__ = "audit_events"
    # The action index serves the admin's list of actions (DISTINCT reads the index alone) and the action filter.
    __table_args__ = (Index("ix_audit_events_subject_at", "subject_id", "at"), Index("ix_audit_events_action", "action"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # whose data, when one person's
    target: Mapped[str] = mapped_column(String(120), default="")  # what, e.g. "cohort:4" or "attempt:17"
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str] = mapped_column(String(40), default="")
    # Each event's hash covers its fields and the previous event's hash, so a changed or removed row shows.
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
