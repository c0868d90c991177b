"""Plain in-memory references of the ece, bfs, dfs and community partitioners (test code only).

Written the direct way, as upstream GraphGen's partitioners work on a NetworkX graph:
units are ("n", entity id) or ("e", relation id), dicts of adjacency, sets of used units.
The rules are those of docs/partition.md; the Neo4j-driven ``partition`` (methods.py) must
cut exactly the same batches.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass

from graphgen_neo4j.partition.config import PartitionConfig

from .reference import Entity, Relation


@dataclass
class UnitBatch:
    relation_ids: list[str]
    entity_ids: list[str]
    tokens: int
    mean_loss: float | None


def _usable(entities: list[Entity], relations: list[Relation]) -> tuple[dict[str, Entity], dict[str, Relation]]:
    ents = {e.id: e for e in entities if not e.excluded}
    rels = {r.id: r for r in relations if not r.excluded and r.source in ents and r.target in ents}
    return ents, rels


class _Graph:
    def __init__(self, entities: list[Entity], relations: list[Relation]):
        self.ents, self.rels = _usable(entities, relations)
        self.adj: dict[str, list[str]] = {e: [] for e in self.ents}
        for r in sorted(self.rels.values(), key=lambda r: r.id):
            self.adj[r.source].append(r.id)
            if r.target != r.source:
                self.adj[r.target].append(r.id)

    def all_units(self) -> list[tuple[str, str]]:
        return [("n", e) for e in self.ents] + [("e", r) for r in self.rels]

    def item(self, unit: tuple[str, str]) -> Entity | Relation:
        return self.ents[unit[1]] if unit[0] == "n" else self.rels[unit[1]]

    def neighbours(self, unit: tuple[str, str]) -> list[tuple[str, str]]:
        if unit[0] == "n":
            return [("e", r) for r in self.adj[unit[1]]]
        r = self.rels[unit[1]]
        return [("n", e) for e in dict.fromkeys((r.source, r.target))]

    def batch(self, units: list[tuple[str, str]]) -> UnitBatch:
        losses = [self.item(u).loss for u in units if self.item(u).loss is not None]
        return UnitBatch([u[1] for u in units if u[0] == "e"], [u[1] for u in units if u[0] == "n"],
                         sum(self.item(u).tokens for u in units), sum(losses) / len(losses) if losses else None)


def _hash(seed: int, item_id: str) -> bytes:
    return hashlib.sha256(f"{seed}:{item_id}".encode()).digest()


def _sorted(g: _Graph, units: list[tuple[str, str]], sampling: str, seed: int) -> list[tuple[str, str]]:
    if sampling == "random":
        return sorted(units, key=lambda u: _hash(seed, u[1]))
    scored = [u for u in units if g.item(u).loss is not None]
    unscored = sorted((u for u in units if g.item(u).loss is None), key=lambda u: u[1])
    scored.sort(key=lambda u: u[1])
    scored.sort(key=lambda u: g.item(u).loss, reverse=sampling == "max_loss")  # stable: ties stay by id
    return scored + unscored


def reference_ece(entities: list[Entity], relations: list[Relation], config: PartitionConfig) -> list[UnitBatch]:
    g = _Graph(entities, relations)
    used: set[tuple[str, str]] = set()
    out = []
    for seed in _sorted(g, g.all_units(), config.unit_sampling, config.seed):
        if seed in used:
            continue
        used.add(seed)
        community = [seed]
        tokens = g.item(seed).tokens
        queue = deque([seed])
        while queue:
            if len(community) >= config.max_units_per_community:
                break
            current = queue.popleft()
            stop = False
            for unit in _sorted(g, [u for u in g.neighbours(current) if u not in used], config.unit_sampling,
                                config.seed):
                if len(community) >= config.max_units_per_community:
                    stop = True
                    break
                if tokens + g.item(unit).tokens > config.max_tokens_per_community:
                    stop = True
                    break
                used.add(unit)
                community.append(unit)
                tokens += g.item(unit).tokens
                queue.append(unit)
            if stop:
                break
        if len(community) >= config.min_units_per_community:
            out.append(g.batch(community))
    return out


def reference_walk(entities: list[Entity], relations: list[Relation], config: PartitionConfig,
                   depth_first: bool) -> list[UnitBatch]:
    g = _Graph(entities, relations)
    used: set[tuple[str, str]] = set()
    out = []
    for seed in _sorted(g, g.all_units(), "random", config.seed):
        if seed in used:
            continue
        community: list[tuple[str, str]] = []
        todo = [seed]
        while todo and len(community) < config.max_units_per_community:
            unit = todo.pop() if depth_first else todo.pop(0)
            if unit in used:
                continue
            used.add(unit)
            community.append(unit)
            nexts = [u for u in _sorted(g, g.neighbours(unit), "random", config.seed) if u not in used]
            if depth_first and unit[0] == "n":
                nexts = nexts[:1]
            todo.extend(nexts)
        out.append(g.batch(community))
    return out


def reference_labels(entities: list[Entity], relations: list[Relation],
                     config: PartitionConfig) -> tuple[dict[str, int], dict[str, int]]:
    """Label propagation: (first labels, final labels) by entity id."""
    g = _Graph(entities, relations)
    pairs = [(r.source, r.target) for r in g.rels.values() if r.source != r.target]
    nodes = {e for pair in pairs for e in pair}
    if config.use_lcc and nodes:
        component: dict[str, int] = {}
        for start in sorted(nodes):
            if start in component:
                continue
            component[start] = len(set(component.values()))
            stack = [start]
            while stack:
                e = stack.pop()
                for s, t in pairs:
                    for a, b in ((s, t), (t, s)):
                        if a == e and b not in component:
                            component[b] = component[start]
                            stack.append(b)
        sizes: dict[int, list[str]] = {}
        for e, c in component.items():
            sizes.setdefault(c, []).append(e)
        nodes = set(max(sizes.values(), key=lambda members: (len(members), -component[members[0]])))
    first = {e: i for i, e in enumerate(sorted(nodes, key=lambda e: _hash(config.seed, e)))}
    labels = dict(first)
    for _ in range(config.max_iterations):
        before = dict(labels)
        for group in range(4):  # a round: four groups by first label modulo 4, one after another
            new = {}
            for e in labels:
                if first[e] % 4 != group:
                    continue
                votes = {labels[e]: 1}
                for s, t in pairs:
                    for a, b in ((s, t), (t, s)):
                        if a == e and b in labels:
                            votes[labels[b]] = votes.get(labels[b], 0) + 1
                best = max(votes.values())
                new[e] = min(label for label, n in votes.items() if n == best)
            labels.update(new)
        if labels == before:
            break
    return first, labels


def reference_community(entities: list[Entity], relations: list[Relation],
                        config: PartitionConfig) -> list[UnitBatch]:
    g = _Graph(entities, relations)
    first, labels = reference_labels(entities, relations, config)
    out = []
    for label in sorted(set(labels.values())):
        members = sorted((e for e in labels if labels[e] == label), key=lambda e: first[e])
        for i in range(0, len(members), config.max_size):
            piece = members[i:i + config.max_size]
            inside = sorted(r.id for r in g.rels.values() if r.source in piece and r.target in piece)
            out.append(g.batch([("n", e) for e in piece] + [("e", r) for r in inside]))
    return out


# -- anchor_bfs, triple, quintuple (upstream's AnchorBFS / Triple / Quintuple partitioners) --------


def reference_anchor_bfs(entities: list[Entity], relations: list[Relation],
                         config: PartitionConfig) -> list[UnitBatch]:
    """BFS as reference_walk, but only entities whose type contains an anchor_type (any case) seed."""
    g = _Graph(entities, relations)
    needles = [t.lower() for t in config.anchor_type]
    anchors = [("n", e.id) for e in g.ents.values() if any(n in e.type.lower() for n in needles)]
    used: set[tuple[str, str]] = set()
    out = []
    for seed in _sorted(g, anchors, "random", config.seed):
        if seed in used:
            continue
        community: list[tuple[str, str]] = []
        todo = [seed]
        while todo and len(community) < config.max_units_per_community:
            unit = todo.pop(0)
            if unit in used:
                continue
            used.add(unit)
            community.append(unit)
            todo.extend(u for u in _sorted(g, g.neighbours(unit), "random", config.seed) if u not in used)
        out.append(g.batch(community))
    return out


def _bfs_centres(g: _Graph, seed: int):
    """(entity, its relations in random order) in BFS order over the components, like upstream's loop."""
    visited: set[str] = set()
    for start in _sorted(g, [("n", e) for e in g.ents], "random", seed):
        if start[1] in visited:
            continue
        visited.add(start[1])
        queue = [start[1]]
        while queue:
            u = queue.pop(0)
            rels = [r for _, r in _sorted(g, [("e", r) for r in g.adj[u]], "random", seed)]
            yield u, rels
            for r in rels:
                rel = g.rels[r]
                v = rel.target if rel.source == u else rel.source
                if v not in visited:
                    visited.add(v)
                    queue.append(v)


def reference_triple(entities: list[Entity], relations: list[Relation], config: PartitionConfig) -> list[UnitBatch]:
    g = _Graph(entities, relations)
    used: set[str] = set()
    out = []
    for _u, rels in _bfs_centres(g, config.seed):
        for r in rels:
            if r not in used:
                used.add(r)
                rel = g.rels[r]
                out.append(g.batch([("e", r)] + [("n", e) for e in dict.fromkeys((rel.source, rel.target))]))
    return out


def reference_quintuple(entities: list[Entity], relations: list[Relation],
                        config: PartitionConfig) -> list[UnitBatch]:
    g = _Graph(entities, relations)
    used: set[str] = set()
    out = []
    for u, rels in _bfs_centres(g, config.seed):
        free = [r for r in rels if r not in used and g.rels[r].source != g.rels[r].target]
        for i in range(0, len(free) - 1, 2):
            a, b = g.rels[free[i]], g.rels[free[i + 1]]
            used.update((a.id, b.id))
            v1 = a.target if a.source == u else a.source
            v2 = b.target if b.source == u else b.source
            out.append(g.batch([("e", a.id), ("e", b.id)] + [("n", e) for e in dict.fromkeys((v1, u, v2))]))
    return out
