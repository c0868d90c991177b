"""`neo4j start` with no password on a fresh instance: one is generated into .env, never printed."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

from graphgen_neo4j.cli.neo4j_cmd import _generated_password
from graphgen_neo4j.errors import LocalServerError


def test_a_fresh_instance_gets_a_random_password_written_into_env(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    env = tmp_path / ".env"
    env.write_text("NEO4J_URI=bolt://127.0.0.1:7687\nNEO4J_PASSWORD=\nSYNTHESIZER_MODEL=x\n", encoding="utf-8")
    password = _generated_password(SimpleNamespace(fresh=True), env)
    assert len(password) >= 20
    assert env.read_text(encoding="utf-8").splitlines() == [
        "NEO4J_URI=bolt://127.0.0.1:7687", f"NEO4J_PASSWORD={password}", "SYNTHESIZER_MODEL=x"]
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert os.environ["NEO4J_PASSWORD"] == password
    assert password not in capsys.readouterr().out


def test_an_instance_already_started_or_no_env_file_is_the_one_line_fix(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    env = tmp_path / ".env"
    env.write_text("NEO4J_PASSWORD=\n", encoding="utf-8")
    with pytest.raises(LocalServerError, match="set NEO4J_PASSWORD"):
        _generated_password(SimpleNamespace(fresh=False), env)  # its password was set at first start
    with pytest.raises(LocalServerError, match="set NEO4J_PASSWORD"):
        _generated_password(SimpleNamespace(fresh=True), tmp_path / "missing.env")
    assert env.read_text(encoding="utf-8") == "NEO4J_PASSWORD=\n"
