"""Fixtures for generate and export: a scripted LLM server, a synthesizer client on it, and
batches made by hand in the shape ``partition`` writes (docs/data-model.md, ``:Batch``)."""

from __future__ import annotations

from typing import Any

import pytest

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.llm import EndpointSettings, LLMClient, ResponseCache
from graphgen_neo4j.testing import ScriptedLLMServer

PARTITION_RUN = "partition-test-1"

# A small rice-pathology graph: two chains and an isolated entity.
ENTITIES = [
    ("Rice blast", "DISEASE", "A fungal disease of rice."),
    ("Magnaporthe oryzae", "FUNGUS", "The fungus causing rice blast."),
    ("Pi9", "GENE", "A rice gene giving broad resistance to blast."),
    ("Rice", "CROP", "A cereal crop."),
    ("Tricyclazole", "CHEMICAL", "A fungicide against blast."),
    ("Melanin", "COMPOUND", "A pigment the fungus needs to penetrate leaves."),
    ("Seed bank", "ORG", "Keeps rice varieties."),
]
RELATIONS = [
    ("Magnaporthe oryzae", "Rice blast", "Magnaporthe oryzae causes rice blast.", {"loss": 2.0, "chunk_ids": ["chunk-a"]}),
    ("Rice blast", "Rice", "Rice blast destroys rice harvests.", {"loss": 0.5, "chunk_ids": ["chunk-a", "chunk-b"]}),
    ("Pi9", "Magnaporthe oryzae", "Pi9 recognises Magnaporthe oryzae effectors.", {"loss": 3.0, "chunk_ids": ["chunk-c"]}),
    ("Tricyclazole", "Melanin", "Tricyclazole blocks melanin synthesis.", {"loss": 1.0, "chunk_ids": ["chunk-d"]}),
    ("Melanin", "Magnaporthe oryzae", "Melanin lets Magnaporthe oryzae enter leaves.", {"loss": 0.2, "chunk_ids": ["chunk-d"]}),
]
# Batches as partition would cut them (seed first): relation keys "S->T", or entity names for isolated ones.
BATCHES = [
    ["Pi9->Magnaporthe oryzae", "Magnaporthe oryzae->Rice blast", "Rice blast->Rice"],
    ["Tricyclazole->Melanin", "Melanin->Magnaporthe oryzae"],
    {"entities": ["Seed bank"]},
]


CREATE_BATCHES = """
MERGE (run:Run {id: $run_id})
ON CREATE SET run.command = 'partition', run.started_at = datetime($started_at)
WITH run
UNWIND $rows AS row
CREATE (b:Batch {id: row.id, run_id: $run_id, index: row.index, seed_relation_id: row.seed,
                 relation_ids: row.relation_ids, entity_ids: row.entity_ids, mean_loss: row.mean_loss,
                 tokens: row.tokens, status: 'planned'})
WITH b, row
CALL (b, row) {
  // as partition writes them: only a batch without relations is linked to its entity
  UNWIND CASE WHEN size(row.relation_ids) = 0 THEN row.entity_ids ELSE [] END AS entity_id
  MATCH (e:Entity {id: entity_id})
  CREATE (b)-[:HAS_ENTITY]->(e)
}
CALL (b, row) {
  UNWIND row.relation_ids AS relation_id
  MATCH ()-[r:RELATED {id: relation_id}]->()
  SET r.batch_id = b.id, r.batch_run_id = $run_id
}
"""


def make_batches(
    graph: Graph,
    ids: dict[str, str],
    batches: list[Any],
    *,
    run_id: str = PARTITION_RUN,
    started_at: str = "2026-01-01T00:00:00Z",
) -> list[str]:
    """Create ``:Batch`` nodes exactly as partition does; returns their ids in order.

    A batch is a list of relation keys ("S->T", seed first) or ``{"entities": [names]}``.
    ``mean_loss`` is the mean of the relations' losses (None when none has one).
    """
    losses = {
        key: row["loss"]
        for key, row in (
            (k, graph.query("MATCH ()-[r:RELATED {id: $id}]->() RETURN r.loss AS loss", {"id": v})[0])
            for k, v in ids.items() if "->" in k
        )
    }
    rows = []
    for index, spec in enumerate(batches):
        if isinstance(spec, dict):
            relation_keys, entity_names = [], spec["entities"]
        else:
            relation_keys = spec
            entity_names = list(dict.fromkeys(n for key in spec for n in key.split("->")))
        known = [losses[k] for k in relation_keys if losses.get(k) is not None]
        rows.append({
            "id": f"{run_id}-b{index}",
            "index": index,
            "seed": ids[relation_keys[0]] if relation_keys else None,
            "relation_ids": [ids[k] for k in relation_keys],
            "entity_ids": [ids[n] for n in entity_names],
            "mean_loss": sum(known) / len(known) if known else None,
            "tokens": 10 * len(relation_keys),
        })
    graph.query(CREATE_BATCHES, {"run_id": run_id, "rows": rows, "started_at": started_at})
    return [r["id"] for r in rows]


@pytest.fixture
def server(scripted_llm: ScriptedLLMServer) -> ScriptedLLMServer:
    """The scripted server of tests/conftest.py (the one ``cli_env`` points the commands at)."""
    return scripted_llm


def synthesizer_settings(server: ScriptedLLMServer, **overrides: Any) -> EndpointSettings:
    values: dict[str, Any] = {
        "role": "synthesizer", "base_url": server.base_url, "model": "graphgen-scripted",
        "timeout": 5.0, "max_retries": 1,
    }
    values.update(overrides)
    return EndpointSettings(**values)


@pytest.fixture
def synthesizer(server: ScriptedLLMServer) -> LLMClient:
    return LLMClient(synthesizer_settings(server))


@pytest.fixture
def cached_synthesizer(server: ScriptedLLMServer, tmp_path) -> LLMClient:
    return LLMClient(synthesizer_settings(server), cache=ResponseCache(tmp_path / "cache.sqlite"))


@pytest.fixture
def rice(graph: Graph, build_graph) -> dict[str, Any]:
    """The rice graph with its three batches: {"ids": {...}, "batches": [...]}."""
    ids = build_graph(ENTITIES, RELATIONS)
    return {"ids": ids, "batches": make_batches(graph, ids, BATCHES)}
