"""Fewer garbage-collector passes during the bulk stages.

Python's cyclic garbage collector makes a pass every 700 new container objects (lists,
dicts, objects) by default, and every so often a full pass over every live object. The
ingest writer and the partition cut make millions of short-lived rows, lists and dicts;
with the default, those passes took a quarter to a third of the two stages' Python CPU
in their benchmarks (bench/upsert_throughput.py, bench/partition.py). A pass every
20,000 new objects still frees what has to be freed — the Neo4j driver leaves each query
in a reference cycle together with its parameters, and the young passes collect those —
and partition's peak memory is unchanged. A long ingest also needs an occasional full
pass (``FullPasses``): with young passes this rare, driver cycles that outlived them
piled up — 20 % more peak memory over 20,000 chunks, growing with the input.

    with bulk_collection():
        ...  # many objects made and dropped
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 20_000  # new container objects between two young passes (Python's default: 700)
FULL_PASS_EVERY = 10  # units of work (ingest: written batches) between two full passes, see FullPasses


@contextmanager
def bulk_collection() -> Iterator[None]:
    """Inside the block, a young garbage-collector pass every ``BULK_THRESHOLD`` new objects.

    The setting is process-wide; it is restored when the block ends (blocks may nest).
    """
    previous = gc.get_threshold()
    gc.set_threshold(max(BULK_THRESHOLD, previous[0]), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


class FullPasses:
    """Counts units of work; ``due()`` is true every ``FULL_PASS_EVERY``-th, and then runs a
    full collector pass (a few tens of milliseconds for the ingest writer)."""

    def __init__(self, every: int = FULL_PASS_EVERY):
        self.every = every
        self.count = 0

    def due(self) -> bool:
        self.count += 1
        if self.count % self.every:
            return False
        gc.collect()
        return True
