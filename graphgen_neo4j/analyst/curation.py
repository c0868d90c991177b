"""Run the analysts' Cypher — the library in ``cypher/explore`` and ``cypher/curate``, or their own files.

A query file is what an analyst pastes into Neo4j Browser: a ``//`` header, ``:param``
example lines, then Cypher. ``run_query`` runs it with parameters typed on a command line::

    source = load_query("curate/add_alias")             # or a path to the analyst's own file
    params = bind_params(source, parse_params(["entity=稻瘟病", "alias=rice blast"]))
    results = run_query(graph, source, params)          # one QueryResult per statement

How parameters are bound (``bind_params``):

* given ones win (``name=value``: a JSON literal — ``10``, ``true``, ``null``, ``["a"]`` — or
  else a string; ``name:str=2019`` forces a string);
* a parameter ``x_key`` left out, when ``x`` is given, is ``normalize_key(x)`` — the exact
  alias key Python computes (the curate files fall back to a Cypher approximation when null);
* a number or boolean on the file's ``:param`` lines is a default (``limit``, ``hops``, ``excluded``);
* every other parameter left out is null (the curate queries then stop with a clear error).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from neo4j import exceptions as neo4j_errors
from neo4j.graph import Node, Relationship
from neo4j.graph import Path as GraphPath
from pydantic import BaseModel, ConfigDict

from graphgen_neo4j.db import queries
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.ids import normalize_key

LIBRARY_FOLDERS = ("explore", "curate")

_PARAM_LINE = re.compile(r"^\s*:param\s+`?(?P<name>\w+)`?\s*=>\s*(?P<value>.*?)\s*;?\s*$")
_PARAM_USE = re.compile(r"\$`?(?P<name>[A-Za-z_]\w*)`?")
_STRING_LITERAL = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"")
_LINE_COMMENT = re.compile(r"//[^\n]*")
_TYPED_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)(?::(?P<type>str|int|float|bool|json))?=(?P<value>.*)$", re.DOTALL)
_VALIDATE_MESSAGE = re.compile(r"RuntimeException:\s*(?P<message>.*?)\s*(?:\}|$)", re.DOTALL)


@dataclass(frozen=True)
class QuerySource:
    """A query file: where it came from and its text (Browser commands still in)."""

    name: str  # library name ("curate/merge_entities") or the path given
    text: str

    @property
    def statements(self) -> list[str]:
        return queries.split_statements(queries.strip_browser_commands(self.text))

    @property
    def summary(self) -> str:
        """The header comment's first sentence (what the query is for)."""
        header = []
        for line in self.text.splitlines():
            stripped = line.strip()
            if not stripped.startswith("//"):
                break
            header.append(stripped.lstrip("/").strip())
        text = " ".join(header)
        end = re.search(r"\.(\s|$)", text)
        return _shorten(text[: end.start() + 1] if end else text, 110)

    @property
    def examples(self) -> dict[str, Any]:
        """The ``:param name => value`` example lines, values parsed as Cypher literals."""
        found: dict[str, Any] = {}
        for line in self.text.splitlines():
            match = _PARAM_LINE.match(line)
            if match:
                found[match.group("name")] = parse_cypher_literal(match.group("value"))
        return found

    @property
    def parameters(self) -> list[str]:
        """Parameter names the statements use, in order of first use."""
        code = "\n".join(ln for ln in "\n".join(self.statements).splitlines() if not ln.lstrip().startswith("//"))
        code = _LINE_COMMENT.sub("", _STRING_LITERAL.sub("''", code))
        return list(dict.fromkeys(m.group("name") for m in _PARAM_USE.finditer(code)))


class QueryResult(BaseModel):
    """What one statement returned: column names, rows of driver values, update counters."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    statement: int
    columns: list[str]
    rows: list[list[Any]]
    counters: dict[str, int]

    def records(self) -> list[dict[str, Any]]:
        """Rows as JSON-ready dicts (nodes and relationships as property maps)."""
        return [{c: to_plain(v) for c, v in zip(self.columns, row)} for row in self.rows]


# -- finding and reading queries -------------------------------------------------------------


def library_queries() -> list[QuerySource]:
    """Every query of ``cypher/explore`` and ``cypher/curate``, sorted by name."""
    root = queries.cypher_dir()
    found = []
    for folder in LIBRARY_FOLDERS:
        for path in sorted((root / folder).glob("*.cypher")):
            found.append(QuerySource(f"{folder}/{path.stem}", path.read_text(encoding="utf-8")))
    return found


def load_query(name_or_path: str | Path) -> QuerySource:
    """A library query by name (``explore/neighbourhood``) or an analyst's ``.cypher`` file by path."""
    path = Path(name_or_path)
    if path.is_file():
        return QuerySource(str(name_or_path), path.read_text(encoding="utf-8"))
    name = str(name_or_path).removesuffix(".cypher")
    candidates = [name] if "/" in name else [f"{folder}/{name}" for folder in LIBRARY_FOLDERS]
    for candidate in candidates:
        library_path = queries.cypher_dir() / f"{candidate}.cypher"
        if library_path.is_file():
            return QuerySource(candidate, library_path.read_text(encoding="utf-8"))
    raise GraphGenError(
        f"no file {name_or_path!s} and no library query of that name: "
        "`graphgen-neo4j cypher --list` shows the library"
    )


# -- parameters --------------------------------------------------------------------------------


def parse_cypher_literal(text: str) -> Any:
    """A ``:param`` value: a number, true/false/null, a quoted string, or a list/map of them.

    Anything else (an expression such as ``date()``) is kept as its text.
    """
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    if len(text) >= 2 and text[0] == text[-1] == "'":
        body = text[1:-1]
        return re.sub(r"\\(.)", r"\1", body)
    if text.startswith("["):
        try:  # a list with single-quoted strings: make it JSON
            return json.loads(_STRING_LITERAL.sub(lambda m: json.dumps(parse_cypher_literal(m.group(0))), text))
        except ValueError:
            pass
    return text


def parse_param(option: str) -> tuple[str, Any]:
    """``name=value`` → (name, typed value); see the module docstring for the typing rules."""
    match = _TYPED_PARAM.match(option)
    if match is None:
        raise GraphGenError(f"--param {option!r}: write name=value (or name:str=value to force a string)")
    name, kind, raw = match.group("name"), match.group("type"), match.group("value")
    if kind == "str":
        return name, raw
    if kind in (None, "json"):
        try:
            return name, json.loads(raw)
        except ValueError:
            if kind == "json":
                raise GraphGenError(f"--param {name}: {raw!r} is not JSON") from None
            return name, raw
    try:
        if kind == "int":
            return name, int(raw)
        if kind == "float":
            return name, float(raw)
    except ValueError:
        raise GraphGenError(f"--param {name}: {raw!r} is not a {kind}") from None
    if raw.lower() in ("true", "false"):
        return name, raw.lower() == "true"
    raise GraphGenError(f"--param {name}: {raw!r} is not true or false")


def parse_params(options: Iterable[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for option in options:
        name, value = parse_param(option)
        params[name] = value
    return params


@dataclass
class BoundParams:
    """The parameters a query runs with, and where each came from."""

    values: dict[str, Any] = field(default_factory=dict)
    given: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)  # x_key from x
    defaults: list[str] = field(default_factory=list)  # from the :param lines
    nulls: list[str] = field(default_factory=list)  # left out, null
    unused: list[str] = field(default_factory=list)  # given but not used by the query


def bind_params(source: QuerySource, given: Mapping[str, Any]) -> BoundParams:
    """The parameters ``source`` uses, from what was given, derived keys, defaults, or null."""
    bound = BoundParams()
    examples = source.examples
    used = source.parameters
    for name in used:
        if name in given:
            bound.values[name] = given[name]
            bound.given.append(name)
        elif name.endswith("_key") and isinstance(given.get(name[: -len("_key")]), str):
            bound.values[name] = normalize_key(given[name[: -len("_key")]])
            bound.derived.append(name)
        elif isinstance(examples.get(name), (bool, int, float)):
            bound.values[name] = examples[name]
            bound.defaults.append(name)
        else:
            bound.values[name] = None
            bound.nulls.append(name)
    bound.unused = [name for name in given if name not in used]
    return bound


# -- running -----------------------------------------------------------------------------------


def run_query(graph: Graph, source: QuerySource, params: Mapping[str, Any]) -> list[QueryResult]:
    """Run every statement of ``source`` (each in its own transaction) with ``params``."""
    statements = source.statements
    if not statements:
        raise GraphGenError(f"{source.name} holds no Cypher statement")
    results = []
    for index, statement in enumerate(statements):
        used = {k: v for k, v in params.items() if re.search(rf"\$`?{re.escape(k)}\b", statement)}
        results.append(_run_statement(graph, statement, used, index, source.name))
    return results


def _run_statement(graph: Graph, statement: str, params: dict[str, Any], index: int, name: str) -> QueryResult:
    try:
        result = graph.statement(statement, params, name=f"{name}#{index + 1}")
    except neo4j_errors.Neo4jError as exc:
        raise GraphGenError(f"{name}: {cypher_error_message(exc)}") from exc
    rows = [list(record.values()) for record in result.records]
    return QueryResult(statement=index, columns=result.columns, rows=rows, counters=result.counters)


def cypher_error_message(exc: neo4j_errors.Neo4jError) -> str:
    """The useful part of a server error: a curate query's own message (apoc.util.validate), else the server's."""
    message = exc.message or str(exc)
    if "apoc.util.validate" in message:
        match = _VALIDATE_MESSAGE.search(message)
        if match:
            return match.group("message")
    return " ".join(message.split())


# -- values ------------------------------------------------------------------------------------


def to_plain(value: Any) -> Any:
    """A driver value as JSON-ready data: nodes and relationships become property maps."""
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {
            "type": value.type,
            "start": _node_caption(value.start_node),
            "end": _node_caption(value.end_node),
            **{k: to_plain(v) for k, v in value.items()},
        }
    if isinstance(value, GraphPath):
        return [to_plain(r) for r in value.relationships] or [to_plain(value.start_node)]
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):  # neo4j.time types
        return value.iso_format()
    return value


def is_graph_value(value: Any) -> bool:
    """A node, relationship or path (or nothing): what Browser draws rather than lists."""
    return value is None or isinstance(value, (Node, Relationship, GraphPath))


def format_cell(value: Any, width: int = 80) -> str:
    """A driver value as one table cell: a node by its name, a relationship as an arrow."""
    if value is None:
        return ""
    if isinstance(value, Node):
        return _node_caption(value)
    if isinstance(value, Relationship):
        loss = value.get("loss")
        label = value.type + (f" {loss:.2f}" if isinstance(loss, (int, float)) else "")
        return f"{_node_caption(value.start_node)} -[{label}]-> {_node_caption(value.end_node)}"
    if isinstance(value, GraphPath):
        names = [_node_caption(n) for n in value.nodes]
        return " → ".join(names)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_cell(v, width) for v in value)
    if isinstance(value, dict):
        return json.dumps(to_plain(value), ensure_ascii=False, default=str)
    if hasattr(value, "iso_format"):
        return value.iso_format()[:19]
    return _shorten(str(value), width * 3)


def _node_caption(node: Node | None) -> str:
    if node is None:
        return "?"
    for key in ("name", "question", "source_key", "id"):
        if node.get(key) is not None:
            caption = str(node.get(key))
            if key == "id" and "Chunk" in node.labels and node.get("index") is not None:
                caption = f"chunk #{node.get('index')}"
            return _shorten(caption, 60)
    return ":".join(sorted(node.labels)) or "(…)"  # an endpoint the query did not return


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# -- curation helpers used by other commands ---------------------------------------------------


class MergeOutcome(BaseModel):
    """What ``curate/merge_entities`` did."""

    model_config = ConfigDict(extra="forbid")

    kept_id: str
    kept_name: str
    absorbed_id: str
    absorbed_name: str
    relations_moved: int
    relations_folded: int
    loops_dropped: int
    mentions: int
    aliases: int
    qa_marked_stale: int


def merge_entities(graph: Graph, keep: str, absorb: str) -> MergeOutcome:
    """Merge entity ``absorb`` into ``keep`` (ids or exact names) with ``curate/merge_entities``."""
    results = run_query(graph, load_query("curate/merge_entities"), {"keep": keep, "absorb": absorb})
    rows = results[0].records()
    if not rows:
        raise GraphGenError(f"merging {absorb} into {keep} changed nothing")
    return MergeOutcome.model_validate(rows[0])


def mark_stale(graph: Graph) -> dict[str, int]:
    """Recompute ``QA.stale`` over the whole graph (``curate/mark_stale``)."""
    return cast(dict[str, int], graph.run("curate/mark_stale")[0])


def describe_params(bound: BoundParams, names: Sequence[str] | None = None) -> str:
    """One line saying which parameters were given, derived, defaulted or left null."""
    parts = []
    for name in names or list(bound.values):
        value = json.dumps(bound.values.get(name), ensure_ascii=False, default=str)
        origin = (
            "" if name in bound.given else " (key of " + name[:-4] + ")" if name in bound.derived
            else " (default)" if name in bound.defaults else " (not given)"
        )
        parts.append(f"{name}={value}{origin}")
    return ", ".join(parts)
