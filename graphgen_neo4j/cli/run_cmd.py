"""``graphgen-neo4j run``: the whole job from one config file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from graphgen_neo4j.cli._app import app, console, err_console, handle_errors, print_json
from graphgen_neo4j.cli._stage import print_ledger, recorded, warn_if_canned
from graphgen_neo4j.context import load_context
from graphgen_neo4j.errors import StageFailed
from graphgen_neo4j.ingest.readers import expand_paths
from graphgen_neo4j.llm import TokenLedger
from graphgen_neo4j.runs.pipeline import PipelineReport, run_pipeline


@app.command("run")
@handle_errors
def run_command(
    config_path: Path = typer.Option(..., "--config", "-c", exists=True, dir_okay=False, help="Pipeline config (YAML; upstream GraphGen's keys work)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Dataset file (.jsonl or .json); overrides output.path."),
    fmt: str | None = typer.Option(None, "--format", help="alpaca | sharegpt | messages | prompt-completion (chatml = messages); overrides output.format."),
    max_qa: int | None = typer.Option(None, "--max-qa", min=1, help="Cap on the number of QA; overrides generation.max_qa."),
    skip_judge: bool = typer.Option(False, "--skip-judge", help="Do not quiz or judge: relations get no loss."),
    with_metadata: bool = typer.Option(False, "--with-metadata", help="Add mode, loss and provenance ids to each record."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Let the export replace a dataset with an empty or smaller one (the old one is kept as .prev)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the LLM response cache."),
    as_json: bool = typer.Option(False, "--json", help="Print every stage's report as JSON."),
) -> None:
    """Ingest → quiz → judge → partition → generate → export. Killed and started again, it resumes without repeating LLM calls."""
    context = load_context(config_path, {
        "output.path": str(output) if output else None, "output.format": fmt, "generation.max_qa": max_qa,
        "judge.skip": True if skip_judge else None, "output.with_metadata": True if with_metadata else None,
        "output.overwrite": True if overwrite else None,
    }, no_cache=no_cache)
    config = context.config
    expand_paths(config.require_input(str(config_path)))  # a missing input or an empty folder fails now
    ledger = context.ledger
    synthesizer = context.synthesizer()
    trainee = context.trainee()
    if trainee is None and not config.judge.skip and not as_json:
        err_console.print("[yellow]no trainee endpoint (TRAINEE_*): judging is skipped and relations get no loss[/yellow]")
    if not as_json:
        warn_if_canned(synthesizer, trainee)

    record = context.record()
    with context.connect() as graph:
        async def work(progress, recorder) -> PipelineReport:
            try:
                return await run_pipeline(config, graph=graph, synthesizer=synthesizer, trainee=trainee,
                                          recorder=recorder, progress=progress)
            finally:
                await synthesizer.aclose()
                if trainee is not None:
                    await trainee.aclose()

        try:
            report = recorded(graph, "run", record, ledger, work, quiet=as_json)
        except StageFailed as exc:  # the summary so far, then the one line (handle_errors) and exit 1
            if isinstance(exc.report, PipelineReport):
                _print_result(exc.report, ledger, as_json, error=str(exc))
            raise
    _print_result(report, ledger, as_json)


def _print_result(report: PipelineReport, ledger: TokenLedger, as_json: bool, error: str | None = None) -> None:
    if as_json:
        print_json({**report.model_dump(mode="json"), "ledger": ledger.to_dict(), "error": error})
        return
    _print_summary(report)
    print_ledger(ledger)
    for line in report.warnings():
        err_console.print(f"[yellow]warning:[/yellow] {escape(line)}", highlight=False, soft_wrap=True)


def _print_summary(report: PipelineReport) -> None:
    """One row per stage that ran: what it did, and its failures by reason."""
    table = Table(title=f"run {report.run_id}" + (" (resumed)" if report.resumed else ""), show_header=False)
    any_failures = any(outcome.reasons for outcome in report.work.values())  # else the table keeps two columns
    for stage, text in _stage_lines(report):
        outcome = report.work.get(stage)
        failures = f"failed: {outcome.reasons_text()}" if outcome is not None and outcome.reasons else ""
        if outcome is not None and outcome.verdict in ("failed", "stopped"):
            failures = f"[red]{outcome.verdict}[/red] — {failures}"
        table.add_row(stage, text, *([failures] if any_failures else []))
    for note in report.notes:
        table.add_row("note", note, *([""] if any_failures else []))
    console.print(table)


def _ingest_lines(i: Any) -> list[tuple[str, str]]:
    rows = [("ingest", f"{i.documents_total} documents, {i.chunks_total} chunks ({i.chunks_extracted} extracted now, "
             f"{i.chunks_failed_total} failed), {i.entities_total} entities, {i.relations_total} relations")]
    if i.bad_records:
        shown = ", ".join(f"{x.path}:{x.line}" if x.line is not None else x.path for x in i.issues[:3])
        more = f" and {i.bad_records - 3} more" if i.bad_records > 3 else ""
        rows.append(("skipped", f"{i.bad_records} bad input records ({shown}{more}); see ingest's report for why"))
    return rows


def _judge_line(j: Any) -> str:
    s = j.summary
    mean = f"{s.mean:.4f}" if s and s.mean is not None else "—"
    return j.skipped_reason or (f"{sum(j.judged.values())} items judged now, {j.up_to_date} up to date; "
                                f"{s.judged if s else 0}/{s.relations if s else 0} relations have a loss, mean {mean}")


def _generate_line(g: Any) -> str:
    modes = ", ".join(f"{m}: {r.reused + r.generated}" for m, r in g.modes.items())
    return f"{g.qa} QA ({modes}); {g.no_qa} replies gave no QA"


def _filter_line(f: Any) -> str:
    rules = ", ".join(f"{rule} {n}" for rule, n in f.by_rule.items()) or "none"
    return f"{f.dropped} of {f.considered} QA excluded from export (by rule: {rules})"


# One summary line per stage that reported, in pipeline order.
_STAGE_LINE: dict[str, Callable[[Any], str]] = {
    "quiz": lambda q: f"{sum(q.quizzed.values())} items quizzed now, {q.up_to_date} up to date, {q.failed} failed",
    "judge": _judge_line,
    "partition": lambda p: f"{p.batches} batches over {p.relations_in_batches} relations ({p.order})",
    "generate": _generate_line,
    "filter": _filter_line,
    "export": lambda e: f"{e.records} records → {e.path} ({e.format})",
}


def _stage_lines(report: PipelineReport) -> list[tuple[str, str]]:
    rows = _ingest_lines(report.ingest) if report.ingest else []
    for stage, line in _STAGE_LINE.items():
        part = getattr(report, stage)
        if part:
            rows.append((stage, line(part)))
    # A stage that stopped has no report of its own: its outcome still gets a row.
    rows += [(stage, f"{o.done} {o.what} done, {o.failed} failed") for stage, o in report.work.items()
             if stage not in {name for name, _ in rows}]
    return rows
