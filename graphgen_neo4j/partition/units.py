"""Upstream's newer partitioners, as pure functions over the graph's structure (no database).

A **unit** is an entity or a relation (upstream's "node or edge"). ``UnitGraph`` holds the
usable ones (neither excluded, nor a relation of an excluded entity) as aligned lists of
numbers and ids, entities first: unit ``i < len(entities)`` is an entity, unit
``len(entities) + j`` is relation ``j``. Each function returns communities as lists of
units in the order they were taken; ``methods.py`` reads the graph, calls these and writes
the batches. docs/partition.md has the rules; ``tests/partition/reference_units.py`` is
an independent plain implementation the property tests compare with.

* ``cut_ece``: units sorted by loss (``unit_sampling``), each unit not yet used seeds a
  community grown breadth-first, neighbours in the same order, while it stays within
  ``max_units_per_community`` units and ``max_tokens_per_community`` tokens; every unit
  is used once.
* ``cut_bfs`` / ``cut_dfs``: units in a seeded random order, communities of at most
  ``max_units_per_community`` units grown breadth-first, or as a depth-first walk that
  follows one relation from each entity (upstream's random walk).
* ``label_propagation`` + ``split_communities``: the community partitioner (see there).
"""

from __future__ import annotations

import hashlib
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphgen_neo4j.partition.config import PartitionConfig


@dataclass(slots=True)
class UnitGraph:
    """The usable entities and relations (unit_graph.cypher): aligned lists; -1 = no token count / no loss."""

    entity_keys: list[str]
    entity_ids: list[str]
    entity_tokens: list[int]
    entity_losses: list[float]
    relation_keys: list[str]
    relation_ids: list[str]
    sources: list[int]  # positions in the entity lists
    targets: list[int]
    relation_tokens: list[int]
    relation_losses: list[float]
    _incident: list[list[int]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, row: dict[str, Any]) -> UnitGraph:
        """From unit_graph.cypher's row (relations name their entities by elementId); entities and
        relations are put in id order, so that unit numbers do not depend on how Neo4j stored them."""
        def column(name: str) -> list[Any]:
            return row.get(name) or []

        entities = sorted(range(len(column("entity_ids"))), key=column("entity_ids").__getitem__)
        relations = sorted(range(len(column("relation_ids"))), key=column("relation_ids").__getitem__)
        position = {column("entity_keys")[e]: p for p, e in enumerate(entities)}

        def pick(name: str, order: list[int]) -> list[Any]:
            values = column(name)
            return [values[i] for i in order]

        return cls(pick("entity_keys", entities), pick("entity_ids", entities), pick("entity_tokens", entities),
                   pick("entity_losses", entities), pick("relation_keys", relations), pick("relation_ids", relations),
                   [position[k] for k in pick("sources", relations)], [position[k] for k in pick("targets", relations)],
                   pick("relation_tokens", relations), pick("relation_losses", relations))

    @property
    def entities(self) -> int:
        return len(self.entity_ids)

    @property
    def units(self) -> int:
        return len(self.entity_ids) + len(self.relation_ids)

    def is_entity(self, unit: int) -> bool:
        return unit < len(self.entity_ids)

    def unit_id(self, unit: int) -> str:
        n = len(self.entity_ids)
        return self.entity_ids[unit] if unit < n else self.relation_ids[unit - n]

    def tokens(self, unit: int) -> int:
        n = len(self.entity_ids)
        tokens = self.entity_tokens[unit] if unit < n else self.relation_tokens[unit - n]
        return max(tokens, 0)

    def loss(self, unit: int) -> float | None:
        n = len(self.entity_ids)
        loss = self.entity_losses[unit] if unit < n else self.relation_losses[unit - n]
        return None if loss < 0 else loss

    def endpoints(self, relation: int) -> list[int]:
        """A relation unit's entity units: source, then target (once for a self-relation)."""
        j = relation - len(self.entity_ids)
        return list(dict.fromkeys((self.sources[j], self.targets[j])))

    def incident(self, entity: int) -> list[int]:
        """An entity's relation units, in either direction (a self-relation once), in relation order."""
        if self._incident is None:
            n = len(self.entity_ids)
            lists: list[list[int]] = [[] for _ in range(n)]
            for j, (s, t) in enumerate(zip(self.sources, self.targets)):
                lists[s].append(n + j)
                if t != s:
                    lists[t].append(n + j)
            self._incident = lists
        return self._incident[entity]

    def neighbours(self, unit: int) -> list[int]:
        return self.incident(unit) if self.is_entity(unit) else self.endpoints(unit)


def unit_order_key(graph: UnitGraph, sampling: str, seed: int) -> Callable[[int], Any]:
    """Sort key of units: ``random`` by SHA-256 of ``seed:id``; ``max_loss`` / ``min_loss`` by loss
    (highest / lowest first), units without a loss after all others; ties by id."""
    if sampling == "random":
        return lambda unit: hashlib.sha256(f"{seed}:{graph.unit_id(unit)}".encode()).digest()
    sign = -1.0 if sampling == "max_loss" else 1.0

    def key(unit: int) -> tuple[bool, float, str]:
        loss = graph.loss(unit)
        return (loss is None, 0.0 if loss is None else sign * loss, graph.unit_id(unit))

    return key


@dataclass(slots=True)
class Communities:
    """What a unit partitioner cut: communities (units in the order taken) and the units dropped."""

    members: list[list[int]] = field(default_factory=list)
    dropped: int = 0  # ece: units of communities below min_units_per_community


def cut_ece(graph: UnitGraph, config: PartitionConfig) -> Communities:
    key = unit_order_key(graph, config.unit_sampling, config.seed)
    ranks = _ranks(graph, key)
    used = bytearray(graph.units)
    out = Communities()
    for seed in sorted(range(graph.units), key=ranks.__getitem__):
        if used[seed]:
            continue
        used[seed] = 1
        community = [seed]
        tokens = graph.tokens(seed)  # the seed is kept even when it alone is over the budget
        queue = deque([seed])
        full = False
        while queue and not full:
            current = queue.popleft()
            for unit in sorted((u for u in graph.neighbours(current) if not used[u]), key=ranks.__getitem__):
                if len(community) >= config.max_units_per_community \
                        or tokens + graph.tokens(unit) > config.max_tokens_per_community:
                    full = True
                    break
                used[unit] = 1
                community.append(unit)
                tokens += graph.tokens(unit)
                queue.append(unit)
        if len(community) < config.min_units_per_community:
            out.dropped += len(community)
        else:
            out.members.append(community)
    return out


def cut_bfs(graph: UnitGraph, config: PartitionConfig) -> Communities:
    return cut_walk(graph, config, depth_first=False)


def cut_dfs(graph: UnitGraph, config: PartitionConfig) -> Communities:
    return cut_walk(graph, config, depth_first=True)


def cut_walk(graph: UnitGraph, config: PartitionConfig, *, depth_first: bool,
             seeds: list[int] | None = None) -> Communities:
    """Upstream's BFS / DFS partitioners: a unit is used when it is taken off the queue (stack);
    from an entity BFS queues all its unused relations and DFS only the first; from a relation
    both queue its unused entities. ``seeds``: only these units start a community (anchor_bfs;
    default every unit), in the same random order."""
    ranks = _ranks(graph, unit_order_key(graph, "random", config.seed))
    used = bytearray(graph.units)
    out = Communities()
    cap = config.max_units_per_community
    for seed in sorted(range(graph.units) if seeds is None else seeds, key=ranks.__getitem__):
        if used[seed]:
            continue
        community: list[int] = []
        pending: deque[int] = deque([seed])
        while pending and len(community) < cap:
            unit = pending.pop() if depth_first else pending.popleft()
            if used[unit]:
                continue
            used[unit] = 1
            community.append(unit)
            following = [u for u in sorted(graph.neighbours(unit), key=ranks.__getitem__) if not used[u]]
            if depth_first and graph.is_entity(unit):
                following = following[:1]
            pending.extend(following)
        out.members.append(community)
    return out


def _ranks(graph: UnitGraph, key: Callable[[int], Any]) -> list[int]:
    """Each unit's position in the order ``key`` gives."""
    ranks = [0] * graph.units
    for position, unit in enumerate(sorted(range(graph.units), key=key)):
        ranks[unit] = position
    return ranks


# -- community ------------------------------------------------------------------------------------


def community_entities(graph: UnitGraph, use_lcc: bool) -> list[int]:
    """The entities label propagation runs on: those with a relation to another entity (upstream
    drops isolated nodes), or, ``use_lcc``, those of the largest connected component (ties: the
    component holding the smallest entity id)."""
    linked = sorted({e for s, t in zip(graph.sources, graph.targets) if s != t for e in (s, t)})
    if not use_lcc or not linked:
        return linked
    parent = list(range(graph.entities))

    def root(e: int) -> int:
        while parent[e] != e:
            parent[e] = parent[parent[e]]
            e = parent[e]
        return e

    for s, t in zip(graph.sources, graph.targets):
        parent[root(s)] = root(t)
    groups: dict[int, list[int]] = {}
    for e in linked:
        groups.setdefault(root(e), []).append(e)
    return min(groups.values(), key=lambda g: (-len(g), min(graph.entity_ids[e] for e in g)))


def initial_labels(graph: UnitGraph, entities: list[int], seed: int) -> dict[int, int]:
    """Each entity's first label: its position in the order of SHA-256 of ``seed:id``."""
    order = sorted(entities, key=lambda e: hashlib.sha256(f"{seed}:{graph.entity_ids[e]}".encode()).digest())
    return {e: position for position, e in enumerate(order)}


GROUPS = 4  # a round updates the entities in this many groups, one after another (by first label)


def propagation_round(graph: UnitGraph, labels: dict[int, int], first: dict[int, int]) -> tuple[dict[int, int], int]:
    """One round: the entities in ``GROUPS`` groups (first label modulo ``GROUPS``), one after
    another; each entity of a group takes the label most common among its own and its
    neighbours' (a vote per relation to another labelled entity, either direction), ties to the
    smallest label, all of a group at once (it sees what the groups before it chose). Updating
    neighbours at different times keeps two of them from swapping labels forever, as a fully
    synchronous round does. Returns the new labels and how many changed."""
    labels = dict(labels)
    neighbours: dict[int, list[int]] = {e: [] for e in labels}
    for s, t in zip(graph.sources, graph.targets):
        if s != t and s in labels and t in labels:
            neighbours[s].append(t)
            neighbours[t].append(s)
    changed = 0
    for group in range(GROUPS):
        new = {}
        for e in labels:
            if first[e] % GROUPS == group:
                votes = Counter([labels[e]] + [labels[m] for m in neighbours[e]])
                new[e] = min(votes.items(), key=lambda item: (-item[1], item[0]))[0]
        changed += sum(new[e] != labels[e] for e in new)
        labels.update(new)
    return labels, changed


def label_propagation(graph: UnitGraph, config: PartitionConfig) -> tuple[dict[int, int], int]:
    """Labels after rounds until none changes or ``max_iterations`` (the Cypher run does the same
    rounds in Neo4j: methods.py); returns the labels and the rounds run."""
    labels = first = initial_labels(graph, community_entities(graph, config.use_lcc), config.seed)
    rounds = 0
    while rounds < config.max_iterations:
        labels, changed = propagation_round(graph, labels, first)
        rounds += 1
        if not changed:
            break
    return labels, rounds


def split_communities(labels: dict[int, int], first: dict[int, int], max_size: int) -> list[list[int]]:
    """Communities by label (smallest label first), members by their first label, cut into
    pieces of at most ``max_size`` entities (upstream splits the same way)."""
    groups: dict[int, list[int]] = {}
    for e in sorted(labels, key=first.__getitem__):
        groups.setdefault(labels[e], []).append(e)
    return [members[i:i + max_size] for label in sorted(groups) for members in [groups[label]]
            for i in range(0, len(members), max_size)]


def community_batches(graph: UnitGraph, pieces: list[list[int]]) -> Iterator[list[int]]:
    """Each piece's units: its entities, then the relations with both entities in it (relation order)."""
    piece_of = {e: p for p, members in enumerate(pieces) for e in members}
    inside: list[list[int]] = [[] for _ in pieces]
    n = graph.entities
    for j, (s, t) in enumerate(zip(graph.sources, graph.targets)):
        p = piece_of.get(s)
        if p is not None and piece_of.get(t) == p:
            inside[p].append(n + j)
    for members, relations in zip(pieces, inside):
        yield members + relations
