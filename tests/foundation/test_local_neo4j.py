"""The Neo4j the tests run against really is a Neo4j 5.26 with APOC and Browser."""

from __future__ import annotations

import os
import urllib.request
from urllib.parse import urlparse

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.db.local_java import java_executable, java_major_version
from graphgen_neo4j.db.local_server import LocalNeo4j, port_in_use


def test_return_one_over_bolt(graph: Graph) -> None:
    assert graph.query("RETURN 1 AS one") == [{"one": 1}]


def test_server_is_community_5_26(graph: Graph) -> None:
    info = graph.server_info()
    assert info["version"].startswith("5.26.")


def test_apoc_answers(graph: Graph) -> None:
    rows = graph.query("CALL apoc.help('path') YIELD name RETURN name")
    names = {row["name"] for row in rows}
    assert "apoc.path.subgraphAll" in names


def test_browser_is_served(graph: Graph, neo4j_settings) -> None:
    host = urlparse(neo4j_settings.uri).hostname
    http_port = os.environ.get("GRAPHGEN_NEO4J_HTTP_PORT", "7474")
    with urllib.request.urlopen(f"http://{host}:{http_port}/browser/", timeout=10) as response:
        body = response.read().decode("utf-8", errors="replace")
    assert response.status == 200
    assert "<title>Neo4j Browser</title>" in body


def test_config_is_loopback_only_with_auth(tmp_path) -> None:
    server = LocalNeo4j(instance_dir=tmp_path, jars_dir=tmp_path / "jars", bolt_port=7999, http_port=7998)
    conf = dict(
        line.split("=", 1) for line in server.config_text().splitlines() if line and not line.startswith("#")
    )
    assert conf["server.default_listen_address"] == "127.0.0.1"
    assert conf["server.bolt.listen_address"] == "127.0.0.1:7999"
    assert conf["server.http.listen_address"] == "127.0.0.1:7998"
    assert conf["dbms.security.auth_enabled"] == "true"
    assert conf["server.memory.heap.max_size"] == server.heap
    assert conf["server.memory.pagecache.size"] == server.pagecache


def test_java_17_is_detected() -> None:
    assert java_major_version(java_executable()) in (17, 21)


def test_port_in_use_detects_a_listener() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert port_in_use(sock.getsockname()[1])
