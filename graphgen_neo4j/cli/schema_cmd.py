"""``graphgen-neo4j init``: apply the graph schema."""

from __future__ import annotations

from pathlib import Path

import typer

from graphgen_neo4j.cli._app import app, config_option, console, handle_errors, print_json
from graphgen_neo4j.context import load_context


@app.command()
@handle_errors
def init(
    config_file: Path | None = config_option("Pipeline config (YAML): its neo4j section. Environment/.env wins over it."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Create the constraints and indexes of cypher/schema.cypher (safe to run again)."""
    with load_context(config_file).connect() as graph:
        statements = graph.init_schema()
        constraints = [r["name"] for r in graph.query("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name", write=False)]
        indexes = [r["name"] for r in graph.query("SHOW INDEXES YIELD name, owningConstraint WHERE owningConstraint IS NULL RETURN name ORDER BY name", write=False)]
    if as_json:
        print_json({"statements": len(statements), "constraints": constraints, "indexes": indexes})
        return
    console.print(f"schema applied: {len(statements)} statements")
    console.print(f"constraints ({len(constraints)}): {', '.join(constraints)}")
    console.print(f"indexes ({len(indexes)}): {', '.join(indexes)}")
