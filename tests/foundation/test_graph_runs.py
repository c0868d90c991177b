"""``Graph`` runs every query: parameters as one mapping, tracing by a global switch (no database)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from neo4j import RoutingControl
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.db import graph as graph_module
from graphgen_neo4j.db.graph import Graph, QueryTrace, set_tracer


class FakeDriver:
    """Records ``execute_query`` calls and answers with fixed rows (or fails)."""

    def __init__(self, rows: list[dict[str, Any]] | None = None, fail: Exception | None = None):
        self.calls: list[dict[str, Any]] = []
        self.rows = rows or []
        self.fail = fail

    def execute_query(self, query: str, params: dict[str, Any], **options: Any) -> Any:
        self.calls.append({"query": query, "params": params, **options})
        if self.fail is not None:
            raise self.fail
        records = [SimpleNamespace(data=lambda row=row: dict(row), items=lambda row=row: row.items()) for row in self.rows]
        return SimpleNamespace(records=records, keys=list(self.rows[0]) if self.rows else [],
                               summary=SimpleNamespace(counters=SimpleNamespace()))


@pytest.fixture(autouse=True)
def _no_global_tracer():
    yield
    set_tracer(None)


def test_a_parameter_named_like_a_keyword_reaches_the_query():
    driver = FakeDriver()
    graph = Graph(driver)  # type: ignore[arg-type]
    graph.run("runs/finish", {"write": "w", "name": "n"})  # a file that writes: to the leader
    graph.read("stats/counts", {"write": 1})
    assert driver.calls[0]["params"] == {"write": "w", "name": "n"}
    assert driver.calls[0]["routing_"] == RoutingControl.WRITE
    assert driver.calls[1]["params"] == {"write": 1}
    assert driver.calls[1]["routing_"] == RoutingControl.READ


def test_the_global_tracer_sees_file_names_and_keys_never_values():
    traces: list[QueryTrace] = []
    set_tracer(traces.append)
    graph = Graph(FakeDriver(rows=[{"n": 1}, {"n": 2}]))  # type: ignore[arg-type]
    graph.run("stats/counts", {"password": "s3cret", "rows": [1, 2]})
    graph.query("RETURN 1")
    assert [(t.name, t.keys, t.rows) for t in traces] == [("stats/counts", ("password", "rows"), 2), ("<text>", (), 2)]
    assert all(t.seconds >= 0 for t in traces)
    assert "s3cret" not in traces[0].line() and "stats/counts keys=[password, rows]" in traces[0].line()


def test_a_failed_query_is_traced_as_failed():
    traces: list[QueryTrace] = []
    set_tracer(traces.append)
    graph = Graph(FakeDriver(fail=RuntimeError("boom")))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        graph.run("stats/counts")
    assert traces[0].rows is None and traces[0].line().endswith("failed")


def test_no_tracing_without_the_flag():
    set_tracer(lambda trace: pytest.fail("traced"))
    set_tracer(None)
    Graph(FakeDriver()).run("stats/counts")  # type: ignore[arg-type]


def test_the_cli_flag_switches_tracing_on_and_off():
    runner = CliRunner()
    runner.invoke(app, ["--trace-cypher", "doctor", "--help"])
    assert graph_module._tracer is graph_module.print_trace
    runner.invoke(app, ["doctor", "--help"])
    assert graph_module._tracer is None
