"""Structured output: JSON schema when the endpoint takes it, tolerant text when not."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from graphgen_neo4j.errors import LLMError, LLMOutputError
from graphgen_neo4j.llm import ResponseCache, TokenLedger

from .conftest import connect, endpoint, user


class Crop(BaseModel):
    name: str
    aliases: list[str]
    count: int


async def test_json_schema_response_format_is_sent(server):
    crop = await connect(endpoint(server)).structured(user("rice"), Crop, stage="extract", task="test-json")
    assert crop == Crop(name="[canned] rice", aliases=["稻", "Oryza sativa"], count=4)
    response_format = server.requests[0].params["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Crop"
    assert response_format["json_schema"]["schema"]["required"] == ["name", "aliases", "count"]


async def test_reply_wrapped_in_chatter_is_parsed(server):
    server.inject("text_mode")
    crop = await connect(endpoint(server)).structured(user("rice"), Crop, stage="extract", task="test-json")
    assert crop.name == "[canned] rice" and server.count() == 1


async def test_server_without_structured_output_falls_back_and_remembers(server):
    server.inject("reject_response_format", times=None)
    client = connect(endpoint(server))
    first = await client.structured(user("rice"), Crop, stage="extract", task="test-json")
    sent = [((r.params.get("response_format") or {}).get("type"), r.fault) for r in server.requests]
    assert sent == [("json_schema", "reject_response_format"), ("json_object", "reject_response_format"), (None, None)]
    server.clear_requests()
    second = await client.structured(user("wheat"), Crop, stage="extract", task="test-json")
    assert first.name == second.name == "[canned] rice"
    assert [("response_format" in r.params) for r in server.requests] == [False]


async def test_forced_json_schema_rejected_names_the_variable_to_set(server):
    server.inject("reject_response_format", times=None)
    with pytest.raises(LLMError, match="SYNTHESIZER_STRUCTURED_OUTPUT=json_object"):
        await connect(endpoint(server, structured_output="json_schema")).structured(user("x"), Crop, stage="s", task="test-json")
    assert server.count() == 1


@pytest.mark.parametrize(("mode", "sent"), [("off", None), ("json_object", {"type": "json_object"})])
async def test_other_structured_output_modes(server, mode, sent):
    crop = await connect(endpoint(server, structured_output=mode)).structured(user("rice"), Crop, stage="s", task="test-json")
    assert crop.count == 4 and server.requests[0].params.get("response_format") == sent


async def test_reply_that_does_not_fit_is_reasked_then_kept_raw_and_not_cached(server, tmp_path):
    ledger = TokenLedger()
    cache = ResponseCache(tmp_path / "cache.sqlite")
    client = connect(endpoint(server), cache=cache, ledger=ledger)
    with pytest.raises(LLMOutputError, match=r"does not fit Crop \(name: Field required\)") as caught:
        await client.structured(user("wrong shape"), Crop, stage="extract", task="test-json")
    assert caught.value.raw == '{"unexpected": true}' and caught.value.task == "test-json"
    assert server.count() == 3 and len(cache) == 0
    totals = ledger.totals()
    assert (totals.calls, totals.reasks, totals.failures, totals.failure_reasons) == (3, 2, 1, {"invalid": 1})
    # Each re-ask states the error after the rejected reply, with some temperature.
    first, *reasks = server.requests
    assert first.messages == user("wrong shape") and first.params["temperature"] == 0.0
    assert [r.params["temperature"] for r in reasks] == [0.3, 0.6]
    for r in reasks:
        assert r.messages[:2] == [*user("wrong shape"), {"role": "assistant", "content": '{"unexpected": true}'}]
        assert r.messages[2]["role"] == "user" and "does not fit Crop (name: Field required)" in r.messages[2]["content"]
    # A later run asks again (nothing bad was cached).
    server.clear_requests()
    with pytest.raises(LLMOutputError):
        await client.structured(user("wrong shape"), Crop, stage="extract", task="test-json")
    assert server.count() == 3


async def test_reask_can_succeed_and_only_the_accepted_reply_is_cached(server, tmp_path):
    ledger = TokenLedger()
    cache = ResponseCache(tmp_path / "cache.sqlite")
    client = connect(endpoint(server), cache=cache, ledger=ledger)
    crop = await client.structured(user("wrong once"), Crop, stage="extract", task="test-json")
    assert crop.name == "[canned] rice" and server.count() == 2 and len(cache) == 1
    assert (ledger.totals().reasks, ledger.totals().failures) == (1, 0)
    again = connect(endpoint(server), cache=ResponseCache(tmp_path / "cache.sqlite"), ledger=ledger)
    assert await again.structured(user("wrong once"), Crop, stage="extract", task="test-json") == crop
    assert server.count() == 2 and ledger.totals().cached == 1


async def test_max_reasks_zero_fails_at_the_first_rejected_reply(server):
    with pytest.raises(LLMOutputError, match="does not fit Crop"):
        await connect(endpoint(server, max_reasks=0)).structured(user("wrong once"), Crop, stage="s", task="test-json")
    assert server.count() == 1
