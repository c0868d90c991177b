"""The generate queries: every file is used, every name used exists, each has its header."""

from __future__ import annotations

import re
from pathlib import Path

from graphgen_neo4j.db import queries

ROOT = Path(__file__).resolve().parents[2]
USED = re.compile(r"""["'](generate/\w+)["']""")
# Analysts' queries, run by the tests only (docs/generate.md shows them).
FOR_ANALYSTS = {"generate/coverage_by_mode"}


def test_every_generate_query_is_used_and_every_used_one_exists() -> None:
    code = "".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "graphgen_neo4j" / "generate").glob("*.py")))
    used = set(USED.findall(code))
    files = {f"generate/{path.stem}" for path in (queries.cypher_dir() / "generate").glob("*.cypher")}
    assert used | FOR_ANALYSTS == files
    tests = (ROOT / "tests" / "generate" / "test_generate.py").read_text(encoding="utf-8")
    assert FOR_ANALYSTS <= set(USED.findall(tests))


def test_each_query_says_what_it_does_takes_and_returns() -> None:
    for path in sorted((queries.cypher_dir() / "generate").glob("*.cypher")):
        text = path.read_text(encoding="utf-8")
        header = text.split("\n:param")[0]
        assert text.startswith("//") and "Parameters" in header and "Returns" in header, path.name
        assert len(queries.load_statements(f"generate/{path.stem}")) == 1, path.name
        for name in set(re.findall(r"\$(\w+)", queries.load(f"generate/{path.stem}"))):
            assert f":param {name} =>" in text, f"{path.name}: no :param example for ${name}"
