"""``graphgen-neo4j neo4j start|stop|status|fetch``: a local Neo4j without Docker."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import typer

from graphgen_neo4j.cli._app import app, console, handle_errors, print_json
from graphgen_neo4j.db.local_server import NEO4J_VERSION, LocalNeo4j
from graphgen_neo4j.db.uri import parse_uri
from graphgen_neo4j.errors import GraphGenError, LocalServerError

neo4j_app = typer.Typer(help=f"Run a local Neo4j {NEO4J_VERSION} (jars from Maven Central; no Docker needed).", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")

DirOption = typer.Option(None, "--dir", help="Instance folder (conf, data, logs). Default ./.neo4j or $GRAPHGEN_NEO4J_DIR.")
BoltOption = typer.Option(None, "--bolt-port", help="Bolt port (default 7687 or $GRAPHGEN_NEO4J_BOLT_PORT).")
HttpOption = typer.Option(None, "--http-port", help="HTTP/Browser port (default 7474 or $GRAPHGEN_NEO4J_HTTP_PORT).")


def _server(directory: Path | None, bolt_port: int | None, http_port: int | None) -> LocalNeo4j:
    return LocalNeo4j.from_env(instance_dir=directory, bolt_port=bolt_port, http_port=http_port)


@neo4j_app.command()
@handle_errors
def start(
    directory: Path | None = DirOption,
    bolt_port: int | None = BoltOption,
    http_port: int | None = HttpOption,
    heap: str = typer.Option("2g", help="JVM heap (-Xms/-Xmx)."),
    pagecache: str = typer.Option("1g", help="Page cache size."),
    timeout: float = typer.Option(180.0, help="Seconds to wait for Bolt to answer."),
) -> None:
    """Fetch the jars if needed, write neo4j.conf, start the server and wait until Bolt answers."""
    server = _server(directory, bolt_port, http_port)
    password = os.environ.get("NEO4J_PASSWORD") or _generated_password(server)
    server.heap, server.pagecache = heap, pagecache
    if not server.jars_present():
        console.print(f"fetching Neo4j {NEO4J_VERSION}, APOC and Browser from Maven Central into {server.jars_dir} …")
    with console.status("starting Neo4j …"):
        pid = server.start(password, timeout=timeout)
    console.print(f"Neo4j {NEO4J_VERSION} running (pid {pid}): {server.bolt_uri}  Browser: {server.http_url}/browser/")
    _note_other_uri(server)


def _note_other_uri(server: LocalNeo4j) -> None:
    """Say so when NEO4J_URI points elsewhere (Aura, a cluster): the other commands use that, not this server."""
    uri = os.environ.get("NEO4J_URI", "")
    try:
        address = parse_uri(uri) if uri else None
    except GraphGenError:
        return  # the commands that connect say what is wrong with it
    if address is not None and not (address.local and address.port == server.bolt_port):
        console.print(f"NOTE: NEO4J_URI is {uri}: the other commands use that database, not this local server", highlight=False)


def _generated_password(server: LocalNeo4j, env_file: Path = Path(".env")) -> str:
    """For a server never started and a ``.env`` whose NEO4J_PASSWORD is empty: a random
    password, written into ``.env`` (mode 0600) and never printed. Otherwise the one-line fix."""
    if not server.fresh or not env_file.is_file():
        raise LocalServerError("set NEO4J_PASSWORD (in the environment or .env; 12 characters or more)")
    password = secrets.token_urlsafe(18)
    lines = env_file.read_text(encoding="utf-8").splitlines()
    found = [i for i, line in enumerate(lines) if line.strip().startswith("NEO4J_PASSWORD=")]
    if found and lines[found[0]].split("=", 1)[1].strip():
        raise LocalServerError(f"NEO4J_PASSWORD is set in {env_file} but not in the environment: export it, or leave it empty")
    if found:
        lines[found[0]] = f"NEO4J_PASSWORD={password}"
    else:
        lines.append(f"NEO4J_PASSWORD={password}")
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env_file.chmod(0o600)
    os.environ["NEO4J_PASSWORD"] = password  # for this process; later commands read it from .env
    console.print(f"generated a password for user neo4j and wrote it to {env_file} (NEO4J_PASSWORD, file mode 0600)")
    return password


@neo4j_app.command()
@handle_errors
def stop(
    directory: Path | None = DirOption,
    timeout: float = typer.Option(60.0, help="Seconds to wait after SIGTERM before SIGKILL."),
) -> None:
    """Shut the server down cleanly (SIGTERM, then SIGKILL after the timeout)."""
    server = _server(directory, None, None)
    if server.stop(timeout=timeout):
        console.print("Neo4j stopped")
    else:
        console.print("Neo4j was not running")


@neo4j_app.command()
@handle_errors
def status(
    directory: Path | None = DirOption,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Whether the local server runs, and where."""
    info = _server(directory, None, None).status()
    if as_json:
        print_json(info)
    else:
        for key, value in info.items():
            console.print(f"{key:13} {value}", highlight=False)
    if not info["running"]:
        raise typer.Exit(code=1)


@neo4j_app.command()
@handle_errors
def fetch() -> None:
    """Download the Neo4j, APOC and Browser jars (start does this when needed)."""
    server = _server(None, None, None)
    downloaded = server.fetch()
    console.print(("downloaded to " if downloaded else "already present in ") + str(server.jars_dir))
