"""Shared-fact groups: questions that test the same fact, of which one attempt shows at most one."""

import random
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def question_group(definition: dict[str, Any]) -> str:
    """The group a question belongs to; a question without one is a group of its own."""
    return definition.get("group") or f"id:{definition['id']}"


def draw_distinct(items: Iterable[T], count: int, definition_of: Callable[[T], dict[str, Any]],
                  rng: random.Random, used: set[str] | None = None) -> list[T]:
    """Up to `count` random items, no two from one group nor from a group in `used` (which is updated)."""
    used = set() if used is None else used
    pool = list(items)
    rng.shuffle(pool)
    drawn = []
    for item in pool:
        group = question_group(definition_of(item))
        if len(drawn) < count and group not in used:
            used.add(group)
            drawn.append(item)
    return drawn
