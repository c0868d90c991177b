"""The scripted server answers ``extract`` from a table of replies (``extraction_replies``); no database."""

from __future__ import annotations

from graphgen_neo4j.ingest.extract import extract_chunk
from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.testing.llm_server import ScriptedLLMServer
from graphgen_neo4j.testing.scripts.extract import passage_key

TABLED = "刘备，字玄德，涿郡涿县人。其子刘禅继位。"
OTHER = "稻瘟病（又称稻热病）是由稻瘟病菌引起的。"
REPLY = {
    "entities": [
        {"name": "刘备", "type": "person", "description": "刘备字玄德，涿郡涿县人。", "aliases": []},
        {"name": "刘禅", "type": "person", "description": "刘禅是刘备之子，继位为帝。", "aliases": []},
    ],
    "relations": [
        {"source": "刘禅", "target": "刘备", "description": "刘禅是刘备之子。", "keywords": ["父子"], "strength": 9},
    ],
}


def client(server: ScriptedLLMServer) -> LLMClient:
    settings = EndpointSettings(role="synthesizer", base_url=server.base_url, model="scripted-synth", max_retries=0)
    return LLMClient(settings, ledger=TokenLedger())


async def test_a_tabled_passage_gets_its_reply_and_no_gleaning() -> None:
    with ScriptedLLMServer() as server:
        server.set_extraction_replies({TABLED: REPLY})
        result = await extract_chunk(client(server), "c1", TABLED, "zh", max_gleaning=2)
        assert [e.name for e in result.entities] == ["刘备", "刘禅"]
        assert [e.aliases for e in result.entities] == [[], []]  # not the rules' "字" alias
        assert all(e.description.startswith("[canned] ") for e in result.entities)
        assert [(r.source, r.target, r.strength) for r in result.relations] == [("刘禅", "刘备", 9.0)]
        assert result.relations[0].description.startswith("[canned] ")
        assert result.gleaned == 0 and server.count(task="glean") == 1


async def test_keys_by_hash_and_other_passages_keep_the_rules() -> None:
    with ScriptedLLMServer() as server:
        server.set_extraction_replies({passage_key(TABLED): REPLY})
        tabled = await extract_chunk(client(server), "c1", TABLED, "zh", max_gleaning=0)
        assert [e.name for e in tabled.entities] == ["刘备", "刘禅"]
        ruled = await extract_chunk(client(server), "c2", OTHER, "zh", max_gleaning=0)
        by_name = {e.name: e for e in ruled.entities}
        assert by_name["稻瘟病"].aliases == ["稻热病"]  # the fixed rules answered


def test_passage_key_ignores_surrounding_space() -> None:
    assert passage_key(f"  {TABLED}\n") == passage_key(TABLED) != passage_key(OTHER)
