"""Command-line interface: ``graphgen-neo4j --help`` lists the commands.

Each command lives in its own module, which registers itself on the shared ``app``.
"""

from __future__ import annotations

from ..settings import load_dotenv_file
from ._app import app
from . import analyst_cmd, assess_cmd, doctor_cmd, estimate_cmd, generate_cmd, ingest_cmd, llm_cmd, neo4j_cmd, partition_cmd, report_cmd, run_cmd, schema_cmd, stats_cmd  # noqa: F401  (register commands)


def main() -> None:
    load_dotenv_file()
    app()
