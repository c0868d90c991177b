"""``graphgen-neo4j generate`` (QA from the batches, then export) and ``graphgen-neo4j export``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from graphgen_neo4j.choices import ExportFormat, parse_mix, parse_mode
from graphgen_neo4j.cli._app import app, config_option, console, err_console, handle_errors, print_json
from graphgen_neo4j.cli._stage import checked, print_ledger, recorded, warn_if_canned, warn_partial
from graphgen_neo4j.context import Context, load_context
from graphgen_neo4j.errors import ConfigError, StageFailed
from graphgen_neo4j.generate.config import GenerateReport
from graphgen_neo4j.generate.export import FORMATS, ExportReport, export_qa, json_lines_for, parse_format
from graphgen_neo4j.generate.stage import generate
from graphgen_neo4j.llm import DEFAULT_CACHE_PATH, TokenLedger
from graphgen_neo4j.progress import Progress
from graphgen_neo4j.runs.record import RunRecorder

FORMAT_HELP = (f"Record format, named after what loads it: {', '.join(FORMATS)} (chatml = messages; "
               "TRL wants messages or prompt-completion).")
SYSTEM_HELP = "A system prompt put before every question (default none; `run` takes it from output.system_prompt)."
OVERWRITE_HELP = "Replace an existing dataset even with an empty or smaller one (the old one is kept as <name>.prev)."
OUTPUT_HELP = "File to write: .jsonl (one record a line) or .json (one array). Written whole or not at all."


def _modes(values: list[str]) -> list[str]:
    try:
        return [parse_mode(name) for value in values for name in value.split(",") if name.strip()]
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--mode") from None


def _check_output(output: Path, fmt: str) -> ExportFormat:
    try:
        json_lines_for(output)
        return parse_format(fmt)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--output/--format") from None


def _output(output: Path | None, fmt: str | None, context: Context) -> tuple[Path, ExportFormat]:
    """--output/--format, else the config's output section (its defaults without one)."""
    path = output or Path(context.config.output.path)
    return path, _check_output(path, fmt or context.config.output.format)


@app.command("generate")
@handle_errors
def generate_command(
    output: Path | None = typer.Option(None, "--output", "-o", help=OUTPUT_HELP + " Default: output.path of --config."),
    config_file: Path | None = config_option(),
    mode: list[str] = typer.Option(
        [], "--mode", "-m",
        help="atomic, aggregated (upstream's 'open'), multi_hop, cot, multi_choice, multi_answer, fill_in_blank or true_false; repeat or comma-separate. "
             "Default: aggregated, or the modes named in --mix.",
    ),
    fmt: str | None = typer.Option(None, "--format", "-f", help=FORMAT_HELP + " Default: output.format of --config, else alpaca."),
    max_qa: int | None = typer.Option(None, "--max-qa", min=1, help="Cap on the number of QA (all modes together)."),
    min_loss: float | None = typer.Option(None, "--min-loss", help="Skip batches and items whose loss is below this."),
    mix: str | None = typer.Option(None, "--mix", help="Share of each mode, e.g. aggregated=0.5,multi_hop=0.3,atomic=0.2."),
    with_metadata: bool = typer.Option(False, "--with-metadata", help="Add mode, loss, ids and run id to each record."),
    system_prompt: str | None = typer.Option(None, "--system-prompt", help=SYSTEM_HELP),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    partition_run: str | None = typer.Option(None, "--partition-run", help="Use this partition run's batches (default: the latest)."),
    concurrency: int | None = typer.Option(None, "--concurrency", min=1, help="QA written at once (default 8)."),
    cache: Path | None = typer.Option(None, "--cache", help=f"LLM response cache (SQLite file; default llm.cache_path, else {DEFAULT_CACHE_PATH})."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the response cache."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Write QA from the partition's batches with the synthesizer, store them in Neo4j, export them.

    Highest-loss batches first. Run the same command again to resume an interrupted run:
    units that already have a QA are not asked again.
    """
    overrides: dict[str, Any] = {
        "generation.max_qa": max_qa, "generation.min_loss": min_loss, "generation.max_concurrency": concurrency,
        "output.with_metadata": True if with_metadata else None, "llm.cache_path": str(cache) if cache else None,
        "output.system_prompt": system_prompt, "output.overwrite": True if overwrite else None,
    }
    if mode:
        overrides["traverse_strategy.qa_form"] = _modes(mode)
    if mix is not None:
        try:
            overrides["generation.mix"] = parse_mix(mix)
        except ConfigError as exc:
            raise typer.BadParameter(str(exc), param_hint="--mix") from None
        if not mode:
            overrides["traverse_strategy.qa_form"] = list(overrides["generation.mix"])  # --mix names the modes
    context = load_context(config_file, overrides, no_cache=no_cache)
    output, fmt_name = _output(output, fmt, context)
    out = context.config.output
    with_metadata = out.with_metadata
    config = context.stages.generate.model_copy(update={"partition_run_id": partition_run})
    ledger = context.ledger
    client = context.synthesizer()
    record = {"generate": config.model_dump(), "format": fmt_name, "output": str(output), "with_metadata": with_metadata}
    with context.connect() as graph:
        warn_if_canned(client)

        async def work(progress: Progress, recorder: RunRecorder) -> tuple[GenerateReport, ExportReport]:
            async with client:
                with recorder.stage("generate"):
                    report = checked(await generate(graph=graph, synthesizer=client, config=config, run_id=recorder.run_id,
                                                    progress=progress))
            with recorder.stage("export"):  # not reached when every unit failed: the dataset on disk stays
                exported = await asyncio.to_thread(export_qa, graph, output, fmt=fmt_name, run_id=report.run_id,
                                                   with_metadata=with_metadata, system_prompt=out.system_prompt,
                                                   overwrite=out.overwrite)
            return report, exported

        try:
            report, exported = recorded(
                graph, "generate", record, ledger, work, quiet=as_json,
                counts=lambda done: {"generate": done[0].model_dump(), "export": done[1].model_dump()},
            )
        except StageFailed as exc:  # every unit failed: the report, then the one line (exit 1)
            if isinstance(exc.report, GenerateReport):
                _print_result(exc.report, None, ledger, as_json)
            raise
    _print_result(report, exported, ledger, as_json)


def _print_result(report: GenerateReport, exported: ExportReport | None, ledger: TokenLedger, as_json: bool) -> None:
    if as_json:
        print_json({"generate": report.model_dump(), "export": exported.model_dump() if exported else None,
                    "ledger": ledger.to_dict()})
        return
    _print_report(report)
    print_ledger(ledger)
    if exported is not None:
        _print_export(exported)
    warn_partial(report)


@app.command("export")
@handle_errors
def export_command(
    output: Path | None = typer.Option(None, "--output", "-o", help=OUTPUT_HELP + " Default: output.path of --config."),
    config_file: Path | None = config_option(),
    fmt: str | None = typer.Option(None, "--format", "-f", help=FORMAT_HELP + " Default: output.format of --config, else alpaca."),
    run_id: str | None = typer.Option(None, "--run-id", help="Only the QA this generate run produced (default: every QA that is not stale)."),
    with_metadata: bool = typer.Option(False, "--with-metadata", help="Add mode, loss, ids and run id to each record."),
    system_prompt: str | None = typer.Option(None, "--system-prompt", help=SYSTEM_HELP),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Write the QA stored in Neo4j to a training file again (no LLM calls), with its dataset_info.json entry."""
    context = load_context(config_file, {"output.with_metadata": True if with_metadata else None,
                                         "output.system_prompt": system_prompt, "output.overwrite": True if overwrite else None})
    output, fmt_name = _output(output, fmt, context)
    out = context.config.output
    with context.connect() as graph:
        exported = export_qa(graph, output, fmt=fmt_name, run_id=run_id, with_metadata=out.with_metadata,
                             system_prompt=out.system_prompt, overwrite=out.overwrite)
    if as_json:
        print_json(exported.model_dump())
        return
    _print_export(exported)


def _print_export(exported: ExportReport) -> None:
    kind = "JSONL" if exported.json_lines else "JSON"
    modes = ", ".join(f"{m} {n}" for m, n in sorted(exported.by_mode.items())) or "none"
    source = f"run {exported.run_id}" if exported.run_id else "all runs"
    console.print(f"wrote {exported.records} {exported.format} records ({kind}, {source}; {modes}) to {exported.path}")
    if exported.filtered:
        console.print(f"{exported.filtered} QA excluded by `filter` were left out (`graphgen-neo4j filter --reset` "
                      "brings them back)", highlight=False)
    if exported.previous:
        console.print(f"the file it replaced is kept as {exported.previous}", highlight=False)
    if exported.dataset_info:
        console.print(f"LLaMA-Factory entry {Path(exported.path).stem!r} written to {exported.dataset_info}",
                      highlight=False)
    if exported.records == 0:
        err_console.print("[yellow]the file holds no records: no QA matched[/yellow]")


def _print_report(report: GenerateReport) -> None:
    table = Table(title=f"generate {report.run_id} (batches of {report.partition_run_id})")
    for column in ("mode", "candidates", "below min-loss", "no loss", "selected", "reused", "generated", "no QA"):
        table.add_column(column, justify="left" if column == "mode" else "right")
    for mode, m in report.modes.items():
        table.add_row(mode, str(m.candidates), str(m.below_min_loss), str(m.unjudged), str(m.selected),
                      str(m.reused), str(m.generated), str(m.no_qa))
    console.print(table)
    console.print(
        f"QA in this run: {report.qa} ({report.new_qa} new, {report.duplicate_qa} identical to stored ones); "
        f"batches: {report.batches} — used {report.batches_used}, skipped {report.batches_skipped}, "
        f"failed {report.batches_failed}"
    )
    if report.no_qa:
        console.print(f"[yellow]{report.no_qa} replies yielded no QA:[/yellow]")
        for reason, count in sorted(report.no_qa_reasons.items(), key=lambda kv: -kv[1]):
            console.print(f"  {count} × {escape(reason)}", highlight=False)
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False)
