"""The ingest queries: every file is used, every name used exists, each has its header."""

from __future__ import annotations

import re
from pathlib import Path

from graphgen_neo4j.db import queries

ROOT = Path(__file__).resolve().parents[2]
USED = re.compile(r"""["'](ingest/\w+)["']""")


def test_every_ingest_query_is_used_and_every_used_one_exists():
    code = "".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "graphgen_neo4j" / "ingest").glob("*.py")))
    used = set(USED.findall(code))
    files = {f"ingest/{path.stem}" for path in (queries.cypher_dir() / "ingest").glob("*.cypher")}
    assert used == files


def test_each_query_says_what_it_does_takes_and_returns():
    for path in sorted((queries.cypher_dir() / "ingest").glob("*.cypher")):
        text = path.read_text(encoding="utf-8")
        header = text.split("\n:param")[0]
        assert text.startswith("//") and "Parameters" in header and "Returns" in header, path.name
        assert len(queries.load_statements(f"ingest/{path.stem}")) == 1, path.name
        for name in set(re.findall(r"\$(\w+)", queries.load(f"ingest/{path.stem}"))):
            assert f":param {name} =>" in text, f"{path.name}: no :param example for ${name}"
