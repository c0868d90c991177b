"""``graphgen-neo4j scripted-llm``: run the scripted OpenAI-compatible test server."""

from __future__ import annotations

import typer

from graphgen_neo4j.cli._app import app, console, handle_errors
from graphgen_neo4j.errors import ConfigError
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
