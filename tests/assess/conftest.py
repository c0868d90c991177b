"""Fixtures of the assessment tests: the scripted LLM server and clients on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.testing.llm_server import ScriptedLLMServer

# A small graph in both languages; relation descriptions are what gets quizzed.
ENTITIES = [
    ("Pi-ta", "GENE", "Pi-ta is a rice blast resistance gene."),
    ("Magnaporthe oryzae", "FUNGUS", "Magnaporthe oryzae is the fungus that causes rice blast."),
    ("AVR-Pita", "GENE", "AVR-Pita is an effector gene of Magnaporthe oryzae."),
    ("刘备", "PERSON", "刘备，字玄德，蜀汉开国皇帝。"),
    ("关羽", "PERSON", "关羽，字云长，刘备的结义兄弟。"),
    ("张飞", "PERSON", "张飞，字翼德，刘备的结义兄弟。"),
]
RELATIONS = [
    ("Pi-ta", "AVR-Pita", "Pi-ta recognizes the AVR-Pita effector and triggers resistance."),
    ("AVR-Pita", "Magnaporthe oryzae", "AVR-Pita is secreted by Magnaporthe oryzae during infection."),
    ("Pi-ta", "Magnaporthe oryzae", "Pi-ta confers resistance to Magnaporthe oryzae strains carrying AVR-Pita."),
    ("刘备", "关羽", "刘备与关羽在桃园结义。"),
    ("刘备", "张飞", "刘备与张飞在桃园结义。"),
]


@pytest.fixture
def server() -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer() as running:
        yield running


@pytest.fixture
def ledger() -> TokenLedger:
    return TokenLedger()


@pytest.fixture
def synthesizer(server: ScriptedLLMServer, ledger: TokenLedger) -> LLMClient:
    settings = EndpointSettings(role="synthesizer", base_url=server.base_url, model="scripted-synth", max_retries=0)
    return LLMClient(settings, ledger=ledger)


@pytest.fixture
def make_trainee(server: ScriptedLLMServer, ledger: TokenLedger):
    """``make_trainee(model)``: a trainee client on the scripted server (any model name is served)."""

    def make(model: str = "trainee-a") -> LLMClient:
        settings = EndpointSettings(role="trainee", base_url=server.base_url, model=model, max_retries=0)
        return LLMClient(settings, ledger=ledger)

    return make


@pytest.fixture
def sample_graph(build_graph) -> dict[str, str]:
    return build_graph(ENTITIES, RELATIONS)
