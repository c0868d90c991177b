"""What a command runs with, built one way for every command.

    context = load_context(config_path, {"quiz_samples": 1}, no_cache=False)
    with context.connect() as graph:
        synthesizer = context.synthesizer()
        ...

From the config file, the environment (and ``.env``, loaded into it by the CLI) and the
command-line flags come: the pipeline config with each stage's view of it, the Neo4j
connection, the synthesizer and trainee clients, the response cache, the token ledger
and the run recorder. Precedence is the same for every command, highest first:

1. command-line flags (``overrides``: dotted config keys, ``--no-cache``);
2. the environment / ``.env`` (``NEO4J_*``, ``SYNTHESIZER_*``, ``TRAINEE_*``);
3. the config file;
4. the defaults.

Secrets (passwords, API keys) only ever come from the environment. Everything is
validated here, before any LLM call or Neo4j write.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphgen_neo4j.config import Endpoint, PipelineConfig, apply_overrides, load_config, neo4j_env, parse_config
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.llm import EndpointSettings, LLMClient, ResponseCache, TokenLedger
from graphgen_neo4j.llm.embeddings import EmbeddingClient, embedding_configured
from graphgen_neo4j.llm.endpoints import role_endpoints
from graphgen_neo4j.llm.settings import Role
from graphgen_neo4j.runs.pipeline import StageConfigs, stage_configs
from graphgen_neo4j.runs.record import RunRecorder
from graphgen_neo4j.settings import Neo4jSettings

__all__ = ["Context", "endpoint_settings", "load_context"]

# Endpoint setting ← the suffix of the variable that sets it (``SYNTHESIZER_RPM``…).
_ENV_SUFFIX = {"max_concurrency": "MAX_CONCURRENCY", "rpm": "RPM", "tpm": "TPM", "timeout": "TIMEOUT",
               "max_retries": "MAX_RETRIES"}


def endpoint_settings(role: Role, section: Endpoint, environ: Mapping[str, str]) -> EndpointSettings:
    """``<ROLE>_*`` variables; the config file's ``llm.<role>`` values fill in only what they leave unset."""
    return EndpointSettings.from_env(role, environ, **_from_file(role, section, environ))


def _from_file(role: Role, section: Endpoint, environ: Mapping[str, str]) -> dict[str, Any]:
    prefix = role.upper()
    return {name: value for name, value in section.model_dump(exclude={"endpoints"}).items()
            if value is not None and not environ.get(f"{prefix}_{_ENV_SUFFIX[name]}", "").strip()}


def pool_settings(role: Role, section: Endpoint, environ: Mapping[str, str]) -> list[EndpointSettings]:
    """The role's endpoints: one, or a pool (a comma list in ``<ROLE>_BASE_URL`` or ``llm.<role>.endpoints``)."""
    entries = [e.model_dump() for e in section.endpoints] if section.endpoints else None
    return role_endpoints(role, environ, _from_file(role, section, environ), entries)


@dataclass
class Context:
    """A command's settings and the clients built from them (each client on first use)."""

    config: PipelineConfig
    config_path: Path | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    no_cache: bool = False
    ledger: TokenLedger = field(default_factory=TokenLedger)
    stages: StageConfigs = field(init=False)

    def __post_init__(self) -> None:
        self.stages = stage_configs(self.config)

    # -- Neo4j -----------------------------------------------------------------------------

    def neo4j_settings(self) -> Neo4jSettings:
        return Neo4jSettings.from_env(neo4j_env(self.config, dict(self.environ)))

    def connect(self) -> Graph:
        """An open graph (a ``Neo4jUnavailable`` naming the URI and the fix when it is not there)."""
        return Graph.connect(self.neo4j_settings())

    # -- LLM -------------------------------------------------------------------------------

    @property
    def use_cache(self) -> bool:
        return self.config.llm.cache and not self.no_cache

    def cache(self) -> ResponseCache | None:
        return ResponseCache(self.config.llm.cache_path) if self.use_cache else None

    def endpoint(self, role: Role) -> EndpointSettings:
        """The role's endpoint (the first of a pool)."""
        return self.endpoints(role)[0]

    def endpoints(self, role: Role) -> list[EndpointSettings]:
        """The role's endpoints (one, or the pool); a ConfigError naming the variable or key when one is wrong."""
        section = self.config.llm.synthesizer if role == "synthesizer" else self.config.llm.trainee
        return pool_settings(role, section, self.environ)

    def synthesizer(self) -> LLMClient:
        """The synthesizer client (``SYNTHESIZER_*``); a ConfigError naming the variable when it is not set."""
        return LLMClient(self.endpoints("synthesizer"), cache=self.cache(), ledger=self.ledger)

    def trainee_configured(self) -> bool:
        return EndpointSettings.trainee_configured(self.environ)

    def trainee(self, *, fresh: bool = False) -> LLMClient | None:
        """The trainee client, or None when no trainee is set up or judging is skipped.

        ``fresh``: never read the cache (a checkpoint served under the same name must really be asked again)."""
        if self.config.judge.skip or not self.trainee_configured():
            return None
        cache = None if fresh or self.config.re_judge else self.cache()
        return LLMClient(self.endpoints("trainee"), cache=cache, ledger=self.ledger)

    def embedder(self) -> EmbeddingClient | None:
        """The embedding client (``EMBEDDING_*``), or None when no embedding endpoint is set up."""
        if not embedding_configured(self.environ):
            return None
        return EmbeddingClient(role_endpoints("embedding", self.environ), cache=self.cache(), ledger=self.ledger)

    # -- runs ------------------------------------------------------------------------------

    def record(self, **extra: Any) -> dict[str, Any]:
        """The config as a ``:Run`` record stores it (plus ``extra``)."""
        record = self.config.model_dump(mode="json")
        if self.config_path is not None:
            record["config_file"] = str(self.config_path)
        return {**record, **extra}

    def recorder(self, graph: Graph, command: str, record: dict[str, Any] | None = None, **options: Any) -> RunRecorder:
        return RunRecorder(graph, command, self.record() if record is None else record, **options)


def load_context(
    config_path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    no_cache: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Context:
    """The context of a command: ``config_path`` (or the defaults), then ``overrides`` (dotted
    config keys from flags; None means not given). Every setting is validated here."""
    path = Path(config_path) if config_path is not None else None
    config = load_config(path) if path is not None else parse_config({}, source="defaults")
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    if given:
        config = apply_overrides(config, given)
    env = dict(os.environ if environ is None else environ)
    return Context(config=config, config_path=path, environ=env, no_cache=no_cache)
