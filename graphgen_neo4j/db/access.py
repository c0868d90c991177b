"""Which queries write, and which procedures and functions a query calls (pure, no database).

A cluster (or Aura with secondaries) serves reads from any copy of the database and writes
only on the leader, so ``Graph.run`` sends each query file where it belongs: a file that
writes goes to the leader, a file that only reads may go to a reader. The class of a query
is read off its text: it writes when, outside comments and string literals, it has a write
clause (``CREATE``, ``MERGE``, ``SET``, ``DELETE``, ``REMOVE``, ``DROP``, ``FOREACH``,
``LOAD CSV``, ``… IN TRANSACTIONS``) or calls a procedure not known to be read-only. A
read query wrongly taken for a write only costs the spreading of that read; a write taken
for a read would fail on the server ("Writing in read access mode not allowed"), which is
why a procedure not in ``READ_PROCEDURES`` counts as a write.
"""

from __future__ import annotations

import re

# Procedures that only read (anything else a query CALLs makes it a write query).
# ``db.awaitIndex(es)`` is left out on purpose: it waits for an index the same transaction's
# caller just created, so it goes to the leader that created it.
READ_PROCEDURES = frozenset({
    "db.index.fulltext.queryNodes",
    "db.index.fulltext.queryRelationships",
    "db.index.vector.queryNodes",
    "db.index.vector.queryRelationships",
    "dbms.components",
    "apoc.path.subgraphAll",
    "apoc.path.subgraphNodes",
    "apoc.path.expandConfig",
    "apoc.util.validate",
})

_WRITE_CLAUSE = re.compile(
    r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|FOREACH|LOAD\s+CSV|IN\s+TRANSACTIONS|"
    r"ALTER|GRANT|DENY|REVOKE|START\s+DATABASE|STOP\s+DATABASE)\b",
    re.IGNORECASE,
)
_CALL = re.compile(r"\bCALL\s+([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_][\w]*)+)", re.IGNORECASE)
# namespaced function calls: apoc.coll.toSet(…), vector.similarity.cosine(…), duration.inSeconds(…)
_FUNCTION = re.compile(r"(?<![\w.$])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\s*\(")
_IN_TRANSACTIONS = re.compile(r"\bIN\s+(?:\d+\s+)?(?:CONCURRENT\s+)?TRANSACTIONS\b", re.IGNORECASE)
# comments, string literals and back-quoted names, in one pass so a quote inside a comment
# (or // inside a string) is read correctly
_NOT_CODE = re.compile(
    r"//[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`",
    re.DOTALL,
)


def code_only(cypher: str) -> str:
    """The query without comments, string literals and back-quoted names (each becomes a space)."""
    return _NOT_CODE.sub(" ", cypher)


def procedures(cypher: str) -> set[str]:
    """The procedures a query CALLs (``CALL db.awaitIndexes(…)`` → ``db.awaitIndexes``)."""
    return {re.sub(r"\s+", "", name) for name in _CALL.findall(code_only(cypher))}


def functions(cypher: str) -> set[str]:
    """The namespaced functions a query uses (``apoc.coll.toSet``, ``vector.similarity.cosine``);
    property accesses such as ``e.name`` are not calls and are not returned. Procedures are not either."""
    code = code_only(cypher)
    called = procedures(cypher)
    return {name for name in _FUNCTION.findall(code) if name not in called}


def in_transactions(cypher: str) -> bool:
    """Whether the query batches itself with ``CALL { … } IN TRANSACTIONS`` (needs an auto-commit
    transaction: the toolkit runs every query inside a managed one, where it fails)."""
    return bool(_IN_TRANSACTIONS.search(code_only(cypher)))


_DOTTED = re.compile(r"[A-Za-z_$]\w*(?:\s*\.\s*[A-Za-z_]\w*)+")


def _clauses(cypher: str) -> str:
    """The code with dotted names (``e.name``, ``apoc.create.vNode``) removed: no clause hides in them."""
    return _DOTTED.sub(" ", code_only(cypher))


def writes(cypher: str) -> bool:
    """Whether the query may write (so must run on the leader)."""
    code = _clauses(cypher)
    if _WRITE_CLAUSE.search(code):
        return True
    return any(name not in READ_PROCEDURES for name in procedures(cypher))


def write_clauses(cypher: str) -> list[str]:
    """What makes a query a write: its write clauses and the procedures not known to be read-only."""
    code = _clauses(cypher)
    found = [m.group(1).upper() for m in _WRITE_CLAUSE.finditer(code)]
    found += [f"CALL {name}" for name in sorted(procedures(cypher)) if name not in READ_PROCEDURES]
    return found
