"""Load the Cypher files in ``cypher/``.

Queries live as readable ``.cypher`` files that an analyst can paste into Neo4j
Browser. A file may start with Browser commands such as ``:param name => 'x'``
(examples for the analyst); they are not Cypher, so they are dropped here. A file
may hold several statements separated by ``;`` at the end of a line (schema.cypher).

In a source checkout the files are read from the top-level ``cypher/`` folder; an
installed wheel carries the same folder as ``graphgen_neo4j/cypher``.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path

from graphgen_neo4j.errors import GraphGenError


def cypher_dir() -> Path:
    """The folder holding the ``.cypher`` files."""
    installed = resources.files("graphgen_neo4j") / "cypher"
    if installed.is_dir():
        return Path(str(installed))
    checkout = Path(__file__).resolve().parents[2] / "cypher"
    if checkout.is_dir():
        return checkout
    raise GraphGenError(
        "cypher/ folder not found next to the package; reinstall graphgen-neo4j"
    )


def query_path(name: str) -> Path:
    """Path of a named query: ``'schema'`` or ``'explore/neighbourhood'``."""
    path = cypher_dir() / f"{name.removesuffix('.cypher')}.cypher"
    if not path.is_file():
        raise GraphGenError(f"no Cypher file {path.name!r} in {path.parent}")
    return path


def strip_browser_commands(text: str) -> str:
    """Drop lines that are Browser commands (``:param …``, ``:style …``)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(":"))


_STATEMENT_END = re.compile(r";[ \t]*(?://[^\n]*)?$", re.MULTILINE)


def split_statements(text: str) -> list[str]:
    """Split a file into statements at ``;`` ending a line; blank or comment-only parts dropped."""
    parts = _STATEMENT_END.split(text)
    statements = []
    for part in parts:
        code = [ln for ln in part.splitlines() if ln.strip() and not ln.strip().startswith("//")]
        if code:
            statements.append(part.strip())
    return statements


@functools.cache
def load_statements(name: str) -> tuple[str, ...]:
    """All statements of a named query file, Browser commands removed."""
    text = strip_browser_commands(query_path(name).read_text(encoding="utf-8"))
    return tuple(split_statements(text))


def load(name: str) -> str:
    """The single statement of a named query file."""
    statements = load_statements(name)
    if len(statements) != 1:
        raise GraphGenError(
            f"{name}.cypher holds {len(statements)} statements; expected exactly one"
        )
    return statements[0]


def load_file(path: str | Path) -> list[str]:
    """Statements of an arbitrary ``.cypher`` file (an analyst's own)."""
    text = Path(path).read_text(encoding="utf-8")
    return split_statements(strip_browser_commands(text))


@functools.cache
def writes(name: str) -> bool:
    """Whether the named query may write (see ``db/access.py``): such a query goes to the leader."""
    from graphgen_neo4j.db.access import writes as statement_writes

    return any(statement_writes(statement) for statement in load_statements(name))
