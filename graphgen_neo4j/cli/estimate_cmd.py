"""``graphgen-neo4j estimate``: expected LLM calls and tokens, without calling an LLM."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from graphgen_neo4j.cli._app import app, console, err_console, handle_errors, print_json
from graphgen_neo4j.context import load_context
from graphgen_neo4j.errors import Neo4jUnavailable
from graphgen_neo4j.ingest.readers import expand_paths
from graphgen_neo4j.runs.estimate import estimate


@app.command("estimate")
@handle_errors
def estimate_command(
    config_path: Path = typer.Option(..., "--config", "-c", exists=True, dir_okay=False, help="Pipeline config (YAML)."),
    relations_per_sentence: float | None = typer.Option(
        None, min=0.01, help="Assumed relations per sentence (default: calibrated from the graph, else 1.3)."),
    max_gleaning: int | None = typer.Option(None, min=0, max=5, help="Gleaning passes per chunk (default 1)."),
    skip_judge: bool = typer.Option(False, "--skip-judge", help="Estimate a run without quiz and judge."),
    no_graph: bool = typer.Option(False, "--no-graph", help="Do not look at Neo4j (no calibration, nothing counted as done)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Chunks, expected LLM calls and tokens per stage, from the input and the config."""
    context = load_context(config_path, {"judge.skip": True if skip_judge else None})
    config = context.config
    expand_paths(config.require_input(str(config_path)))
    graph = None
    if not no_graph:
        try:
            graph = context.connect()
        except Neo4jUnavailable as exc:
            err_console.print(f"[yellow]estimating without the graph:[/yellow] {exc}")
    try:
        result = estimate(config, graph=graph, relations_per_sentence=relations_per_sentence,
                          max_gleaning=max_gleaning,
                          judging=context.trainee_configured())
    finally:
        if graph is not None:
            graph.close()
    if as_json:
        print_json({**result.model_dump(), "calls": result.calls, "tokens": result.tokens})
        return
    console.print(f"{result.documents} documents, {result.chunks} chunks, {result.input_tokens} tokens, "
                  f"{result.sentences} sentences; {result.chunks_already_extracted} chunks already extracted")
    console.print(f"expected relations: {result.relations} ({result.relations_basis}); batches: ~{result.batches}")
    table = Table(title="expected LLM work")
    for column in ("stage", "calls", "tokens in", "tokens out", "how"):
        table.add_column(column, justify="right" if column.startswith(("calls", "tokens")) else "left")
    for stage in result.stages:
        table.add_row(stage.stage, str(stage.calls), str(stage.prompt_tokens), str(stage.completion_tokens), stage.basis)
    table.add_row("total", str(result.calls), str(sum(s.prompt_tokens for s in result.stages)),
                  str(sum(s.completion_tokens for s in result.stages)), "")
    console.print(table)
