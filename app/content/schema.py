"""Field rules for content files, and the Problem type every content error is reported as."""

import re
from dataclasses import dataclass
from typing import Any

from app.content.yaml_lines import LineDict

SCHEMA_VERSION = 1
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FACT_ID = re.compile(r"^[A-Z]-\d{2}$")


@dataclass(frozen=True, order=True)
class Problem:
    """One content error, located by file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


CHECKS = {
    "text": (_is_text, "must be non-empty text"),
    "slug": (lambda v: isinstance(v, str) and bool(SLUG.match(v)), "must be lowercase letters, digits and hyphens"),
    "int": (_is_int, "must be a whole number"),
    "bool": (lambda v: isinstance(v, bool), "must be true or false"),
    "texts": (lambda v: isinstance(v, list) and bool(v) and all(_is_text(i) for i in v), "must be a non-empty list of texts"),
    "list": (lambda v: isinstance(v, list) and bool(v), "must be a non-empty list"),
    "slugs": (lambda v: isinstance(v, list) and all(isinstance(i, str) and SLUG.match(i) for i in v), "must be a list of slugs"),
    "facts": (
        lambda v: isinstance(v, list) and bool(v) and all(isinstance(i, str) and FACT_ID.match(i) for i in v),
        "must be a non-empty list of fact ids such as S-12",
    ),
    "fact": (lambda v: isinstance(v, str) and bool(FACT_ID.match(v)), "must be a fact id such as S-12"),
}


class Checker:
    """Collects problems for one file."""

    def __init__(self, file: str, known_facts: frozenset[str] | None = None) -> None:
        self.file = file
        self.known_facts = known_facts
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        """Record a problem at a line."""
        self.problems.append(Problem(self.file, line, message))

    def fields(self, data: Any, spec: dict[str, str], optional: frozenset[str] = frozenset(), where: str = "") -> bool:
        """Check a mapping against {field: kind}; returns True when every field is usable."""
        prefix = f"{where}." if where else ""
        if not isinstance(data, LineDict):
            if data is not None or not self.problems:  # None after a syntax error is already reported
                self.add(getattr(data, "line", 0), f"{where or 'file'}: must be a mapping of fields")
            return False
        ok = True
        for key, line in data.duplicate_keys:
            self.add(line, f"{prefix}{key}: appears twice")
        for key in sorted(map(str, data.keys() - spec.keys())):
            self.add(data.line_of(key), f"{prefix}{key}: unknown field")
            ok = False
        for key, kind in spec.items():
            if key not in data:
                if key not in optional:
                    self.add(data.line, f"{prefix}{key}: missing")
                    ok = False
                continue
            check, message = CHECKS[kind]
            if not check(data[key]):
                self.add(data.line_of(key), f"{prefix}{key}: {message}")
                ok = False
            elif kind in ("facts", "fact"):
                ok = self._known(data, key, prefix) and ok
        return ok

    def _known(self, data: LineDict, key: str, prefix: str) -> bool:
        if self.known_facts is None:
            return True
        ids = data[key] if isinstance(data[key], list) else [data[key]]
        unknown = [fact for fact in ids if fact not in self.known_facts]
        for fact in unknown:
            self.add(data.line_of(key), f"{prefix}{key}: {fact} is not an id in lessons/facts.yaml")
        return not unknown

    def schema(self, data: LineDict) -> None:
        """Check the file's schema version."""
        if data.get("schema") != SCHEMA_VERSION:
            self.add(data.line_of("schema"), f"schema: must be {SCHEMA_VERSION}")

    def number_range(self, data: LineDict, key: str, low: int, high: int) -> None:
        """Check a whole-number field lies within [low, high]."""
        value = data.get(key)
        if _is_int(value) and not low <= value <= high:
            self.add(data.line_of(key), f"{key}: must be between {low} and {high}")
