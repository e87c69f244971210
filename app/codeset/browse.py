"""What a code page shows: the entry, the path above it, the codes below, its notes (codes linked) and 7th characters."""

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.codeset.lookup import normalise
from app.extensions import db
from app.models import IcdCode

NOTE_TITLES = {
    "includes": "Includes", "excludes1": "Excludes1", "excludes2": "Excludes2", "code_first": "Code first",
    "use_additional_code": "Use additional code", "code_also": "Code also", "notes": "Note", "seventh_note": "7th character",
}
NOTE_HELP = {
    "excludes1": "Not coded here: never use this code together with the codes listed.",
    "excludes2": "Not included here: the patient may have both, and both may be coded.",
    "code_first": "Sequence the underlying condition first.",
    "use_additional_code": "Add a code for the detail listed, after this one.",
}
# A range such as C00-C96 or B95-B97, or a code such as E11.40 or O24.4 (in "O24.4-" and "E08.-" the dash is left as text).
REFERENCE = re.compile(r"(?<![A-Za-z0-9])(?:(?P<range>[A-Z]\d[0-9A-Z]-[A-Z]\d[0-9A-Z])|(?P<code>[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?))(?![0-9A-Za-z])")


@dataclass
class Note:
    """One note of an entry: its type and lines, each line as (text, linked code or None) pieces."""

    kind: str
    title: str
    help: str
    lines: list[list[tuple[str, str | None]]]
    owner: str  # the code whose note it is (an entry above, for inherited notes)


@dataclass
class CodePage:
    """Everything the page of one entry shows."""

    entry: IcdCode
    path: list[IcdCode]
    children: list[IcdCode]
    notes: list[Note] = field(default_factory=list)
    seventh: dict[str, Any] | None = None
    seventh_owner: str | None = None


def resolve(raw: str) -> tuple[IcdCode | None, str]:
    """The entry for a code as typed in an address (e1140, E11.40, E08-E13, 4), and its canonical spelling."""
    wanted = raw.strip().upper()
    if not re.fullmatch(r"\d{1,2}|[A-Z]\d[0-9A-Z]-[A-Z]\d[0-9A-Z]", wanted):
        wanted = normalise(wanted) or wanted
    entry = db.session.scalar(select(IcdCode).where(IcdCode.code == wanted))
    return entry, wanted


def chapters() -> list[IcdCode]:
    """The chapters, in order."""
    return list(db.session.scalars(select(IcdCode).where(IcdCode.kind == "chapter").order_by(IcdCode.position)))


def _path(entry: IcdCode) -> list[IcdCode]:
    path, parent_id = [], entry.parent_id
    while parent_id is not None:
        parent = db.session.get(IcdCode, parent_id)
        path.insert(0, parent)
        parent_id = parent.parent_id
    return path


def _linked(lines: list[str], known: set[str]) -> list[list[tuple[str, str | None]]]:
    result = []
    for line in lines:
        pieces, last = [], 0
        for match in REFERENCE.finditer(line):
            found = match.group("range") or match.group("code")
            pieces.append((line[last:match.start()], None))
            pieces.append((found, found if found in known else None))
            last = match.end()
        pieces.append((line[last:], None))
        result.append([piece for piece in pieces if piece[0]])
    return result


def page(entry: IcdCode) -> CodePage:
    """The entry with its path, children, own and inherited notes (nearest first) and its 7th-character table."""
    path = _path(entry)
    children = list(db.session.scalars(select(IcdCode).where(IcdCode.parent_id == entry.id).order_by(IcdCode.position)))
    result = CodePage(entry, path, children)
    owners = [entry, *reversed(path)]
    named = {found.group("range") or found.group("code") for owner in owners for lines in owner.notes.values()
             for line in lines for found in REFERENCE.finditer(line)}
    known = set(db.session.scalars(select(IcdCode.code).where(IcdCode.code.in_(named)))) if named else set()
    for owner in owners:
        if owner.kind == "chapter" and owner is not entry:
            continue  # chapter notes are guidance for the whole chapter; its own page shows them
        for kind, title in NOTE_TITLES.items():
            if owner.notes.get(kind):
                result.notes.append(Note(kind, title, NOTE_HELP.get(kind, ""), _linked(owner.notes[kind], known), owner.code))
        if result.seventh is None and owner.seventh:
            result.seventh, result.seventh_owner = owner.seventh, owner.code
    return result
