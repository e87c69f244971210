"""The one reader of the simple-icd-10-cm package (the CDC/NCHS tabular list and its notes).

Importing the package parses its XML (about two seconds), so the release is identified from the installed
distribution's metadata instead, and the package is imported only when a new release has to be loaded.
"""

import re
import warnings
from collections.abc import Iterator
from importlib import metadata
from typing import Any

DISTRIBUTION = "simple-icd-10-cm"
TABULAR_FILE = re.compile(r"icd10c-tabular-([A-Za-z]+)-(\d+)-(\d{4})\.xml$")
NOTE_READERS = ("includes", "inclusion_term", "excludes1", "excludes2", "code_first", "use_additional_code",
                "code_also", "notes", "seven_chr_note")


class CodeSetMissing(RuntimeError):
    """The package is not installed (or ships no tabular list)."""


def release() -> tuple[str, str]:
    """(source, name) of the installed release, e.g. ("simple-icd-10-cm 1.5.0 icd10c-tabular-April-1-2026.xml",
    "ICD-10-CM April 1, 2026"), read without importing the package."""
    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise CodeSetMissing(f"The {DISTRIBUTION} package is not installed.") from None
    for file in distribution.files or []:
        match = TABULAR_FILE.search(str(file))
        if match:
            month, day, year = match.groups()
            return f"{DISTRIBUTION} {distribution.version} {match.group(0)}", f"ICD-10-CM {month} {int(day)}, {year}"
    raise CodeSetMissing(f"The {DISTRIBUTION} package ships no tabular list.")


def _package() -> Any:
    """The imported package (its first import parses the tabular list)."""
    with warnings.catch_warnings():
        # 1.5.0 reads its data with importlib.resources.read_text, deprecated since Python 3.11; the data is the same.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm
    return simple_icd_10_cm


def _lines(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split("\n")
    return [item.strip() for item in items if item and item.strip()]


def _entry(cm: Any, name: str, kind: str, parent: str | None, as_block: bool) -> dict[str, Any]:
    """One entry's fields; `as_block` reads the block of a block and category that share a name (B99, C7A)."""
    options = {"prioritize_blocks": as_block}
    notes = {reader: _lines(getattr(cm, f"get_{reader}")(name, **options)) for reader in NOTE_READERS}
    # Inclusion terms and Includes notes name what an entry covers: both are searched with the title.
    terms = notes.pop("inclusion_term") + notes.get("includes", [])
    notes["seventh_note"] = notes.pop("seven_chr_note")
    seventh = cm.get_seven_chr_def(name, **options) or None
    code = name if kind != "block" or "-" in name else f"{name}-{name}"
    return {"code": code, "kind": kind,
            "title": cm.get_description(name, **options), "parent": parent,
            "billable": cm.is_leaf(name, **options) and kind not in ("chapter", "block"),
            "terms": "\n".join(terms), "notes": {k: v for k, v in notes.items() if v}, "seventh": seventh}


def _below(cm: Any, name: str, parent: str) -> Iterator[dict[str, Any]]:
    kind = "category" if len(name) == 3 else "code" if cm.is_extended_subcategory(name) else "subcategory"
    entry = _entry(cm, name, kind, parent, as_block=False)
    yield entry
    for child in cm.get_children(name):
        yield from _below(cm, child, entry["code"])


def entries() -> Iterator[dict[str, Any]]:
    """Every chapter, block, category, subcategory and code in tabular order, each naming its parent's code."""
    cm = _package()
    for chapter in (name for name in cm.get_all_codes() if cm.is_chapter(name)):
        yield _entry(cm, chapter, "chapter", None, as_block=False)
        for block in cm.get_children(chapter):
            entry = _entry(cm, block, "block", chapter, as_block=True)
            yield entry
            for category in cm.get_children(block, prioritize_blocks=True):
                yield from _below(cm, category, entry["code"])


def statuses(codes: set[str]) -> dict[str, Any]:
    """The package's entry for each of these codes it has, for checking content before the tables are loaded."""
    if not codes:
        return {}
    from app.codeset.lookup import CodeStatus

    cm = _package()
    known = {}
    for code in codes:
        if cm.is_valid_item(code):
            kind = "category" if cm.is_category(code) else "code" if cm.is_extended_subcategory(code) else "subcategory"
            known[code] = CodeStatus(code, kind, cm.get_description(code), cm.is_leaf(code))
    return known
