"""The ece, bfs, dfs, community, anchor_bfs, triple and quintuple partitioners on Neo4j
(``partition.method``; traverse is ``stage``).

One Cypher scan (unit_graph.cypher) reads the usable graph as bare numbers and ids; the
cut runs in Python (``units``), deterministically — for ``community`` the label
propagation rounds run in Neo4j (community_round.cypher, a chunk of entities per query;
a dry run does the same rounds in Python) and the community ids are written back on the
entities. The batches go to the same ``BatchWriter`` as traverse's (``:Batch`` nodes,
relation marks, ``HAS_ENTITY`` for a batch without relations), so ``generate`` reads
them unchanged. No LLM call is made.

Resume: the cut is a function of the graph and the settings, so a run started again cuts
again, checks that the batches it stored before are the first ones it cuts now (else the
graph changed: start a new run), drops any stored past a gap, and writes the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from graphgen_neo4j.db.graph import Graph, batched
from graphgen_neo4j.errors import ConfigError, StageError
from graphgen_neo4j.partition.config import STAGE, PartitionConfig, PartitionReport, batch_id
from graphgen_neo4j.partition.units import (
    GROUPS,
    Communities,
    UnitGraph,
    community_batches,
    community_entities,
    cut_bfs,
    cut_dfs,
    cut_ece,
    initial_labels,
    label_propagation,
    split_communities,
)
from graphgen_neo4j.partition.walks import anchor_units, cut_anchor_bfs, cut_quintuple, cut_triple
from graphgen_neo4j.partition.writer import BatchWriter
from graphgen_neo4j.progress import NullProgress, Progress

TASK_UNITS = "partition: cut communities"
TASK_ROUNDS = "partition: label propagation rounds"
_CHUNK = 10_000  # entities per label propagation query

CUTTERS: dict[str, Callable[[UnitGraph, PartitionConfig], Communities]] = {
    "ece": cut_ece, "bfs": cut_bfs, "dfs": cut_dfs, "triple": cut_triple, "quintuple": cut_quintuple,
}


def partition_units(*, graph: Graph, config: PartitionConfig, run_id: str, progress: Progress = NullProgress(),
                    dry_run: bool = False) -> PartitionReport:
    """Cut the graph with ``config.method`` (ece, bfs, dfs, community) into ``:Batch`` nodes of ``run_id``."""
    from graphgen_neo4j.partition.stage import refresh_token_counts  # stage dispatches here

    started = time.monotonic()
    config_hash = config.semantic_hash()
    report = PartitionReport(run_id=run_id, dry_run=dry_run, config_hash=config_hash, method=config.method)
    stored = _check_run(graph, run_id, config_hash, dry_run, report)
    counts = refresh_token_counts(graph, dry_run=dry_run, progress=progress)
    row = graph.read_row("partition/unit_graph") or {}
    _apply_counts(row, counts)
    units = UnitGraph.of(row)
    report.token_counts_refreshed = len(counts)
    report.relations, report.relations_excluded = int(row.get("relations") or 0), int(row.get("excluded") or 0)
    report.relations_without_loss = sum(1 for loss in units.relation_losses if loss < 0)
    progress.start(TASK_UNITS, total=units.units)
    if config.method == "community":
        members = _communities(graph, units, config, run_id, dry_run, report, progress)
    elif config.method == "anchor_bfs":
        row = graph.read_row("partition/entity_types") or {}
        anchors = anchor_units(row.get("ids") or [], row.get("names") or [], row.get("types") or [], config)
        cut = cut_anchor_bfs(units, config, anchors)
        members, report.units_dropped = cut.members, cut.dropped
        report.notes.append(f"anchor_bfs: {len(anchors)} anchors; {cut.dropped} units no anchor reached are in "
                            "no batch")
    else:
        cut = CUTTERS[config.method](units, config)
        members, report.units_dropped = cut.members, cut.dropped
        if config.method in ("triple", "quintuple") and cut.dropped:
            report.notes.append(f"{config.method}: {cut.dropped} units are in no batch (isolated entities"
                                + (", relations left unpaired, self-relations)" if config.method == "quintuple" else ")"))
    report.order = describe_method(config)
    rows = [_row(units, run_id, config, index, community) for index, community in enumerate(members)]
    if [r["id"] for r in rows[:len(stored)]] != stored:
        raise StageError(STAGE, f"partition run {run_id!r}: the graph changed since its first batches were cut "
                         "(they are not what the same settings cut now); start a new run (a new run id)")
    writer = BatchWriter(graph, run_id, config_hash, dry_run)
    try:
        writer.submit(rows[len(stored):])
        writer.drain()
    finally:
        writer.close()
    progress.advance(TASK_UNITS, units.units, batches=len(rows))
    progress.finish(TASK_UNITS)
    _totals(report, rows, len(rows) - len(stored))
    report.seconds = round(time.monotonic() - started, 3)
    return report


def describe_method(config: PartitionConfig) -> str:
    """The method and its settings in words, for the report."""
    if config.method == "ece":
        order = (f"random (SHA-256 of '{config.seed}:<id>')" if config.unit_sampling == "random"
                 else f"{config.unit_sampling}, units without a loss last")
        return (f"ece: entities and relations by {order}, grown breadth-first to {config.max_units_per_community} "
                f"units / {config.max_tokens_per_community} tokens")
    if config.method in ("bfs", "dfs"):
        walk = "breadth-first" if config.method == "bfs" else "depth-first (one relation from each entity)"
        return (f"{config.method}: entities and relations in random order (seed {config.seed}), grown {walk} "
                f"to {config.max_units_per_community} units")
    if config.method == "anchor_bfs":
        anchors = (f"the entities {', '.join(config.anchor_ids)}" if config.anchor_ids
                   else f"entities whose type contains {' or '.join(config.anchor_type)}")
        return (f"anchor_bfs: {anchors} in random order (seed {config.seed}), grown breadth-first to "
                f"{config.max_units_per_community} units")
    if config.method in ("triple", "quintuple"):
        shape = "entity-relation-entity" if config.method == "triple" else "two relations around an entity"
        return (f"{config.method}: {shape}, in breadth-first order from entities in random order "
                f"(seed {config.seed})")
    scope = "the largest connected component" if config.use_lcc else "every entity with a relation"
    return (f"community: label propagation over {scope} (seed {config.seed}), "
            f"communities cut into batches of {config.max_size} entities")


def _check_run(graph: Graph, run_id: str, config_hash: str, dry_run: bool, report: PartitionReport) -> list[str]:
    """The ids of the run's unbroken prefix of stored batches (batches past a gap are dropped)."""
    state = graph.read_row("partition/unit_run_state", {"run_id": run_id}) or {}
    others = [h for h in state.get("config_hashes") or [] if h != config_hash]
    if others:
        raise ConfigError(f"partition run {run_id!r} was cut with other settings (config hash {others[0]}, now "
                          f"{config_hash}); use the same settings to resume it, or a new run id")
    ids, indexes, used = state.get("ids") or [], state.get("indexes") or [], state.get("used") or []
    prefix = 0
    while prefix < len(indexes) and indexes[prefix] == prefix:
        prefix += 1
    if prefix < len(ids):
        if any(used[prefix:]):
            raise StageError(STAGE, f"partition run {run_id!r} lacks batch {prefix} but has later batches that QA "
                             "were generated from: it cannot be resumed exactly; start a new run (a new run id)")
        if dry_run:
            raise StageError(STAGE, f"partition run {run_id!r} stopped with batches stored past batch {prefix}: "
                             "resume it without --dry-run (they are dropped and cut again)")
        dropped = graph.run("partition/truncate_run", {"run_id": run_id, "from_index": prefix})[0]["dropped"]
        report.notes.append(f"resumed from batch {prefix}: {dropped} batches stored past a gap were dropped "
                            "and cut again")
    elif prefix:
        report.notes.append(f"resumed: {prefix} batches were stored already")
    return list(ids[:prefix])


def _apply_counts(row: dict[str, Any], counts: dict[str, int]) -> None:
    """Use token counts a dry run made but did not write (and those written while the scan ran)."""
    if not counts:
        return
    for ids, tokens in (("entity_ids", "entity_tokens"), ("relation_ids", "relation_tokens")):
        values = row.get(tokens) or []
        for position, item_id in enumerate(row.get(ids) or []):
            if item_id in counts:
                values[position] = counts[item_id]


def _communities(graph: Graph, units: UnitGraph, config: PartitionConfig, run_id: str, dry_run: bool,
                 report: PartitionReport, progress: Progress) -> list[list[int]]:
    """Label propagation (in Neo4j; in Python for a dry run), the communities cut to ``max_size``
    entities, their ids written on the entities; each piece's units (entities, then its relations)."""
    entities = community_entities(units, config.use_lcc)
    first = initial_labels(units, entities, config.seed)
    if dry_run:
        labels, rounds = label_propagation(units, config)
    else:
        labels, rounds = _propagate_in_neo4j(graph, units, first, config.max_iterations, progress)
    report.communities = len(set(labels.values()))
    report.notes.append(f"label propagation: {rounds} rounds"
                        + (" (max_iterations reached: labels still moving)" if rounds == config.max_iterations else ""))
    pieces = split_communities(labels, first, config.max_size)
    if not dry_run:
        piece_of = [(units.entity_keys[e], p) for p, members in enumerate(pieces) for e in members]
        for position, chunk in enumerate(batched(piece_of, _CHUNK)):
            graph.run("partition/community_write", {"run_id": run_id, "clear": position == 0,
                                                    "keys": [k for k, _ in chunk], "communities": [p for _, p in chunk]})
        if not piece_of:
            graph.run("partition/community_write", {"run_id": run_id, "clear": True, "keys": [], "communities": []})
    return list(community_batches(units, pieces))


def _propagate_in_neo4j(graph: Graph, units: UnitGraph, first: dict[int, int], max_iterations: int,
                        progress: Progress) -> tuple[dict[int, int], int]:
    """Rounds of community_round.cypher (a group of entities after another: ``units.GROUPS``) until
    no label changes (or ``max_iterations``); the labels read back."""
    graph.run("partition/community_clear")
    order = sorted(first)
    keys = [units.entity_keys[e] for e in order]
    for chunk in batched(list(zip(keys, (first[e] for e in order))), _CHUNK):
        graph.run("partition/community_init", {"keys": [k for k, _ in chunk], "labels": [v for _, v in chunk]})
    groups = [[units.entity_keys[e] for e in order if first[e] % GROUPS == g] for g in range(GROUPS)]
    progress.start(TASK_ROUNDS, total=max_iterations)
    rounds = 0
    by_key = {units.entity_keys[e]: label for e, label in first.items()}
    while rounds < max_iterations:
        changed = 0
        for group in groups:
            for chunk in batched(group, _CHUNK):
                changed += graph.run("partition/community_round", {"keys": chunk})[0]["changed"]
            for chunk in batched(group, _CHUNK):
                row = graph.run("partition/community_swap", {"keys": chunk})[0]
                by_key.update(zip(row["keys"], row["labels"]))
        rounds += 1
        progress.advance(TASK_ROUNDS, 1, changed=changed)
        if not changed:
            break
    progress.finish(TASK_ROUNDS)
    graph.run("partition/community_clear")
    position = {key: e for e, key in zip(order, keys)}
    return {position[key]: label for key, label in by_key.items()}, rounds


def _row(units: UnitGraph, run_id: str, config: PartitionConfig, index: int, community: list[int]) -> dict[str, Any]:
    entities = [u for u in community if units.is_entity(u)]
    relations = [u - units.entities for u in community if not units.is_entity(u)]
    seed = community[0]
    seed_id = f"community-{index}" if config.method == "community" else units.unit_id(seed)
    losses = [loss for loss in map(units.loss, community) if loss is not None]
    return {
        "id": batch_id(run_id, seed_id), "index": index, "seed_id": seed_id, "method": config.method,
        "seed_relation_id": None if config.method == "community" or units.is_entity(seed) else units.unit_id(seed),
        "relation_ids": [units.relation_ids[j] for j in relations],
        "relation_keys": [units.relation_keys[j] for j in relations],
        "entity_ids": [units.entity_ids[e] for e in entities],
        "entity_keys": [units.entity_keys[e] for e in entities],
        "tokens": sum(map(units.tokens, community)),
        "mean_loss": sum(losses) / len(losses) if losses else None,
    }


def _totals(report: PartitionReport, rows: list[dict[str, Any]], new: int) -> None:
    histogram: dict[int, int] = {}
    for row in rows:
        size = len(row["relation_ids"])
        histogram[size] = histogram.get(size, 0) + 1
        report.tokens_total += row["tokens"]
        report.tokens_max = max(report.tokens_max, row["tokens"])
    report.size_histogram = dict(sorted(histogram.items()))
    report.batches = len(rows)
    report.isolated_batches = histogram.get(0, 0)
    report.relation_batches = report.batches - report.isolated_batches
    report.relations_in_batches = sum(len(row["relation_ids"]) for row in rows)
    report.batches_new = new
