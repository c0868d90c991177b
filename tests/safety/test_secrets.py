"""Secrets never reach the terminal: credentials in NEO4J_URI are refused in one line, and
every uncaught error is one masked line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import _app
from graphgen_neo4j.cli._app import app, error_line
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.settings import Neo4jSettings, mask_secrets

SECRET = "hunter2-very-secret"
ROOT = Path(__file__).resolve().parents[2]


def test_settings_refuse_credentials_in_the_uri() -> None:
    with pytest.raises(ConfigError) as caught:
        Neo4jSettings.from_env({"NEO4J_URI": f"bolt://neo4j:{SECRET}@127.0.0.1:7687"})
    assert SECRET not in str(caught.value) and "NEO4J_PASSWORD" in str(caught.value)


def test_mask_secrets_hides_url_passwords_and_secret_variables() -> None:
    env = {"SYNTHESIZER_API_KEY": "sk-abcdef123456", "NEO4J_PASSWORD": SECRET, "HOME": "/home/x", "NEO4J_AUTH": "neo4j/other-pass"}
    text = f"failed bolt://u:{SECRET}@h:1 key sk-abcdef123456 pass {SECRET} and other-pass in /home/x"
    masked = mask_secrets(text, env)
    assert SECRET not in masked and "sk-abcdef123456" not in masked and "other-pass" not in masked
    assert "bolt://u:***@h:1" in masked and "/home/x" in masked


def test_cli_refuses_a_uri_with_credentials_in_one_line(monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_URI", f"bolt://neo4j:{SECRET}@127.0.0.1:1")
    monkeypatch.delenv("GRAPHGEN_RAISE_ERRORS", raising=False)
    result = CliRunner().invoke(app, ["stats"])
    assert result.exit_code == 1
    assert SECRET not in result.output
    assert result.output.strip().count("\n") == 0 and "NEO4J_URI must not hold credentials" in result.output


def test_the_console_script_reports_a_uri_with_credentials_without_a_traceback(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "NEO4J_URI": f"neo4j://admin:{SECRET}@127.0.0.1:1", "HOME": str(tmp_path),
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "graphgen_neo4j", "init"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 1
    assert SECRET not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_an_unexpected_error_is_one_masked_line(monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    monkeypatch.delenv("GRAPHGEN_RAISE_ERRORS", raising=False)

    def boom(*args, **kwargs):
        raise RuntimeError(f"driver said:\nauth {SECRET} refused")

    monkeypatch.setattr("graphgen_neo4j.db.graph.Graph.connect", boom)
    result = CliRunner().invoke(app, ["stats"])
    assert result.exit_code == 1 and not isinstance(result.exception, RuntimeError)
    assert SECRET not in result.output and "unexpected RuntimeError" in result.output
    assert result.output.strip().count("\n") == 0


def test_error_line_masks_graphgen_errors_too(monkeypatch) -> None:
    monkeypatch.setenv("TRAINEE_API_KEY", "sk-trainee-0123456789")
    assert "sk-trainee" not in error_line(ConfigError("bad key sk-trainee-0123456789"))
    assert _app.error_line(ValueError("x")).startswith("unexpected ValueError: x")
