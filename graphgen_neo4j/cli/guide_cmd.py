"""``graphgen-neo4j guide``: the query library as a Neo4j Browser guide (every query one click)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from graphgen_neo4j.analyst.curation import library_queries
from graphgen_neo4j.analyst.guide import DEFAULT_PORT, GUIDE_PATH, GuideServer, browser_origins, guide_html, read_picks
from graphgen_neo4j.cli._app import app, config_option, console, handle_errors
from graphgen_neo4j.context import load_context
from graphgen_neo4j.db import queries
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.db.local_server import port_in_use
from graphgen_neo4j.errors import GraphGenError


def _page(graph: Graph) -> str:
    style = (queries.cypher_dir() / "style.grass").read_text(encoding="utf-8")
    return guide_html(library_queries(), style=style, picks=read_picks(graph))


@app.command("guide")
@handle_errors
def guide_command(
    port: int = typer.Option(DEFAULT_PORT, "--port", help="Port to serve the guide on (127.0.0.1)."),
    http_port: int | None = typer.Option(
        None, "--http-port", help="The Browser's port, whose pages may load the guide (default 7474 or $GRAPHGEN_NEO4J_HTTP_PORT)."),
    write: Path | None = typer.Option(None, "--write", help="Write the guide to this HTML file instead of serving it."),
    config_file: Path | None = config_option(),
) -> None:
    """Serve the explore and curate queries as a Neo4j Browser guide: in Browser, run
    `:guide http://localhost:7480/graphgen.html`, then press ▶ before a query to run it.

    Parameters are filled in from your graph when the guide is loaded; each has a box to change it.
    """
    with load_context(config_file).connect() as graph:
        if write is not None:
            write.parent.mkdir(parents=True, exist_ok=True)
            write.write_text(_page(graph), encoding="utf-8")
            console.print(f"wrote the guide to {write}: serve it with CORS from a host Browser allows "
                          "(browser.remote_content_hostname_allowlist)", highlight=False)
            return
        if port_in_use(port):
            raise GraphGenError(f"port {port} is in use on 127.0.0.1: pass --port with a free one")
        browser_port = http_port or int(os.environ.get("GRAPHGEN_NEO4J_HTTP_PORT", 7474))
        server = GuideServer(lambda: _page(graph), port=port, allow_origins=browser_origins(browser_port))
        console.print(f"serving the guide; in Neo4j Browser (http://localhost:{browser_port}/browser/) run:\n"
                      f"  :guide http://localhost:{port}{GUIDE_PATH}\n(Ctrl-C stops)", highlight=False)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.print("guide stopped")
        finally:
            server.server_close()
