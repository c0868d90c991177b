"""``graphgen-neo4j quiz`` and ``graphgen-neo4j judge``: the comprehension assessment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from graphgen_neo4j.assess.judge import JudgeReport, LossSummary, judge
from graphgen_neo4j.assess.loss import histogram_labels
from graphgen_neo4j.assess.quiz import QuizReport, quiz
from graphgen_neo4j.choices import LossStrategy
from graphgen_neo4j.cli._app import app, config_option, console, handle_errors, print_json
from graphgen_neo4j.cli._stage import checked, print_ledger, recorded, warn_partial
from graphgen_neo4j.context import load_context
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import StageFailed
from graphgen_neo4j.llm import TokenLedger
from graphgen_neo4j.progress import Progress
from graphgen_neo4j.runs.record import RunRecorder

LOSS_STRATEGY_HELP = "only_edge: relations only; both: entities too (upstream loss_strategy)."
BAR_WIDTH = 40


@app.command("quiz")
@handle_errors
def quiz_command(
    config_file: Path | None = config_option(),
    quiz_samples: int | None = typer.Option(None, min=1, max=10, help="n: each item gets n true and n false statements (default 2)."),
    loss_strategy: LossStrategy | None = typer.Option(None, help=LOSS_STRATEGY_HELP),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the LLM response cache."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Write true and false quiz statements for each relation with the synthesizer (one call per relation)."""
    context = load_context(config_file, {"quiz_samples": quiz_samples, "traverse_strategy.loss_strategy": loss_strategy},
                           no_cache=no_cache)
    config = context.stages.quiz
    ledger = context.ledger
    synthesizer = context.synthesizer()
    with context.connect() as graph:

        async def run(progress: Progress, recorder: RunRecorder) -> QuizReport:
            async with synthesizer:
                return checked(await quiz(graph=graph, synthesizer=synthesizer, config=config, progress=progress))

        report = _recorded_or_shown(graph, "quiz", config.model_dump(), ledger, run, as_json)
    _print_quiz(report, ledger, as_json)


def _print_quiz(report: QuizReport, ledger: TokenLedger, as_json: bool) -> None:
    if as_json:
        _print_json(report, ledger)
        return
    n = report.quiz_samples
    table = Table(title=f"quiz — {n} true + {n} false statements per item", show_header=False)
    rows: list[tuple[str, Any]] = [("items examined", report.items)]
    rows += [(f"quizzed {kind}s", count) for kind, count in report.quizzed.items()]
    rows += [
        ("already quizzed (description unchanged)", report.up_to_date),
        ("without a description", report.no_description),
        (f"fewer than {2 * n} distinct statements", report.short),
        ("failed (tried again next run)", report.failed),
        ("statements written", report.statements),
        ("LLM calls (+ cached)", f"{report.llm_calls} (+{report.cached_calls})"),
        ("LLM calls per quizzed item", _fmt(report.calls_per_item, 2)),
    ]
    _print_rows(table, rows)
    _print_failures(report.failures)
    print_ledger(ledger)
    warn_partial(report)


@app.command("judge")
@handle_errors
def judge_command(
    config_file: Path | None = config_option(),
    re_judge: bool = typer.Option(False, "--re-judge", help="Judge items that already have a loss for this trainee again."),
    loss_strategy: LossStrategy | None = typer.Option(None, help=LOSS_STRATEGY_HELP),
    skip_judge: bool = typer.Option(False, "--skip-judge", help="Judge nothing: losses stay empty (null)."),
    top_logprobs: int | None = typer.Option(None, min=5, max=20, help="Candidates asked for per answer token (default 5)."),
    top: int = typer.Option(10, min=0, help="How many highest-loss relations to list."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the LLM response cache (never used with --re-judge)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Ask the trainee (TRAINEE_*) about every quiz statement; store the loss on each relation."""
    context = load_context(config_file, {
        "re_judge": True if re_judge else None, "traverse_strategy.loss_strategy": loss_strategy,
        "judge.skip": True if skip_judge else None, "judge.top_logprobs": top_logprobs,
    }, no_cache=no_cache)
    config = context.stages.judge.model_copy(update={"highest": top})
    ledger = context.ledger
    # A checkpoint served under the same name again must really be asked again (--re-judge: no cache).
    trainee = context.trainee()
    with context.connect() as graph:

        async def run(progress: Progress, recorder: RunRecorder) -> JudgeReport:
            if trainee is None:
                return await judge(graph=graph, trainee=None, config=config, progress=progress)
            async with trainee:
                return checked(await judge(graph=graph, trainee=trainee, config=config, progress=progress))

        report = _recorded_or_shown(graph, "judge", config.model_dump(), ledger, run, as_json)
    _print_judge(report, ledger, as_json)


def _print_judge(report: JudgeReport, ledger: TokenLedger, as_json: bool) -> None:
    if as_json:
        _print_json(report, ledger)
        return
    if report.skipped_reason:
        console.print(f"[yellow]nothing judged: {report.skipped_reason}[/yellow]; relations without a loss keep none "
                      "(null), and later stages say so instead of inventing one.", highlight=False)
    else:
        table = Table(title=f"judge — trainee {report.trainee_model}", show_header=False)
        rows: list[tuple[str, Any]] = [("items examined", report.items)]
        rows += [(f"judged {kind}s", count) for kind, count in report.judged.items()]
        rows += [
            ("earlier judgement re-used (same statements)", report.reused),
            ("already judged", report.up_to_date),
            ("not quizzed yet (run `graphgen-neo4j quiz`)", report.not_quizzed),
            ("failed (tried again next run)", report.failed),
            ("statements judged", report.statements_judged),
            ("mean loss of the items judged now", _fmt(report.mean_loss_judged)),
            ("LLM calls (+ cached)", f"{report.llm_calls} (+{report.cached_calls})"),
            ("LLM calls per judged item", _fmt(report.calls_per_item, 2)),
        ]
        _print_rows(table, rows)
        _print_failures(report.failures)
    if report.summary is not None:
        _print_summary(report.summary)
    print_ledger(ledger)
    warn_partial(report)


def _recorded_or_shown(graph: Graph, command: str, config: dict[str, Any], ledger: TokenLedger, run: Any, as_json: bool) -> Any:
    """``recorded``; when every item failed, the report is shown before the one-line error (exit 1)."""
    try:
        return recorded(graph, command, config, ledger, run, quiet=as_json, counts=_counts)
    except StageFailed as exc:
        if isinstance(exc.report, QuizReport):
            _print_quiz(exc.report, ledger, as_json)
        elif isinstance(exc.report, JudgeReport):
            _print_judge(exc.report, ledger, as_json)
        raise


def _counts(report: QuizReport | JudgeReport) -> dict[str, Any]:
    return report.model_dump(exclude={"summary", "failures"})


def _print_json(report: QuizReport | JudgeReport, ledger: TokenLedger) -> None:
    print_json({**report.model_dump(), "calls_per_item": report.calls_per_item, "ledger": ledger.to_dict()})


def _fmt(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _print_rows(table: Table, rows: list[tuple[str, Any]]) -> None:
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)


def _print_failures(failures: list[Any]) -> None:
    for failure in failures:
        console.print(f"[red]failed[/red] {failure.kind} {failure.id}: {escape(failure.error)}", highlight=False)


def _print_summary(summary: LossSummary) -> None:
    whose = f"for {summary.model}" if summary.model else "(any trainee model)"
    console.print(
        f"\n[bold]relation loss {whose}[/bold]: {summary.judged} of {summary.relations} relations have one; "
        f"mean {_fmt(summary.mean)}, median {_fmt(summary.median)}, max {_fmt(summary.max)}, "
        f"mean P(correct) {_fmt(summary.mean_confidence)}",
        highlight=False,
    )
    if summary.judged:
        console.print(histogram_text(summary.bins, histogram_labels(summary.edges)), highlight=False)
    if summary.highest:
        table = Table(title=f"{len(summary.highest)} highest-loss relations")
        for column in ("source", "target", "description", "loss", "P(correct)"):
            table.add_column(column, justify="right" if column in ("loss", "P(correct)") else "left")
        for row in summary.highest:
            description = row.description or ""
            if len(description) > 70:
                description = description[:69] + "…"
            table.add_row(escape(row.source or ""), escape(row.target or ""), escape(description), f"{row.loss:.4f}", _fmt(row.confidence, 3))
        console.print(table)


def histogram_text(bins: list[int], labels: list[str], width: int = BAR_WIDTH) -> str:
    """One line per bin: label, a bar scaled to the fullest bin, the count."""
    peak = max(bins) or 1
    label_width = max(len(label) for label in labels)
    lines = ["loss histogram"]
    for label, count in zip(labels, bins):
        bar = "█" * round(count / peak * width) if count else ""
        lines.append(f"  {label:>{label_width}} │{bar} {count}")
    return "\n".join(lines)


