"""One endpoint or a pool of them behind a role.

From the environment, a comma-separated ``<ROLE>_BASE_URL`` makes a pool; ``<ROLE>_MODEL``,
``<ROLE>_API_KEY``, ``<ROLE>_MAX_CONCURRENCY``, ``<ROLE>_RPM`` and ``<ROLE>_TPM`` then take
one value for every endpoint or one per endpoint, in the same order::

    SYNTHESIZER_BASE_URL=http://a:8000/v1,http://b:8000/v1
    SYNTHESIZER_MODEL=Qwen/Qwen2.5-7B-Instruct
    SYNTHESIZER_MAX_CONCURRENCY=32,16

From the config file (used when ``<ROLE>_BASE_URL`` is not set), ``llm.<role>.endpoints``
lists them, each with its own model, key variable and limits::

    llm:
      synthesizer:
        endpoints:
          - {base_url: "http://a:8000/v1", model: qwen-7b, max_concurrency: 32}
          - {base_url: "https://api.example.com/v1", model: gpt-4o-mini, api_key_env: PROVIDER_KEY, rpm: 500}

A trainee pool must serve one model: losses from different models are not comparable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.llm.settings import EndpointSettings, Role

# Variables that may hold one value per endpoint of a pool.
LIST_SUFFIXES = ("MODEL", "API_KEY", "MAX_CONCURRENCY", "RPM", "TPM")
_SECRET_SUFFIXES = ("API_KEY",)


def split_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",")]


def role_endpoints(
    role: Role,
    environ: Mapping[str, str],
    from_file: Mapping[str, Any] | None = None,
    file_endpoints: list[dict[str, Any]] | None = None,
) -> list[EndpointSettings]:
    """The endpoints of ``role``: a list from ``<ROLE>_BASE_URL``, else ``file_endpoints``, else one.

    ``from_file`` holds the role's config values (limits) that no variable overrides.
    Raises ``ConfigError`` naming the variable or key and the value.
    """
    prefix = role.upper()
    file_values = dict(from_file or {})
    raw = environ.get(f"{prefix}_BASE_URL", "").strip()
    if raw and "," in raw:
        endpoints = _from_env_list(role, environ, file_values, split_list(raw))
    elif not raw and file_endpoints:
        endpoints = [_from_entry(role, environ, file_values, i, entry) for i, entry in enumerate(file_endpoints)]
    else:
        endpoints = [EndpointSettings.from_env(role, environ, **file_values)]
    check_pool(role, endpoints)
    return endpoints


def _from_env_list(role: Role, environ: Mapping[str, str], file_values: dict[str, Any],
                   urls: list[str]) -> list[EndpointSettings]:
    prefix = role.upper()
    if any(not url for url in urls):
        raise ConfigError(f"{prefix}_BASE_URL: an empty entry in the list (got {environ[f'{prefix}_BASE_URL']!r}); "
                          "separate URLs with single commas")
    per_endpoint: dict[str, list[str]] = {}
    for suffix in LIST_SUFFIXES:
        var = f"{prefix}_{suffix}"
        value = environ.get(var, "").strip()
        if not value or "," not in value:
            continue
        values = split_list(value)
        if len(values) != len(urls):
            shown = f"{len(values)} values" if suffix in _SECRET_SUFFIXES else f"{value!r}"
            raise ConfigError(f"{var}: {len(urls)} endpoints in {prefix}_BASE_URL but {var} has {shown}; "
                              "give one value for all or one per endpoint, comma-separated")
        per_endpoint[var] = values
    endpoints = []
    for i, url in enumerate(urls):
        env = {**environ, f"{prefix}_BASE_URL": url, **{var: values[i] for var, values in per_endpoint.items()}}
        endpoints.append(EndpointSettings.from_env(role, env, **file_values))
    return endpoints


def _from_entry(role: Role, environ: Mapping[str, str], file_values: dict[str, Any], index: int,
                entry: Mapping[str, Any]) -> EndpointSettings:
    prefix = role.upper()
    key = f"llm.{role}.endpoints[{index}]"
    env = {**environ, f"{prefix}_BASE_URL": str(entry["base_url"])}
    if entry.get("model"):
        env[f"{prefix}_MODEL"] = str(entry["model"])
    key_env = entry.get("api_key_env")
    if key_env:
        if not environ.get(key_env, "").strip():
            raise ConfigError(f"{key}.api_key_env: the variable {key_env} is not set; set it in the environment or .env")
        env[f"{prefix}_API_KEY"] = environ[key_env]
    limits = {name: entry[name] for name in ("max_concurrency", "rpm", "tpm", "timeout") if entry.get(name) is not None}
    try:
        return EndpointSettings.from_env(role, env, **{**file_values, **limits}, key_env=key_env)
    except ConfigError as exc:
        raise ConfigError(f"{key} ({entry['base_url']}): {exc}") from None


def check_pool(role: Role, endpoints: list[EndpointSettings]) -> None:
    """No endpoint twice; a trainee pool serves one model."""
    prefix = role.upper()
    seen: set[tuple[str, str]] = set()
    for endpoint in endpoints:
        pair = (endpoint.base_url, endpoint.model)
        if pair in seen:
            raise ConfigError(f"{prefix}_BASE_URL: {endpoint.base_url} (model {endpoint.model}) is listed twice; "
                              "list each endpoint once (raise its max_concurrency instead)")
        seen.add(pair)
    models = sorted({e.model for e in endpoints})
    if role == "trainee" and len(models) > 1:
        raise ConfigError(f"TRAINEE_MODEL: the trainee pool serves different models ({', '.join(models)}); "
                          "losses from different models are not comparable: give every trainee endpoint the same model")


def pool_identity(endpoints: list[EndpointSettings]) -> tuple[str, str]:
    """The (endpoint, model) a cache key is made of: one endpoint's own, or for a pool
    ``pool`` and its models — the same whichever endpoint answers, and when endpoints are added."""
    if len(endpoints) == 1:
        return endpoints[0].base_url, endpoints[0].model
    return "pool", "|".join(sorted({e.model for e in endpoints}))
