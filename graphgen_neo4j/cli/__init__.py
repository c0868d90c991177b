"""Command-line interface: ``graphgen-neo4j --help`` lists the commands.

Each command lives in its own module, which registers itself on the shared ``app``.
"""

from __future__ import annotations

from graphgen_neo4j.settings import load_dotenv_file
from graphgen_neo4j.cli._app import app
# Registration order is the order `--help` lists the commands in: the pipeline first.
from graphgen_neo4j.cli import run_cmd  # noqa: E402,F401  run
from graphgen_neo4j.cli import ingest_cmd, assess_cmd, partition_cmd, generate_cmd  # noqa: E402,F401  stages
from graphgen_neo4j.cli import stats_cmd, report_cmd, estimate_cmd, doctor_cmd  # noqa: E402,F401  looking at things
from graphgen_neo4j.cli import analyst_cmd  # noqa: E402,F401  cypher, resolve
from graphgen_neo4j.cli import neo4j_cmd, schema_cmd, llm_cmd  # noqa: E402,F401  setup


def main() -> None:
    load_dotenv_file()
    app()
