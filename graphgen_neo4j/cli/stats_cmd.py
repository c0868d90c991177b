"""``graphgen-neo4j stats``: what the graph holds, from Neo4j."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from graphgen_neo4j.cli._app import app, config_option, console, handle_errors, print_json
from graphgen_neo4j.context import load_context
from graphgen_neo4j.runs.distributions import text_histogram
from graphgen_neo4j.runs.kg_quality import graph_quality
from graphgen_neo4j.runs.report import graph_summary


@app.command()
@handle_errors
def stats(
    config_file: Path | None = config_option("Pipeline config (YAML): its neo4j section. Environment/.env wins over it."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    runs: int = typer.Option(5, help="How many recent runs to list."),
) -> None:
    """Documents, chunks, entities, relations, aliases, judged relations and mean loss, batches, QA by mode, runs;
    the graph's quality: isolated entities, largest connected component, degrees, relation description lengths."""
    with load_context(config_file).connect() as graph:
        counts = graph.read("stats/counts")[0]
        by_mode = graph.read("stats/qa_by_mode")
        history = graph.read("runs/history", {"limit": runs})
        quality = graph_quality(graph)
    if as_json:
        print_json({"counts": counts, "qa_by_mode": by_mode, "runs": history, "graph_quality": quality.model_dump()})
        return
    table = Table(title="graph", show_header=False)
    mean_loss = counts["mean_loss"]
    rows = [
        ("documents", counts["documents"]),
        ("chunks", f"{counts['chunks']} ({counts['chunks_extracted']} extracted, {counts['chunks_failed']} failed)"),
        ("entities", f"{counts['entities']} ({counts['entities_excluded']} excluded)"),
        ("aliases", counts["aliases"]),
        ("relations", f"{counts['relations']} ({counts['relations_excluded']} excluded)"),
        ("relations quizzed", counts["relations_quizzed"]),
        ("relations judged", counts["relations_judged"]),
        ("mean loss", "—" if mean_loss is None else f"{mean_loss:.4f}"),
        ("batches", counts["batches"]),
        ("QA", f"{counts['qa']} ({counts['qa_stale']} stale)"),
        ("proposed duplicates", counts["duplicates_proposed"]),
        ("runs", counts["runs"]),
    ]
    rows += [(f"  QA {row['mode']}", f"{row['qa']} (+{row['stale']} stale)") for row in by_mode]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    quality_table = Table(title="graph quality (excluded entities and relations left out)", show_header=False)
    for name, value in graph_summary(quality):
        quality_table.add_row(name, value)
    console.print(quality_table)
    if quality.degree.count:
        console.print("entity degree (relations per entity):")
        for line in text_histogram(quality.degree):
            console.print("  " + line, highlight=False)
    if history:
        recent = Table(title="recent runs")
        for column in ("id", "command", "status", "started_at", "llm_calls", "tokens"):
            recent.add_column(column)
        for run in history:
            recent.add_row(*(str(run[c]) if run[c] is not None else "" for c in ("id", "command", "status", "started_at", "llm_calls", "tokens")))
        console.print(recent)
