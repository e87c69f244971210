"""Employers: an organisation, its managers and hires, invitations, and its confidentiality policy."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.people import User


class Organisation(db.Model):
    """An employer (a clinic, a billing office) that trains its hires."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    # IANA name ("America/Chicago"); empty means the configured DEFAULT_TIME_ZONE. Due dates end at local midnight.
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(db.Model):
    """A person's place in an organisation: a manager, or a hire with a job role and hire date."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"), CheckConstraint("kind IN ('manager', 'hire')", name="kind_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    job_role: Mapped[str] = mapped_column(String(80), default="")
    hire_date: Mapped[date | None]
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship()


class Invitation(db.Model):
    """A single-use, expiring invitation for a new hire; only a hash of its token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(80))
    job_role: Mapped[str] = mapped_column(String(80), default="")
    hire_date: Mapped[date | None]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]  # revoked by a manager, or replaced by a resent invitation

    organisation: Mapped[Organisation] = relationship()


class PolicyVersion(db.Model):
    """One version of an organisation's confidentiality policy; editing the policy adds a version."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("organisation_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attestation(db.Model):
    """A hire's acknowledgement of one policy version, with its time."""

    __tablename__ = "attestations"
    __table_args__ = (UniqueConstraint("user_id", "policy_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    policy: Mapped[PolicyVersion] = relationship()
