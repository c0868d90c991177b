"""``graphgen-neo4j cypher`` (run a library or own query) and ``graphgen-neo4j resolve`` (the alias review queue)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from graphgen_neo4j.analyst.curation import (
    QueryResult,
    bind_params,
    describe_params,
    format_cell,
    is_graph_value,
    library_queries,
    load_query,
    parse_params,
    run_query,
)
from graphgen_neo4j.analyst.resolve import METHODS, ResolveConfig, ResolveReport, apply_accepted, resolve
from graphgen_neo4j.cli._app import RichProgress, app, config_option, console, err_console, handle_errors, print_json
from graphgen_neo4j.cli._stage import writer_lease
from graphgen_neo4j.context import Context, load_context
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.llm import LLMClient
from graphgen_neo4j.llm.embeddings import EmbeddingClient
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.runs.record import RunRecorder


@app.command("cypher")
@handle_errors
def cypher_command(
    query: str | None = typer.Argument(None, help="A library query (explore/neighbourhood, curate/merge_entities, or just its name) or a .cypher file."),
    param: list[str] = typer.Option([], "--param", "-p", help="name=value (JSON literal, else a string; name:str=value forces a string). Repeat for each."),
    list_queries: bool = typer.Option(False, "--list", help="List the library queries."),
    as_json: bool = typer.Option(False, "--json", help="Print rows as JSON."),
    config_file: Path | None = config_option("Pipeline config (YAML): its neo4j section. Environment/.env wins over it."),
) -> None:
    """Run a Cypher query and print the result as a table.

    Parameters left out are null, except numbers and booleans shown on the file's :param
    lines (defaults), and NAME_key, which is computed from NAME (the exact alias key).

        graphgen-neo4j cypher explore/highest_loss_relations -p limit=5
        graphgen-neo4j cypher curate/merge_entities -p keep=稻瘟病 -p absorb=稻瘟
    """
    if list_queries:
        _print_library(as_json)
        return
    if not query:
        raise typer.BadParameter("give a query name or file (or --list)", param_hint="QUERY")
    source = load_query(query)
    bound = bind_params(source, parse_params(param))
    if bound.unused:
        raise typer.BadParameter(
            f"{', '.join(bound.unused)} not used by {source.name} (it takes: {', '.join(source.parameters) or 'none'})",
            param_hint="--param",
        )
    with load_context(config_file).connect() as graph, _lease_if_curating(graph, source.name, as_json):
        results = run_query(graph, source, bound.values)
    if as_json:
        payload: list[dict[str, Any]] = [{"columns": r.columns, "rows": r.records(), "counters": r.counters} for r in results]
        print_json(payload[0] if len(payload) == 1 else payload)
        return
    if bound.values:
        err_console.print(f"[dim]{source.name}: {describe_params(bound)}[/dim]", highlight=False)
    for result in results:
        _print_result(result, len(results) > 1)


def _lease_if_curating(graph: Graph, name: str, quiet: bool) -> contextlib.AbstractContextManager[Any]:
    """A curation query writes the graph: it takes the write lease like the stages do."""
    return writer_lease(graph, f"cypher {name}", quiet=quiet) if name.startswith("curate/") else contextlib.nullcontext()


def _print_library(as_json: bool) -> None:
    found = library_queries()
    if as_json:
        print_json([{"name": q.name, "summary": q.summary, "parameters": q.parameters} for q in found])
        return
    table = Table("query", "parameters", "what it does", show_lines=False)
    for source in found:
        table.add_row(source.name, ", ".join(source.parameters), source.summary)
    console.print(table)


def _print_result(result: QueryResult, numbered: bool) -> None:
    title = f"statement {result.statement + 1}" if numbered else None
    drawn = _graph_columns(result)
    shown = [i for i in range(len(result.columns)) if i not in drawn] or drawn
    if result.columns:
        table = Table(*(result.columns[i] for i in shown), title=title, show_lines=False)
        for row in result.rows:
            table.add_row(*(escape(format_cell(row[i])) for i in shown))
        console.print(table)
    console.print(_result_line(result, [result.columns[i] for i in drawn if i not in shown]), highlight=False)


def _graph_columns(result: QueryResult) -> list[int]:
    """Columns of nodes and relationships only: they are there for Browser to draw; when the
    query also returns plain values, the table shows those (--json has everything)."""
    return [i for i in range(len(result.columns))
            if any(row[i] is not None for row in result.rows) and all(is_graph_value(row[i]) for row in result.rows)]


def _result_line(result: QueryResult, hidden: list[str]) -> str:
    """``3 rows · properties set 2 · graph columns for Browser not shown: n``."""
    rows = f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
    changes = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result.counters.items() if k != "system_updates")
    note = f" · graph columns for Browser not shown: {', '.join(hidden)}" if hidden else ""
    return f"{rows}{' · ' + changes if changes else ''}{note}"


@app.command("resolve")
@handle_errors
def resolve_command(
    apply: bool = typer.Option(False, "--apply", help="Merge the accepted pairs (nothing is proposed)."),
    threshold: float | None = typer.Option(None, "--auto-accept-above", "--threshold", min=0, max=1,
                                           help="Accept and merge proposed pairs scoring at least this (default: off)."),
    min_score: float = typer.Option(0.6, min=0, max=1, help="Propose pairs scoring at least this."),
    method: list[str] = typer.Option([], "--method", help=f"Only these signals ({', '.join(METHODS)}); repeat. Default: all."),
    llm: bool = typer.Option(True, "--llm/--no-llm", help="Have the synthesizer adjudicate every candidate pair."),
    embeddings: bool = typer.Option(True, "--embeddings/--no-embeddings", help="Use the EMBEDDING_* endpoint when one is set."),
    llm_max_pairs: int = typer.Option(1000, min=0, help="Most pairs sent to the LLM."),
    show: int = typer.Option(20, min=0, help="Proposals listed (best first)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the LLM response cache."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    config_file: Path | None = config_option("Pipeline config (YAML): its neo4j and llm sections."),
) -> None:
    """Propose likely duplicate entities as SAME_AS pairs for review; --apply merges accepted ones.

    Review in Browser (explore/same_as_queue) and accept or reject with curate/review_same_as
    (its name parameter sets the survivor's display name). A rejected pair is never proposed
    again. Nothing merges unless --auto-accept-above is set or you run --apply.
    """
    unknown = [m for m in method if m not in METHODS]
    if unknown:
        raise typer.BadParameter(f"unknown method {', '.join(unknown)}; choose from {', '.join(METHODS)}", param_hint="--method")
    methods = [m for m in METHODS if (m in method or not method) and (m not in ("llm", "translation") or llm) and (m != "embedding" or embeddings)]
    config = ResolveConfig(methods=methods, min_score=min_score, auto_accept=threshold, llm_max_pairs=llm_max_pairs)
    context = load_context(config_file, no_cache=no_cache)
    ledger = context.ledger
    with context.connect() as graph, writer_lease(graph, "resolve", quiet=as_json):
        recorder = RunRecorder(graph, "resolve", {"apply": apply, **config.model_dump()}, resume=False)
        try:
            with recorder.stage("resolve"):
                if apply:
                    report = ResolveReport(merged=_with_progress(lambda p: apply_accepted(graph, p), as_json))
                else:
                    synthesizer = _synthesizer(context) if {"llm", "translation"} & set(methods) else None
                    embedder = _embedder(context) if "embedding" in methods else None
                    report = _with_progress(lambda p: asyncio.run(_resolve(graph, synthesizer, embedder, config, p)), as_json)
        except Exception as exc:
            recorder.finish("failed", ledger, error=str(exc))
            raise
        recorder.counts = report.model_dump(exclude={"merged", "failures", "proposals", "alias_proposals"}) | {"merged": len(report.merged)}
        recorder.finish("completed", ledger)
    if as_json:
        print_json(report.model_dump() | {"run_id": recorder.run_id})
    else:
        _print_report(report, apply, show)
    if report.failures:
        raise typer.Exit(code=1)


def _synthesizer(context: Context) -> LLMClient | None:
    try:
        return context.synthesizer()
    except ConfigError as exc:
        err_console.print(f"[yellow]llm adjudication skipped:[/yellow] {exc} (or pass --no-llm)", highlight=False)
        return None


def _embedder(context: Context) -> EmbeddingClient | None:
    return context.embedder()  # None: the report says embeddings were skipped


async def _resolve(graph: Graph, synthesizer: LLMClient | None, embedder: EmbeddingClient | None,
                   config: ResolveConfig, progress: Progress) -> ResolveReport:
    try:
        return await resolve(graph, synthesizer, config, progress, embedder=embedder)
    finally:
        if synthesizer is not None:
            await synthesizer.aclose()
        if embedder is not None:
            await embedder.aclose()


def _with_progress(work: Any, quiet: bool) -> Any:
    if quiet:
        return work(NullProgress())
    with RichProgress() as progress:
        return work(progress)


def _print_report(report: ResolveReport, applied: bool, show: int = 20) -> None:
    if not applied:
        console.print(_summary_table(report))
        if report.proposals and show:
            console.print(_proposals_table(report, show))
        if report.alias_proposals and show:
            console.print(_aliases_table(report, show))
    if report.merged:
        merges = Table("absorbed", "into", "relations moved", "folded", "loops dropped", "mentions", "QA now stale", title="merged")
        for m in report.merged:
            merges.add_row(escape(m.absorbed_name), escape(m.kept_name), str(m.relations_moved), str(m.relations_folded),
                           str(m.loops_dropped), str(m.mentions), str(m.qa_marked_stale))
        console.print(merges)
    elif applied:
        console.print("no accepted pair to merge")
    for failure in report.failures:
        err_console.print(f"[red]failed:[/red] {escape(str(failure))}", highlight=False)
    if not applied and report.proposed + report.rescored:
        console.print("review: graphgen-neo4j cypher explore/same_as_queue  ·  decide: curate/review_same_as  ·  merge: resolve --apply")


def _summary_table(report: ResolveReport) -> Table:
    table = Table("", "pairs", title=f"resolve: {report.entities} entities compared, {report.candidates} candidate pairs")
    for found_method, count in sorted(report.found.items()):
        table.add_row(f"pairs with {found_method}", str(count))
    table.add_row("newly proposed", str(report.proposed))
    table.add_row("re-scored (still proposed)", str(report.rescored))
    table.add_row("rejected before (not proposed again)", str(report.kept_rejected))
    table.add_row("accepted before (waiting for --apply)", str(report.kept_accepted))
    if report.embedded or report.embedding_skipped:
        table.add_row("embeddings", f"skipped ({report.embedding_skipped})" if report.embedding_skipped else f"{report.embedded} entities embedded now")
    if report.llm_pairs or report.llm_skipped:
        llm_line = (f"{report.llm_pairs} asked: {report.llm_confirmed} same, {report.llm_denied} different, {report.llm_failed} failed"
                    if not report.llm_skipped else f"skipped ({report.llm_skipped})")
        table.add_row("LLM adjudication", llm_line)
    if report.translated:
        table.add_row("entities the LLM named in the other language", str(report.translated))
    if report.accepted:
        table.add_row("accepted by --auto-accept-above", str(report.accepted))
    if report.alias_proposals:
        table.add_row("names stated in text that no entity goes by", f"{len(report.alias_proposals)} ({report.aliases_added} added as aliases)")
    return table


def _proposals_table(report: ResolveReport, show: int) -> Table:
    title = f"proposals (best {min(show, len(report.proposals))} of {len(report.proposals)}; arrow: absorbed → kept, the display name)"
    table = Table("absorbed → kept", "score", "signals", "evidence", "LLM verdict", title=title, show_lines=True)
    for c in report.proposals[:show]:
        more = f" (+{len(c.evidence) - 1} more)" if len(c.evidence) > 1 else ""
        evidence = _shorten(c.evidence[0], 110) + more if c.evidence else _shorten(c.reason, 110)
        table.add_row(escape(f"{c.absorb_name} → {c.keep_name}"), f"{c.score:.2f}", ", ".join(c.signals),
                      escape(evidence), escape(_shorten(c.verdict or "-", 60)))
    return table


def _aliases_table(report: ResolveReport, show: int) -> Table:
    title = (f"names the text states, no entity goes by (best {min(show, len(report.alias_proposals))} of "
             f"{len(report.alias_proposals)}; add: cypher curate/add_alias -p entity=… -p alias=…)")
    table = Table("entity", "alias", "evidence", title=title)
    for a in report.alias_proposals[:show]:
        table.add_row(escape(a.entity_name), escape(a.alias), escape(_shorten(a.evidence, 110)))
    return table


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
