"""``graphgen-neo4j partition``: cut the graph into batches (or show what would be cut)."""

from __future__ import annotations

import asyncio
from enum import Enum
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import ValidationError
from rich.table import Table

from graphgen_neo4j.cli._app import RichProgress, app, console, err_console, handle_errors, print_json
from graphgen_neo4j.cli._stage import recorded
from graphgen_neo4j.config import TraverseStrategy
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.llm import TokenLedger
from graphgen_neo4j.partition.stage import PartitionConfig, PartitionReport, partition
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.runs.record import RunRecorder

DRY_RUN_ID = "partition-dry-run"
_BAR_WIDTH = 40


class EdgeSampling(str, Enum):
    max_loss = "max_loss"
    min_loss = "min_loss"
    random = "random"


class ExpandMethod(str, Enum):
    max_width = "max_width"
    max_tokens = "max_tokens"


class IsolatedNodes(str, Enum):
    ignore = "ignore"
    add = "add"


class LossStrategy(str, Enum):
    only_edge = "only_edge"
    both = "both"


def traverse_strategy(config_file: Path) -> TraverseStrategy:
    """The ``traverse_strategy`` section of a pipeline config file (the rest is not needed here)."""
    try:
        data = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read config {config_file}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_file}: invalid YAML ({exc})") from None
    section = data.get("traverse_strategy", {}) if isinstance(data, dict) else None
    try:
        return TraverseStrategy.model_validate(section)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{config_file}: traverse_strategy: {problems}") from None


def build_config(config_file: Path | None, flags: dict[str, Any]) -> PartitionConfig:
    """``traverse_strategy`` of the config file (upstream keys), then the flags given."""
    values: dict[str, Any] = {}
    if config_file is not None:
        values = traverse_strategy(config_file).model_dump(include=set(PartitionConfig.model_fields))
    values.update({k: (v.value if isinstance(v, Enum) else v) for k, v in flags.items() if v is not None})
    return PartitionConfig(**values)


@app.command("partition")
@handle_errors
def partition_command(
    config_file: Path | None = typer.Option(None, "--config", "-c", help="Pipeline config (YAML): its traverse_strategy."),
    bidirectional: bool | None = typer.Option(
        None, "--bidirectional/--forward",
        help="Grow from both entities of the seed along relations in either direction (default), "
             "or only from its target along outgoing relations."),
    edge_sampling: EdgeSampling | None = typer.Option(None, "--edge-sampling", help="Seed order (default max_loss)."),
    expand_method: ExpandMethod | None = typer.Option(
        None, "--expand-method", help="max_width: cap on extra relations; max_tokens: cap on description tokens."),
    isolated_node_strategy: IsolatedNodes | None = typer.Option(
        None, "--isolated-node-strategy", help="add: one batch for each entity no batch covers (default ignore)."),
    max_depth: int | None = typer.Option(None, "--max-depth", min=1, help="Levels a batch grows (default 2)."),
    max_extra_edges: int | None = typer.Option(
        None, "--max-extra-edges", min=0, help="max_width: relations added to the seed (default 5)."),
    max_tokens: int | None = typer.Option(
        None, "--max-tokens", min=1, help="max_tokens: description tokens per batch (default 256)."),
    loss_strategy: LossStrategy | None = typer.Option(
        None, "--loss-strategy", help="only_edge: order by relation loss; both: plus its entities' losses."),
    seed: int | None = typer.Option(None, "--seed", help="Seed of --edge-sampling random."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be cut; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Cut the knowledge graph into batches (subgraphs) that QA are generated from.

    Seeds in edge-sampling order (highest loss first by default); each batch grows around
    its seed; a relation lands in exactly one batch. Batches are :Batch nodes and every
    relation gets batch_id / batch_run_id. An interrupted run is resumed by running the
    same command again.
    """
    config = build_config(config_file, {
        "bidirectional": bidirectional, "edge_sampling": edge_sampling, "expand_method": expand_method,
        "isolated_node_strategy": isolated_node_strategy, "max_depth": max_depth,
        "max_extra_edges": max_extra_edges, "max_tokens": max_tokens, "loss_strategy": loss_strategy, "seed": seed,
    })
    with Graph.connect() as graph:
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
    console.print(f"seed order: {report.order}", highlight=False)
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
