"""What every stage command does the same way: record the run, show progress, print the
token ledger. The clients come from ``graphgen_neo4j.context``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.markup import escape
from rich.table import Table

from graphgen_neo4j.cli._app import RichProgress, console, err_console, wait_for_lease
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import StageFailed
from graphgen_neo4j.llm import LOCAL_OWNER, SCRIPTED_OWNER, LLMClient, TokenLedger
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.runs.lock import Holder, Lease, graph_lease
from graphgen_neo4j.runs.record import RunRecorder

R = TypeVar("R")

def warn_if_canned(*clients: LLMClient | None) -> None:
    """Say loudly who writes the data when it is not a model one would train on: the scripted
    test server (canned text) or the embedded local model (a 0.5B model, for trying the tool)."""
    async def check() -> tuple[list[str], list[str]]:
        canned: list[str] = []
        local: list[str] = []
        for client in clients:
            if client is None:
                continue
            try:
                models = await client.served_models()
            except Exception:  # noqa: BLE001 — the stage itself will report an unreachable endpoint
                continue
            owners = {m.get("owned_by") for m in models}
            if SCRIPTED_OWNER in owners:
                canned.append(client.settings.role)
            elif LOCAL_OWNER in owners:
                local.append(f"{client.settings.role} ({client.settings.model})")
        return canned, local

    canned, local = asyncio.run(check())
    if canned:
        err_console.print(
            f"[bold yellow]NOTE:[/bold yellow] the {' and '.join(canned)} endpoint is the scripted test server: "
            "every text it returns is canned, not written by a model."
        )
    if local:
        err_console.print(
            f"[bold yellow]NOTE:[/bold yellow] the embedded local model plays the {' and the '.join(local)}: "
            "a small CPU model is for trying the tool, not for production data (see docs/real-models.md).",
            highlight=False,
        )


def recorded(
    graph: Graph,
    command: str,
    config: dict[str, Any],
    ledger: TokenLedger,
    work: Callable[[Progress, RunRecorder], Coroutine[Any, Any, R]],
    *,
    quiet: bool = False,
    counts: Callable[[R], dict[str, Any]] | None = None,
) -> R:
    """Run ``work`` under a ``:Run`` record (completed / failed / interrupted), with progress bars unless quiet,
    holding the graph's write lease (``runs.lock``) throughout."""
    with writer_lease(graph, command, quiet=quiet):
        return _recorded(graph, command, config, ledger, work, quiet=quiet, counts=counts)


@contextmanager
def writer_lease(graph: Graph, command: str, *, quiet: bool = False) -> Iterator[Lease]:
    """The graph's write lease for a command: fails at once with who holds it, or waits
    (``graphgen-neo4j --wait …`` / ``GRAPHGEN_WAIT=1``) saying so once."""
    def waiting(other: Holder) -> None:
        if not quiet:
            err_console.print(f"waiting for the graph's lease, held by {other.describe()} …", highlight=False)

    with graph_lease(graph, command, wait=wait_for_lease(), on_wait=waiting) as lease:
        if lease.taken_over is not None and not quiet:
            err_console.print(f"[yellow]took over a stale lease[/yellow] of {lease.taken_over.describe()}", highlight=False)
        yield lease


def _recorded(
    graph: Graph,
    command: str,
    config: dict[str, Any],
    ledger: TokenLedger,
    work: Callable[[Progress, RunRecorder], Coroutine[Any, Any, R]],
    *,
    quiet: bool = False,
    counts: Callable[[R], dict[str, Any]] | None = None,
) -> R:
    recorder = RunRecorder(graph, command, config)
    if recorder.resumed and not quiet:
        err_console.print(f"resuming unfinished run {recorder.run_id}")
    try:
        if quiet:
            result = asyncio.run(work(NullProgress(), recorder))
        else:
            with RichProgress() as progress:
                result = asyncio.run(work(progress, recorder))
    except KeyboardInterrupt:
        recorder.finish("interrupted", ledger)
        raise
    except BaseException as exc:
        recorder.finish("failed", ledger, error=str(exc))
        raise
    if counts is not None:
        recorder.counts.update(counts(result))
    recorder.finish("completed", ledger)
    return result


def checked(report: R) -> R:
    """``report`` unless its work pool's verdict is failed: then ``StageFailed`` carrying it
    (raised inside ``recorded``'s work, so the ``:Run`` is recorded as failed)."""
    outcome = getattr(report, "work", None)
    if outcome is not None:
        try:
            outcome.raise_if_failed()
        except StageFailed as exc:
            exc.report = report
            raise
    return report


def warn_partial(report: Any) -> None:
    """A stage where some items failed: a warning with the figures (the command still exits 0)."""
    outcome = getattr(report, "work", None)
    line = outcome.warning_line() if outcome is not None else None
    if line:
        err_console.print(f"[yellow]warning:[/yellow] {escape(line)}", highlight=False, soft_wrap=True)


def print_ledger(ledger: TokenLedger) -> None:
    """The LLM calls and tokens of this command, per stage and model."""
    rows = ledger.rows()
    if not rows:
        console.print("LLM calls: none")
        return
    table = Table(title="token ledger")
    columns = ("stage", "role", "model", "calls", "cached", "failures", "retries", "prompt_tokens", "completion_tokens")
    headers = ("stage", "role", "model", "calls", "cached", "failed", "retries", "tokens in", "tokens out")
    for column, header in zip(columns, headers):
        table.add_column(header, justify="left" if column in ("stage", "role", "model") else "right")
    for row in [*rows, ledger.totals()]:
        table.add_row(*(str(getattr(row, c)) for c in columns))
    console.print(table)
    print_endpoints(ledger)


def print_endpoints(ledger: TokenLedger) -> None:
    """Per endpoint of a pool: calls, errors, tokens and its share of the role's busy time."""
    rows = ledger.endpoint_rows()
    if not rows:
        return
    table = Table(title="endpoints")
    headers = ("role", "endpoint", "model", "calls", "errors", "outages", "tokens in", "tokens out", "busy share")
    for header in headers:
        table.add_column(header, justify="left" if header in ("role", "endpoint", "model") else "right")
    for row in rows:
        table.add_row(row.role, row.base_url, row.model, str(row.calls), str(row.errors), str(row.outages),
                      str(row.prompt_tokens), str(row.completion_tokens), f"{row.busy_share:.0%}")
    console.print(table)
