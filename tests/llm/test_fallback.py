"""Structured output on servers that refuse a response_format mode, and every request in the ledger."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from pydantic import BaseModel

from graphgen_neo4j.errors import LLMError
from graphgen_neo4j.llm import ResponseCache, TokenLedger
from graphgen_neo4j.llm.structured import MEMORY_FILE, forget_all, names_response_format

from .conftest import connect, endpoint, user


class Crop(BaseModel):
    name: str
    aliases: list[str]
    count: int


def formats(server) -> list[str | None]:
    return [(r.params.get("response_format") or {}).get("type") for r in server.requests]


@pytest.mark.parametrize(
    ("status", "detail", "expected"),
    [
        (500, "1 validation error: ('body', 'response_format', 'type') Input should be 'text' or 'json_object'", True),
        (400, "response_format is not supported", True),
        (422, "json_schema: unknown field", True),
        (500, "CUDA out of memory", False),
        (400, "This model's maximum context length is 8192 tokens", False),
        (401, "invalid api key (response_format)", False),
        (429, "slow down", False),
    ],
)
def test_which_errors_mean_the_format_is_unsupported(status, detail, expected):
    assert names_response_format(status, detail) is expected


async def test_http_500_on_json_schema_falls_back_to_json_object_and_remembers(server, caplog):
    """llama-cpp-python: json_schema → HTTP 500 "Input should be 'text' or 'json_object'"."""
    server.inject("json_object_only", times=None)
    ledger = TokenLedger()
    client = connect(endpoint(server), ledger=ledger)
    began = time.monotonic()
    with caplog.at_level(logging.WARNING):
        crops = await asyncio.gather(*(client.structured(user(f"crop {i}"), Crop, stage="extract", task="test-json")
                                       for i in range(4)))
    assert time.monotonic() - began < 2  # the refusal is not retried with backoff
    assert {c.name for c in crops} == {"[canned] rice"}
    refused = [r for r in server.requests if r.fault == "json_object_only"]
    assert 1 <= len(refused) <= 4 and formats(server).count("json_object") == 4
    warnings = [r for r in caplog.records if "refuses response_format json_schema" in r.getMessage()]
    assert len(warnings) == 1 and "SYNTHESIZER_STRUCTURED_OUTPUT=json_object" in warnings[0].getMessage()
    totals = ledger.totals()
    assert totals.requests == server.count() == totals.calls + totals.retries
    assert (totals.calls, totals.retries, totals.failures) == (4, len(refused), 0)
    server.clear_requests()
    await client.structured(user("rice"), Crop, stage="extract", task="test-json")
    assert formats(server) == ["json_object"]


async def test_500_naming_response_format_steps_down_to_plain_text(server):
    server.inject("format_500", times=None)
    client = connect(endpoint(server))
    crop = await client.structured(user("rice"), Crop, stage="extract", task="test-json")
    assert crop.count == 4 and formats(server) == ["json_schema", "json_object", None]


async def test_the_working_mode_is_remembered_in_the_cache_folder_for_the_next_run(server, tmp_path):
    server.inject("json_object_only", times=None)
    client = connect(endpoint(server), cache=ResponseCache(tmp_path / "cache.sqlite"))
    await client.structured(user("rice"), Crop, stage="extract", task="test-json")
    assert (tmp_path / MEMORY_FILE).exists()
    forget_all()  # as a new process would start
    server.clear_requests()
    fresh = connect(endpoint(server), cache=ResponseCache(tmp_path / "cache.sqlite"))
    await fresh.structured(user("wheat"), Crop, stage="extract", task="test-json")
    assert formats(server) == ["json_object"]
    forget_all()
    server.clear_requests()
    elsewhere = connect(endpoint(server), cache=ResponseCache(tmp_path / "other" / "cache.sqlite"))
    await elsewhere.structured(user("millet"), Crop, stage="extract", task="test-json")
    assert formats(server) == ["json_schema", "json_object"]


async def test_a_500_that_does_not_name_the_format_is_retried_not_taken_for_a_refusal(server):
    server.inject("500")
    ledger = TokenLedger()
    crop = await connect(endpoint(server), ledger=ledger).structured(user("rice"), Crop, stage="s", task="test-json")
    assert crop.count == 4 and formats(server) == ["json_schema", "json_schema"]
    assert (ledger.totals().requests, ledger.totals().calls) == (2, 1)


async def test_a_set_mode_that_is_refused_fails_naming_the_next_setting(server):
    server.inject("format_500", times=None)
    client = connect(endpoint(server, structured_output="json_object"))
    with pytest.raises(LLMError, match=r"HTTP 500.*set SYNTHESIZER_STRUCTURED_OUTPUT=off"):
        await client.structured(user("rice"), Crop, stage="s", task="test-json")
    assert server.count() == 1


async def test_failed_calls_count_every_request_and_the_reason(server):
    server.inject("500", times=None, retry_after=0.01)
    ledger = TokenLedger()
    with pytest.raises(LLMError, match="HTTP 500 after 2 retries"):
        await connect(endpoint(server, max_retries=2), ledger=ledger).complete(user("x"), stage="extract", task="test-echo")
    [row] = ledger.rows()
    assert (row.requests, row.retries, row.calls, row.failures) == (3, 2, 0, 1) and server.count() == 3
    assert row.failure_reasons == {"HTTP 500": 1}
    assert ledger.to_dict()["totals"]["failure_reasons"] == {"HTTP 500": 1}
    assert TokenLedger.from_dict(ledger.to_dict()).rows() == ledger.rows()
