"""The ICD-10-CM code set as loaded by `content sync`: one release row, and its chapters, blocks and codes."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow

KINDS = ("chapter", "block", "category", "subcategory", "code")

# Codes compare byte by byte, so a prefix range (E11.4 <= code < E11.5) finds a code's descendants with the
# unique index; PostgreSQL's default collation would sort them by language rules instead.
CodeText = String(12).with_variant(String(12, collation="C"), "postgresql")


class CodeRelease(db.Model):
    """One loaded release of the code set: its source (package version and data file), counts and load time."""

    __tablename__ = "icd_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    entries: Mapped[int] = mapped_column(default=0)
    billable: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class IcdCode(db.Model):
    """A chapter, block, category, subcategory or full code of the release in force; a leaf is billable.

    `notes` maps a note type (includes, excludes1, excludes2, code_first, use_additional_code, code_also,
    notes, seventh_note) to its lines; `seventh` is the 7th-character table where this entry defines one.
    """

    __tablename__ = "icd_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("icd_releases.id"))
    code: Mapped[str] = mapped_column(CodeText, unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("icd_codes.id"), index=True)
    position: Mapped[int]
    billable: Mapped[bool]
    terms: Mapped[str] = mapped_column(Text, default="")  # inclusion terms, one a line (searched with the title)
    notes: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    seventh: Mapped[dict[str, Any] | None] = mapped_column(JSON)
