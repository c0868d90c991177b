"""``graphgen-neo4j doctor``: check Neo4j, both LLM endpoints and the config."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from graphgen_neo4j.cli._app import app, config_option, console, handle_errors, print_json
from graphgen_neo4j.runs.doctor import run_checks

STYLE = {"OK": "green", "WARN": "yellow", "FAIL": "red"}


@app.command()
@handle_errors
def doctor(
    config: Path | None = config_option("Also validate this pipeline config, and check the Neo4j and endpoint settings it gives."),
    as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
) -> None:
    """Check Neo4j (reachable, auth, version, APOC, schema), the LLM endpoints (reachable, key, model, a 1-token call, trainee logprobs, which structured output each takes) and the config."""
    checks = asyncio.run(run_checks(config))
    failed = any(c.status == "FAIL" for c in checks)
    if as_json:
        print_json([c.__dict__ for c in checks])
    else:
        table = Table(title="graphgen-neo4j doctor")
        for column in ("", "area", "check", "result", "fix"):
            table.add_column(column, overflow="fold")
        for c in checks:
            table.add_row(f"[{STYLE[c.status]}]{c.status}[/]", c.area, c.name, escape(c.detail), escape(c.fix))
        console.print(table)
        console.print("[red]some checks failed[/red]" if failed else "[green]ready[/green]")
    if failed:
        raise typer.Exit(code=1)
