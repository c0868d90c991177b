"""Organize: cut the knowledge graph into batches, the subgraphs QA are generated from.

    report = partition(graph=graph, config=PartitionConfig(), run_id="partition-20260101-120000")

The method is upstream GraphGen's greedy traverse (docs/partition.md has the exact rules
and a worked example):

* every usable relation (neither it nor its entities ``excluded``) is a potential seed;
  seeds are taken in ``edge_sampling`` order — ``max_loss`` (the relations the trainee
  understands worst first), ``min_loss`` or ``random`` (seeded);
* a relation not yet in a batch seeds a new batch, which grows level by level, up to
  ``max_depth`` levels, through relations touching the current frontier:
  ``bidirectional: true`` starts from both entities of the seed and follows relations
  in either direction; ``false`` starts from the seed's target and follows outgoing
  relations only, so a batch is a forward chain/tree of the knowledge;
* ``max_width`` adds at most ``max_extra_edges`` relations in all (a level with more
  candidates than the room left contributes its best ones and ends the growth);
  ``max_tokens`` adds relations while the description tokens of the batch (relations
  and entities) fit in ``max_tokens``, stopping at the first one that does not;
* a relation in a batch is never used again, so the batches partition the relations;
* ``isolated_node_strategy: add`` adds one batch per entity no batch covers.

How it runs on Neo4j (details in docs/partition.md): the seeds come from one Cypher scan,
run in two parts side by side (relation ids, elementIds, tokens, losses, strengths —
numbers, no text) and sorted into the seed order in Python; batches are then cut in
*waves* of a few thousand seeds. A reader thread fetches a wave's seeds and the relations
around their frontier entities (bare structure: elementIds only), a level at a time, for
all the wave's seeds in one query each, while the previous wave is cut. The cut replays
the greedy choice in Python in seed order — exactly the sequential result, because a
relation only ever goes from free to placed and every placement is tracked. When a
seed's growth reaches an entity not fetched yet, the missing entities of all later
seeds are fetched together and the cut continues from that seed. Two writer threads
store the batches (``:Batch`` nodes, ``r.batch_id`` / ``r.batch_run_id`` on their
relations, ``HAS_ENTITY`` for a batch around an isolated entity), a chunk each, queued
in order: an interrupted run resumes from its unbroken prefix of batches (dropping the
few written ahead of a gap) and the relations its ``run_id`` has not placed yet, and
ends with the same batches.
Only the neighbourhoods of the current and the next wave are held in memory.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from pydantic import BaseModel, Field

from graphgen_neo4j.choices import LossStrategy
from graphgen_neo4j.config import Traversal
from graphgen_neo4j.db.graph import Graph, batched
from graphgen_neo4j.errors import ConfigError, StageError
from graphgen_neo4j.gc_policy import bulk_collection
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.tokens import get_encoding

__all__ = [
    "PartitionConfig", "PartitionReport", "partition", "batch_id", "random_key", "refresh_token_counts",
]

STAGE = "partition"

TASK_TOKENS = "partition: count description tokens"
TASK_RELATIONS = "partition: cut batches"
TASK_ISOLATED = "partition: isolated entities"

_WRITE_CHUNK = 1000  # batches per write transaction (each batch is written with its relation marks)
_TOKEN_CHUNK = 5000  # token counts per write


class PartitionConfig(Traversal):
    """How batches are cut: the upstream ``traverse_strategy`` keys (``config.Traversal``), plus the seed
    of the random order and the wave size."""

    seed: int = Field(0, description="seed of the random order (edge_sampling: random)")
    wave_size: int = Field(4000, ge=1, description="seeds cut per wave (speed and memory only; "
                           "the batches do not depend on it)")

    def semantic_hash(self) -> str:
        """Hash of the settings that decide the batches (not ``wave_size``, nor a setting its method ignores)."""
        values = self.model_dump(exclude={"wave_size"})
        if values["edge_sampling"] != "random":
            values.pop("seed")
        values.pop("max_tokens" if self.expand_method == "max_width" else "max_extra_edges")
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


class PartitionReport(BaseModel):
    """What a partition run cut (all batches of the run, including those of an earlier, interrupted attempt)."""

    run_id: str
    dry_run: bool
    config_hash: str
    batches: int = 0
    relation_batches: int = 0
    isolated_batches: int = 0
    batches_new: int = 0  # cut by this invocation (a resumed run counts only the rest)
    relations: int = 0  # usable: neither the relation nor its entities excluded
    relations_excluded: int = 0
    relations_in_batches: int = 0
    relations_without_loss: int = 0  # without a score for the loss_strategy (no loss, or an entity without one)
    order: str = ""  # the seed order used, in words
    size_histogram: dict[int, int] = Field(default_factory=dict)  # relations per batch → batches
    tokens_total: int = 0
    tokens_max: int = 0
    token_counts_refreshed: int = 0  # items whose description was (re)tokenized
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def tokens_mean(self) -> float | None:
        return self.tokens_total / self.batches if self.batches else None


# -- ordering -------------------------------------------------------------------------


def random_key(relation_id: str, seed: int) -> bytes:
    """Sort key of ``edge_sampling: random``: SHA-256 of ``seed:relation id`` (stable, seeded)."""
    return hashlib.sha256(f"{seed}:{relation_id}".encode()).digest()


def describe_order(config: PartitionConfig, relations: int, without_score: int) -> str:
    """The seed order in words, for the report."""
    if config.edge_sampling == "random":
        return f"random: by SHA-256 of '{config.seed}:<relation id>' (losses not used)"
    what = "loss" if config.loss_strategy == "only_edge" else "relation loss + the losses of its two entities"
    direction = "highest" if config.edge_sampling == "max_loss" else "lowest"
    fallback = "by strength (highest first), then relation id"
    if relations and without_score == relations:
        return f"{config.edge_sampling} fell back: no relation has a {what}, so seeds go {fallback}"
    text = f"{config.edge_sampling}: {what}, {direction} first (ties by strength, then id)"
    if without_score:
        text += f"; the {without_score} relations without one come last, {fallback}"
    return text


def batch_id(run_id: str, seed_id: str) -> str:
    """Id of the batch a run seeded with a relation (or cut around an isolated entity)."""
    return "batch-" + hashlib.sha256(f"{run_id}/{seed_id}".encode()).hexdigest()[:24]


# -- cutting in waves ------------------------------------------------------------------


@dataclass(slots=True)
class _Items:
    """Aligned lists of relations (seed_order.cypher, in seed order) or entities
    (entity_numbers.cypher): elementId, id, description tokens, loss — numbers only."""

    keys: list[str]
    ids: list[str]
    token_counts: list[int]  # -1: not counted
    losses: list[float]  # -1: not judged (a loss is never negative)

    @classmethod
    def read(cls, graph: Graph, query: str, params: Mapping[str, Any] | None = None) -> _Items:
        return cls.of(graph.read_row(query, params) or {})

    @classmethod
    def of(cls, row: dict[str, Any]) -> _Items:
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
class _Relation:
    key: str  # elementId
    source: str  # elementIds of the entities
    target: str
    rank: int  # position in the seed order: candidates are taken in ascending rank
    placed: bool = False  # in a batch already (kept up to date while its wave is cut: see ``_sweep``)


@dataclass(slots=True)
class _Cut:
    """A batch as grown: its relations (seed first, then in the order taken) and entities."""

    relations: list[_Relation]
    entity_keys: list[str]
    missing: set[str] = field(default_factory=set)  # frontier entities whose relations were not fetched


class _Wave:
    """Neighbourhoods fetched for one wave of seeds (dropped when the wave is cut)."""

    def __init__(self, placed_before: int) -> None:
        self.relations: dict[str, _Relation] = {}
        self.incident: dict[str, list[_Relation]] = {}  # entity → relations a batch can grow along from it
        self.swept = placed_before  # entries of the cutter's placement log already reflected here


class _Cutter:
    """Cuts batches wave by wave; see the module docstring.

    ``rank`` maps each relation not placed yet to its position in the seed order; placing
    a relation removes it, so "still free" is "still in ``rank``" (a relation absent from
    it was placed before this invocation started, is excluded, or appeared since: none is
    used). Relations and entities are known by their elementId while cutting: the frontier
    queries then read no property at all.
    """

    def __init__(self, graph: Graph, config: PartitionConfig, order: _Items, entities: _Items):
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

    def fetch_seeds(self, wave: _Wave, seed_keys: list[str]) -> list[_Relation]:
        row = self.graph.read_row("partition/seed_relations", {"relation_keys": seed_keys}) or {}
        rank, relations = self.rank, wave.relations
        for key, source, target in zip(row.get("keys") or [], row.get("sources") or [], row.get("targets") or []):
            if key in rank and key not in relations:
                relations[key] = _Relation(key, source, target, rank[key])
        return [relations[key] for key in seed_keys if key in relations]

    def fetch_frontier(self, wave: _Wave, entity_keys: Iterable[str]) -> None:
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
                relation = relations[key] = _Relation(key, source, target, position)
            incident[node].append(relation)

    def _sweep(self, wave: _Wave) -> None:
        """Mark the wave's relations that other waves placed since it started being fetched
        (what was placed before is not fetched at all: it is no longer in ``rank``)."""
        log, relations = self.placed_log, wave.relations
        end = len(log)  # the log only grows (appends are atomic): read up to here
        for key in log[wave.swept:end]:
            relation = relations.get(key)
            if relation is not None:
                relation.placed = True
        wave.swept = end

    def grow(self, wave: _Wave, seed: _Relation, tentative: set[_Relation]) -> _Cut:
        """Grow one batch from ``seed``; stops early (``missing``) at frontier entities not fetched yet."""
        config = self.config
        relation_tokens = self.order.tokens
        taken = [seed]
        taken_set = {seed}
        nodes = dict.fromkeys((seed.source, seed.target))
        frontier = list(nodes) if config.bidirectional else [seed.target]
        expanded = set(frontier)
        cut = _Cut(taken, [])
        by_width = config.expand_method == "max_width"
        room = config.max_extra_edges
        budget = 0 if by_width else config.max_tokens - relation_tokens(seed.rank) - sum(map(self.entity_tokens, nodes))
        for _ in range(config.max_depth):
            if (room <= 0) if by_width else (budget <= 0):
                break
            lacking = [n for n in frontier if n not in wave.incident]
            if lacking:
                cut.missing.update(lacking)
                break
            candidates = {
                r for n in frontier for r in wave.incident[n]
                if not r.placed and r not in tentative and r not in taken_set
            }
            if not candidates:
                break
            ordered = sorted(candidates, key=attrgetter("rank"))
            stop = False
            if by_width:
                if len(ordered) >= room:
                    ordered, stop = ordered[:room], True
                room -= len(ordered)
                level = ordered
            else:
                level = []
                for relation in ordered:
                    new = [n for n in dict.fromkeys((relation.source, relation.target)) if n not in nodes]
                    budget -= relation_tokens(relation.rank) + sum(map(self.entity_tokens, new))
                    if budget < 0:
                        stop = True
                        break
                    level.append(relation)
                    nodes.update(dict.fromkeys(new))
            for relation in level:
                taken.append(relation)
                taken_set.add(relation)
                nodes.update(dict.fromkeys((relation.source, relation.target)))
            if stop:
                break
            frontier = [n for n in dict.fromkeys(e for r in level for e in (r.source, r.target)) if n not in expanded]
            expanded.update(frontier)
        cut.entity_keys = list(nodes)
        return cut

    def prepare(self, seed_keys: list[str]) -> tuple[_Wave, list[_Relation]]:
        """Fetch a wave's seeds, their first frontier and the deeper frontiers a provisional cut says
        they will need. Runs while the previous wave is cut: what that wave places meanwhile
        is still seen as placed when this one is cut, since ``rank`` is checked then."""
        wave = _Wave(placed_before=len(self.placed_log))
        seeds = self.fetch_seeds(wave, seed_keys)
        starts = (e for s in seeds for e in ((s.source, s.target) if self.config.bidirectional else (s.target,)))
        self.fetch_frontier(wave, starts)
        # A provisional cut of the whole wave tells which deeper frontiers it will need:
        # fetch those now too, so that cutting it rarely has to wait for Neo4j.
        for _ in range(self.config.max_depth - 1):
            self._sweep(wave)
            tentative: set[_Relation] = set()
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

    def cut_wave(self, wave: _Wave, seeds: list[_Relation]) -> list[dict[str, Any]]:
        """The batches of one wave, in seed order (exactly what the sequential greedy gives), as rows."""
        done: list[_Cut] = []
        pending = seeds
        self._sweep(wave)  # from here on only this thread places relations: the flags stay true
        while pending:
            # Cut every pending seed; those before the first one that lacks data are final,
            # the rest are provisional and only tell which entities to fetch next.
            tentative: set[_Relation] = set()
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

    def _row(self, cut: _Cut) -> dict[str, Any]:
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
            "mean_loss": _mean(losses),
        }


def _mean(values: list[float]) -> float | None:
    """Mean of the losses that exist (all items weigh the same; upstream divided only the entity sum)."""
    return sum(values) / len(values) if values else None


# -- token counts ----------------------------------------------------------------------


def count_many(texts: list[str]) -> list[int]:
    """``count_tokens`` of each text (special-token strings count as plain text), in parallel."""
    return [len(tokens) for tokens in get_encoding().encode_ordinary_batch(texts)]


def refresh_token_counts(graph: Graph, *, dry_run: bool, progress: Progress) -> dict[str, int]:
    """Count the tokens of descriptions that have no count yet or changed since counted.

    Writes ``description_tokens`` (and the text counted, ``description_tokens_of``) on the
    entities and relations and returns the new counts by item id; a dry run only returns them.
    """
    stale = graph.read("partition/stale_token_counts")
    counts: dict[str, int] = {}
    total = sum(len(row["ids"]) for row in stale)
    if not total:
        return counts
    progress.start(TASK_TOKENS, total=total)
    for row in stale:
        for start in range(0, len(row["ids"]), _TOKEN_CHUNK):
            ids = row["ids"][start:start + _TOKEN_CHUNK]
            texts = row["descriptions"][start:start + _TOKEN_CHUNK]
            numbers = count_many(texts)
            counts.update(zip(ids, numbers))
            if not dry_run:
                graph.run(f"partition/save_{row['kind']}_tokens", {"rows": [{"id": i, "tokens": n, "description": d} for i, n, d in zip(ids, numbers, texts)]})
            progress.advance(TASK_TOKENS, len(ids))
    progress.finish(TASK_TOKENS)
    return counts


# -- the stage ------------------------------------------------------------------------


# The seed-order scan in parts side by side, split by relation id (an index range). Ids are
# "rel-" + hex digits (ids.relation_id), so "rel-8" halves them; any other id still falls
# in exactly one part.
_SEED_SCAN_PARTS = (("", "rel-8"), ("rel-8", None))
_SEED_LISTS = ("ids", "keys", "tokens", "losses", "scores", "strengths")
_COVERAGE = ("relations", "excluded", "judged", "judged_with_entities")


def seed_sort_keys(config: PartitionConfig, ids: list[str], scores: list[float], strengths: list[float]) -> list[Any]:
    """The sort key of each seed, for ``edge_sampling`` order; ``scores`` and ``strengths``
    are -1 when missing (seed_order.cypher: losses are never negative, strengths are 1–10).

    max_loss / min_loss: by score (highest / lowest first, missing last), then strength
    (highest first, missing last), then id. random: by SHA-256 of ``seed:id``.
    """
    if config.edge_sampling == "random":
        return [random_key(i, config.seed) for i in ids]
    sign = -1.0 if config.edge_sampling == "max_loss" else 1.0
    return [(score < 0, sign * score, strength < 0, -strength, i) for i, score, strength in zip(ids, scores, strengths)]


def _read_seeds(graph: Graph, config: PartitionConfig, run_id: str, pool: ThreadPoolExecutor) -> list[Future[Any]]:
    """Start the parts of the seed-order scan (see ``_seed_order``)."""
    return [pool.submit(graph.read_row, "partition/seed_order", {"run_id": run_id, "loss_strategy": config.loss_strategy,
                        "from_id": from_id, "to_id": to_id}) for from_id, to_id in _SEED_SCAN_PARTS]


def _seed_order(config: PartitionConfig, parts: list[Future[Any]]) -> tuple[_Items, dict[str, int]]:
    """The relations to seed with, in order, and the counts of usable and scored relations."""
    rows = [part.result() or {} for part in parts]
    lists = {name: [value for row in rows for value in row.get(name) or []] for name in _SEED_LISTS}
    order = _Items.of(lists)
    keys = seed_sort_keys(config, order.ids, lists["scores"], lists["strengths"])
    del lists
    order.reorder(sorted(range(len(keys)), key=keys.__getitem__))
    coverage = {name: sum(int(row.get(name) or 0) for row in rows) for name in _COVERAGE}
    return order, coverage


def _waves(seed_keys: list[str], free: dict[str, int], size: int) -> Iterator[list[str]]:
    """The next ``size`` seeds not placed yet, wave after wave (``free`` shrinks as waves are cut)."""
    position = 0
    while position < len(seed_keys):
        wave: list[str] = []
        while position < len(seed_keys) and len(wave) < size:
            if seed_keys[position] in free:
                wave.append(seed_keys[position])
            position += 1
        if wave:
            yield wave


def _prepare_next(reader: ThreadPoolExecutor, cutter: _Cutter,
                  waves: Iterator[list[str]]) -> Future[tuple[_Wave, list[_Relation]]] | None:
    seed_keys = next(waves, None)
    return None if seed_keys is None else reader.submit(cutter.prepare, seed_keys)


def _check_run(graph: Graph, run_id: str, config_hash: str, dry_run: bool) -> dict[str, Any]:
    """The run's state, ready to resume: batches a stopped run wrote past its unbroken prefix
    (the writers work side by side) are dropped, to be cut again exactly as before."""
    state = graph.read("partition/run_state", {"run_id": run_id})[0]
    others = [h for h in state["config_hashes"] if h != config_hash]
    if others:
        raise ConfigError(
            f"partition run {run_id!r} was cut with other settings (config hash {others[0]}, now {config_hash}); "
            "use the same settings to resume it, or a new run id"
        )
    prefix = state["prefix"]
    if state["relation_batches"] > prefix:
        if state["beyond_prefix_used"]:
            raise StageError(STAGE, f"partition run {run_id!r} lacks batch {prefix} but has later batches that QA "
                             "were generated from: it cannot be resumed exactly; start a new run (a new run id)")
        if dry_run:
            raise StageError(STAGE, f"partition run {run_id!r} stopped with batches stored past batch {prefix}: "
                             "resume it without --dry-run (they are dropped and cut again)")
        dropped = graph.run("partition/truncate_run", {"run_id": run_id, "from_index": prefix})[0]["dropped"]
        state["relation_batches"] = prefix
        state["note"] = (f"resumed from batch {prefix}: {dropped} batches stored past a gap (written ahead of one "
                         "that failed or was interrupted, or deleted) were dropped and cut again")
    return state


class _BatchWriter:
    """Writes batches on two background threads, a transaction per chunk, so Neo4j stores a
    wave while the next one is cut. Each batch is written together with its relations'
    marks. Chunks are queued in index order and at most a few are in flight, so a run that
    stops holds its batches up to some index, plus perhaps a few later ones written ahead:
    resuming drops those (``_check_run``) and goes on from the unbroken prefix. A dry run
    writes nothing and only records what would be new.
    """

    _WRITERS = 2  # one transaction each: Neo4j runs them on both cores
    _MAX_PENDING = 4  # chunks queued before cutting waits for the writers

    def __init__(self, graph: Graph, run_id: str, config_hash: str, dry_run: bool):
        self.graph = graph
        self.params = {"run_id": run_id, "config_hash": config_hash}
        self.executor = None if dry_run else ThreadPoolExecutor(max_workers=self._WRITERS,
                                                                thread_name_prefix="partition-writer")
        self.pending: deque[Future[Any]] = deque()
        self.new: list[tuple[int, int]] = []  # (relations, tokens) of each batch this invocation cuts
        self.failed = threading.Event()  # after a failed write, the chunks queued behind it are not written

    def submit(self, rows: list[dict[str, Any]], *, may_exist: bool = False) -> None:
        """Queue batches for writing; ``may_exist``: skip those stored already (isolated ones, on resume)."""
        for chunk in batched(rows, _WRITE_CHUNK):
            if may_exist:
                stored = self.graph.read("partition/existing_batches", {"ids": [row["id"] for row in chunk]})
                existing = {r["id"] for r in stored}
                chunk = [row for row in chunk if row["id"] not in existing]
            self.new.extend((len(row["relation_ids"]), row["tokens"]) for row in chunk)
            if self.executor is None or not chunk:
                continue
            self.pending.append(self.executor.submit(self._write, chunk))
            while len(self.pending) > self._MAX_PENDING or (self.pending and self.pending[0].done()):
                self.pending.popleft().result()

    def drain(self) -> None:
        """Wait until everything queued is stored (raises the first write error)."""
        while self.pending:
            self.pending.popleft().result()

    def close(self) -> None:
        self.failed.set()  # whatever is still queued after an error or an interrupt is dropped
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def _write(self, chunk: list[dict[str, Any]]) -> None:
        if self.failed.is_set():
            raise StageError(STAGE, "not written: an earlier write failed")  # keeps the gap after it small
        try:
            self.graph.run("partition/write_batches", {"batches": chunk, **self.params})
        except BaseException:
            self.failed.set()
            raise


@bulk_collection()  # millions of short-lived objects: see gc_policy
def partition(
    *,
    graph: Graph,
    config: PartitionConfig,
    run_id: str,
    progress: Progress = NullProgress(),
    dry_run: bool = False,
) -> PartitionReport:
    """Cut the graph into batches (``:Batch`` nodes of ``run_id``); resumes a run cut partly before.

    ``dry_run``: compute the same batches and the report, write nothing.
    """
    started = time.monotonic()
    config_hash = config.semantic_hash()
    state = _check_run(graph, run_id, config_hash, dry_run)
    report = PartitionReport(run_id=run_id, dry_run=dry_run, config_hash=config_hash)
    if "note" in state:
        report.notes.append(state["note"])

    # The scans of the graph side by side: the seed order (in parts, with the counts for the
    # report; sorted as soon as both are in) and the entities' numbers run beside the token
    # refresh; the counts it makes (written or, in a dry run, not) are applied to what the
    # others read, so none waits.
    with ThreadPoolExecutor(max_workers=len(_SEED_SCAN_PARTS) + 2, thread_name_prefix="partition-prelude") as prelude:
        seed_parts = _read_seeds(graph, config, run_id, prelude)
        entities_future = prelude.submit(_Items.read, graph, "partition/entity_numbers")
        order_future = prelude.submit(_seed_order, config, seed_parts)
        token_counts = refresh_token_counts(graph, dry_run=dry_run, progress=progress)
        (order, coverage), entities = order_future.result(), entities_future.result()
    order.count_again(token_counts)
    entities.count_again(token_counts)
    report.token_counts_refreshed = len(token_counts)
    report.relations = coverage["relations"]
    report.relations_excluded = coverage["excluded"]
    scored = coverage["judged"] if config.loss_strategy == "only_edge" else coverage["judged_with_entities"]
    report.relations_without_loss = report.relations - scored
    report.order = describe_order(config, report.relations, report.relations_without_loss)
    if config.edge_sampling != "random" and report.relations and not scored:
        report.notes.append("no losses: run `graphgen-neo4j judge` first for max_loss/min_loss to mean anything")
    cutter = _Cutter(graph, config, order, entities)
    writer = _BatchWriter(graph, run_id, config_hash, dry_run)
    index = state["relation_batches"]
    waves = _waves(order.keys, cutter.rank, config.wave_size)
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="partition-reader")
    try:
        progress.start(TASK_RELATIONS, total=len(order.keys))
        upcoming = _prepare_next(reader, cutter, waves)
        while upcoming is not None:
            wave, seeds = upcoming.result()
            # Fetch the next wave while this one is cut (its seeds placed meanwhile are skipped).
            upcoming = _prepare_next(reader, cutter, waves)
            rows = cutter.cut_wave(wave, seeds)
            for row in rows:
                row.update(id=batch_id(run_id, row["seed_relation_id"]), index=index)
                index += 1
            writer.submit(rows)
            progress.advance(TASK_RELATIONS, sum(len(row["relation_ids"]) for row in rows), batches=index)
        writer.drain()
        progress.finish(TASK_RELATIONS)
        if config.isolated_node_strategy == "add":
            writer.submit(_isolated_batches(graph, cutter, run_id, index, config.loss_strategy, dry_run, progress),
                          may_exist=True)
            writer.drain()
    finally:
        reader.shutdown(wait=True, cancel_futures=True)
        writer.close()

    _fill_totals(report, graph.read("partition/run_summary", {"run_id": run_id}), writer.new if dry_run else [])
    report.batches_new = len(writer.new)
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _isolated_batches(graph: Graph, cutter: _Cutter, run_id: str, index: int, loss_strategy: LossStrategy,
                      dry_run: bool, progress: Progress) -> list[dict[str, Any]]:
    """One batch per entity no batch of the run covers (ids and indexes are the same when resumed)."""
    entities = graph.read("partition/uncovered_entities", {"run_id": run_id,
                                                           "covered_ids": sorted(cutter.covered) if dry_run else []})
    progress.start(TASK_ISOLATED, total=len(entities))
    rows = [{
        "id": batch_id(run_id, entity["id"]), "index": index + position, "seed_relation_id": None,
        "relation_ids": [], "relation_keys": [], "entity_ids": [entity["id"]], "entity_keys": [entity["key"]],
        "tokens": cutter.entity_tokens(entity["key"]),
        "mean_loss": entity["loss"] if loss_strategy == "both" else None,
    } for position, entity in enumerate(entities)]
    progress.advance(TASK_ISOLATED, len(rows))
    progress.finish(TASK_ISOLATED)
    return rows


def _fill_totals(report: PartitionReport, stored: list[dict[str, Any]], unwritten: list[tuple[int, int]]) -> None:
    histogram: Counter[int] = Counter()
    for row in stored:
        histogram[row["relations"]] += row["batches"]
        report.tokens_total += row["tokens"] or 0
        report.tokens_max = max(report.tokens_max, row["max_tokens"] or 0)
    for size, tokens in unwritten:
        histogram[size] += 1
        report.tokens_total += tokens
        report.tokens_max = max(report.tokens_max, tokens)
    report.size_histogram = dict(sorted(histogram.items()))
    report.batches = sum(histogram.values())
    report.isolated_batches = histogram.get(0, 0)
    report.relation_batches = report.batches - report.isolated_batches
    report.relations_in_batches = sum(size * n for size, n in histogram.items())
