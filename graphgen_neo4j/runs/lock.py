"""One writer at a time: a lease node in Neo4j.

    with graph_lease(graph, "ingest"):          # LeaseHeld at once if another writer has it
        ...
    with graph_lease(graph, "run", wait=True):  # or wait until it is free

The lease is ``(:Lease {name, token, holder, host, pid, started, heartbeat})``. Its holder
refreshes ``heartbeat`` from a background thread every ``heartbeat_every`` seconds; a lease
without a heartbeat for ``stale_after`` seconds (its holder was killed, or lost the network)
is taken over by the next writer, and so at once is a lease whose holder ran on this host
under a pid that is gone (a ``kill -9``, then the same command again). Times are the database server's, so the clocks of the
machines involved do not matter. Every command that writes the graph takes it (see
``cli/_stage.recorded``), so two ``ingest``s of the same input never pay for a call twice
and never race to create the same node.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pydantic import BaseModel

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.processes import alive

LEASE_NAME = "graph-writer"
STALE_AFTER = 60.0  # seconds without a heartbeat before a lease may be taken over
HEARTBEAT_EVERY = 10.0
POLL_EVERY = 2.0


class LeaseHeld(GraphGenError):
    """Another writer holds the graph's lease."""


class LeaseLost(GraphGenError):
    """This writer's lease was taken over while it worked (its heartbeat stopped)."""


class Holder(BaseModel):
    """Who holds a lease, as the database shows it."""

    holder: str | None = None
    host: str | None = None
    pid: int | None = None
    started: str | None = None
    idle: int | None = None  # seconds since its last heartbeat

    def describe(self) -> str:
        return (f"`{self.holder}` on host {self.host}, pid {self.pid}, since {self.started}"
                f" (last heartbeat {self.idle} s ago)")


class Lease:
    """A lease on the graph, taken by ``acquire`` and kept alive by a heartbeat thread."""

    def __init__(self, graph: Graph, holder: str, *, name: str = LEASE_NAME, stale_after: float = STALE_AFTER,
                 heartbeat_every: float = HEARTBEAT_EVERY):
        self.graph, self.holder, self.name = graph, holder, name
        self.stale_after, self.heartbeat_every = stale_after, heartbeat_every
        self.token = uuid.uuid4().hex
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.lost = False
        self._constraint_checked = False
        self.taken_over: Holder | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def try_acquire(self) -> Holder | None:
        """Take the lease if it is free, ours, stale, or its holder on this host is dead;
        otherwise who holds it."""
        if not self._constraint_checked:
            if not self.graph.read("lock/has_constraint")[0]["present"]:
                self.graph.run("lock/constraint")
            self._constraint_checked = True
        dead_token = None
        while True:
            row = self.graph.run(
                "lock/acquire",
                {"lease": self.name, "token": self.token, "holder": self.holder, "host": self.host, "pid": self.pid,
                 "stale_after": int(self.stale_after), "dead_token": dead_token},
            )[0]
            other = Holder(**{k: row[k] for k in ("holder", "host", "pid", "started", "idle")})
            if row["acquired"]:
                self.taken_over = other if row["taken_over"] else None
                self._start_heartbeat()
                return None
            if dead_token is None and other.host == self.host and other.pid is not None and not alive(other.pid):
                dead_token = row["token"]  # killed on this machine: no need to wait for the heartbeat to age
                continue
            return other

    def acquire(self, *, wait: bool = False, poll_every: float = POLL_EVERY,
                on_wait: Callable[[Holder], None] | None = None) -> None:
        """``LeaseHeld`` when another writer has the lease, unless ``wait``: then poll until it is free."""
        told = False
        while (other := self.try_acquire()) is not None:
            if not wait:
                raise LeaseHeld(
                    f"the graph is being written by {other.describe()}: wait for it to finish, "
                    f"or run again with --wait (a lease with no heartbeat for {self.stale_after:.0f} s is taken over)"
                )
            if on_wait is not None and not told:
                on_wait(other)
                told = True
            time.sleep(poll_every)

    def _start_heartbeat(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._beat, name=f"lease-{self.name}", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_every):
            try:
                held = self.graph.run("lock/heartbeat", {"lease": self.name, "token": self.token})[0]["held"]
            except Exception:  # noqa: BLE001 — an outage: the stage reports it; keep trying
                continue
            if not held:
                self.lost = True
                return

    def release(self) -> None:
        """Stop the heartbeat and give the lease back (a no-op when it was taken over)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.heartbeat_every + 5)
        self.graph.run("lock/release", {"lease": self.name, "token": self.token})



@contextmanager
def graph_lease(graph: Graph, holder: str, *, wait: bool = False, stale_after: float = STALE_AFTER,
                heartbeat_every: float = HEARTBEAT_EVERY, poll_every: float = POLL_EVERY,
                on_wait: Callable[[Holder], None] | None = None) -> Iterator[Lease]:
    """Hold the graph's write lease for the block (see the module docstring)."""
    lease = Lease(graph, holder, stale_after=stale_after, heartbeat_every=heartbeat_every)
    lease.acquire(wait=wait, poll_every=poll_every, on_wait=on_wait)
    failed = False
    try:
        yield lease
    except BaseException:
        failed = True
        raise
    finally:
        try:
            lease.release()
        except GraphGenError:
            if not failed:
                raise
    if lease.lost:
        raise LeaseLost(
            f"{holder}: another writer took the graph's lease over while this one worked (no heartbeat reached "
            f"Neo4j for {stale_after:.0f} s): check the results and run again"
        )


def wait_requested() -> bool:
    """``GRAPHGEN_WAIT=1`` (set by ``graphgen-neo4j --wait``): wait for the lease instead of failing."""
    return os.environ.get("GRAPHGEN_WAIT", "").lower() in ("1", "true", "yes")
