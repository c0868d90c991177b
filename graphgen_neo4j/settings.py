"""Connection settings read from the environment (and ``.env``).

Secrets (passwords, API keys) only ever come from here, never from config files,
and are held as ``SecretStr`` so they do not show up in reprs or logs.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, SecretStr

DEFAULT_NEO4J_URI = "bolt://127.0.0.1:7687"


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
        return cls(
            uri=env.get("NEO4J_URI", DEFAULT_NEO4J_URI),
            user=user,
            password=SecretStr(password),
            database=env.get("NEO4J_DATABASE", "neo4j"),
        )


def load_dotenv_file(path: str = ".env") -> None:
    """Load ``.env`` from the working directory; real environment variables win."""
    from dotenv import load_dotenv

    load_dotenv(path, override=False)
