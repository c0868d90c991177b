"""Running an ingest against the scripted server, and comparing whole graphs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.ingest.stage import IngestConfig, IngestReport, ingest
from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.testing.llm_server import ScriptedLLMServer

# Timestamps differ between runs by nature; everything else must not.
VOLATILE = {"ingested_at", "extracted_at", "failed_at", "proposed_at"}


def client(server: ScriptedLLMServer, **settings: Any) -> LLMClient:
    options = {"max_retries": 0, **settings}
    return LLMClient(
        EndpointSettings(role="synthesizer", base_url=server.base_url, model="scripted-synth", **options),
        ledger=TokenLedger(),
    )


async def run_ingest(
    graph: Graph, server: ScriptedLLMServer, paths: Sequence[str | Path], **config: Any
) -> IngestReport:
    async with client(server) as synthesizer:
        return await ingest([str(p) for p in paths], graph=graph, synthesizer=synthesizer, config=IngestConfig(**config))


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in VOLATILE}


def snapshot(graph: Graph) -> dict[str, list[str]]:
    """Every node and relationship of the knowledge graph (runs left out), as sorted JSON lines."""
    nodes = graph.query("MATCH (n) WHERE NOT n:Run RETURN labels(n) AS labels, properties(n) AS props", write=False)
    rels = graph.query(
        "MATCH (a)-[r]->(b) WHERE NOT a:Run AND NOT b:Run "
        "RETURN type(r) AS type, coalesce(a.id, a.key) AS start, coalesce(b.id, b.key) AS end, properties(r) AS props",
        write=False,
    )
    dump = lambda value: json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)  # noqa: E731
    return {
        "nodes": sorted(dump({"labels": sorted(n["labels"]), **_clean(n["props"])}) for n in nodes),
        "relationships": sorted(dump({**r, "props": _clean(r["props"])}) for r in rels),
    }


def fingerprint(graph: Graph) -> str:
    return hashlib.sha256(json.dumps(snapshot(graph)).encode()).hexdigest()


def counts(graph: Graph) -> dict[str, int]:
    return graph.read("ingest/counts")[0]
