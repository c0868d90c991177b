"""``graphgen-neo4j ingest PATH…``: documents into the knowledge graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from graphgen_neo4j.cli._app import app, console, err_console, handle_errors, print_json
from graphgen_neo4j.cli._stage import llm_client, print_ledger, recorded
from graphgen_neo4j.config import load_config
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import ConfigError, InputError
from graphgen_neo4j.ingest.stage import IngestConfig, IngestReport, config_from_pipeline, ingest
from graphgen_neo4j.llm import DEFAULT_CACHE_PATH, TokenLedger
from graphgen_neo4j.progress import Progress
from graphgen_neo4j.runs.record import RunRecorder


def _build_config(config_file: Path | None, **flags: Any) -> tuple[IngestConfig, list[Path], Any]:
    pipeline = load_config(config_file) if config_file is not None else None
    try:
        if pipeline is not None:
            config = config_from_pipeline(pipeline, **flags)
        else:
            config = IngestConfig(**{k: v for k, v in flags.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{key}: {message}" if key else message) from None
    inputs = pipeline.input_paths() if pipeline is not None else []
    return config, inputs, pipeline


@app.command("ingest")
@handle_errors
def ingest_command(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders: .jsonl (one {\"content\"} per line), .json (list of lists of {\"content\"}), .txt, .md. "
        "Default: input_file of --config.", show_default=False,
    ),
    config_file: Path = typer.Option(None, "--config", "-c", dir_okay=False, help="Pipeline config (YAML, upstream keys accepted)."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad input record instead of skipping and counting it."),
    chunk_size: int = typer.Option(None, min=32, help="Maximum tokens per chunk (default 1024)."),
    chunk_overlap: int = typer.Option(None, min=0, help="Tokens of whole sentences shared by neighbouring chunks (default 100, or a tenth of a smaller --chunk-size)."),
    data_type: str = typer.Option(None, help="raw (JSONL), chunked (JSON list of lists), text, or auto from the file (default auto)."),
    max_gleaning: int = typer.Option(None, min=0, max=5, help="Extra 'what did you miss' calls per chunk (default 1)."),
    max_description_tokens: int = typer.Option(None, min=32, help="Summarize combined descriptions longer than this (default 300)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the LLM response cache."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON (no progress bars)."),
) -> None:
    """Read documents, chunk them, extract entities and relations with the synthesizer (SYNTHESIZER_*), merge them into Neo4j.

    Documents and chunks already in the graph are skipped (no LLM call); a changed document replaces
    its older version; an interrupted run continues where it stopped.
    """
    config, inputs, pipeline = _build_config(
        config_file, strict=strict or None, chunk_size=chunk_size, chunk_overlap=chunk_overlap, data_type=data_type,
        max_gleaning=max_gleaning, max_description_tokens=max_description_tokens,
    )
    paths = list(paths or inputs)
    if not paths:
        raise InputError("no input: give files or folders, or a --config with input_file")
    ledger = TokenLedger()
    synthesizer = llm_client(
        "synthesizer", ledger, use_cache=not no_cache and (pipeline is None or pipeline.llm.cache),
        cache_path=pipeline.llm.cache_path if pipeline is not None else DEFAULT_CACHE_PATH,
        file_settings=pipeline.llm.synthesizer.model_dump() if pipeline is not None else None,
    )
    with Graph.connect() as graph:
        graph.init_schema()  # idempotent: the merge needs the constraints

        async def run(progress: Progress, recorder: RunRecorder) -> IngestReport:
            async with synthesizer:
                with recorder.stage("ingest"):
                    return await ingest(paths, graph=graph, synthesizer=synthesizer, config=config, progress=progress)

        report = recorded(graph, "ingest", {**config.model_dump(), "paths": [str(p) for p in paths]}, ledger, run,
                          quiet=as_json, counts=lambda r: r.model_dump(exclude={"issues", "failures"}))
    if as_json:
        print_json({**report.model_dump(), "ledger": ledger.to_dict()})
    else:
        _print_report(report)
        print_ledger(ledger)
    if report.chunks_failed:
        err_console.print(
            f"[red]{report.chunks_failed} chunk(s) failed[/red]: they keep their error and raw reply "
            "(MATCH (c:Chunk {status: 'failed'}) RETURN c.error, c.raw_reply); run the same command again to retry them",
            highlight=False,
        )
        raise typer.Exit(code=1)


def _print_report(report: IngestReport) -> None:
    table = Table(title="ingest", show_header=False)
    table.add_column("what")
    table.add_column("this run", justify="right")
    rows: list[tuple[str, Any]] = [
        ("input files", report.files),
        ("documents read (new / changed / unchanged)",
         f"{report.documents} ({report.documents_new} / {report.documents_changed} / {report.documents_unchanged})"),
        ("documents removed (no source holds them)", report.documents_removed),
        ("bad records skipped", report.bad_records),
        ("chunks in the inputs", report.chunks),
        ("chunks extracted / failed", f"{report.chunks_extracted} / {report.chunks_failed}"),
        ("chunks removed (older versions)", report.chunks_removed),
        ("entities created / removed", f"{report.entities_created} / {report.entities_removed}"),
        ("relations created / removed", f"{report.relations_created} / {report.relations_removed}"),
        ("aliases created", report.aliases_created),
        ("items found by gleaning", report.gleaned_items),
        ("unusable items dropped", report.dropped_items),
        ("duplicates proposed (SAME_AS)", report.duplicates_proposed),
        ("descriptions summarized (failed)", f"{report.summaries} ({report.summary_failures})"),
        ("LLM calls (+ cached)", f"{report.llm_calls} (+{report.cached_calls})"),
        ("tokens in / out", f"{report.prompt_tokens} / {report.completion_tokens}"),
        ("seconds", f"{report.seconds:.1f}"),
        ("graph now: documents / chunks", f"{report.documents_total} / {report.chunks_total}"),
        ("graph now: chunks pending / failed", f"{report.chunks_pending_total} / {report.chunks_failed_total}"),
        ("graph now: entities / relations / aliases",
         f"{report.entities_total} / {report.relations_total} / {report.aliases_total}"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    for issue in report.issues[:10]:
        where = f"{issue.path}:{issue.line}" if issue.line is not None else issue.path
        console.print(f"[yellow]skipped[/yellow] {escape(where)}: {escape(issue.message)}", highlight=False)
    if report.bad_records > 10:
        console.print(f"… and {report.bad_records - 10} more bad records", highlight=False)
    for failure in report.failures[:10]:
        console.print(f"[red]failed[/red] {failure.chunk_id}: {escape(failure.error)}", highlight=False)
