"""What every stage command does the same way: build LLM clients, record the run,
show progress, print the token ledger."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from rich.table import Table

from graphgen_neo4j.cli._app import RichProgress, console, err_console, wait_for_lease
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.llm import (
    DEFAULT_CACHE_PATH,
    SCRIPTED_OWNER,
    EndpointSettings,
    LLMClient,
    ResponseCache,
    TokenLedger,
)
from graphgen_neo4j.progress import NullProgress, Progress
from graphgen_neo4j.runs.lock import Holder, Lease, graph_lease
from graphgen_neo4j.runs.record import RunRecorder

R = TypeVar("R")

# EndpointSettings field ← the environment variable that sets it (env wins over the config file).
_ENV_SUFFIX = {"max_concurrency": "MAX_CONCURRENCY", "rpm": "RPM", "tpm": "TPM", "timeout": "TIMEOUT", "max_retries": "MAX_RETRIES"}


def llm_client(
    role: str,
    ledger: TokenLedger,
    *,
    use_cache: bool = True,
    cache_path: str | Path = DEFAULT_CACHE_PATH,
    file_settings: dict[str, Any] | None = None,
) -> LLMClient:
    """A client for ``role`` from ``<ROLE>_*`` variables; ``file_settings`` (config file values)
    fill in only what the environment leaves unset."""
    prefix = role.upper()
    overrides = {
        name: value for name, value in (file_settings or {}).items()
        if value is not None and not os.environ.get(f"{prefix}_{_ENV_SUFFIX.get(name, name.upper())}")
    }
    settings = EndpointSettings.from_env(role, **overrides)  # type: ignore[arg-type]
    return LLMClient(settings, cache=ResponseCache(cache_path) if use_cache else None, ledger=ledger)


def warn_if_canned(*clients: LLMClient | None) -> None:
    """Say loudly when replies come from the scripted test server."""
    async def check() -> list[str]:
        found = []
        for client in clients:
            if client is None:
                continue
            try:
                models = await client.served_models()
            except Exception:  # noqa: BLE001 — the stage itself will report an unreachable endpoint
                continue
            if any(m.get("owned_by") == SCRIPTED_OWNER for m in models):
                found.append(client.settings.role)
        return found

    canned = asyncio.run(check())
    if canned:
        err_console.print(
            f"[bold yellow]NOTE:[/bold yellow] the {' and '.join(canned)} endpoint is the scripted test server: "
            "every text it returns is canned, not written by a model."
        )


def recorded(
    graph: Graph,
    command: str,
    config: dict[str, Any],
    ledger: TokenLedger,
    work: Callable[[Progress, RunRecorder], Awaitable[R]],
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
    work: Callable[[Progress, RunRecorder], Awaitable[R]],
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
