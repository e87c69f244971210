"""Reading codes as people type them, and what the release in force says of each (billable, category, unknown)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import IcdCode

# A letter, a digit, a digit or letter, then up to four more characters (the dot is optional when typed).
CODE_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class CodeStatus:
    """What the release says of one code: its kind and title, and whether it can go on a claim."""

    code: str
    kind: str
    title: str
    billable: bool


def normalise(raw: str) -> str | None:
    """`e114`, ` E11.4 `, `e11.40` -> `E11.4`, `E11.4`, `E11.40`; None when it is not written like a code."""
    key = re.sub(r"[\s.]", "", raw or "").upper()
    if not CODE_SHAPE.match(key):
        return None
    return key if len(key) == 3 else f"{key[:3]}.{key[3:]}"


def split_codes(text: str) -> list[str]:
    """The pieces of an answer typed with commas, spaces, semicolons or new lines between codes."""
    return [piece for piece in SEPARATORS.split(text or "") if piece]


def statuses(codes: Iterable[str]) -> dict[str, CodeStatus]:
    """The loaded release's entry for each of these codes that it has (unknown codes are absent)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = db.session.execute(select(IcdCode.code, IcdCode.kind, IcdCode.title, IcdCode.billable).where(IcdCode.code.in_(wanted)))
    return {row.code: CodeStatus(row.code, row.kind, row.title, row.billable) for row in rows}


def refusal(code: str, status: CodeStatus | None, release: str) -> str | None:
    """Why a code cannot be a keyed answer in this release, or None when it is a billable code."""
    if status is None:
        return f"{code} is not an ICD-10-CM code in {release}"
    if not status.billable:
        return f"{code} is a {status.kind} in {release}, not a billable code: choose a more specific code"
    return None
