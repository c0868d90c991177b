"""Every query the package runs uses only what Neo4j Aura offers (see docs/aura.md).

Scanned: every ``cypher/**/*.cypher`` file (the pipeline's queries and the analysts' library)
and every inline query (a string literal passed to ``Graph.query``/``Graph.statement`` or
``execute_query`` in the package). Each procedure and namespaced function must be in the
allow-list below; no query may batch itself (``CALL { … } IN TRANSACTIONS`` fails inside the
managed transactions the toolkit runs every query in); no query may touch server settings or
call an admin procedure (Aura gives no access to either).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from graphgen_neo4j.db import access, queries

PACKAGE = Path(__file__).resolve().parents[2] / "graphgen_neo4j"

# https://neo4j.com/docs/aura/apoc/ — the APOC Core subset installed in Aura (names only).
AURA_APOC = frozenset(
    line.strip() for line in (Path(__file__).with_name("aura_apoc.txt")).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
# Built-in procedures of Neo4j 5 that Aura users may call (none of them is an admin procedure):
# db.awaitIndex(es) and the full-text and vector index queries (Cypher manual, "Procedures");
# dbms.components (the version and edition, callable by any user).
BUILTIN_PROCEDURES = frozenset({
    "db.awaitIndex", "db.awaitIndexes",
    "db.index.fulltext.queryNodes", "db.index.fulltext.queryRelationships",
    "db.index.vector.queryNodes", "db.index.vector.queryRelationships",
    "dbms.components",
})
# Namespaced built-in Cypher functions (Cypher manual, "Functions"): in every Neo4j 5, Aura too.
BUILTIN_FUNCTION_NAMESPACES = ("date.", "datetime.", "localdatetime.", "localtime.", "time.", "duration.",
                               "point.", "vector.similarity.")
ALLOWED_SHOW = re.compile(r"^SHOW\s+(CONSTRAINTS|(VECTOR\s+|FULLTEXT\s+|RANGE\s+)?INDEXES|DATABASES?)\b", re.IGNORECASE)


def _allowed(name: str) -> bool:
    return name in AURA_APOC or name in BUILTIN_PROCEDURES or name.startswith(BUILTIN_FUNCTION_NAMESPACES)


def cypher_file_statements() -> list[tuple[str, str]]:
    root = queries.cypher_dir()
    return [(str(path.relative_to(root)), statement) for path in sorted(root.rglob("*.cypher"))
            for statement in queries.load_file(path)]


def inline_statements() -> list[tuple[str, str]]:
    """(file:line, text) of string literals passed as the query to query/statement/execute_query."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("query", "statement", "execute_query") and node.args):
                first = node.args[0]
                text = first.value if isinstance(first, ast.Constant) else None
                if isinstance(first, ast.JoinedStr):  # f"EXPLAIN {x}": its literal parts
                    text = " ".join(v.value for v in first.values if isinstance(v, ast.Constant))
                if isinstance(text, str):
                    found.append((f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", text))
    return found


ALL = cypher_file_statements() + inline_statements()


def test_the_scan_sees_the_package_queries() -> None:
    names = {where for where, _ in ALL}
    assert len(cypher_file_statements()) > 150
    assert any("db/graph.py" in n for n in names) and any("runs/doctor.py" in n for n in names)
    used = set().union(*(access.procedures(s) | access.functions(s) for _, s in ALL))
    assert {"apoc.util.validate", "apoc.refactor.mergeNodes", "db.index.vector.queryNodes", "dbms.components"} <= used


@pytest.mark.parametrize(("where", "statement"), ALL, ids=[w for w, _ in ALL])
def test_only_what_aura_offers(where: str, statement: str) -> None:
    called = access.procedures(statement) | access.functions(statement)
    assert sorted(n for n in called if not _allowed(n)) == [], f"{where} calls what Aura lacks"
    assert not access.in_transactions(statement), f"{where}: CALL {{…}} IN TRANSACTIONS cannot run in a managed transaction"
    code = access.code_only(statement)
    assert not re.search(r"\b(dbms\.(?!components\b)\w+|CREATE\s+DATABASE|ALTER\s+(DATABASE|SERVER|USER)|"
                         r"CREATE\s+(USER|ROLE)|GRANT|DENY)\b", code, re.IGNORECASE), f"{where} needs admin rights"
    first = code.lstrip().upper()
    if first.startswith("SHOW"):
        assert ALLOWED_SHOW.match(code.lstrip()), f"{where}: a SHOW command Aura users may not run"


def test_the_allow_list_refuses_what_aura_lacks() -> None:
    """APOC Extended, admin procedures and server settings are caught (the check is not vacuous)."""
    for name in ("apoc.load.jdbc", "apoc.custom.declareProcedure", "apoc.trigger.install", "dbms.setConfigValue",
                 "gds.pageRank.stream"):
        assert not _allowed(name), name
    for name in ("apoc.coll.toSet", "apoc.refactor.mergeNodes", "db.index.vector.queryNodes", "duration.inSeconds"):
        assert _allowed(name), name
