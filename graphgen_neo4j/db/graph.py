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
credentials, no such database) become ``Neo4jUnavailable``: one line naming the URI (never
the credentials) and saying what to do.

Routing: a query file that writes (``db/access.py`` reads that off its text) runs on the
leader, one that only reads may run on a reader (``RoutingControl.READ``), so with a
``neo4j://`` / ``neo4j+s://`` URI a cluster or Aura with secondaries spreads the reads.
``read``/``read_row`` refuse a file that writes. Every query and every write transaction
shares the driver's bookmark manager, so a read routed to a reader sees the writes before it.

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

from graphgen_neo4j.db import access, queries
from graphgen_neo4j.db.uri import LOCAL_HINT, Neo4jAddress, parse_uri, unreachable_hint
from graphgen_neo4j.errors import GraphGenError, Neo4jUnavailable
from graphgen_neo4j.settings import Neo4jSettings, refuse_credentials_in_uri

if TYPE_CHECKING:
    from typing_extensions import LiteralString

T = TypeVar("T")

START_HINT = LOCAL_HINT


RETRY_WINDOW = 6.0  # seconds the driver retries one transaction (backoff 1, 2, 4 s: gives up after ~7 s)
CONNECTION_TIMEOUT = 5.0  # seconds to open a connection
_CONNECTIVITY = (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError)


class _QuietRetries(logging.Filter):
    """Drops the driver's per-retry warnings (the outage is reported once, as ``Neo4jUnavailable``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Transaction failed and will be retried")


class _QuietRouting(logging.Filter):
    """Drops the routing driver's "Unable to retrieve routing information" (``Graph.connect``
    reports the failure once, naming the URI and the fix)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unable to retrieve routing information")


logging.getLogger("neo4j.session").addFilter(_QuietRetries())
logging.getLogger("neo4j.pool").addFilter(_QuietRouting())


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

    def __init__(self, driver: neo4j.Driver, database: str = "neo4j", tracer: Tracer | None = None,
                 address: Neo4jAddress | None = None):
        self.driver = driver
        self.database = database
        self.tracer = tracer
        self.address = address  # where the driver points (None for a driver made elsewhere)
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
            where = f" at {self.address.uri}" if self.address else ""
            hint = unreachable_hint(self.address, exc) if self.address else START_HINT
            error = Neo4jUnavailable(
                f"lost the connection to Neo4j{where} (no answer for {RETRY_WINDOW:.0f} s): {hint}; "
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
        address = parse_uri(settings.uri)
        auth = (settings.user, settings.password.get_secret_value())
        # "property key does not exist" warnings are normal on a young graph (no QA yet,
        # nothing excluded yet); keep the other notifications (deprecations, performance).
        try:
            driver = GraphDatabase.driver(
                settings.uri, auth=auth, notifications_disabled_classifications=["UNRECOGNIZED"],
                max_transaction_retry_time=RETRY_WINDOW, connection_timeout=CONNECTION_TIMEOUT,
            )
        except (neo4j_errors.ConfigurationError, ValueError) as exc:
            raise Neo4jUnavailable(f"bad NEO4J_URI {settings.uri!r}: {exc}") from exc
        try:
            driver.verify_connectivity()
            _check_database(driver, address, settings.database)
        except neo4j_errors.AuthError as exc:
            driver.close()
            raise Neo4jUnavailable(
                f"Neo4j at {settings.uri} rejected user {settings.user!r}: "
                f"check NEO4J_USER / NEO4J_PASSWORD ({exc.message})"
            ) from exc
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as exc:
            driver.close()
            raise Neo4jUnavailable(f"cannot reach Neo4j at {settings.uri}: {unreachable_hint(address, exc)}") from exc
        except neo4j_errors.ConfigurationError as exc:
            driver.close()
            raise Neo4jUnavailable(f"bad NEO4J_URI {settings.uri!r}: {exc}") from exc
        except Neo4jUnavailable:
            driver.close()
            raise
        return cls(driver, database=settings.database, tracer=tracer, address=address)

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
        """Run Cypher text in a managed transaction (retried on transient errors); ``write=False``
        routes it to a reader (it must not write)."""
        if not write and access.writes(cypher):
            raise GraphGenError(f"inline query writes ({', '.join(access.write_clauses(cypher))}): "
                                "it cannot be routed to a reader; run it with write=True")
        return [record.data() for record in self._execute(cypher, params, write=write, name="<text>").records]

    def run(self, name: str, params: Mapping[str, Any] | None = None, *, write: bool = True) -> list[dict[str, Any]]:
        """Run the named query file of ``cypher/`` (one statement) with parameters.

        A file that writes goes to the leader, one that only reads to a reader;
        ``write=False`` says the caller expects a read (a file that writes is then refused)."""
        writes = self._writes(name, expected=write)
        result = self._execute(queries.load(name), params, write=writes, name=name)
        return [record.data() for record in result.records]

    @staticmethod
    def _writes(name: str, *, expected: bool) -> bool:
        """Whether ``name`` writes; ``GraphGenError`` when the caller wants a read of a file that writes."""
        writes = queries.writes(name)
        if writes and not expected:
            clauses = sorted({c for s in queries.load_statements(name) for c in access.write_clauses(s)})
            raise GraphGenError(f"{name}.cypher writes ({', '.join(clauses)}): it cannot be run as a read "
                                "(Graph.read / read_row); use Graph.run")
        return writes

    def read(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a named read-only query (may be routed to a read replica)."""
        return self.run(name, params, write=False)

    def read_row(self, name: str, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The first row of a named read-only query (None without rows).

        For bulk reads that return a few long lists in one row: the values are used as the
        driver decoded them, without the ``record.data()`` copy that walks every element again.
        """
        self._writes(name, expected=False)
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

        # the bookmark manager of execute_query: a read routed to a reader afterwards sees this transaction
        with self._guard(), self.driver.session(database=self.database,
                                                bookmark_manager=self.driver.execute_query_bookmark_manager) as session:
            return session.execute_write(unit)

    # -- schema ------------------------------------------------------------------------

    def init_schema(self) -> list[str]:
        """Apply ``cypher/schema.cypher`` (idempotent); returns the statements run.

        Needs the right to create indexes and constraints on the database (no admin procedure,
        no server setting): a user without it gets one line saying who can run ``init``."""
        statements = list(queries.load_statements("schema"))
        try:
            for statement in statements:
                self.query(statement)
        except neo4j_errors.Forbidden as exc:
            raise Neo4jUnavailable(
                f"user may not create indexes and constraints in database {self.database!r} ({exc.message}): "
                "run `graphgen-neo4j init` once as a user allowed to (Aura's admin user, or a role with "
                "the schema-management privileges); the pipeline itself then needs only read and write access"
            ) from exc
        self.query("CALL db.awaitIndexes(300)")
        return statements

    def server_info(self) -> dict[str, Any]:
        """Neo4j version and edition (``dbms.components``, which any user may call)."""
        rows = self.query(
            "CALL dbms.components() YIELD name, versions, edition "
            "RETURN versions[0] AS version, edition",
            write=False,
        )
        return rows[0] if rows else {}

    def database_servers(self) -> list[dict[str, Any]]:
        """The servers holding this database, with their role (``primary``/``secondary``) and
        whether each is the writer: one row on a single instance, several on a cluster."""
        return self.query(
            "SHOW DATABASE $database YIELD name, address, role, writer, currentStatus "
            "RETURN address, role, writer, currentStatus AS status",
            {"database": self.database}, write=False,
        )


def _check_database(driver: neo4j.Driver, address: Neo4jAddress, database: str) -> None:
    """``Neo4jUnavailable`` (one line, with the databases there are) when ``database`` does not exist."""
    try:
        driver.execute_query("RETURN 1", database_=database, routing_=RoutingControl.READ)
    except neo4j_errors.ClientError as exc:
        if exc.code != "Neo.ClientError.Database.DatabaseNotFound":
            raise
        try:
            records = driver.execute_query("SHOW DATABASES YIELD name WHERE name <> 'system' RETURN DISTINCT name",
                                           routing_=RoutingControl.READ).records
            there = ", ".join(sorted(str(r["name"]) for r in records)) or "none you may see"
        except neo4j_errors.Neo4jError:
            there = "see SHOW DATABASES"
        raise Neo4jUnavailable(
            f"Neo4j at {address.uri} has no database {database!r}: set NEO4J_DATABASE to one it has ({there})"
        ) from exc
