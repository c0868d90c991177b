"""``graphgen-neo4j partition``: cut the graph into batches (or show what would be cut)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.table import Table

from graphgen_neo4j.choices import (
    EdgeSampling,
    ExpandMethod,
    IsolatedNodeStrategy,
    LossStrategy,
    PartitionMethod,
    UnitSampling,
)
from graphgen_neo4j.cli._app import RichProgress, app, config_option, console, err_console, handle_errors, print_json
from graphgen_neo4j.cli._stage import recorded
from graphgen_neo4j.context import load_context
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.llm import TokenLedger
from graphgen_neo4j.partition.stage import PartitionConfig, PartitionReport, partition
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.runs.record import RunRecorder

DRY_RUN_ID = "partition-dry-run"
_BAR_WIDTH = 40


@app.command("partition")
@handle_errors
def partition_command(
    config_file: Path | None = config_option("Pipeline config (YAML): its traverse_strategy (and neo4j section)."),
    bidirectional: bool | None = typer.Option(
        None, "--bidirectional/--forward",
        help="Grow from both entities of the seed along relations in either direction (default), "
             "or only from its target along outgoing relations."),
    edge_sampling: EdgeSampling | None = typer.Option(None, "--edge-sampling", help="Seed order (default max_loss)."),
    expand_method: ExpandMethod | None = typer.Option(
        None, "--expand-method", help="max_width: cap on extra relations; max_tokens: cap on description tokens."),
    isolated_node_strategy: IsolatedNodeStrategy | None = typer.Option(
        None, "--isolated-node-strategy", help="add: one batch for each entity no batch covers (default ignore)."),
    max_depth: int | None = typer.Option(None, "--max-depth", min=1, help="Levels a batch grows (default 2)."),
    max_extra_edges: int | None = typer.Option(
        None, "--max-extra-edges", min=0, help="max_width: relations added to the seed (default 5)."),
    max_tokens: int | None = typer.Option(
        None, "--max-tokens", min=1, help="max_tokens: description tokens per batch (default 256)."),
    loss_strategy: LossStrategy | None = typer.Option(
        None, "--loss-strategy", help="only_edge: order by relation loss; both: plus its entities' losses."),
    seed: int | None = typer.Option(None, "--seed", help="Seed of --edge-sampling random (and of every random order)."),
    method: PartitionMethod | None = typer.Option(
        None, "--method", help="traverse (default), ece, bfs, dfs, community, anchor_bfs, triple or quintuple "
                               "(docs/partition.md)."),
    max_units: int | None = typer.Option(
        None, "--max-units-per-community", min=1,
        help="ece, bfs, dfs, anchor_bfs: entities + relations per batch (default 10)."),
    min_units: int | None = typer.Option(
        None, "--min-units-per-community", min=1, help="ece: smaller communities are dropped (default 1)."),
    max_community_tokens: int | None = typer.Option(
        None, "--max-tokens-per-community", min=1, help="ece: description tokens per batch (default 10240)."),
    unit_sampling: UnitSampling | None = typer.Option(
        None, "--unit-sampling", help="ece: unit order (default max_loss)."),
    max_size: int | None = typer.Option(
        None, "--max-size", min=1, help="community: entities per batch (default 20)."),
    use_lcc: bool | None = typer.Option(
        None, "--use-lcc/--all-components", help="community: only the largest connected component."),
    max_iterations: int | None = typer.Option(
        None, "--max-iterations", min=1, help="community: label propagation rounds at most (default 20)."),
    anchor_type: list[str] | None = typer.Option(
        None, "--anchor-type", help="anchor_bfs: seed only entities whose type contains this (any case; repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be cut; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Cut the knowledge graph into batches (subgraphs) that QA are generated from.

    Seeds in edge-sampling order (highest loss first by default); each batch grows around
    its seed; a relation lands in exactly one batch. Batches are :Batch nodes and every
    relation gets batch_id / batch_run_id. An interrupted run is resumed by running the
    same command again.
    """
    flags = {
        "bidirectional": bidirectional, "edge_sampling": edge_sampling, "expand_method": expand_method,
        "isolated_node_strategy": isolated_node_strategy, "max_depth": max_depth,
        "max_extra_edges": max_extra_edges, "max_tokens": max_tokens, "loss_strategy": loss_strategy,
    }
    method_params = {
        "max_units_per_community": max_units, "min_units_per_community": min_units,
        "max_tokens_per_community": max_community_tokens, "unit_sampling": unit_sampling, "max_size": max_size,
        "use_lcc": use_lcc, "max_iterations": max_iterations, "anchor_type": anchor_type or None,
    }
    context = load_context(config_file, {**{f"traverse_strategy.{k}": v for k, v in flags.items()},
                                         "partition.method": method,
                                         **{f"partition.method_params.{k}": v for k, v in method_params.items()}})
    config = context.stages.partition
    if seed is not None:
        config = config.model_copy(update={"seed": seed})
    with context.connect() as graph:
        if dry_run:
            report = _cut(graph, config, DRY_RUN_ID, dry_run=True, quiet=as_json)
        else:
            async def work(progress: Progress, recorder: RunRecorder) -> PartitionReport:
                with recorder.stage("partition"):
                    return await asyncio.to_thread(partition, graph=graph, config=config, run_id=recorder.run_id,
                                                   progress=progress)

            report = recorded(graph, "partition", {"partition": config.model_dump(exclude={"wave_size"})},
                              TokenLedger(), work, quiet=as_json, counts=lambda r: {"partition": r.model_dump()})
    if as_json:
        print_json(report.model_dump())
    else:
        print_report(report)


def _cut(graph: Graph, config: PartitionConfig, run_id: str, *, dry_run: bool, quiet: bool) -> PartitionReport:
    if quiet:
        return partition(graph=graph, config=config, run_id=run_id, dry_run=dry_run, progress=NullProgress())
    with RichProgress() as progress:
        return partition(graph=graph, config=config, run_id=run_id, dry_run=dry_run, progress=progress)


def print_report(report: PartitionReport) -> None:
    title = "partition (dry run: nothing written)" if report.dry_run else f"partition {report.run_id}"
    summary = Table(title=title, show_header=False)
    summary.add_column("what")
    summary.add_column("value", justify="right")
    new = "" if report.batches_new == report.batches else f" ({report.batches_new} new)"
    summary.add_row("batches", f"{report.batches}{new}")
    summary.add_row("  around relations", str(report.relation_batches))
    summary.add_row("  isolated entities", str(report.isolated_batches))
    summary.add_row("relations in batches", f"{report.relations_in_batches} of {report.relations} usable")
    summary.add_row("relations excluded", str(report.relations_excluded))
    summary.add_row("relations without loss", str(report.relations_without_loss))
    mean = f"{report.tokens_mean:.1f}" if report.tokens_mean is not None else "-"
    summary.add_row("description tokens", f"{report.tokens_total} (mean {mean}, max {report.tokens_max})")
    summary.add_row("descriptions (re)counted", str(report.token_counts_refreshed))
    summary.add_row("seconds", f"{report.seconds:.1f}")
    console.print(summary)
    if report.units_dropped:
        why = ("communities below min_units_per_community" if report.method == "ece"
               else "reached by no anchor" if report.method == "anchor_bfs" else "not in any batch")
        console.print(f"units dropped ({why}): {report.units_dropped}")
    if report.communities is not None:
        console.print(f"communities found: {report.communities}")
    console.print(f"{'seed order' if report.method == 'traverse' else 'method'}: {report.order}", highlight=False)
    if report.size_histogram:
        histogram = Table(title="batch sizes")
        histogram.add_column("relations", justify="right")
        histogram.add_column("batches", justify="right")
        histogram.add_column("")
        largest = max(report.size_histogram.values())
        for size, count in report.size_histogram.items():
            bar = "█" * max(1, round(_BAR_WIDTH * count / largest))
            histogram.add_row(str(size) if size else "0 (entity)", str(count), bar)
        console.print(histogram)
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    if not report.batches:
        err_console.print("[yellow]no batches: the graph has no usable relations[/yellow]"
                          + ("" if report.isolated_batches else " (and isolated entities are ignored)"))
