"""Splitting long lists into pages."""

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select

from app.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with what a pager needs."""

    items: list[T]
    number: int
    pages: int
    total: int
    size: int = 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first(self) -> int:
        """The 1-based position of the page's first item (0 on an empty list)."""
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        """The 1-based position of the page's last item."""
        return (self.number - 1) * self.size + len(self.items)


def page_count(total: int, size: int) -> int:
    """How many pages `total` items fill (at least one, so an empty list still has its page)."""
    return max(1, math.ceil(total / size))


def paginate(items: list[T], number: int, size: int) -> Page[T]:
    """The `number`th page (1-based, clamped to the pages there are) of `items`."""
    pages = page_count(len(items), size)
    number = min(max(1, number), pages)
    return Page(items[(number - 1) * size: number * size], number, pages, len(items), size)


def paged(statement: Select, total: int, number: int, size: int) -> Page:
    """The `number`th page (clamped) of the rows a SELECT returns, `total` of them, read with OFFSET and LIMIT."""
    pages = page_count(total, size)
    number = min(max(1, number), pages)
    return Page(list(db.session.scalars(statement.offset((number - 1) * size).limit(size))), number, pages, total, size)
