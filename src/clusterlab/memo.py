"""Memos of deterministic set-up work that repeated runs redo with the same inputs.

A calibration or prediction starts thousands of short simulations from the same survey
data (`clusterlab.panel`): each reads the same matrix files and fits the same knowledge
profiles and positions to them. Those results depend on their inputs only (no random
stream), so they are kept here, keyed by a digest of the inputs' bytes, and a repeat gets
a copy of the first result: the same values bit for bit, without the work.

    memo = Memo("profiles")
    key = digest(P, dims, seed)           # arrays by dtype, shape and bytes; others by repr
    hit = memo.get(key)                   # None, or what was put
    memo.put(key, value)
    value = memo.get_or_make(key, lambda: work())  # the two together

Each memo keeps its `size` most recent results (a process works on one or a few data
sets), so memory stays bounded; what is kept must not be changed by its users (callers
hand out copies).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import numpy as np


def digest(*parts: Any) -> bytes:
    """A 20-byte digest of `parts`: arrays by dtype, shape and contents (numeric arrays
    only), None and other values by type and repr (floats exactly, as repr round-trips them)."""
    h = hashlib.blake2b(digest_size=20)
    for p in parts:
        if isinstance(p, np.ndarray):
            a = np.ascontiguousarray(p)
            if a.dtype.hasobject:  # its bytes would be pointers, not values
                raise TypeError("digest: arrays of Python objects are not supported")
            h.update(f"array {a.dtype.str} {a.shape}:".encode())
            h.update(a.view(np.uint8).reshape(-1) if a.size else b"")
        else:
            h.update(f"{type(p).__name__} {p!r}:".encode())
    return h.digest()


class Memo:
    """The `size` most recent results by key (thread-safe; least recently used dropped)."""

    def __init__(self, name: str, size: int = 8):
        self.name, self.size = name, size
        self._items: OrderedDict[bytes, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: bytes, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_make(self, key: bytes, make) -> Any:
        """The value kept for `key`, else `make()` (kept, then returned)."""
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


__all__ = ["Memo", "digest"]
