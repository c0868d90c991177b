"""The pipeline through a routing URI (``neo4j://`` on the single local server: Neo4j 5 serves
a routing table of one), reads routed to readers and writes to the leader, a named database,
and connection errors that name the URI and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import neo4j
import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.db.uri import parse_uri, unreachable_hint
from graphgen_neo4j.errors import ConfigError, Neo4jUnavailable
from graphgen_neo4j.runs.doctor import check_neo4j
from graphgen_neo4j.settings import Neo4jSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rice_zh.jsonl"
CONFIG = f"""\
input_file: {EXAMPLE}
quiz_samples: 2
traverse_strategy:
  max_depth: 1
  max_extra_edges: 2
  max_tokens: 256
"""


def routing_uri(settings: Neo4jSettings) -> str:
    parts = urlsplit(settings.uri)
    return f"neo4j://{parts.hostname}:{parts.port or 7687}"


def test_the_pipeline_runs_through_a_routing_uri_with_reads_on_readers(graph, cli_env, scripted_llm, tmp_path,
                                                                        monkeypatch, neo4j_settings) -> None:
    uri = routing_uri(neo4j_settings)
    monkeypatch.setenv("NEO4J_URI", uri)
    monkeypatch.setenv("NEO4J_DATABASE", neo4j_settings.database)
    drivers: list[object] = []
    routed: list[tuple[str, bool]] = []
    connect, execute = Graph.connect.__func__, Graph._execute  # type: ignore[attr-defined]

    def spy_connect(cls, settings=None, tracer=None):
        opened = connect(cls, settings, tracer)
        drivers.append(opened.driver)
        return opened

    def spy_execute(self, cypher, params, *, write, name):
        routed.append((name, write))
        return execute(self, cypher, params, write=write, name=name)

    monkeypatch.setattr(Graph, "connect", classmethod(spy_connect))
    monkeypatch.setattr(Graph, "_execute", spy_execute)
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")

    result = CliRunner().invoke(app, ["run", "--config", str(config)])

    assert result.exit_code == 0, result.output
    assert drivers and all(isinstance(d, neo4j.Neo4jDriver) for d in drivers)  # the routing driver, not a direct one
    records = [json.loads(line) for line in (tmp_path / "output" / "qa.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records and all(r["output"].startswith("[canned]") for r in records)
    reads = {name for name, write in routed if not write}
    writes = {name for name, write in routed if write}
    # the partition, generate and export reads went to readers; the stage writes to the leader
    assert {"partition/seed_relations", "generate/export_qa", "ingest/pending_chunks", "lock/has_constraint"} <= reads
    assert {"runs/start", "partition/write_batches", "generate/store_qa"} <= writes
    assert graph.query("MATCH (r:Run {command: 'run'}) RETURN r.status AS s") == [{"s": "completed"}]


def test_a_missing_database_fails_with_one_line_naming_it(neo4j_settings) -> None:
    settings = neo4j_settings.model_copy(update={"database": "no-such-db"})
    with pytest.raises(Neo4jUnavailable) as caught:
        Graph.connect(settings)
    message = str(caught.value)
    assert "\n" not in message
    assert "no database 'no-such-db'" in message and "NEO4J_DATABASE" in message and "neo4j" in message


def test_the_named_database_is_used_through_a_routing_uri(neo4j_settings, graph) -> None:
    settings = neo4j_settings.model_copy(update={"uri": routing_uri(neo4j_settings)})
    with Graph.connect(settings) as routed:
        assert routed.address is not None and routed.address.routing
        servers = routed.database_servers()
        assert [s["writer"] for s in servers] == [True]
        checks = {c.name: c for c in check_neo4j(settings)}
    assert checks["database"].status == "OK" and "routing" in checks["database"].detail
    assert f"{settings.database!r}" in checks["database"].detail and "1 writer" in checks["database"].detail
    assert checks["vector index"].status == "OK"
    assert "Neo4j 5." in checks["connection"].detail


def test_an_unreachable_remote_uri_is_named_with_the_fix_and_no_credentials(neo4j_settings) -> None:
    settings = neo4j_settings.model_copy(update={"uri": "neo4j://127.0.0.1:1"})
    with pytest.raises(Neo4jUnavailable) as caught:
        Graph.connect(settings)
    message = str(caught.value)
    assert message.startswith("cannot reach Neo4j at neo4j://127.0.0.1:1:") and "graphgen-neo4j neo4j start" in message
    assert neo4j_settings.password.get_secret_value() not in message


def test_tls_against_a_server_without_it_says_which_scheme(neo4j_settings) -> None:
    settings = neo4j_settings.model_copy(update={"uri": routing_uri(neo4j_settings).replace("neo4j://", "neo4j+s://")})
    with pytest.raises(Neo4jUnavailable, match=r"TLS handshake .* use neo4j\+ssc://, if it has no TLS at all use neo4j://"):
        Graph.connect(settings)


@pytest.mark.parametrize(("uri", "fragment"), [
    ("neo4j+s://abcd1234.databases.neo4j.io", "an Aura instance may be paused"),
    ("bolt://abcd1234.databases.neo4j.io", "set NEO4J_URI=neo4j+s://abcd1234.databases.neo4j.io"),
    ("neo4j://graph.example.org:7688", "may connect to graph.example.org:7688"),
    ("bolt://127.0.0.1:7687", "graphgen-neo4j neo4j start"),
])
def test_hints_for_where_the_uri_points(uri: str, fragment: str) -> None:
    assert fragment in unreachable_hint(parse_uri(uri))


@pytest.mark.parametrize("uri", ["http://127.0.0.1:7474", "neo4j+x://host", "127.0.0.1:7687", "neo4j://"])
def test_a_uri_the_driver_does_not_take_is_refused_naming_the_schemes(uri: str) -> None:
    with pytest.raises(ConfigError, match="neo4j\\+s, neo4j\\+ssc"):
        parse_uri(uri)


def test_what_a_uri_says() -> None:
    aura = parse_uri("neo4j+s://abcd1234.databases.neo4j.io")
    assert (aura.routing, aura.encryption, aura.aura, aura.local, aura.port) == (True, "verified", True, False, 7687)
    local = parse_uri("bolt://127.0.0.1:7705")
    assert (local.routing, local.encryption, local.local, local.port) == (False, "none", True, 7705)
    assert parse_uri("neo4j+ssc://10.0.0.5").encryption == "self-signed"
