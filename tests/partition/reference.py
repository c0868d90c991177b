"""A plain in-memory reference of the partition algorithm (test and bench code only).

It follows the rules of docs/partition.md the direct way — the whole graph in Python
dicts, one global sort, adjacency lists, a visited flag per relation — the way upstream
GraphGen's ``get_batches_with_strategy`` works on a NetworkX graph. The Neo4j-driven
``graphgen_neo4j.partition.stage`` must cut exactly the same batches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from graphgen_neo4j.partition.stage import PartitionConfig


@dataclass
class Entity:
    id: str
    tokens: int
    loss: float | None = None
    excluded: bool = False
    type: str = "THING"


@dataclass
class Relation:
    id: str
    source: str
    target: str
    tokens: int
    loss: float | None = None
    strength: float | None = 5.0
    excluded: bool = False


@dataclass
class Batch:
    seed: str | None  # seed relation id; None for an isolated entity's batch
    relation_ids: list[str]
    entity_ids: list[str]
    tokens: int
    mean_loss: float | None = None
    extra: dict = field(default_factory=dict)


def sort_key(relation: Relation, entities: dict[str, Entity], config: PartitionConfig) -> tuple:
    if config.edge_sampling == "random":
        return (hashlib.sha256(f"{config.seed}:{relation.id}".encode()).digest()[:8], relation.id)
    score = relation.loss
    if config.loss_strategy == "both":
        source, target = entities[relation.source].loss, entities[relation.target].loss
        score = None if score is None or source is None or target is None else score + source + target
    strength_part = (relation.strength is None, -(relation.strength or 0.0))
    if score is None:
        return (1, 0.0, *strength_part, relation.id)
    return (0, -score if config.edge_sampling == "max_loss" else score, *strength_part, relation.id)


def reference_partition(entities: list[Entity], relations: list[Relation], config: PartitionConfig) -> list[Batch]:
    """The batches, in the order they are cut."""
    ents = {e.id: e for e in entities}
    usable = [
        r for r in relations
        if not r.excluded and not ents[r.source].excluded and not ents[r.target].excluded
    ]
    keys = {r.id: sort_key(r, ents, config) for r in usable}
    ordered = sorted(usable, key=lambda r: keys[r.id])
    # entity -> relations it can grow along (in either direction, or outgoing only)
    adjacency: dict[str, list[Relation]] = {}
    for r in ordered:
        adjacency.setdefault(r.source, []).append(r)
        if config.bidirectional and r.target != r.source:
            adjacency.setdefault(r.target, []).append(r)
    visited: set[str] = set()
    batches: list[Batch] = []
    for seed in ordered:
        if seed.id in visited:
            continue
        visited.add(seed.id)
        batch_relations = [seed]
        batch_entities = [seed.source] + ([seed.target] if seed.target != seed.source else [])
        if config.expand_method == "max_width":
            extra = _grow_by_width(seed, adjacency, visited, keys, config)
        else:
            extra = _grow_by_tokens(seed, adjacency, visited, keys, ents, config)
        for r in extra:
            batch_relations.append(r)
            for e in (r.source, r.target):
                if e not in batch_entities:
                    batch_entities.append(e)
        batches.append(_batch(seed.id, batch_relations, batch_entities, ents, config))
    if config.isolated_node_strategy == "add":
        covered = {e for b in batches for e in b.entity_ids}
        for entity in sorted(entities, key=lambda e: e.id):
            if not entity.excluded and entity.id not in covered:
                batches.append(_batch(None, [], [entity.id], ents, config))
    return batches


def _start(seed: Relation, config: PartitionConfig) -> list[str]:
    return list(dict.fromkeys([seed.source, seed.target])) if config.bidirectional else [seed.target]


def _candidates(frontier, adjacency, visited, keys) -> list[Relation]:
    found = {r.id: r for n in frontier for r in adjacency.get(n, []) if r.id not in visited}
    return sorted(found.values(), key=lambda r: keys[r.id])


def _next_frontier(level: list[Relation], seen: set[str]) -> list[str]:
    frontier = []
    for r in level:
        for e in (r.source, r.target):
            if e not in seen:
                seen.add(e)
                frontier.append(e)
    return frontier


def _grow_by_width(seed, adjacency, visited, keys, config) -> list[Relation]:
    room = config.max_extra_edges
    frontier = _start(seed, config)
    seen = set(frontier)
    taken: list[Relation] = []
    depth = config.max_depth
    while depth > 0 and room > 0:
        depth -= 1
        candidates = _candidates(frontier, adjacency, visited, keys)
        if not candidates:
            break
        if len(candidates) >= room:
            for r in candidates[:room]:
                visited.add(r.id)
                taken.append(r)
            break
        room -= len(candidates)
        for r in candidates:
            visited.add(r.id)
            taken.append(r)
        frontier = _next_frontier(candidates, seen)
    return taken


def _grow_by_tokens(seed, adjacency, visited, keys, ents, config) -> list[Relation]:
    in_batch = {seed.source, seed.target}
    budget = config.max_tokens - seed.tokens - sum(ents[e].tokens for e in in_batch)
    frontier = _start(seed, config)
    seen = set(frontier)
    taken: list[Relation] = []
    depth = config.max_depth
    while depth > 0 and budget > 0:
        depth -= 1
        candidates = _candidates(frontier, adjacency, visited, keys)
        for r in candidates:
            new = {r.source, r.target} - in_batch
            budget -= r.tokens + sum(ents[e].tokens for e in new)
            if budget < 0:
                return taken
            visited.add(r.id)
            taken.append(r)
            in_batch |= new
        frontier = _next_frontier(candidates, seen)
    return taken


def _batch(seed, relations, entity_ids, ents, config) -> Batch:
    tokens = sum(r.tokens for r in relations) + sum(ents[e].tokens for e in entity_ids)
    losses = [r.loss for r in relations if r.loss is not None]
    if config.loss_strategy == "both":
        losses += [ents[e].loss for e in entity_ids if ents[e].loss is not None]
    mean = sum(losses) / len(losses) if losses else None
    return Batch(seed, [r.id for r in relations], entity_ids, tokens, mean)
