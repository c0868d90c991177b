"""The Typer application shared by the command modules, and helpers for them.

Only the ``cli`` package imports Typer and Rich; the library modules never do.
Exit codes: 0 ok, 1 failure (a ``GraphGenError``), 2 usage error (Typer's own).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

import click
import typer
from rich.console import Console
from rich.markup import escape

from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.settings import mask_secrets

app = typer.Typer(
    name="graphgen-neo4j",
    help="Turn domain documents into SFT question-answer data through a knowledge graph in Neo4j.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_wait = False  # --wait of this invocation (the callback sets it every time)


@app.callback()
def _options(
    wait: bool = typer.Option(False, "--wait", help="When another command is writing the graph, wait for it "
                              "instead of failing (same as GRAPHGEN_WAIT=1)."),
    trace_cypher: bool = typer.Option(False, "--trace-cypher", help="Log every Cypher query to stderr: its file "
                                      "name, its parameters' names (never their values) and its duration."),
) -> None:
    """Turn domain documents into SFT question-answer data through a knowledge graph in Neo4j."""
    global _wait
    _wait = wait
    from graphgen_neo4j.db.graph import print_trace, set_tracer

    set_tracer(print_trace if trace_cypher else None)


def wait_for_lease() -> bool:
    """``graphgen-neo4j --wait …`` was given (or GRAPHGEN_WAIT=1)."""
    from graphgen_neo4j.runs.lock import wait_requested

    return _wait or wait_requested()


console = Console(soft_wrap=True)
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])
_CLI_EXITS = (typer.Exit, typer.Abort, typer.exceptions.TyperException,
              click.exceptions.Exit, click.exceptions.Abort, click.ClickException)


def handle_errors(func: F) -> F:
    """Print a ``GraphGenError`` as one red line and exit 1 (set GRAPHGEN_RAISE_ERRORS=1 to see the traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/yellow]: work done so far is saved; run the same command again to resume")
            raise typer.Exit(code=130) from None
        except _CLI_EXITS:  # usage errors and exits are Typer's to report
            raise
        except Exception as exc:
            if os.environ.get("GRAPHGEN_RAISE_ERRORS"):
                raise
            print_error(exc)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


CONFIG_HELP = "Pipeline config (YAML; upstream GraphGen's keys work). Flags > environment/.env > this file > defaults."


def config_option(help: str = CONFIG_HELP) -> Any:
    """The ``--config`` option every command takes (optional; see ``graphgen_neo4j.context``)."""
    return typer.Option(None, "--config", "-c", dir_okay=False, help=help)


def error_line(exc: BaseException) -> str:
    """One line for any error, secrets masked: a ``GraphGenError`` says what to do itself;
    anything else is named by its type, with the way to see the traceback."""
    if isinstance(exc, GraphGenError):
        text = str(exc)
    else:
        text = f"unexpected {type(exc).__name__}: {exc} (set GRAPHGEN_RAISE_ERRORS=1 to see the traceback)"
    return " ".join(mask_secrets(text).split())


def print_error(exc: BaseException) -> None:
    """The one-line, secret-masking report of an error (every command's failures end here)."""
    err_console.print(f"[red]error:[/red] {escape(error_line(exc))}", highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """Machine-readable output for ``--json``."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class RichProgress:
    """``graphgen_neo4j.progress.Progress`` drawn as rich progress bars (on stderr)."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=err_console,
        )
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    @staticmethod
    def _info(fields: dict[str, object]) -> str:
        return "  ".join(f"{k}={v}" for k, v in fields.items())

    def start(self, task: str, total: int | None = None, **fields: object) -> None:
        self._tasks[task] = self._progress.add_task(task, total=total, info=self._info(fields))

    def advance(self, task: str, amount: int = 1, **fields: object) -> None:
        if task not in self._tasks:
            self.start(task)
        update: dict[str, Any] = {"advance": amount}
        if fields:
            update["info"] = self._info(fields)
        self._progress.update(self._tasks[task], **update)

    def finish(self, task: str) -> None:
        if task in self._tasks:
            task_id = self._tasks[task]
            if self._progress.tasks[task_id].total is None:
                self._progress.update(task_id, total=self._progress.tasks[task_id].completed)
