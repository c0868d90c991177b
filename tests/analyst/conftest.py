"""Fixtures of the analyst tests: the example graph, the scripted LLM server, a synthesizer on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.testing.llm_server import ScriptedLLMServer

from .example_graph import load_example_graph


@pytest.fixture
def example(graph: Graph) -> dict[str, Any]:
    """The example rice-blast graph on the clean test database; its ids by name."""
    return load_example_graph(graph)


@pytest.fixture
def server() -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer() as running:
        yield running


@pytest.fixture
def synthesizer(server: ScriptedLLMServer) -> LLMClient:
    settings = EndpointSettings(role="synthesizer", base_url=server.base_url, model="scripted-synth", max_retries=0)
    return LLMClient(settings, ledger=TokenLedger())


def counts(graph: Graph) -> dict[str, int]:
    """Nodes per label and relationships per type."""
    nodes = graph.query("MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n")
    rels = graph.query("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")
    return {row["label"]: row["n"] for row in nodes} | {row["type"]: row["n"] for row in rels}
