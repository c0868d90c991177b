"""``graphgen-neo4j filter``: exclude QA from export by the quality metrics (reversible)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from graphgen_neo4j.choices import UNJUDGED_VALUES, parse_mode
from graphgen_neo4j.cli._app import app, config_option, console, err_console, handle_errors, print_json
from graphgen_neo4j.cli._stage import print_ledger, recorded, warn_if_canned, warn_partial, writer_lease
from graphgen_neo4j.context import load_context
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.llm import DEFAULT_CACHE_PATH
from graphgen_neo4j.progress import Progress
from graphgen_neo4j.runs.qa_filter import RULES, FilterReport, filter_qa, reset_filter
from graphgen_neo4j.runs.record import RunRecorder


def _modes(values: list[str]) -> list[str] | None:
    try:
        return [parse_mode(name) for value in values for name in value.split(",") if name.strip()] or None
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--mode") from None


@app.command("filter")
@handle_errors
def filter_command(
    config_file: Path | None = config_option("Pipeline config (YAML): its filter section gives the rules; flags win over it."),
    run_id: str | None = typer.Option(None, "--run-id", help="Only the QA this run produced (default: every QA that is not stale)."),
    min_question_tokens: int | None = typer.Option(None, "--min-question-tokens", min=0, help="Drop QA whose question has fewer tokens."),
    max_question_tokens: int | None = typer.Option(None, "--max-question-tokens", min=1, help="Drop QA whose question has more tokens."),
    min_answer_tokens: int | None = typer.Option(None, "--min-answer-tokens", min=0, help="Drop QA whose answer has fewer tokens."),
    max_answer_tokens: int | None = typer.Option(None, "--max-answer-tokens", min=1, help="Drop QA whose answer has more tokens."),
    min_mtld: float | None = typer.Option(None, "--min-mtld", min=0, help="Drop QA whose answer's MTLD is lower."),
    dedup: bool = typer.Option(False, "--dedup", help="Near-duplicate questions: keep one QA of each cluster."),
    dedup_threshold: float | None = typer.Option(None, "--dedup-threshold", min=0.01, max=1.0,
                                                 help="Jaccard of character 3-grams at which questions are near duplicates (default 0.8)."),
    min_faithfulness: float | None = typer.Option(None, "--min-faithfulness", min=0.0, max=1.0,
                                                  help="Drop QA the synthesizer judges less faithful (0-1) to their relations and entities."),
    unjudged: str | None = typer.Option(None, "--unjudged", help="With --min-faithfulness, a QA not judged yet by the "
                                        "synthesizer's model: judge (default; LLM calls, cached), keep or drop."),
    min_loss: float | None = typer.Option(None, "--min-loss", help="Drop QA whose batch loss is below this (or unknown)."),
    mode: list[str] = typer.Option([], "--mode", "-m", help="Keep only QA of these modes; repeat or comma-separate."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what the rules would drop (and the judge calls they need); change nothing."),
    reset: bool = typer.Option(False, "--reset", help="Clear every filter mark (of --run-id's QA, or all): export writes them again."),
    no_cache: bool = typer.Option(False, "--no-cache", help=f"Do not read or write the response cache ({DEFAULT_CACHE_PATH})."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Mark QA that fail a rule as excluded (never deleted): export leaves them out; --reset brings them back.

    Each run decides every QA in scope afresh with the rules given, prints how many each
    rule dropped, and records a :Run. In Browser: `graphgen-neo4j cypher explore/filtered_qa`.
    """
    if unjudged is not None and unjudged not in UNJUDGED_VALUES:
        raise typer.BadParameter(f"{unjudged!r}: use one of {', '.join(UNJUDGED_VALUES)}", param_hint="--unjudged")
    overrides: dict[str, Any] = {
        "filter.min_question_tokens": min_question_tokens, "filter.max_question_tokens": max_question_tokens,
        "filter.min_answer_tokens": min_answer_tokens, "filter.max_answer_tokens": max_answer_tokens,
        "filter.min_mtld": min_mtld, "filter.dedup": True if dedup else None, "filter.dedup_threshold": dedup_threshold,
        "filter.min_faithfulness": min_faithfulness, "filter.unjudged": unjudged, "filter.min_loss": min_loss,
        "filter.modes": _modes(mode),
    }
    context = load_context(config_file, overrides, no_cache=no_cache)
    if reset:
        _reset(context, run_id, as_json)
        return
    rules = context.config.filter
    if not rules.active():
        raise typer.BadParameter("no rule given: set one (--min-answer-tokens, --min-mtld, --dedup, --min-faithfulness, "
                                 "--min-loss, --mode …) or a filter: section in --config", param_hint="rules")
    judging = rules.min_faithfulness is not None and rules.unjudged == "judge"
    synthesizer = context.synthesizer() if judging else None
    with context.connect() as graph:
        if dry_run:
            result = asyncio.run(filter_qa(graph, rules, run_id=run_id, synthesizer=synthesizer, dry_run=True))
        else:
            if synthesizer is not None and not as_json:
                warn_if_canned(synthesizer)

            async def work(progress: Progress, recorder: RunRecorder) -> FilterReport:
                if synthesizer is None:
                    return await filter_qa(graph, rules, run_id=run_id, progress=progress)
                async with synthesizer:
                    return await filter_qa(graph, rules, run_id=run_id, synthesizer=synthesizer, progress=progress)

            record = {"filter": rules.model_dump(exclude_defaults=True), "run_id": run_id}
            result = recorded(graph, "filter", record, context.ledger, work, quiet=as_json,
                              counts=lambda done: {"filter": done.model_dump(include={"considered", "kept", "dropped", "by_rule"})})
    if as_json:
        print_json({**result.model_dump(), "ledger": context.ledger.to_dict()})
        return
    _print(result)
    if result.judge is not None:
        print_ledger(context.ledger)
        warn_partial(result)


def _reset(context: Any, run_id: str | None, as_json: bool) -> None:
    with context.connect() as graph, writer_lease(graph, "filter --reset", quiet=as_json):
        restored = reset_filter(graph, run_id)
    if as_json:
        print_json({"restored": restored, "run_id": run_id})
        return
    scope = f"of run {run_id}" if run_id else "in the graph"
    console.print(f"filter marks cleared: {restored} QA {scope} are exported again", highlight=False)


def _print(result: FilterReport) -> None:
    verb = "would drop" if result.dry_run else "dropped"
    table = Table(title=f"filter{' (dry run: nothing changed)' if result.dry_run else ''}: "
                        f"{'run ' + result.run_id if result.run_id else 'every run'}")
    table.add_column("rule")
    table.add_column(f"QA it {verb}", justify="right")
    for rule in RULES:
        if rule in result.by_rule or _rule_set(rule, result.rules):
            table.add_row(rule, str(result.by_rule.get(rule, 0)))
    table.add_row("excluded (any rule)", str(result.dropped))
    console.print(table)
    change = "" if result.dry_run else f" ({result.newly_dropped} newly, {result.restored} excluded before and kept now)"
    console.print(f"QA considered: {result.considered}; kept {result.kept}; {verb} {result.dropped}{change}", highlight=False)
    if result.unjudged:
        console.print(f"{result.unjudged} QA have no faithfulness judgement: "
                      f"{'dropped' if result.rules.get('unjudged') == 'drop' else 'kept'}", highlight=False)
    if result.judge_estimate is not None and (result.dry_run or result.judge is not None):
        cost = result.judge_estimate
        done = "to judge first" if result.dry_run else "judged"
        console.print(f"faithfulness: {cost.calls} QA {done} ({cost.calls} calls, ~{cost.prompt_tokens} tokens in, "
                      f"~{cost.completion_tokens} out; cached replies cost nothing)", highlight=False)
    for question, reasons in result.examples[:5]:
        console.print(f"  {escape(repr(question[:100]))}: {escape('; '.join(reasons))}", highlight=False)
    if not result.dry_run and result.dropped:
        err_console.print("export leaves the excluded QA out; `graphgen-neo4j filter --reset` brings them back", highlight=False)


def _rule_set(rule: str, rules: dict[str, Any]) -> bool:
    keys = {"mode": ("modes",), "question_tokens": ("min_question_tokens", "max_question_tokens"),
            "answer_tokens": ("min_answer_tokens", "max_answer_tokens"), "mtld": ("min_mtld",), "loss": ("min_loss",),
            "faithfulness": ("min_faithfulness",), "near_duplicate": ("dedup",)}[rule]
    return any(rules.get(key) is not None and rules.get(key) is not False for key in keys)
