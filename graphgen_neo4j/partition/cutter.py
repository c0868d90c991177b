"""Cutting batches wave by wave: the greedy traverse replayed in Python (see ``stage``).

``Cutter`` holds the seed order (``Items``: numbers only) and the neighbourhoods of
the current wave (``Wave``); ``Cutter.prepare`` fetches a wave's seeds and frontiers,
``Cutter.cut_wave`` cuts it into batch rows, each grown by ``Cutter.grow`` (a ``_Growth``
tracks what one batch took and the room it has left).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import StageError
from graphgen_neo4j.partition.config import STAGE, PartitionConfig


@dataclass(slots=True)
class Items:
    """Aligned lists of relations (seed_order.cypher, in seed order) or entities
    (entity_numbers.cypher): elementId, id, description tokens, loss — numbers only."""

    keys: list[str]
    ids: list[str]
    token_counts: list[int]  # -1: not counted
    losses: list[float]  # -1: not judged (a loss is never negative)

    @classmethod
    def read(cls, graph: Graph, query: str, params: Mapping[str, Any] | None = None) -> Items:
        return cls.of(graph.read_row(query, params) or {})

    @classmethod
    def of(cls, row: dict[str, Any]) -> Items:
        return cls(row.get("keys") or [], row.get("ids") or [], row.get("tokens") or [], row.get("losses") or [])

    def reorder(self, positions: list[int]) -> None:
        for name in ("keys", "ids", "token_counts", "losses"):
            values = getattr(self, name)
            setattr(self, name, [values[p] for p in positions])

    def count_again(self, counts: dict[str, int]) -> None:
        """Use token counts a dry run made but did not write."""
        if counts:
            for position, item_id in enumerate(self.ids):
                if item_id in counts:
                    self.token_counts[position] = counts[item_id]

    def tokens(self, position: int) -> int:
        tokens = self.token_counts[position]
        if tokens < 0:
            raise StageError(STAGE, f"{self.ids[position]} has no description token count (it appeared or changed "
                             "during the run); run partition again")
        return tokens

    def loss(self, position: int) -> float | None:
        loss = self.losses[position]
        return None if loss < 0 else loss


@dataclass(slots=True, eq=False)  # eq=False: hashed by identity (one object per relation and wave)
class WaveRelation:
    key: str  # elementId
    source: str  # elementIds of the entities
    target: str
    rank: int  # position in the seed order: candidates are taken in ascending rank
    placed: bool = False  # in a batch already (kept up to date while its wave is cut: see ``_sweep``)


@dataclass(slots=True)
class Cut:
    """A batch as grown: its relations (seed first, then in the order taken) and entities."""

    relations: list[WaveRelation]
    entity_keys: list[str]
    missing: set[str] = field(default_factory=set)  # frontier entities whose relations were not fetched


class Wave:
    """Neighbourhoods fetched for one wave of seeds (dropped when the wave is cut)."""

    def __init__(self, placed_before: int) -> None:
        self.relations: dict[str, WaveRelation] = {}
        self.incident: dict[str, list[WaveRelation]] = {}  # entity → relations a batch can grow along from it
        self.swept = placed_before  # entries of the cutter's placement log already reflected here


class _Growth:
    """One batch as it grows: the relations taken, its entities and the room left.

    ``max_width`` counts the relations that may still be added (``room``); ``max_tokens``
    the description tokens (``budget``), spent relation by relation with their new entities.
    """

    def __init__(self, cutter: Cutter, seed: WaveRelation) -> None:
        config = cutter.config
        self.cutter = cutter
        self.by_width = config.expand_method == "max_width"
        self.taken = [seed]
        self.taken_set = {seed}
        self.nodes = dict.fromkeys((seed.source, seed.target))
        self.room = config.max_extra_edges
        self.budget = 0 if self.by_width else (
            config.max_tokens - cutter.order.tokens(seed.rank) - sum(map(cutter.entity_tokens, self.nodes)))

    def exhausted(self) -> bool:
        return self.room <= 0 if self.by_width else self.budget <= 0

    def level(self, ordered: list[WaveRelation]) -> tuple[list[WaveRelation], bool]:
        """The candidates (in rank order) this level adds, and whether the growth ends with it."""
        if self.by_width:
            stop = len(ordered) >= self.room
            level = ordered[:self.room] if stop else ordered
            self.room -= len(level)
            return level, stop
        level = []
        for relation in ordered:
            new = [n for n in dict.fromkeys((relation.source, relation.target)) if n not in self.nodes]
            self.budget -= self.cutter.order.tokens(relation.rank) + sum(map(self.cutter.entity_tokens, new))
            if self.budget < 0:
                return level, True
            level.append(relation)
            self.nodes.update(dict.fromkeys(new))
        return level, False

    def take(self, level: list[WaveRelation]) -> None:
        for relation in level:
            self.taken.append(relation)
            self.taken_set.add(relation)
            self.nodes.update(dict.fromkeys((relation.source, relation.target)))


class Cutter:
    """Cuts batches wave by wave; see the module docstring.

    ``rank`` maps each relation not placed yet to its position in the seed order; placing
    a relation removes it, so "still free" is "still in ``rank``" (a relation absent from
    it was placed before this invocation started, is excluded, or appeared since: none is
    used). Relations and entities are known by their elementId while cutting: the frontier
    queries then read no property at all.
    """

    def __init__(self, graph: Graph, config: PartitionConfig, order: Items, entities: Items):
        self.graph = graph
        self.config = config
        self.order = order
        self.entities = entities
        self.rank = {key: position for position, key in enumerate(order.keys)}
        self.entity_position = {key: position for position, key in enumerate(entities.keys)}
        self.covered: set[str] = set()  # ids of the entities of the batches cut by this invocation
        self.placed_log: list[str] = []  # relations placed by this invocation, in order (for ``_sweep``)

    def entity_tokens(self, key: str) -> int:
        position = self.entity_position.get(key)
        if position is None:  # not there (or excluded) when the run started
            raise StageError(STAGE, f"entity {key} appeared or changed during the run; run partition again")
        return self.entities.tokens(position)

    def fetch_seeds(self, wave: Wave, seed_keys: list[str]) -> list[WaveRelation]:
        row = self.graph.read_row("partition/seed_relations", {"relation_keys": seed_keys}) or {}
        rank, relations = self.rank, wave.relations
        for key, source, target in zip(row.get("keys") or [], row.get("sources") or [], row.get("targets") or []):
            if key in rank and key not in relations:
                relations[key] = WaveRelation(key, source, target, rank[key])
        return [relations[key] for key in seed_keys if key in relations]

    def fetch_frontier(self, wave: Wave, entity_keys: Iterable[str]) -> None:
        wanted = [e for e in dict.fromkeys(entity_keys) if e not in wave.incident]
        if not wanted:
            return
        for key in wanted:
            wave.incident[key] = []  # also for entities the query does not return
        row = self.graph.read_row("partition/frontier_relations", {"entity_keys": wanted,
                                                                   "bidirectional": self.config.bidirectional}) or {}
        columns = (row.get(name) or [] for name in ("entities", "relations", "others", "outgoing"))
        # Hot loop (every relation around every frontier entity): kept inline on purpose.
        rank, relations, incident = self.rank, wave.relations, wave.incident
        for node, key, other, outgoing in zip(*columns):
            relation = relations.get(key)
            if relation is None:
                position = rank.get(key)
                if position is None:
                    continue  # placed, excluded, or newer than the run
                source, target = (node, other) if outgoing else (other, node)
                relation = relations[key] = WaveRelation(key, source, target, position)
            incident[node].append(relation)

    def _sweep(self, wave: Wave) -> None:
        """Mark the wave's relations that other waves placed since it started being fetched
        (what was placed before is not fetched at all: it is no longer in ``rank``)."""
        log, relations = self.placed_log, wave.relations
        end = len(log)  # the log only grows (appends are atomic): read up to here
        for key in log[wave.swept:end]:
            relation = relations.get(key)
            if relation is not None:
                relation.placed = True
        wave.swept = end

    def grow(self, wave: Wave, seed: WaveRelation, tentative: set[WaveRelation]) -> Cut:
        """Grow one batch from ``seed``; stops early (``missing``) at frontier entities not fetched yet."""
        config = self.config
        growth = _Growth(self, seed)
        frontier = list(growth.nodes) if config.bidirectional else [seed.target]
        expanded = set(frontier)
        cut = Cut(growth.taken, [])
        for _ in range(config.max_depth):
            if growth.exhausted():
                break
            lacking = [n for n in frontier if n not in wave.incident]
            if lacking:
                cut.missing.update(lacking)
                break
            candidates = {
                r for n in frontier for r in wave.incident[n]
                if not r.placed and r not in tentative and r not in growth.taken_set
            }
            if not candidates:
                break
            level, stop = growth.level(sorted(candidates, key=attrgetter("rank")))
            growth.take(level)
            if stop:
                break
            frontier = [n for n in dict.fromkeys(e for r in level for e in (r.source, r.target)) if n not in expanded]
            expanded.update(frontier)
        cut.entity_keys = list(growth.nodes)
        return cut

    def prepare(self, seed_keys: list[str]) -> tuple[Wave, list[WaveRelation]]:
        """Fetch a wave's seeds, their first frontier and the deeper frontiers a provisional cut says
        they will need. Runs while the previous wave is cut: what that wave places meanwhile
        is still seen as placed when this one is cut, since ``rank`` is checked then."""
        wave = Wave(placed_before=len(self.placed_log))
        seeds = self.fetch_seeds(wave, seed_keys)
        starts = (e for s in seeds for e in ((s.source, s.target) if self.config.bidirectional else (s.target,)))
        self.fetch_frontier(wave, starts)
        # A provisional cut of the whole wave tells which deeper frontiers it will need:
        # fetch those now too, so that cutting it rarely has to wait for Neo4j.
        for _ in range(self.config.max_depth - 1):
            self._sweep(wave)
            tentative: set[WaveRelation] = set()
            missing: set[str] = set()
            for seed in seeds:
                if not seed.placed and seed not in tentative:
                    cut = self.grow(wave, seed, tentative)
                    missing |= cut.missing
                    tentative.update(cut.relations)
            if not missing:
                break
            self.fetch_frontier(wave, missing)
        return wave, seeds

    def cut_wave(self, wave: Wave, seeds: list[WaveRelation]) -> list[dict[str, Any]]:
        """The batches of one wave, in seed order (exactly what the sequential greedy gives), as rows."""
        done: list[Cut] = []
        pending = seeds
        self._sweep(wave)  # from here on only this thread places relations: the flags stay true
        while pending:
            # Cut every pending seed; those before the first one that lacks data are final,
            # the rest are provisional and only tell which entities to fetch next.
            tentative: set[WaveRelation] = set()
            missing: set[str] = set()
            first_blocked: int | None = None
            for position, seed in enumerate(pending):
                if seed.placed or seed in tentative:
                    continue
                cut = self.grow(wave, seed, tentative)
                if first_blocked is None and not cut.missing:
                    for relation in cut.relations:
                        relation.placed = True
                        del self.rank[relation.key]
                        self.placed_log.append(relation.key)
                    done.append(cut)
                    continue
                if first_blocked is None:
                    first_blocked = position
                missing |= cut.missing
                tentative.update(cut.relations)
            if first_blocked is None:
                break
            pending = pending[first_blocked:]
            self.fetch_frontier(wave, missing)
        return [self._row(cut) for cut in done]

    def _row(self, cut: Cut) -> dict[str, Any]:
        entities, order = self.entities, self.order
        positions = [self.entity_position[key] for key in cut.entity_keys]
        entity_ids = [entities.ids[p] for p in positions]
        self.covered.update(entity_ids)
        ranks = [r.rank for r in cut.relations]
        losses = [loss for loss in map(order.loss, ranks) if loss is not None]
        if self.config.loss_strategy == "both":
            losses += [loss for loss in map(entities.loss, positions) if loss is not None]
        ids = [order.ids[rank] for rank in ranks]
        return {
            "seed_relation_id": ids[0],
            "relation_ids": ids,
            "relation_keys": [r.key for r in cut.relations],
            "entity_ids": entity_ids,  # entity_keys only for isolated batches (HAS_ENTITY): not needed here
            "tokens": sum(map(order.tokens, ranks)) + sum(map(entities.tokens, positions)),
            "mean_loss": mean_loss(losses),
        }


def mean_loss(values: list[float]) -> float | None:
    """Mean of the losses that exist (all items weigh the same; upstream divided only the entity sum)."""
    return sum(values) / len(values) if values else None
