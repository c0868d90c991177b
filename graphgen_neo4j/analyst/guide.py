"""The query library as a Neo4j Browser guide: every query runs in one click.

Browser 5 plays a guide from a URL in its sidebar (``:guide http://localhost:7480/graphgen.html``)
and puts a ▶ before each ``<pre class="runnable">`` block: clicking it runs the block's text
as it stands. So each library query becomes one block holding a single statement, its
``$parameters`` written in as Cypher literals, and an input box per parameter above it
(Browser copies what is typed into the block: ``value-for`` / ``value-key``). The values
come from the user's graph: explore queries keep their file's values (null: the query
picks a real item itself), curate queries get a real item picked by
``cypher/guide/examples.cypher`` (the analyst checks it before pressing ▶: curate writes).
The first slide loads ``cypher/style.grass`` with one click (``:style …``).

    html = guide_html(library_queries(), style=grass_text, picks=read_picks(graph))
    server = GuideServer(lambda: html, port=7480, allow_origins=browser_origins(7474))
    server.serve_forever()

Browser fetches a guide only from hosts in ``browser.remote_content_hostname_allowlist``
(default ``guides.neo4j.com,localhost``) and only with CORS headers: the server answers
the Browser's origins and no other.
"""

from __future__ import annotations

import html
import http.server
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graphgen_neo4j.analyst.curation import QuerySource
from graphgen_neo4j.db.graph import Graph

GUIDE_PATH = "/graphgen.html"
DEFAULT_PORT = 7480

# string literal | line comment | $parameter — only the last is replaced
_TOKEN = re.compile(r"(?P<string>'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\")|(?P<comment>//[^\n]*)|\$`?(?P<param>[A-Za-z_]\w*)`?")


def cypher_literal(value: Any) -> str:
    """A Python value written as a Cypher literal (strings single-quoted and escaped)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    return f"'{text}'"


def fill_parameters(statement: str, literals: Mapping[str, str], key_prefix: str) -> str:
    """The statement as HTML, each ``$name`` replaced by an editable span holding its literal."""
    out: list[str] = []
    last = 0
    for match in _TOKEN.finditer(statement):
        name = match.group("param")
        if name is None:
            continue
        out.append(html.escape(statement[last:match.start()], quote=False))
        literal = literals.get(name, "null")
        out.append(f'<span value-key="{key_prefix}-{name}">{html.escape(literal, quote=False)}</span>')
        last = match.end()
    out.append(html.escape(statement[last:], quote=False))
    return "".join(out)


def query_values(source: QuerySource, picks: Mapping[str, Any]) -> dict[str, str]:
    """Each parameter's starting value as a literal: a pick from the graph for curate queries
    (``<query>.<param>`` before ``<param>``), else the file's ``:param`` value."""
    values: dict[str, str] = {}
    examples = source.examples
    short = source.name.split("/")[-1]
    for name in source.parameters:
        value = examples.get(name)
        if source.name.startswith("curate/"):
            for key in (f"{short}.{name}", name):
                if picks.get(key) is not None:
                    value = picks[key]
                    break
        values[name] = cypher_literal(value)
    return values


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _header_lines(source: QuerySource) -> list[str]:
    lines = []
    for line in source.text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            break
        lines.append(stripped.lstrip("/").strip())
    return lines


def _without_header(statement: str) -> str:
    lines = statement.splitlines()
    while lines and lines[0].lstrip().startswith("//"):
        lines.pop(0)
    return "\n".join(lines)


def query_slide(source: QuerySource, picks: Mapping[str, Any]) -> str:
    """One slide: what the query does, a box per parameter, the block ▶ runs."""
    key = slug(source.name)
    literals = query_values(source, picks)
    inputs = "".join(
        f'<p><label>${html.escape(name)}</label> '
        f'<input value-for="{key}-{name}" class="form-control" value="{html.escape(literal)}"></p>'
        for name, literal in literals.items()
    )
    warning = ("<p><b>Writes to the graph</b> when run: check the values first.</p>"
               if source.name.startswith("curate/") else "")
    code = fill_parameters(_without_header(source.statements[0]), literals, key)
    about = html.escape(" ".join(_header_lines(source)))
    return (
        f'<slide class="row-fluid">\n<div class="col-sm-12">\n<h3>{html.escape(source.name)}</h3>\n'
        f"<p>{about}</p>\n{warning}{inputs}\n"
        f'<pre class="runnable" data-query="{html.escape(source.name)}">{code}</pre>\n</div>\n</slide>\n'
    )


def intro_slide(style: str, names: Iterable[str]) -> str:
    listing = "".join(f"<li>{html.escape(n)}</li>" for n in names)
    return (
        '<slide class="row-fluid">\n<div class="col-sm-12">\n<h3>graphgen-neo4j: explore and curate</h3>\n'
        "<p>Each slide holds one query of <code>cypher/explore</code> or <code>cypher/curate</code>. "
        "Press ▶ before a block to run it as shown. The boxes above a block are its parameters, "
        "as Cypher values (<code>'a name'</code>, <code>10</code>, <code>null</code>): what you type goes into "
        "the block. Explore queries pick a real item from your graph where a value is null.</p>\n"
        "<p>First load the project's style (colours by entity type, relations by loss band):</p>\n"
        f'<pre class="runnable" data-query="style">{html.escape(":style " + style, quote=False)}</pre>\n'
        f"<ol>{listing}</ol>\n</div>\n</slide>\n"
    )


def guide_html(sources: list[QuerySource], *, style: str, picks: Mapping[str, Any]) -> str:
    """The whole guide: an intro slide (style, list), then a slide per query."""
    slides = [intro_slide(style, (s.name for s in sources))] + [query_slide(s, picks) for s in sources]
    return '<article class="guide">\n<carousel class="deck container-fluid">\n' + "".join(slides) + \
        "</carousel>\n</article>\n"


def read_picks(graph: Graph) -> dict[str, Any]:
    """Real items of the user's graph for the curate queries' parameters."""
    rows = graph.read("guide/examples")
    return dict(rows[0]["picks"]) if rows else {}


def browser_origins(http_port: int) -> list[str]:
    return [f"http://{host}:{http_port}" for host in ("localhost", "127.0.0.1")]


class GuideServer(http.server.ThreadingHTTPServer):
    """Serves one guide page with CORS for the Browser's origins (and no one else's)."""

    daemon_threads = True

    def __init__(self, page: Callable[[], str], *, port: int = DEFAULT_PORT, host: str = "127.0.0.1",
                 allow_origins: Iterable[str] = ()) -> None:
        self.page = page  # called for each request: the values follow the graph as it changes
        self.allow_origins = set(allow_origins)
        super().__init__((host, port), _GuideHandler)


class _GuideHandler(http.server.BaseHTTPRequestHandler):
    server: GuideServer

    def _cors(self) -> None:
        origin = self.headers.get("Origin")
        if origin and origin in self.server.allow_origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def do_OPTIONS(self) -> None:  # noqa: N802  (the preflight Browser sends before fetching)
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET")
        self.send_header("Access-Control-Allow-Headers", self.headers.get("Access-Control-Request-Headers", ""))
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        if self.path.split("?")[0] not in (GUIDE_PATH, "/"):
            self.send_error(404, f"the guide is at {GUIDE_PATH}")
            return
        try:
            body = self.server.page().encode("utf-8")
        except Exception as exc:  # the graph is down, say: tell the Browser, keep serving
            self.send_error(503, f"cannot build the guide: {exc}")
            return
        self.send_response(200)
        self._cors()
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (quiet)
        return
