"""A bounded, thread-safe store of plain immutable values per process, for values keyed by what they depend on.

A key names every fact the value was made from (a content version, a release, a fingerprint of rows), so a changed
fact makes a new key and a kept value is never stale; the least recently used values go first.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class Kept:
    """At most `limit` values, the least recently used dropped first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The value kept under `key`, or None."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        return None

    def put(self, key: Hashable, value: Any) -> None:
        """Keep `value` under `key`, dropping the least recently used values beyond the limit."""
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.limit:
                self._values.popitem(last=False)

    def get_or(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value kept under `key`, or `compute()` kept under it (two threads may both compute; either value is right)."""
        value = self.get(key)
        if value is None:
            value = compute()
            self.put(key, value)
        return value
