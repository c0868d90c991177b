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

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from graphgen_neo4j.choices import LossStrategy
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import ConfigError, StageError
from graphgen_neo4j.gc_policy import bulk_collection
from graphgen_neo4j.partition.config import (
    STAGE,
    PartitionConfig,
    PartitionReport,
    batch_id,
    describe_order,
    random_key,
)
from graphgen_neo4j.partition.cutter import Cutter, Items, Wave, WaveRelation
from graphgen_neo4j.partition.writer import BatchWriter
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.tokens import get_encoding

__all__ = [
    "PartitionConfig", "PartitionReport", "partition", "batch_id", "random_key", "refresh_token_counts",
]


TASK_TOKENS = "partition: count description tokens"
TASK_RELATIONS = "partition: cut batches"
TASK_ISOLATED = "partition: isolated entities"

_TOKEN_CHUNK = 5000  # token counts per write


# -- ordering -------------------------------------------------------------------------


# -- cutting in waves ------------------------------------------------------------------


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


def _seed_order(config: PartitionConfig, parts: list[Future[Any]]) -> tuple[Items, dict[str, int]]:
    """The relations to seed with, in order, and the counts of usable and scored relations."""
    rows = [part.result() or {} for part in parts]
    lists = {name: [value for row in rows for value in row.get(name) or []] for name in _SEED_LISTS}
    order = Items.of(lists)
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


def _prepare_next(reader: ThreadPoolExecutor, cutter: Cutter,
                  waves: Iterator[list[str]]) -> Future[tuple[Wave, list[WaveRelation]]] | None:
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
    ``config.method`` other than traverse: ece, bfs, dfs or community (``methods``).
    """
    if config.method != "traverse":
        from graphgen_neo4j.partition.methods import partition_units

        return partition_units(graph=graph, config=config, run_id=run_id, progress=progress, dry_run=dry_run)
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
        entities_future = prelude.submit(Items.read, graph, "partition/entity_numbers")
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
    cutter = Cutter(graph, config, order, entities)
    writer = BatchWriter(graph, run_id, config_hash, dry_run)
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


def _isolated_batches(graph: Graph, cutter: Cutter, run_id: str, index: int, loss_strategy: LossStrategy,
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
