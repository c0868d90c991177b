"""Shared fixtures: a real Neo4j (never a mock).

Where the database comes from, in order:
1. ``NEO4J_URI`` (+ ``NEO4J_USER``/``NEO4J_PASSWORD``) — e.g. the local server that
   ``graphgen-neo4j neo4j start`` runs, which is what ``.ci/run`` uses;
2. otherwise a testcontainers ``neo4j:5.26`` container, when a Docker engine answers;
3. otherwise tests that need Neo4j fail with a message saying how to start one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.settings import Neo4jSettings


def _neo4j_settings_from_dotenv() -> None:
    """Take NEO4J_* (only those) from ./.env when the environment lacks them."""
    from dotenv import dotenv_values

    for key, value in dotenv_values(".env").items():
        if key.startswith("NEO4J_") and key not in os.environ and value is not None:
            os.environ[key] = value


_neo4j_settings_from_dotenv()

NO_NEO4J = (
    "no Neo4j for the tests: run `graphgen-neo4j neo4j start` and export "
    "NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=… (or start a Docker engine for testcontainers)"
)


def _docker_engine_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


# The files of the tests marked real_model (checked at collection): their own lane under xdist.
REAL_MODEL_FILES = ("tests/real_model/", "tests/llm/local/test_real_model.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tiers: every test that needs the database (directly or through any fixture) is
    marked ``neo4j``, so ``python -m pytest -m "not neo4j"`` runs the pure tests with no
    server. The real-model tests go first (see ``pytest_xdist_make_scheduler``)."""
    for item in items:
        if "neo4j_settings" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)
        if item.get_closest_marker("real_model") and not item.nodeid.startswith(REAL_MODEL_FILES):
            raise pytest.UsageError(f"{item.nodeid} is marked real_model: add its file to REAL_MODEL_FILES in tests/conftest.py")
    items.sort(key=lambda item: not item.nodeid.startswith(REAL_MODEL_FILES))  # stable: real-model tests first


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Two lanes under pytest-xdist (``-n 2``, the default in pyproject.toml): the real-model
    tests on one worker (the model writes on one core for ~11 min; the pipeline test has a
    database of its own), every other test on the other, one after another as without xdist
    (many share the one Neo4j, some only through a subprocess's environment). xdist's own
    ``--dist loadgroup`` cannot do it with pytest 9: it renames node ids through an attribute
    pytest no longer reads."""
    from xdist.scheduler import LoadScopeScheduling

    class TwoLanes(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "real-model" if nodeid.startswith(REAL_MODEL_FILES) else "main"

    return TwoLanes(config, log)


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Neo4jSettings]:
    if os.environ.get("NEO4J_URI"):
        yield Neo4jSettings.from_env()
        return
    if _docker_engine_answers():
        try:
            from testcontainers.community.neo4j import Neo4jContainer
        except ImportError:  # testcontainers < 4.15
            from testcontainers.neo4j import Neo4jContainer

        container = Neo4jContainer("neo4j:5.26", password="graphgen-test-pw").with_env(
            "NEO4J_PLUGINS", '["apoc"]'
        )
        with container:
            yield Neo4jSettings(
                uri=container.get_connection_url(),
                user=container.username,
                password=container.password,
            )
        return
    pytest.fail(NO_NEO4J)


@pytest.fixture(scope="session")
def _session_graph(neo4j_settings: Neo4jSettings) -> Iterator[Graph]:
    with Graph.connect(neo4j_settings) as graph:
        graph.init_schema()
        yield graph


@pytest.fixture
def graph(_session_graph: Graph) -> Graph:
    """A connected ``Graph`` with the schema applied and no data in it."""
    clear_database(_session_graph)
    return _session_graph


def clear_database(graph: Graph) -> None:
    """Delete every node and relationship (in batches, so big test graphs do not blow the heap)."""
    while graph.query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS deleted")[0]["deleted"]:
        pass


@pytest.fixture
def build_graph(graph: Graph):
    """``build_graph(entities=[...], relations=[...])`` on the clean test database (see graph_builder.py)."""
    from graph_builder import build_graph as _build

    def build(entities, relations=()):
        return _build(graph, entities, relations)

    return build


@pytest.fixture
def scripted_llm():
    """The scripted OpenAI-compatible test server (real HTTP on a free loopback port)."""
    from graphgen_neo4j.testing import ScriptedLLMServer

    with ScriptedLLMServer() as server:
        yield server


@pytest.fixture
def cli_env(monkeypatch, tmp_path, neo4j_settings, scripted_llm):
    """Environment for running CLI commands: the test Neo4j, the scripted server as synthesizer
    and trainee, and a fresh working directory (the response cache goes to ./.graphgen)."""
    monkeypatch.chdir(tmp_path)
    values = {
        "NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
        "NEO4J_PASSWORD": neo4j_settings.password.get_secret_value(),
        "SYNTHESIZER_BASE_URL": scripted_llm.base_url, "SYNTHESIZER_MODEL": "graphgen-scripted",
        "TRAINEE_BASE_URL": scripted_llm.base_url, "TRAINEE_MODEL": "graphgen-scripted",
        "SYNTHESIZER_MAX_RETRIES": "0", "TRAINEE_MAX_RETRIES": "0",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GRAPHGEN_RAISE_ERRORS", raising=False)
    return values
