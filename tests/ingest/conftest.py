"""Fixtures of the ingest tests: the scripted LLM server and a way to run an ingest on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphgen_neo4j.testing.llm_server import ScriptedLLMServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def server() -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer() as running:
        yield running


@pytest.fixture
def examples() -> Path:
    return EXAMPLES
