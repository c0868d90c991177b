"""Where an LLM endpoint is and how hard it may be driven.

Two roles share one shape: the *synthesizer* writes (extraction, summaries, quiz,
QA) and the *trainee* is the model whose knowledge gaps are measured. Each is read
from its own variables, so they may be different providers::

    SYNTHESIZER_BASE_URL  SYNTHESIZER_MODEL  SYNTHESIZER_API_KEY
    SYNTHESIZER_MAX_CONCURRENCY  SYNTHESIZER_RPM  SYNTHESIZER_TPM
    SYNTHESIZER_TIMEOUT  SYNTHESIZER_MAX_RETRIES  SYNTHESIZER_STRUCTURED_OUTPUT
    SYNTHESIZER_MAX_REASKS

and the same with ``TRAINEE_`` and ``EMBEDDING_`` (an optional ``/v1/embeddings``
endpoint the resolver uses; see ``llm/embeddings.py``). The trainee is optional: when neither
``TRAINEE_BASE_URL`` nor ``TRAINEE_MODEL`` is set, ``trainee_configured()`` is
False and the judge stage is skipped (relations keep no loss).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from graphgen_neo4j.errors import ConfigError

Role = Literal["synthesizer", "trainee", "embedding"]
StructuredOutput = Literal["auto", "json_schema", "json_object", "off"]

# Local servers (vLLM, Ollama, SGLang) accept any key; the openai client insists on one.
NO_API_KEY = "EMPTY"

_OPTIONAL_VARS: dict[str, str] = {
    "MAX_CONCURRENCY": "max_concurrency",
    "RPM": "rpm",
    "TPM": "tpm",
    "TIMEOUT": "timeout",
    "MAX_RETRIES": "max_retries",
    "STRUCTURED_OUTPUT": "structured_output",
    "MAX_REASKS": "max_reasks",
}


class EndpointSettings(BaseModel):
    """One OpenAI-compatible endpoint: URL, model, key and limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    base_url: str
    model: str
    api_key: SecretStr = SecretStr(NO_API_KEY)
    max_concurrency: int = Field(16, ge=1)
    rpm: int | None = Field(None, ge=1)
    tpm: int | None = Field(None, ge=1)
    timeout: float = Field(120, gt=0)
    max_retries: int = Field(5, ge=0)
    structured_output: StructuredOutput = "auto"
    # A rejected reply (no JSON, JSON that does not fit) is asked again this many times.
    max_reasks: int = Field(2, ge=0)
    # The variable the key came from, when not ``<ROLE>_API_KEY`` (a pool entry's ``api_key_env``).
    key_env: str | None = None

    @property
    def env_prefix(self) -> str:
        return self.role.upper()

    @property
    def key_var(self) -> str:
        """The variable to set when the key is rejected."""
        return self.key_env or f"{self.env_prefix}_API_KEY"

    def describe(self) -> str:
        """``<role> endpoint <url> (model <m>)``, for messages."""
        return f"{self.env_prefix} endpoint {self.base_url} (model {self.model})"

    @classmethod
    def from_env(
        cls, role: Role, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> EndpointSettings:
        """Read ``<ROLE>_*`` variables; keyword overrides (None ignored) win over them.

        Raises ``ConfigError`` naming the variable that is missing or malformed.
        """
        env = os.environ if environ is None else environ
        prefix = role.upper()
        values: dict[str, Any] = {"role": role}
        for name in ("base_url", "model"):
            var = f"{prefix}_{name.upper()}"
            if env.get(var, "").strip():
                values[name] = env[var].strip()
        values["api_key"] = env.get(f"{prefix}_API_KEY", "").strip() or NO_API_KEY
        for suffix, field in _OPTIONAL_VARS.items():
            raw = env.get(f"{prefix}_{suffix}", "").strip()
            if raw:
                values[field] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})

        for name in ("base_url", "model"):
            if not values.get(name):
                var = f"{prefix}_{name.upper()}"
                example = "http://127.0.0.1:8000/v1" if name == "base_url" else "Qwen/Qwen2.5-7B-Instruct"
                raise ConfigError(f"{var} is not set: set it in the environment or .env (e.g. {var}={example})")
        values["base_url"] = str(values["base_url"]).rstrip("/")
        try:
            return cls(**values)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else "?"
            suffix = next((s for s, f in _OPTIONAL_VARS.items() if f == field), field.upper())
            raise ConfigError(f"{prefix}_{suffix}: {first['msg']} (got {first.get('input')!r})") from None

    @staticmethod
    def trainee_configured(environ: Mapping[str, str] | None = None) -> bool:
        """True when a trainee endpoint is set up (``TRAINEE_BASE_URL`` or ``TRAINEE_MODEL``)."""
        env = os.environ if environ is None else environ
        return bool(env.get("TRAINEE_BASE_URL", "").strip() or env.get("TRAINEE_MODEL", "").strip())
