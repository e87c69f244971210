"""Code search: a code or its beginning, or words ranked by relevance (SQLite FTS5 bm25, PostgreSQL ts_rank)."""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import func, select, text

from app.codeset.index import POSTGRES_DOCUMENT
from app.codeset.lookup import normalise
from app.extensions import db
from app.models import IcdCode

PAGE_SIZE = 20
MAX_QUERY = 100
MAX_WORDS = 12
# Words that carry no meaning in a title search; keeping them would make "pain in the knee" find nothing.
STOPWORDS = frozenset("a an and at by for from in of on or the to with without".split())
WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def synonyms() -> dict[str, str]:
    """The abbreviation table (app/codeset/synonyms.yaml), read once."""
    data = yaml.safe_load((Path(__file__).with_name("synonyms.yaml")).read_text(encoding="utf-8"))
    return {str(key).lower(): str(value).lower() for key, value in data.items()}


@dataclass(frozen=True)
class Hit:
    """One code found."""

    code: str
    title: str
    kind: str
    billable: bool


@dataclass
class Results:
    """A page of results and how they were found."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    mode: str = ""  # "code" (by code), "all" (every word), "any" (some words, when no entry has them all)
    expanded: dict[str, str] = field(default_factory=dict)  # abbreviations read as words

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def words_of(query: str) -> tuple[list[str], dict[str, str]]:
    """The words to look for, abbreviations replaced by their words, and which abbreviations were replaced."""
    table, words, expanded = synonyms(), [], {}
    for word in WORD.findall(query.lower()):
        if word in table:
            expanded[word.upper()] = table[word]
            words += WORD.findall(table[word])
        elif word not in STOPWORDS:
            words.append(word)
    return list(dict.fromkeys(words))[:MAX_WORDS], expanded


def _by_code(code: str, page: int) -> tuple[list[Hit], int]:
    # The code and its descendants sort together byte by byte: E11.4 <= code < E11.5.
    upper = code[:-1] + chr(ord(code[-1]) + 1)
    where = (IcdCode.code >= code, IcdCode.code < upper, IcdCode.kind.not_in(("chapter", "block")))
    total = db.session.scalar(select(func.count()).select_from(IcdCode).where(*where))
    rows = db.session.execute(select(IcdCode.code, IcdCode.title, IcdCode.kind, IcdCode.billable).where(*where)
                              .order_by(IcdCode.position).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return [Hit(*row) for row in rows], total


def _sqlite_match(words: list[str], every: bool, prefix: bool) -> str:
    terms = [f'"{word}"' for word in words]  # words are [a-z0-9]+, so quoting makes each a plain FTS5 string
    if prefix:
        terms[-1] += " *"
    return (" AND " if every else " OR ").join(terms)


def _postgres_query(words: list[str], every: bool, prefix: bool) -> str:
    terms = list(words)
    if prefix:
        terms[-1] += ":*"
    return (" & " if every else " | ").join(terms)


# Titles weigh more than inclusion terms: bm25 column weights on SQLite, tsvector weights A and B on PostgreSQL.
RANKED = {
    "sqlite": "SELECT rowid AS id, bm25(icd_code_search, 10.0, 5.0) AS score FROM icd_code_search WHERE icd_code_search MATCH :q",
    "postgresql": (f"SELECT id, -ts_rank({POSTGRES_DOCUMENT}, to_tsquery('english', :q), 1) AS score "  # nosec B608 (constants)
                   f"FROM icd_codes WHERE {POSTGRES_DOCUMENT} @@ to_tsquery('english', :q)"),
}
COUNT = "SELECT count(*) FROM ({ranked}) AS found"
PAGE = ("SELECT c.code, c.title, c.kind, c.billable FROM ({ranked}) AS found JOIN icd_codes AS c ON c.id = found.id "
        "ORDER BY found.score, c.position LIMIT :limit OFFSET :offset")


def _by_words(words: list[str], every: bool, prefix: bool, page: int) -> tuple[list[Hit], int]:
    dialect = db.engine.dialect.name
    params = {"q": (_sqlite_match if dialect == "sqlite" else _postgres_query)(words, every, prefix)}
    ranked = RANKED[dialect]  # fixed SQL; what the learner typed is only ever a bound parameter
    total = db.session.scalar(text(COUNT.format(ranked=ranked)), params)
    rows = db.session.execute(text(PAGE.format(ranked=ranked)), params | {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE})
    return [Hit(row.code, row.title, row.kind, bool(row.billable)) for row in rows], total


def search(query: str, page: int = 1, prefix: bool = False) -> Results:
    """Find codes for what a learner typed: a code (E11.4, e114) lists it and the codes below it; words are ranked.

    Every word must appear (in any order, plurals and other endings matched by stemming); when no entry has
    them all, entries with some of them are shown. `prefix` treats the last word as unfinished (typing).
    """
    query = re.sub(r"\s+", " ", query or "").strip()[:MAX_QUERY]
    results = Results(query, page=max(1, page))
    if not query:
        return results
    code = normalise(query)
    if code:
        results.hits, results.total = _by_code(code, results.page)
        if results.total:
            results.mode = "code"
            return results
    words, results.expanded = words_of(query)
    if not words:
        return results
    for every in (True, False):
        results.hits, results.total = _by_words(words, every, prefix, results.page)
        if results.total:
            results.mode = "all" if every else "any"
            break
    return results
