"""Helpers for partition tests: small graphs whose description token counts are known,
their in-memory twin for the reference algorithm, and the batches read back by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.tokens import count_tokens

from .reference import Entity, Relation

ENTITY_TOKENS = 10
RELATION_TOKENS = 20


def text_of(tokens: int) -> str:
    """A description of exactly ``tokens`` cl100k_base tokens."""
    text = "apple" + " apple" * (tokens - 1) if tokens else ""
    assert count_tokens(text) == tokens
    return text


@dataclass
class ToyGraph:
    ids: dict[str, str]  # name or "A->B" → id
    names: dict[str, str]  # id → name or "A->B"
    entities: list[Entity]
    relations: list[Relation]


@pytest.fixture
def make_graph(build_graph):
    """``make_graph(relations, entities)``:

    relations: (source, target, loss[, {strength, excluded, tokens}]) — loss may be None;
    entities:  names, or (name, {loss, excluded, tokens, type}) — endpoints are added as needed (type THING).
    Entities have 10-token descriptions and relations 20-token ones unless ``tokens`` says otherwise.
    """

    def make(relations: list[tuple], entities: list[Any] = ()) -> ToyGraph:
        specs: dict[str, dict[str, Any]] = {}
        for spec in entities:
            name, extra = (spec, {}) if isinstance(spec, str) else spec
            specs[name] = dict(extra)
        for relation in relations:
            for name in relation[:2]:
                specs.setdefault(name, {})
        entity_rows = []
        for name, extra in specs.items():
            props = {k: v for k, v in extra.items() if k in ("loss", "excluded")}
            entity_rows.append((name, extra.get("type", "THING"), text_of(extra.get("tokens", ENTITY_TOKENS)), props))
        relation_rows = []
        for relation in relations:
            source, target, loss = relation[:3]
            extra = dict(relation[3]) if len(relation) > 3 else {}
            props = {k: v for k, v in extra.items() if k in ("strength", "excluded")}
            if loss is not None:
                props["loss"] = loss
            relation_rows.append((source, target, text_of(extra.get("tokens", RELATION_TOKENS)), props))
        ids = build_graph(entity_rows, relation_rows)
        ref_entities = [
            Entity(ids[name], extra.get("tokens", ENTITY_TOKENS), extra.get("loss"), extra.get("excluded", False),
                   extra.get("type", "THING"))
            for name, extra in specs.items()
        ]
        ref_relations = []
        for relation in relations:
            source, target, loss = relation[:3]
            extra = dict(relation[3]) if len(relation) > 3 else {}
            ref_relations.append(Relation(
                ids[f"{source}->{target}"], ids[source], ids[target], extra.get("tokens", RELATION_TOKENS), loss,
                float(extra.get("strength", 5)), extra.get("excluded", False),
            ))
        return ToyGraph(ids, {v: k for k, v in ids.items()}, ref_entities, ref_relations)

    return make


def stored_batches(graph: Graph, run_id: str) -> list[dict[str, Any]]:
    """The run's :Batch nodes in index order, with the relations marked as theirs."""
    return graph.query(
        """
        MATCH (b:Batch {run_id: $run_id})
        RETURN b.id AS id, b.index AS index, b.seed_relation_id AS seed, b.relation_ids AS relation_ids,
               b.entity_ids AS entity_ids, b.tokens AS tokens, b.mean_loss AS mean_loss, b.status AS status,
               COLLECT { MATCH ()-[r:RELATED {batch_id: b.id}]->() WHERE r.batch_run_id = $run_id
                         RETURN r.id ORDER BY r.id } AS marked,
               COLLECT { MATCH (b)-[:HAS_ENTITY]->(e:Entity) RETURN e.id ORDER BY e.id } AS linked,
               COLLECT { MATCH (s)-[r:RELATED {batch_id: b.id}]->(t) WHERE r.batch_run_id = $run_id
                         UNWIND [s.id, t.id] AS id RETURN DISTINCT id ORDER BY id } AS endpoints
        ORDER BY b.index
        """,
        {"run_id": run_id},
    )


def named(toy: ToyGraph, batches: list[Any]) -> list[list[str]]:
    """Batches as lists of names: relations "A->B" in batch order, or the entity of an isolated batch."""
    out = []
    for batch in batches:
        relation_ids = batch["relation_ids"] if isinstance(batch, dict) else batch.relation_ids
        entity_ids = batch["entity_ids"] if isinstance(batch, dict) else batch.entity_ids
        out.append([toy.names[r] for r in relation_ids] if relation_ids else [toy.names[e] for e in entity_ids])
    return out
