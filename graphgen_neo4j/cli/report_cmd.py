"""``graphgen-neo4j report``: quality report of a generated dataset."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from graphgen_neo4j.cli._app import RichProgress, app, config_option, console, err_console, handle_errors, print_json
from graphgen_neo4j.cli._stage import print_ledger, warn_partial, writer_lease
from graphgen_neo4j.context import Context, load_context
from graphgen_neo4j.errors import ConfigError, Neo4jUnavailable
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.runs.kg_accuracy import Claim, KGAccuracy, judge_claims, sample_claims
from graphgen_neo4j.runs.kg_quality import GraphQuality, graph_quality
from graphgen_neo4j.runs.qa_judge import (
    QAFaithfulness,
    estimate_judging,
    faithfulness_summary,
    judge_and_store,
    parse_sample_size,
    sample_qa,
)
from graphgen_neo4j.runs.report import (
    Coverage,
    QualityReport,
    accuracy_summary,
    build_report,
    coverage_from_graph,
    graph_summary,
    load_dataset,
    render_html,
    text_histogram,
)


@app.command()
@handle_errors
def report(
    dataset: Path = typer.Argument(..., exists=True, dir_okay=False, help="Exported dataset (Alpaca, ShareGPT or ChatML; .json or .jsonl)."),
    html: Path | None = typer.Option(None, "--html", help="Also write a self-contained HTML page with plots."),
    run_id: str | None = typer.Option(None, "--run-id", help="Coverage of this run's QA only (default: all runs)."),
    no_graph: bool = typer.Option(False, "--no-graph", help="Skip the coverage and graph-quality figures that need Neo4j."),
    judge_sample: int = typer.Option(0, "--judge-sample", min=0, help="Have the synthesizer judge N entities and N relations "
                                     "against the chunk each came from (cached; 0: no LLM call)."),
    qa_judge_sample: str | None = typer.Option(
        None, "--qa-judge-sample", metavar="N|all",
        help="Have the synthesizer judge the faithfulness of N QA (or all) to the relations and entities each was "
             "written from; stored on the QA with the judge model (cached; --run-id narrows the QA)."),
    config_file: Path | None = config_option("Pipeline config (YAML): its neo4j section. Environment/.env wins over it."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Counts by mode, length distributions, lexical diversity (MTLD), near-duplicate questions, graph coverage,
    and the graph's own quality: isolated entities, largest connected component, degrees, description lengths."""
    context = load_context(config_file)
    records = load_dataset(dataset)
    if judge_sample and no_graph:
        raise ConfigError("--judge-sample reads the graph: drop --no-graph")
    qa_sample = _qa_sample_size(qa_judge_sample)
    if qa_judge_sample is not None and no_graph:
        raise ConfigError("--qa-judge-sample reads the QA in the graph: drop --no-graph")
    coverage, quality, accuracy = (None, None, None) if no_graph else _graph_figures(context, run_id, judge_sample, as_json)
    faithfulness = None if qa_judge_sample is None else _qa_faithfulness(context, qa_sample, run_id, as_json)
    result = build_report(records, source=str(dataset), coverage=coverage, graph_quality=quality, kg_accuracy=accuracy,
                          qa_faithfulness=faithfulness)
    if html:
        html.write_text(render_html(result), encoding="utf-8")
    if as_json:
        print_json(result.model_dump())
        return
    _print_report(result, str(dataset))
    _print_worst(result.qa_faithfulness)
    if result.kg_accuracy or result.qa_faithfulness:
        print_ledger(context.ledger)
    if result.qa_faithfulness and result.qa_faithfulness.work:
        warn_partial(result.qa_faithfulness)
    if html:
        console.print(f"HTML report: {html}")


def _graph_figures(
    context: Context, run_id: str | None, judge_sample: int, quiet: bool,
) -> tuple[Coverage | None, GraphQuality | None, KGAccuracy | None]:
    """Coverage, graph quality and (with a sample size) the judged accuracy; none when Neo4j is not there."""
    try:
        with context.connect() as graph:
            coverage, quality = coverage_from_graph(graph, run_id=run_id), graph_quality(graph)
            claims, accuracy = sample_claims(graph, judge_sample) if judge_sample else ([], None)
    except Neo4jUnavailable as exc:
        err_console.print(f"[yellow]no coverage figures:[/yellow] {exc}")
        return None, None, None
    if accuracy is not None:
        accuracy = _judge(context, claims, accuracy, quiet=quiet)
    return coverage, quality, accuracy


def _print_report(result: QualityReport, dataset: str) -> None:
    table = Table(title=f"Dataset report: {dataset}", show_header=False)
    table.add_row("records", str(result.records))
    for mode, n in result.by_mode.items():
        table.add_row(f"  mode {mode}", str(n))
    for label, dist in (("question tokens", result.question_tokens), ("answer tokens", result.answer_tokens),
                        ("MTLD per answer", result.answer_mtld)):
        if dist.count:
            table.add_row(label, f"median {dist.median:g}  mean {dist.mean:g}  p10 {dist.p10:g}  p90 {dist.p90:g}  max {dist.maximum:g}")
    table.add_row("corpus MTLD (answers)", str(result.corpus_mtld))
    table.add_row("near-duplicate question pairs", str(result.near_duplicate_pairs))
    if result.coverage:
        c = result.coverage
        share = f" ({c.share:.1%})" if c.share is not None else ""
        table.add_row("relations covered by a QA", f"{c.covered} / {c.relations}{share}")
        table.add_row("mean loss covered / uncovered", f"{_or_dash(c.mean_loss_covered)} / {_or_dash(c.mean_loss_uncovered)}")
    graph_lines = graph_summary(result.graph_quality) if result.graph_quality else []
    for label, value in graph_lines + accuracy_summary(result.kg_accuracy):
        table.add_row(f"graph: {label}", value)
    for label, value in faithfulness_summary(result.qa_faithfulness):
        table.add_row(label, value)
    console.print(table)
    if result.answer_tokens.count:
        console.print("answer length (tokens):")
        for line in text_histogram(result.answer_tokens):
            console.print("  " + line, highlight=False)
    for a, b, similarity in result.near_duplicate_examples[:5]:
        console.print(f"  near-duplicate ({similarity}): {escape(repr(a))} ~ {escape(repr(b))}", highlight=False)
    for kind, record, reason in (result.kg_accuracy.unsupported[:5] if result.kg_accuracy else []):
        console.print(f"  unsupported {kind}: {escape(record)} — {escape(reason)}", highlight=False)


def _judge(context: Context, claims: list[Claim], accuracy: KGAccuracy, quiet: bool) -> KGAccuracy:
    """The sample judged by the synthesizer (progress bars unless ``quiet``)."""
    synthesizer = context.synthesizer()

    async def work(progress: Progress) -> KGAccuracy:
        async with synthesizer:
            return await judge_claims(synthesizer, claims, accuracy, progress)

    if quiet:
        return asyncio.run(work(NullProgress()))
    with RichProgress() as progress:
        return asyncio.run(work(progress))


def _or_dash(value: float | None) -> str:
    return "—" if value is None else str(value)


def _qa_sample_size(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_sample_size(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--qa-judge-sample") from None


def _qa_faithfulness(context: Context, n: int | None, run_id: str | None, quiet: bool) -> QAFaithfulness:
    """N QA (None: all) judged for faithfulness by the synthesizer and stored on the QA nodes."""
    synthesizer = context.synthesizer()
    with context.connect() as graph:
        materials, result = sample_qa(graph, n, run_id=run_id)
        if not quiet:
            cost = estimate_judging(materials)
            err_console.print(f"judging {cost.calls} of {result.in_scope} QA for faithfulness: {cost.calls} calls, "
                              f"~{cost.prompt_tokens} tokens in, ~{cost.completion_tokens} out (cached replies cost nothing)",
                              highlight=False)

        async def work(progress: Progress) -> QAFaithfulness:
            async with synthesizer:
                return await judge_and_store(graph, synthesizer, materials, result, progress)

        with writer_lease(graph, "report", quiet=quiet):
            if quiet:
                result = asyncio.run(work(NullProgress()))
            else:
                with RichProgress() as progress:
                    result = asyncio.run(work(progress))
    if result.work is not None:
        result.work.raise_if_failed()
    return result


def _print_worst(result: QAFaithfulness | None) -> None:
    for judged in (result.worst[:5] if result else []):
        claims = "; ".join(judged.unsupported) or "—"
        console.print(f"  least faithful ({judged.score}/5, {judged.mode}): {escape(repr(judged.question))} — "
                      f"unsupported: {escape(claims)} — {escape(judged.reason)}", highlight=False)
