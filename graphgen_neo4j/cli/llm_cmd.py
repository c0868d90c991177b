"""``graphgen-neo4j scripted-llm``: run the scripted OpenAI-compatible test server;
``graphgen-neo4j llm start|stop|status``: run the embedded local model."""

from __future__ import annotations

from pathlib import Path

import typer

from graphgen_neo4j.cli._app import app, console, handle_errors, print_json
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.llm.local.process import LocalLLM
from graphgen_neo4j.testing.llm_server import DEFAULT_PORT, ScriptedLLMServer
from graphgen_neo4j.testing.scripts import tasks
from graphgen_neo4j.testing.scripts.judge import TRAINEE_PROFILES


@app.command("scripted-llm")
@handle_errors
def scripted_llm(
    port: int = typer.Option(DEFAULT_PORT, help="Port to listen on (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    latency: float = typer.Option(0.0, help="Seconds each reply takes."),
    concurrency: int | None = typer.Option(None, help="Replies in progress at once; more requests queue."),
    trainee_profile: str = typer.Option("knows", help=f"How the judge answers: {', '.join(TRAINEE_PROFILES)}."),
    blind_spot: list[str] = typer.Option([], help="Term the trainee is confidently wrong about (blind_spots profile; repeatable)."),
    api_key: str | None = typer.Option(None, help="Require this API key (bearer token)."),
) -> None:
    """Serve canned, deterministic replies on an OpenAI-compatible API (for tests and demos; not a model)."""
    if trainee_profile not in TRAINEE_PROFILES:
        raise typer.BadParameter(f"choose one of {', '.join(TRAINEE_PROFILES)}", param_hint="--trainee-profile")
    server = ScriptedLLMServer(
        host,
        port,
        latency=latency,
        concurrency=concurrency,
        api_key=api_key,
        trainee_profile=trainee_profile,
        blind_spot_terms=blind_spot,
    )

    def banner() -> None:
        console.print(
            f"[bold yellow]scripted LLM server[/bold yellow] at {server.base_url} (model {server.model})\n"
            "[yellow]Every reply is CANNED: deterministic test fixtures, not a language model.[/yellow]\n"
            f"tasks: {', '.join(tasks())}; trainee profile: {trainee_profile}\n"
            f"use it with SYNTHESIZER_BASE_URL={server.base_url} SYNTHESIZER_MODEL={server.model} "
            "(and TRAINEE_*); Ctrl-C stops.",
            highlight=False,
            soft_wrap=True,
        )

    try:
        server.serve_forever(banner)
    except OSError as exc:  # the port is taken, or the address is not ours
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): choose another --port") from None


# -- graphgen-neo4j llm start|stop|status: the embedded local model ------------------------------

llm_app = typer.Typer(help="Run the embedded local model (GGUF via llama.cpp) on an OpenAI-compatible endpoint.",
                      no_args_is_help=True)
app.add_typer(llm_app, name="llm")

_PortOption = typer.Option(None, "--port", help="Port on 127.0.0.1 (default 8766 or $GRAPHGEN_LLM_PORT).")
_DirOption = typer.Option(None, "--dir", help="State folder for pid and log (default .graphgen/llm or $GRAPHGEN_LLM_DIR).")


@llm_app.command("start")
@handle_errors
def llm_start(
    model: str = typer.Option("packaged", help="packaged | path/to/model.gguf | owner/repo[:file.gguf] (Hugging Face)."),
    port: int | None = _PortOption,
    threads: int | None = typer.Option(None, help="Threads per request (default 1: fastest measured on 2 cores)."),
    directory: Path | None = _DirOption,
    timeout: float = typer.Option(300.0, help="Seconds to wait for /health."),
) -> None:
    """Start the local model server in the background and wait until it answers."""
    server = LocalLLM.from_env(directory, port)
    with console.status("starting the local model server …"):
        info = server.start(model, threads=threads, timeout=timeout)
    console.print(
        f"local model [bold]{info['model']}[/bold] running (pid {info['pid']}) at {info['base_url']}\n"
        f"use it with:\n  SYNTHESIZER_BASE_URL={info['base_url']} SYNTHESIZER_MODEL={info['model']}\n"
        f"  TRAINEE_BASE_URL={info['base_url']} TRAINEE_MODEL={info['model']}\n"
        "[yellow]a 0.5B model is for trying the tool, not for production data[/yellow]; "
        "`graphgen-neo4j llm stop` stops it.",
        highlight=False,
    )


@llm_app.command("stop")
@handle_errors
def llm_stop(directory: Path | None = _DirOption) -> None:
    """Stop the local model server."""
    console.print("local model server stopped" if LocalLLM.from_env(directory).stop() else "local model server was not running")


@llm_app.command("status")
@handle_errors
def llm_status(
    directory: Path | None = _DirOption,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Whether the local model server runs: model, port, pid, base URL (exit 1 when not running)."""
    info = LocalLLM.from_env(directory).status()
    if as_json:
        print_json(info)
    else:
        for key, value in info.items():
            console.print(f"{key:9} {value}", highlight=False)
    if not info["running"]:
        raise typer.Exit(code=1)
