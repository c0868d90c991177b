"""Which endpoint of a pool takes the next request, and which are out for a while.

Pure bookkeeping, no I/O, with the clock passed in (tests use a fake one)::

    router = Router([16, 16, 8], clock=time.monotonic)
    i = router.pick()              # least loaded healthy endpoint with a free slot, or None
    router.begin(i)
    ...                            # send
    router.succeed(i)              # or router.fail(i, DOWN) / router.fail(i, SERVER_ERROR)

Load is requests in flight over the endpoint's ``max_concurrency``. An endpoint that
cannot be reached or times out (``DOWN``) is taken out at once; one that answers 5xx
``error_streak`` times in a row (``SERVER_ERROR``) is taken out then. Out means skipped
until ``down_until``: the first time for ``base_backoff`` seconds, doubling each time it
fails again on its return, up to ``max_backoff``; a success resets it. Back in, it takes
requests like the others (the first one tells whether it has recovered).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Literal

FailureKind = Literal["down", "server error"]
DOWN: FailureKind = "down"
SERVER_ERROR: FailureKind = "server error"


@dataclass
class EndpointHealth:
    """What the router knows of one endpoint."""

    capacity: int
    inflight: int = 0
    down_until: float = 0.0
    backoff: float = 0.0
    streak: int = 0
    outages: int = 0

    @property
    def load(self) -> float:
        return self.inflight / self.capacity


class Router:
    """Least-loaded choice among the healthy endpoints, with back-off for failing ones."""

    def __init__(
        self,
        capacities: list[int],
        *,
        clock: Callable[[], float] = time.monotonic,
        base_backoff: float = 1.0,
        max_backoff: float = 30.0,
        error_streak: int = 3,
    ):
        if not capacities:
            raise ValueError("a pool needs at least one endpoint")
        self.endpoints = [EndpointHealth(capacity=max(1, c)) for c in capacities]
        self.clock = clock
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.error_streak = error_streak

    def healthy(self, index: int) -> bool:
        return self.clock() >= self.endpoints[index].down_until

    def pick(self, avoid: Collection[int] = ()) -> int | None:
        """The healthy endpoint with a free slot and the lowest load (endpoints in ``avoid``
        only when no other has a free slot); None when none has one."""
        free = [i for i, e in enumerate(self.endpoints) if e.inflight < e.capacity and self.healthy(i)]
        preferred = [i for i in free if i not in avoid] or free
        if not preferred:
            return None
        return min(preferred, key=lambda i: (self.endpoints[i].load, i))

    def begin(self, index: int) -> None:
        self.endpoints[index].inflight += 1

    def succeed(self, index: int) -> None:
        endpoint = self.endpoints[index]
        endpoint.inflight = max(0, endpoint.inflight - 1)
        endpoint.streak = 0
        endpoint.backoff = 0.0

    def release(self, index: int) -> None:
        """A request that ended without telling anything about the endpoint's health."""
        endpoint = self.endpoints[index]
        endpoint.inflight = max(0, endpoint.inflight - 1)

    def fail(self, index: int, kind: FailureKind) -> bool:
        """Count a failure; True when it takes the endpoint out now (False: not yet, or already out)."""
        endpoint = self.endpoints[index]
        endpoint.inflight = max(0, endpoint.inflight - 1)
        now = self.clock()
        if now < endpoint.down_until:
            return False  # already out: the other requests it had in flight fail too
        endpoint.streak += 1
        if kind == SERVER_ERROR and endpoint.streak < self.error_streak:
            return False
        endpoint.backoff = min(self.max_backoff, endpoint.backoff * 2 if endpoint.backoff else self.base_backoff)
        endpoint.down_until = now + endpoint.backoff
        endpoint.outages += 1
        return True

    def all_down(self) -> bool:
        return not any(self.healthy(i) for i in range(len(self.endpoints)))

    def next_return(self) -> float | None:
        """Seconds until the first endpoint that is out comes back; None when none is out."""
        now = self.clock()
        waits = [e.down_until - now for e in self.endpoints if e.down_until > now]
        return min(waits) if waits else None
