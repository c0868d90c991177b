"""Upstream's anchor_bfs, triple and quintuple partitioners, as pure functions over ``UnitGraph``.

Same units as ``units.py`` (entities first, then relations) and the same seeded random
order (SHA-256 of ``seed:id``, where upstream shuffles unseeded). docs/partition.md has
the rules; ``tests/partition/reference_units.py`` holds plain references the property
tests compare with.

* ``cut_anchor_bfs``: only anchors seed — entities whose type contains one of
  ``anchor_type`` (any case), or the entities ``anchor_ids`` names; each anchor not yet
  taken grows a community breadth-first as ``bfs`` does, under ``max_units_per_community``.
  Units no anchor reaches are in no batch (as upstream).
* ``cut_triple``: entity, relation, entity. Entities in random order; a breadth-first walk
  over each connected component; at each entity its relations not yet used (in random
  order) each make one triple. Every relation is in exactly one triple, entities are
  shared; isolated entities are in none.
* ``cut_quintuple``: entity, relation, entity, relation, entity. The same walk; at each
  entity its unused relations to other entities are paired in random order, each pair one
  quintuple around the entity; an odd one waits for its other entity's turn, and a
  relation never paired (or a self-relation) is in no batch (as upstream).

Each community lists its relations first (so the batch is named after its first
relation) and then its entities.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator, Sequence

from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.partition.config import PartitionConfig
from graphgen_neo4j.partition.units import Communities, UnitGraph, _ranks, cut_walk, unit_order_key

_TYPES_SHOWN = 8


def anchor_units(entity_ids: Sequence[str], names: Sequence[str], types: Sequence[str],
                 config: PartitionConfig) -> set[str]:
    """Ids of the anchors among the usable entities: named by ``anchor_ids`` (an id or a name, any case),
    else whose type contains one of ``anchor_type`` (any case, as upstream). None: a ConfigError
    naming what was asked and the types present (the most common first)."""
    if config.anchor_ids:
        wanted = {a.strip().casefold() for a in config.anchor_ids}
        found = {i for i, n in zip(entity_ids, names) if i.casefold() in wanted or (n or "").casefold() in wanted}
        if not found:
            raise ConfigError(f"partition: anchor_ids {', '.join(config.anchor_ids)} name no usable entity; "
                              "give entity ids or names (graphgen-neo4j stats lists the graph)")
        return found
    needles = [t.strip().casefold() for t in config.anchor_type if t.strip()]
    found = {i for i, t in zip(entity_ids, types) if any(n in (t or "").casefold() for n in needles)}
    if not found:
        counts = Counter(t or "(none)" for t in types).most_common(_TYPES_SHOWN)
        present = ", ".join(f"{t} ({n})" for t, n in counts) or "none (the graph has no usable entity)"
        raise ConfigError(f"partition: anchor_type {', '.join(config.anchor_type)!s} matches no entity type; "
                          f"types present: {present} — set partition.method_params.anchor_type to one of them")
    return found


def cut_anchor_bfs(graph: UnitGraph, config: PartitionConfig, anchors: set[str]) -> Communities:
    """Breadth-first communities grown from the anchors only (``anchors``: entity ids)."""
    seeds = [e for e in range(graph.entities) if graph.entity_ids[e] in anchors]
    return _with_dropped(graph, cut_walk(graph, config, depth_first=False, seeds=seeds))


def cut_triple(graph: UnitGraph, config: PartitionConfig) -> Communities:
    """Each relation once, with its entities, in the order of a breadth-first walk."""
    ranks = _ranks(graph, unit_order_key(graph, "random", config.seed))
    used = bytearray(graph.units)
    out = Communities()
    for _entity, relations in _walk(graph, ranks):
        for relation in relations:
            if not used[relation]:
                used[relation] = 1
                out.members.append([relation, *graph.endpoints(relation)])
    return _with_dropped(graph, out)


def cut_quintuple(graph: UnitGraph, config: PartitionConfig) -> Communities:
    """Pairs of relations around an entity, in the order of a breadth-first walk."""
    ranks = _ranks(graph, unit_order_key(graph, "random", config.seed))
    used = bytearray(graph.units)
    out = Communities()
    for entity, relations in _walk(graph, ranks):
        free = [r for r in relations if not used[r] and len(graph.endpoints(r)) == 2]
        for first, second in zip(free[0::2], free[1::2]):
            used[first] = used[second] = 1
            ends = [_other(graph, first, entity), entity, _other(graph, second, entity)]
            out.members.append([first, second, *dict.fromkeys(ends)])
    return _with_dropped(graph, out)


def _walk(graph: UnitGraph, ranks: list[int]) -> Iterator[tuple[int, list[int]]]:
    """Entities in breadth-first order, component after component (each started from the first
    entity in ``ranks`` order not yet reached), each with its relations in ``ranks`` order.
    Relations are read after the caller has used some: the walk yields before it moves on."""
    visited = bytearray(graph.entities)
    for start in sorted(range(graph.entities), key=ranks.__getitem__):
        if visited[start]:
            continue
        visited[start] = 1
        queue = deque([start])
        while queue:
            entity = queue.popleft()
            relations = sorted(graph.incident(entity), key=ranks.__getitem__)
            yield entity, relations
            for relation in relations:
                other = _other(graph, relation, entity)
                if not visited[other]:
                    visited[other] = 1
                    queue.append(other)


def _other(graph: UnitGraph, relation: int, entity: int) -> int:
    """The relation's entity that is not ``entity`` (``entity`` itself for a self-relation)."""
    ends = graph.endpoints(relation)
    return ends[1] if ends[0] == entity and len(ends) == 2 else ends[0]


def _with_dropped(graph: UnitGraph, cut: Communities) -> Communities:
    """``dropped``: the units in no community."""
    covered = {unit for community in cut.members for unit in community}
    cut.dropped = graph.units - len(covered)
    return cut
