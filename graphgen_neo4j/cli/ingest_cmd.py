"""``graphgen-neo4j ingest PATH…``: documents into the knowledge graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from graphgen_neo4j.choices import DataType
from graphgen_neo4j.cli._app import app, config_option, console, err_console, handle_errors, print_json
from graphgen_neo4j.cli._stage import checked, print_ledger, recorded, warn_partial
from graphgen_neo4j.context import load_context
from graphgen_neo4j.errors import InputError, StageFailed
from graphgen_neo4j.ingest.readers import expand_paths
from graphgen_neo4j.ingest.stage import IngestReport, config_from_pipeline, ingest
from graphgen_neo4j.llm import TokenLedger
from graphgen_neo4j.progress import Progress
from graphgen_neo4j.runs.record import RunRecorder


@app.command("ingest")
@handle_errors
def ingest_command(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders: .jsonl (one {\"content\"} per line), .json (list of lists of {\"content\"}), .txt, .md, "
        ".pdf, .html, .docx, .csv, .tsv, .parquet, a saved datasets folder, or hf:owner/name[:split]. "
        "Default: input_file of --config.", show_default=False,
    ),
    config_file: Path | None = config_option(),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad input record instead of skipping and counting it."),
    chunk_size: int | None = typer.Option(None, min=32, help="Maximum tokens per chunk (default 1024)."),
    chunk_overlap: int | None = typer.Option(None, min=0, help="Tokens of whole sentences shared by neighbouring chunks (default 100, or a tenth of a smaller --chunk-size)."),
    data_type: DataType | None = typer.Option(None, help="raw (JSONL), chunked (JSON list of lists), text, or auto from the file (default auto)."),
    text_column: str | None = typer.Option(None, help="CSV / Parquet / datasets: the column holding the text (default: content, else text)."),
    max_gleaning: int | None = typer.Option(None, min=0, max=5, help="Extra 'what did you miss' calls per chunk (default 1)."),
    max_description_tokens: int | None = typer.Option(None, min=32, help="Summarize combined descriptions longer than this (default 300)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the LLM response cache."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON (no progress bars)."),
) -> None:
    """Read documents, chunk them, extract entities and relations with the synthesizer (SYNTHESIZER_*), merge them into Neo4j.

    Documents and chunks already in the graph are skipped (no LLM call); a changed document replaces
    its older version; an interrupted run continues where it stopped.
    """
    context = load_context(config_file, {"data_type": data_type, "text_column": text_column}, no_cache=no_cache)
    config = config_from_pipeline(
        context.config, strict=strict or None, chunk_size=chunk_size, chunk_overlap=chunk_overlap,
        max_gleaning=max_gleaning, max_description_tokens=max_description_tokens,
    )
    paths = list(paths or context.config.input_paths())
    if not paths:
        raise InputError("no input: give files or folders, or a --config with input_file")
    expand_paths(paths)  # a missing path or a folder with nothing to read fails now, before any work
    ledger = context.ledger
    synthesizer = context.synthesizer()
    with context.connect() as graph:
        graph.init_schema()  # idempotent: the merge needs the constraints

        async def run(progress: Progress, recorder: RunRecorder) -> IngestReport:
            async with synthesizer:
                with recorder.stage("ingest"):
                    return checked(await ingest(paths, graph=graph, synthesizer=synthesizer, config=config, progress=progress))

        try:
            report = recorded(graph, "ingest", {**config.model_dump(), "paths": [str(p) for p in paths]}, ledger, run,
                              quiet=as_json, counts=lambda r: r.model_dump(exclude={"issues", "failures"}))
        except StageFailed as exc:  # every chunk failed: the report, then the one line (exit 1)
            if isinstance(exc.report, IngestReport):
                _print_result(exc.report, ledger, as_json)
            raise
    _print_result(report, ledger, as_json)


def _print_result(report: IngestReport, ledger: TokenLedger, as_json: bool) -> None:
    if as_json:
        print_json({**report.model_dump(), "ledger": ledger.to_dict()})
    else:
        _print_report(report)
        print_ledger(ledger)
    if report.chunks_failed:
        err_console.print(
            f"[yellow]{report.chunks_failed} chunk(s) failed[/yellow]: they keep their error and raw reply "
            "(MATCH (c:Chunk {status: 'failed'}) RETURN c.error, c.raw_reply); run the same command again to retry them",
            highlight=False,
        )
    warn_partial(report)


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
