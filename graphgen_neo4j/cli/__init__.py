"""Command-line interface: ``graphgen-neo4j --help`` lists the commands.

Each command lives in its own module, which registers itself on the shared ``app``.
"""

from __future__ import annotations

# Registration order is the order `--help` lists the commands in: the pipeline first.
from graphgen_neo4j.cli import (  # noqa: E402,F401  stages  # noqa: E402,F401  looking at things  # noqa: E402,F401  setup
    analyst_cmd,  # noqa: E402,F401  cypher, resolve
    assess_cmd,
    doctor_cmd,
    estimate_cmd,
    filter_cmd,  # noqa: E402,F401  filter
    generate_cmd,
    guide_cmd,  # noqa: E402,F401  guide (Neo4j Browser)
    ingest_cmd,
    llm_cmd,
    neo4j_cmd,
    partition_cmd,
    report_cmd,
    run_cmd,  # noqa: E402,F401  run
    schema_cmd,
    stats_cmd,
)
from graphgen_neo4j.cli._app import app
from graphgen_neo4j.settings import load_dotenv_file


def main() -> None:
    """The console script: errors outside a command (loading ``.env``, Typer itself) also
    end in one secret-masked line and exit 1."""
    import os
    import sys

    from graphgen_neo4j.cli._app import print_error

    try:
        load_dotenv_file()
        app()
    except Exception as exc:
        if os.environ.get("GRAPHGEN_RAISE_ERRORS"):
            raise
        print_error(exc)
        sys.exit(1)
