"""``graphgen-neo4j run``: the whole job from one config file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from graphgen_neo4j.cli._app import app, console, err_console, handle_errors, print_json
from graphgen_neo4j.cli._stage import llm_client, print_ledger, recorded, warn_if_canned
from graphgen_neo4j.config import apply_overrides, load_config, neo4j_env
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.llm import EndpointSettings, TokenLedger
from graphgen_neo4j.runs.pipeline import PipelineReport, run_pipeline
from graphgen_neo4j.settings import Neo4jSettings


@app.command("run")
@handle_errors
def run_command(
    config_path: Path = typer.Option(..., "--config", "-c", exists=True, dir_okay=False, help="Pipeline config (YAML; upstream GraphGen's keys work)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Dataset file (.jsonl or .json); overrides output.path."),
    fmt: str | None = typer.Option(None, "--format", help="alpaca | sharegpt | messages | prompt-completion (chatml = messages); overrides output.format."),
    max_qa: int | None = typer.Option(None, "--max-qa", min=1, help="Cap on the number of QA; overrides generation.max_qa."),
    skip_judge: bool = typer.Option(False, "--skip-judge", help="Do not quiz or judge: relations get no loss."),
    with_metadata: bool = typer.Option(False, "--with-metadata", help="Add mode, loss and provenance ids to each record."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the LLM response cache."),
    as_json: bool = typer.Option(False, "--json", help="Print every stage's report as JSON."),
) -> None:
    """Ingest → quiz → judge → partition → generate → export. Killed and started again, it resumes without repeating LLM calls."""
    config = apply_overrides(load_config(config_path), {
        "output.path": str(output) if output else None, "output.format": fmt, "generation.max_qa": max_qa,
        "judge.skip": True if skip_judge else None, "output.with_metadata": True if with_metadata else None,
    })
    ledger = TokenLedger()
    use_cache = config.llm.cache and not no_cache
    synthesizer = llm_client("synthesizer", ledger, use_cache=use_cache, cache_path=config.llm.cache_path,
                             file_settings=config.llm.synthesizer.model_dump())
    trainee = None
    if not config.judge.skip:
        if EndpointSettings.trainee_configured():
            trainee = llm_client("trainee", ledger, use_cache=use_cache and not config.re_judge,
                                 cache_path=config.llm.cache_path, file_settings=config.llm.trainee.model_dump())
        elif not as_json:
            err_console.print("[yellow]no trainee endpoint (TRAINEE_*): judging is skipped and relations get no loss[/yellow]")
    if not as_json:
        warn_if_canned(synthesizer, trainee)

    record = config.model_dump(mode="json")
    record["config_file"] = str(config_path)
    with Graph.connect(Neo4jSettings.from_env(neo4j_env(config))) as graph:
        async def work(progress, recorder) -> PipelineReport:
            try:
                return await run_pipeline(config, graph=graph, synthesizer=synthesizer, trainee=trainee,
                                          recorder=recorder, progress=progress)
            finally:
                await synthesizer.aclose()
                if trainee is not None:
                    await trainee.aclose()

        report = recorded(graph, "run", record, ledger, work, quiet=as_json)

    if as_json:
        print_json({**report.model_dump(mode="json"), "ledger": ledger.to_dict()})
        return
    _print_summary(report)
    print_ledger(ledger)


def _print_summary(report: PipelineReport) -> None:
    table = Table(title=f"run {report.run_id}" + (" (resumed)" if report.resumed else ""), show_header=False)
    if report.ingest:
        i = report.ingest
        table.add_row("ingest", f"{i.documents_total} documents, {i.chunks_total} chunks ({i.chunks_extracted} extracted now, "
                      f"{i.chunks_failed_total} failed), {i.entities_total} entities, {i.relations_total} relations")
    if report.quiz:
        q = report.quiz
        table.add_row("quiz", f"{sum(q.quizzed.values())} items quizzed now, {q.up_to_date} up to date, {q.failed} failed")
    if report.judge:
        j = report.judge
        s = j.summary
        mean = f"{s.mean:.4f}" if s and s.mean is not None else "—"
        table.add_row("judge", j.skipped_reason or f"{sum(j.judged.values())} items judged now, {j.up_to_date} up to date; "
                      f"{s.judged if s else 0}/{s.relations if s else 0} relations have a loss, mean {mean}")
    if report.partition:
        p = report.partition
        table.add_row("partition", f"{p.batches} batches over {p.relations_in_batches} relations ({p.order})")
    if report.generate:
        g = report.generate
        modes = ", ".join(f"{m}: {r.reused + r.generated}" for m, r in g.modes.items())
        table.add_row("generate", f"{g.qa} QA ({modes}); {g.no_qa} replies gave no QA")
    if report.export:
        e = report.export
        table.add_row("export", f"{e.records} records → {e.path} ({e.format})")
    for note in report.notes:
        table.add_row("note", note)
    console.print(table)
