"""Command-line interface: ``graphgen-neo4j --help`` lists the commands.

Each command lives in its own module, which registers itself on the shared ``app``.
"""

from __future__ import annotations

from ..settings import load_dotenv_file
from ._app import app
# Registration order is the order `--help` lists the commands in: the pipeline first.
from . import run_cmd  # noqa: E402,F401  run
from . import ingest_cmd, assess_cmd, partition_cmd, generate_cmd  # noqa: E402,F401  stages
from . import stats_cmd, report_cmd, estimate_cmd, doctor_cmd  # noqa: E402,F401  looking at things
from . import analyst_cmd  # noqa: E402,F401  cypher, resolve
from . import neo4j_cmd, schema_cmd, llm_cmd  # noqa: E402,F401  setup


def main() -> None:
    load_dotenv_file()
    app()
