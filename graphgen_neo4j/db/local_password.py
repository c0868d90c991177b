"""The initial password of a new local Neo4j: which ones are refused, and how it reaches
``neo4j-admin`` without being a process argument (readable by every user through ``ps``)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from graphgen_neo4j.errors import LocalServerError

MIN_PASSWORD_LENGTH = 12
EXAMPLE_PASSWORDS = frozenset({"change-me-please", "password", "neo4j", "neo4jneo4j"})


def check_new_password(password: str) -> None:
    """``LocalServerError`` for a password a new instance must not get: the example one,
    one under ``MIN_PASSWORD_LENGTH`` characters, or one with a line break."""
    fix = f"set NEO4J_PASSWORD (environment or .env) to a password of your own, {MIN_PASSWORD_LENGTH} characters or more"
    if password in EXAMPLE_PASSWORDS:
        raise LocalServerError(f"NEO4J_PASSWORD is the example password, which every reader of .env.example knows: {fix}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise LocalServerError(f"NEO4J_PASSWORD has {len(password)} characters, fewer than {MIN_PASSWORD_LENGTH}: {fix}")
    if "\n" in password or "\r" in password:
        raise LocalServerError(f"NEO4J_PASSWORD holds a line break: {fix}")


def picocli_quote(argument: str) -> str:
    """One argument of a picocli @-file: double-quoted, backslashes and quotes escaped
    (picocli reads the file like ``java.io.StreamTokenizer``; ``#`` inside quotes is kept)."""
    return '"' + argument.replace("\\", "\\\\").replace('"', '\\"') + '"'


def set_initial_password(command: Sequence[str], password: str, *, env: Mapping[str, str]) -> None:
    """Run ``command`` (``… neo4j-admin dbms set-initial-password``) with the password as a
    picocli ``@``-file: mode 0600, in a private temporary folder, deleted when it returns."""
    check_new_password(password)
    with tempfile.TemporaryDirectory(prefix="graphgen-neo4j-") as private:
        argument_file = Path(private) / "set-initial-password.args"
        descriptor = os.open(argument_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(picocli_quote(password) + "\n")
        result = subprocess.run([*command, f"@{argument_file}"], capture_output=True, text=True, env=dict(env))
    if result.returncode != 0:
        detail = (result.stdout + result.stderr).replace(password, "***").strip()[-500:]
        raise LocalServerError(f"setting the initial password failed: {detail}")
