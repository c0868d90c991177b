"""The one place the toolkit talks to Neo4j.

``Graph`` wraps a driver and runs the named queries of ``cypher/``::

    graph = Graph.connect(Neo4jSettings.from_env())
    rows = graph.run("explore/highest_loss_relations", {"limit": 10})

Parameters are one mapping, so no Cypher parameter can clash with a keyword of
``run`` (``write``, ``name``). The synchronous driver is used only here; async code
calls these methods through ``asyncio.to_thread``.

Tracing (``graphgen-neo4j --trace-cypher …``, or ``set_tracer`` in a program) reports
each query's file name (or ``<text>`` for inline Cypher), its parameters' keys — never
their values, which may hold secrets or documents — and its duration.

Errors of the driver that mean "cannot use the database" (unreachable, bad
credentials) become ``Neo4jUnavailable`` with a message saying what to do.

An outage is found within ``RETRY_WINDOW`` seconds (plus the connection timeout): the
driver retries a transaction for that long, not its default 30 s per call, and its
multi-line "Transaction failed and will be retried" warnings are not printed. The first
query that gives up raises ``Neo4jUnavailable`` (one line); queries of the same ``Graph``
in the next ``RETRY_WINDOW`` seconds fail at once with the same error instead of each
waiting again, so a fan-out of workers stops together.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j import exceptions as neo4j_errors

from graphgen_neo4j.db import queries
from graphgen_neo4j.errors import Neo4jUnavailable
from graphgen_neo4j.settings import Neo4jSettings, refuse_credentials_in_uri

if TYPE_CHECKING:
    from typing_extensions import LiteralString

T = TypeVar("T")

START_HINT = (
    "start one with `graphgen-neo4j neo4j start` (local, no Docker) or "
    "`docker compose up -d neo4j`, and set NEO4J_URI / NEO4J_PASSWORD"
)


RETRY_WINDOW = 6.0  # seconds the driver retries one transaction (backoff 1, 2, 4 s: gives up after ~7 s)
CONNECTION_TIMEOUT = 5.0  # seconds to open a connection
_CONNECTIVITY = (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError)


class _QuietRetries(logging.Filter):
    """Drops the driver's per-retry warnings (the outage is reported once, as ``Neo4jUnavailable``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Transaction failed and will be retried")


logging.getLogger("neo4j.session").addFilter(_QuietRetries())


@dataclass(frozen=True)
class QueryTrace:
    """One query as tracing reports it: no parameter values."""

    name: str  # the query file (``ingest/merge_entities``), or ``<text>`` for inline Cypher
    keys: tuple[str, ...]  # the parameters' names
    seconds: float
    rows: int | None = None  # rows returned (None when the query failed)

    def line(self) -> str:
        rows = "failed" if self.rows is None else f"{self.rows} rows"
        return f"cypher {self.name} keys=[{', '.join(self.keys)}] {self.seconds * 1000:.1f} ms {rows}"


Tracer = Callable[[QueryTrace], None]
_tracer: Tracer | None = None  # the process-wide tracer (``--trace-cypher``)


def set_tracer(tracer: Tracer | None) -> None:
    """Trace every query of every ``Graph`` (``None``: stop)."""
    global _tracer
    _tracer = tracer


def print_trace(trace: QueryTrace) -> None:
    """The ``--trace-cypher`` tracer: one line per query on stderr."""
    print(trace.line(), file=sys.stderr, flush=True)


@dataclass
class StatementResult:
    """A statement's result with its columns and update counters (for ``curate``)."""

    columns: list[str]
    records: list[neo4j.Record]
    counters: dict[str, int] = field(default_factory=dict)


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of at most ``size`` items (for ``UNWIND $rows`` writes)."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Transaction:
    """Named queries inside one write transaction (see ``Graph.write_transaction``)."""

    def __init__(self, tx: neo4j.ManagedTransaction, tracer: Tracer | None = None):
        self.tx = tx
        self.tracer = tracer

    def run(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        params = dict(params or {})
        with _traced(self.tracer, name, params) as done:
            rows = [record.data() for record in self.tx.run(cast("LiteralString", queries.load(name)), params)]
            done(len(rows))
        return rows


@contextmanager
def _traced(tracer: Tracer | None, name: str, params: Mapping[str, Any]) -> Iterator[Callable[[int], None]]:
    """Time the block and report it to ``tracer`` (or the process-wide one), also when it fails."""
    tracer = tracer or _tracer
    if tracer is None:
        yield lambda _rows: None
        return
    counted: list[int] = []
    start = time.perf_counter()
    try:
        yield counted.append
    finally:
        tracer(QueryTrace(name, tuple(params), time.perf_counter() - start, counted[0] if counted else None))


class Graph:
    """A Neo4j database used by the pipeline."""

    def __init__(self, driver: neo4j.Driver, database: str = "neo4j", tracer: Tracer | None = None):
        self.driver = driver
        self.database = database
        self.tracer = tracer
        self._outage: tuple[float, Neo4jUnavailable] | None = None  # (when, error) of the last outage
        self._outage_lock = threading.Lock()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Connectivity errors → one ``Neo4jUnavailable``; during a fresh outage, fail at once."""
        outage = self._outage
        if outage is not None and time.monotonic() - outage[0] < RETRY_WINDOW:
            raise Neo4jUnavailable(str(outage[1]))
        try:
            yield
        except _CONNECTIVITY as exc:
            error = Neo4jUnavailable(
                f"lost the connection to Neo4j (no answer for {RETRY_WINDOW:.0f} s): {START_HINT}; "
                "the work done so far is kept — run the same command again once Neo4j is back"
            )
            with self._outage_lock:
                self._outage = (time.monotonic(), error)
            raise error from exc

    @classmethod
    def connect(cls, settings: Neo4jSettings | None = None, tracer: Tracer | None = None) -> Graph:
        """Open a driver and check that the server answers and accepts the credentials."""
        settings = settings or Neo4jSettings.from_env()
        refuse_credentials_in_uri(settings.uri)
        auth = (settings.user, settings.password.get_secret_value())
        # "property key does not exist" warnings are normal on a young graph (no QA yet,
        # nothing excluded yet); keep the other notifications (deprecations, performance).
        driver = GraphDatabase.driver(
            settings.uri, auth=auth, notifications_disabled_classifications=["UNRECOGNIZED"],
            max_transaction_retry_time=RETRY_WINDOW, connection_timeout=CONNECTION_TIMEOUT,
        )
        try:
            driver.verify_connectivity()
        except neo4j_errors.AuthError as exc:
            driver.close()
            raise Neo4jUnavailable(
                f"Neo4j at {settings.uri} rejected user {settings.user!r}: "
                f"check NEO4J_USER / NEO4J_PASSWORD ({exc.message})"
            ) from exc
        except (neo4j_errors.ServiceUnavailable, OSError) as exc:
            driver.close()
            raise Neo4jUnavailable(f"cannot reach Neo4j at {settings.uri}: {START_HINT}") from exc
        except neo4j_errors.ConfigurationError as exc:
            driver.close()
            raise Neo4jUnavailable(f"bad NEO4J_URI {settings.uri!r}: {exc}") from exc
        return cls(driver, database=settings.database, tracer=tracer)

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- running queries ---------------------------------------------------------------

    def _execute(self, cypher: str, params: Mapping[str, Any] | None, *, write: bool, name: str) -> neo4j.EagerResult:
        """Every auto-commit query of the toolkit passes here: guarded, traced."""
        params = dict(params or {})
        with _traced(self.tracer, name, params) as done, self._guard():
            result = self.driver.execute_query(
                cast("LiteralString", cypher),
                params,
                database_=self.database,
                routing_=RoutingControl.WRITE if write else RoutingControl.READ,
            )
            done(len(result.records))
        return result

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = True) -> list[dict[str, Any]]:
        """Run Cypher text in a managed transaction (retried on transient errors)."""
        return [record.data() for record in self._execute(cypher, params, write=write, name="<text>").records]

    def run(self, name: str, params: Mapping[str, Any] | None = None, *, write: bool = True) -> list[dict[str, Any]]:
        """Run the named query file of ``cypher/`` (one statement) with parameters."""
        result = self._execute(queries.load(name), params, write=write, name=name)
        return [record.data() for record in result.records]

    def read(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a named read-only query (may be routed to a read replica)."""
        return self.run(name, params, write=False)

    def read_row(self, name: str, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The first row of a named read-only query (None without rows).

        For bulk reads that return a few long lists in one row: the values are used as the
        driver decoded them, without the ``record.data()`` copy that walks every element again.
        """
        records = self._execute(queries.load(name), params, write=False, name=name).records
        return dict(records[0].items()) if records else None

    def statement(self, cypher: str, params: Mapping[str, Any] | None = None, *, name: str) -> StatementResult:
        """Run one statement of a user's query file (``curate``): records, columns and update counters."""
        result = self._execute(cypher, params, write=True, name=name)
        counters = {k: v for k, v in vars(result.summary.counters).items()
                    if isinstance(v, int) and not isinstance(v, bool) and v}
        return StatementResult(columns=list(result.keys), records=list(result.records), counters=counters)

    def write_transaction(self, work: Callable[[Transaction], T]) -> T:
        """Run ``work(tx)`` in one write transaction: all its queries commit together or not at all.

        ``tx.run(name, params)`` runs a named query inside it. The driver retries the
        whole function on transient errors, so ``work`` must not have other side effects.
        """

        def unit(tx: neo4j.ManagedTransaction) -> T:
            return work(Transaction(tx, self.tracer))

        with self._guard(), self.driver.session(database=self.database) as session:
            return session.execute_write(unit)

    # -- schema ------------------------------------------------------------------------

    def init_schema(self) -> list[str]:
        """Apply ``cypher/schema.cypher`` (idempotent); returns the statements run."""
        statements = list(queries.load_statements("schema"))
        for statement in statements:
            self.query(statement)
        self.query("CALL db.awaitIndexes(300)")
        return statements

    def server_info(self) -> dict[str, Any]:
        """Neo4j version and edition."""
        rows = self.query(
            "CALL dbms.components() YIELD name, versions, edition "
            "RETURN versions[0] AS version, edition",
            write=False,
        )
        return rows[0] if rows else {}
