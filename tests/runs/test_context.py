"""One context for every command: flags > environment/.env > config file > defaults.

The precedence is tested once in the library (``load_context``) and once over every
command that takes ``--config``: each must reach the Neo4j the file names unless the
environment names another. Nothing here needs a database: the addresses are closed ports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.context import load_context

FILE_URI = "bolt://127.0.0.1:9"  # discard port: nothing listens
ENV_URI = "bolt://127.0.0.1:7"  # echo port: nothing listens either

CONFIG = f"""\
input_file: docs.jsonl
quiz_samples: 3
traverse_strategy:
  loss_strategy: both
  max_depth: 3
llm:
  cache_path: cache/llm.sqlite
  synthesizer:
    rpm: 60
    max_concurrency: 4
neo4j:
  uri: {FILE_URI}
  database: fromfile
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "graphgen.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "docs.jsonl").write_text('{"content": "Rice blast is caused by a fungus."}\n', encoding="utf-8")
    (tmp_path / "qa.jsonl").write_text('{"instruction": "q", "input": "", "output": "a"}\n', encoding="utf-8")
    (tmp_path / "one.cypher").write_text("RETURN 1 AS one\n", encoding="utf-8")
    for key in ("NEO4J_URI", "NEO4J_DATABASE", "SYNTHESIZER_RPM", "SYNTHESIZER_MAX_CONCURRENCY", "TRAINEE_BASE_URL",
                "TRAINEE_MODEL", "GRAPHGEN_RAISE_ERRORS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SYNTHESIZER_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("SYNTHESIZER_MODEL", "nobody")
    monkeypatch.setenv("SYNTHESIZER_MAX_RETRIES", "0")
    return tmp_path


def test_flags_beat_the_environment_which_beats_the_file_which_beats_the_defaults(workdir: Path) -> None:
    env = {"NEO4J_URI": ENV_URI, "SYNTHESIZER_BASE_URL": "http://x/v1", "SYNTHESIZER_MODEL": "m",
           "SYNTHESIZER_RPM": "120"}
    context = load_context("graphgen.yaml", {"quiz_samples": 1, "traverse_strategy.max_depth": None}, environ=env)
    assert context.stages.quiz.quiz_samples == 1  # flag over file
    assert context.stages.partition.max_depth == 3  # flag not given: file
    assert context.stages.quiz.loss_strategy == context.stages.judge.loss_strategy == "both"  # file
    assert context.stages.judge.top_logprobs == 5  # nothing sets it: default
    assert context.neo4j_settings().uri == ENV_URI  # environment over file
    assert context.neo4j_settings().database == "fromfile"  # environment silent: file
    settings = context.endpoint("synthesizer")
    assert settings.rpm == 120 and settings.max_concurrency == 4  # env over file; file over default (16)
    assert context.trainee() is None  # no TRAINEE_*: judging is skipped
    assert context.cache() is not None and str(context.config.llm.cache_path) == "cache/llm.sqlite"
    assert load_context("graphgen.yaml", no_cache=True, environ=env).cache() is None  # --no-cache over file


def test_without_a_file_the_defaults_and_the_environment() -> None:
    context = load_context(environ={"NEO4J_URI": ENV_URI})
    assert context.neo4j_settings().uri == ENV_URI and context.neo4j_settings().database == "neo4j"
    assert context.stages.quiz.quiz_samples == 2 and context.config.input_file is None


# Every command that takes --config, with what else it needs to get as far as Neo4j.
COMMANDS = {
    "ingest": ["ingest", "--config", "graphgen.yaml"],
    "quiz": ["quiz", "--config", "graphgen.yaml"],
    "judge": ["judge", "--config", "graphgen.yaml"],
    "partition": ["partition", "--config", "graphgen.yaml", "--dry-run"],
    "generate": ["generate", "--config", "graphgen.yaml", "-o", "out.jsonl"],
    "export": ["export", "--config", "graphgen.yaml", "-o", "out.jsonl"],
    "estimate": ["estimate", "--config", "graphgen.yaml"],
    "doctor": ["doctor", "--config", "graphgen.yaml", "--json"],
    "stats": ["stats", "--config", "graphgen.yaml"],
    "report": ["report", "qa.jsonl", "--config", "graphgen.yaml"],
    "init": ["init", "--config", "graphgen.yaml"],
    "cypher": ["cypher", "one.cypher", "--config", "graphgen.yaml"],
    "resolve": ["resolve", "--no-llm", "--config", "graphgen.yaml"],
    "run": ["run", "--config", "graphgen.yaml", "--json"],
    "guide": ["guide", "--config", "graphgen.yaml", "--write", "guide.html"],
    "filter": ["filter", "--config", "graphgen.yaml", "--min-loss", "0", "--dry-run"],
}


def test_every_command_takes_config() -> None:
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        if name in ("neo4j", "scripted-llm"):
            continue  # the local servers: nothing of a pipeline config applies
        assert name in COMMANDS, f"{name} takes --config but is not in the precedence test"


@pytest.mark.parametrize("name", list(COMMANDS))
@pytest.mark.parametrize("source", ["file", "environment"])
def test_every_command_uses_the_same_precedence(name: str, source: str, workdir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    if source == "environment":
        monkeypatch.setenv("NEO4J_URI", ENV_URI)
    expected = ENV_URI if source == "environment" else FILE_URI
    result = CliRunner().invoke(app, COMMANDS[name])
    output = result.output
    assert f"Neo4j at {expected}" in output or f"cannot reach Neo4j at {expected}" in json.dumps(output), output
    other = FILE_URI if source == "environment" else ENV_URI
    assert other not in output
