"""In-process columns of the embedded backend (see database.Snapshot): ranking and facet values as
numpy arrays per document id, and the full-text ids read per query text (TermCache)."""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict

import numpy as np

from marketplace.search.types import AGENCY, PROJECT


class Columns:
    """Ranking and facet columns of the indexed documents as numpy arrays, one slot per document id
    in [base, base + capacity).

    Facet counting over ten thousand matches is then a gather plus `np.bincount` per facet, and one
    column sum over the gathered rows of a boolean matrix for the multi-valued ones (service types,
    price buckets), all in C, instead of a Python pass over per-document tuples.

    Readers take one Columns object and use only it. Once published (assigned to the snapshot) an
    object is never written: changes go into a copy, or a grown copy (ids beyond the capacity, a
    facet value beyond the matrix width), that the snapshot swaps in. Only the vocabularies are
    shared, and they are append-only: a code is added before any column holds it.
    """

    UNKNOWN, HIDDEN = 0, 3  # state codes; 1 = visible agency, 2 = visible posting
    VISIBLE = {AGENCY: 1, PROJECT: 2}
    SCALAR = ("region", "grade", "status", "method")

    def __init__(self, base: int = 0, capacity: int = 0, width: int = 64, vocab: dict | None = None):
        self.base = base
        self.capacity = capacity
        self.state = np.zeros(capacity, np.int8)
        self.bonus = np.zeros(capacity, np.float64)  # grade + recency part of the score
        self.scalar = {name: np.zeros(capacity, np.int32) for name in self.SCALAR}
        self.matrix = np.zeros((capacity, width), np.bool_)
        # Append-only vocabularies: code 0 of every scalar facet is "", so zero-filled slots read
        # as empty values; `columns` maps (facet, value) to a matrix column and back.
        self.vocab = vocab or {"scalar": {name: ({"": 0}, [""]) for name in self.SCALAR},
                               "columns": {}, "column_facet": [], "column_value": []}

    def code(self, name: str, value: str, *, create: bool = True) -> int | None:
        codes, values = self.vocab["scalar"][name]
        found = codes.get(value)
        if found is None and create:
            found = codes[value] = len(values)
            values.append(value)
        return found

    def labels(self, name: str) -> list[str]:
        return self.vocab["scalar"][name][1]

    def column(self, facet: str, value: str, *, create: bool = True) -> int | None:
        found = self.vocab["columns"].get((facet, value))
        if found is None and create:
            found = self.vocab["columns"][(facet, value)] = len(self.vocab["column_value"])
            self.vocab["column_facet"].append(facet)
            self.vocab["column_value"].append(value)
        return found

    def covers(self, low: int, high: int, width: int) -> bool:
        return self.base <= low and high < self.base + self.capacity and width <= self.matrix.shape[1]

    def copy(self) -> Columns:
        """Same shape and contents, arrays of its own (vocabularies shared)."""
        new = copy.copy(self)
        new.state, new.bonus, new.matrix = self.state.copy(), self.bonus.copy(), self.matrix.copy()
        new.scalar = {name: values.copy() for name, values in self.scalar.items()}
        return new

    def resized(self, low: int, high: int, width: int) -> Columns:
        """A copy that also covers ids low..high and `width` facet columns, with some headroom."""
        if self.capacity:
            low, high = min(low, self.base), max(high, self.base + self.capacity - 1)
        span = high - low + 1
        new = Columns(low, span + span // 2 + 1024, max(self.matrix.shape[1], -(-width // 64) * 64), self.vocab)
        if self.capacity:
            dst = slice(self.base - low, self.base - low + self.capacity)
            new.state[dst] = self.state
            new.bonus[dst] = self.bonus
            for name in self.SCALAR:
                new.scalar[name][dst] = self.scalar[name]
            new.matrix[dst, :self.matrix.shape[1]] = self.matrix
        return new

    @property
    def nbytes(self) -> int:
        return (self.state.nbytes + self.bonus.nbytes + self.matrix.nbytes
                + sum(a.nbytes for a in self.scalar.values()))

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Slot of each id; ids outside the covered range get -1."""
        pos = ids - self.base
        pos[(pos < 0) | (pos >= self.capacity)] = -1
        return pos

    def counts(self, name: str, pos: np.ndarray) -> dict[str, int]:
        labels = self.labels(name)
        counted = np.bincount(self.scalar[name][pos], minlength=len(labels)).tolist()
        return {label: n for label, n in zip(labels, counted, strict=False) if n}

    def column_counts(self, pos: np.ndarray) -> dict[str, dict[str, int]]:
        # Summing the gathered rows as bytes is several times faster than count_nonzero on bools.
        counted = np.take(self.matrix.view(np.uint8), pos, axis=0).sum(axis=0, dtype=np.int64).tolist()
        out: dict[str, dict[str, int]] = {}
        for facet, value, n in zip(self.vocab["column_facet"], self.vocab["column_value"], counted, strict=False):
            if n:
                out.setdefault(facet, {})[value] = n
        return out


class TermCache:
    """What the full-text index returned per query text (id arrays), valid for one index generation.

    A common word matches ten thousand documents; reading their ids back from the full-text index is
    most of a search's cost (a bitmap heap scan on PostgreSQL). Every index change bumps the
    generation (shared through the cache by all processes), which empties this cache; entries also
    expire with the snapshot's own REFRESH period, so staleness is never worse than the columns'.
    Bounded by the total number of ids held (8 bytes each); MAX_IDS = 0 turns it off.
    """

    MAX_IDS = 1_000_000
    TTL = 30.0

    def __init__(self):
        self.entries: OrderedDict = OrderedDict()
        self.size = 0
        self.generation = None
        self.lock = threading.Lock()

    def get(self, key, generation) -> np.ndarray | None:
        with self.lock:
            if generation != self.generation:
                self.entries.clear()
                self.size, self.generation = 0, generation
                return None
            entry = self.entries.get(key)
            if entry is None or time.monotonic() - entry[0] > self.TTL:
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key, generation, ids: np.ndarray) -> np.ndarray:
        with self.lock:
            if not self.MAX_IDS or generation != self.generation or ids.size > self.MAX_IDS // 4:
                return ids
            old = self.entries.pop(key, None)
            self.size += ids.size - (0 if old is None else old[1].size)
            self.entries[key] = (time.monotonic(), ids)
            while self.size > self.MAX_IDS:
                _key, (_at, dropped) = self.entries.popitem(last=False)
                self.size -= dropped.size
        return ids
