"""Connection settings read from the environment (and ``.env``).

Secrets (passwords, API keys) only ever come from here, never from config files,
and are held as ``SecretStr`` so they do not show up in reprs or logs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

from graphgen_neo4j.errors import ConfigError

DEFAULT_NEO4J_URI = "bolt://127.0.0.1:7687"
# user:password@ inside any URL of a message
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^/\s:@]*):[^@\s/]*@", re.IGNORECASE)
_SECRET_VARIABLE = re.compile(r"(PASSWORD|KEY|TOKEN|SECRET)$|^NEO4J_AUTH$")


def mask_secrets(text: str, environ: Mapping[str, str] | None = None) -> str:
    """``text`` with the passwords of URLs and the values of secret variables
    (``*_PASSWORD``, ``*KEY`` — ``*_API_KEY`` and a pool's ``api_key_env`` —, ``*_TOKEN``, ``*_SECRET``,
    ``NEO4J_AUTH``; each part of a comma list too) replaced by ``***``."""
    env = os.environ if environ is None else environ
    text = _URL_CREDENTIALS.sub(r"\g<scheme>\g<user>:***@", text)
    secrets = set()
    for name, value in env.items():
        if _SECRET_VARIABLE.search(name.upper()) and len(value) >= 4:
            secrets.add(value)
            secrets.update(part.strip() for part in value.split(","))  # one key per endpoint of a pool
            if name.upper() == "NEO4J_AUTH" and "/" in value:
                secrets.add(value.split("/", 1)[1])
    for secret in sorted(secrets, key=len, reverse=True):  # a longer secret first: it may hold a shorter one
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def refuse_credentials_in_uri(uri: str) -> None:
    """``ConfigError`` (the password masked) when a Neo4j URI carries ``user:password@``."""
    try:
        parts = urlsplit(uri)
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        has_credentials = "@" in uri
    if has_credentials:
        raise ConfigError(
            f"NEO4J_URI must not hold credentials ({mask_secrets(uri)}): "
            "remove 'user:password@' from it and set NEO4J_USER / NEO4J_PASSWORD instead"
        )


class Neo4jSettings(BaseModel):
    """Where the graph lives: ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uri: str = DEFAULT_NEO4J_URI
    user: str = "neo4j"
    password: SecretStr = SecretStr("")
    database: str = "neo4j"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Neo4jSettings:
        env = os.environ if environ is None else environ
        user, password = env.get("NEO4J_USER", "neo4j"), env.get("NEO4J_PASSWORD", "")
        # NEO4J_AUTH=user/password is what the Docker image and testcontainers use.
        if "NEO4J_AUTH" in env and "NEO4J_PASSWORD" not in env:
            auth = env["NEO4J_AUTH"]
            if auth != "none" and "/" in auth:
                user, password = auth.split("/", 1)
        uri = env.get("NEO4J_URI", DEFAULT_NEO4J_URI)
        refuse_credentials_in_uri(uri)
        return cls(
            uri=uri,
            user=user,
            password=SecretStr(password),
            database=env.get("NEO4J_DATABASE", "neo4j"),
        )


def load_dotenv_file(path: str = ".env") -> None:
    """Load ``.env`` from the working directory; real environment variables win."""
    from dotenv import load_dotenv

    load_dotenv(path, override=False)
