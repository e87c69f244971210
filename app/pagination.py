"""Splitting long lists into pages."""

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

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


def paginate(items: list[T], number: int, size: int) -> Page[T]:
    """The `number`th page (1-based, clamped to the pages there are) of `items`."""
    pages = max(1, math.ceil(len(items) / size))
    number = min(max(1, number), pages)
    return Page(items[(number - 1) * size: number * size], number, pages, len(items), size)
