"""Single-flight: identical requests in flight at once make one request and share its reply."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel

from graphgen_neo4j.errors import LLMOutputError
from graphgen_neo4j.llm import ResponseCache, TokenLedger

from .conftest import connect, endpoint, user


class Crop(BaseModel):
    name: str
    aliases: list[str]
    count: int


async def test_identical_concurrent_calls_make_one_request(server):
    server.latency = 0.2
    ledger = TokenLedger()
    client = connect(endpoint(server), ledger=ledger)
    replies = await asyncio.gather(*(client.complete(user("rice"), stage="quiz", task="test-echo") for _ in range(8)))
    assert server.count() == 1 and {r.text for r in replies} == {"[canned] echo: rice"}
    [row] = ledger.rows()
    assert (row.calls, row.deduped, row.cached) == (1, 7, 0)


async def test_identical_judge_prompts_share_one_request(server):
    server.latency = 0.2
    trainee = connect(endpoint(server, role="trainee"))
    prompt = user("Statement: rice is a crop.\nJudgement:")
    tops = await asyncio.gather(*(trainee.judge_yes_no(prompt, stage="judge") for _ in range(5)))
    assert server.count() == 1 and all(top == tops[0] for top in tops)


async def test_different_parameters_or_samples_are_not_shared(server):
    server.latency = 0.1
    client = connect(endpoint(server))
    await asyncio.gather(
        client.complete(user("rice"), stage="s", task="test-echo"),
        client.complete(user("rice"), stage="s", task="test-echo", sample=1),
        client.complete(user("rice"), stage="s", task="test-echo", temperature=0.7),
        client.complete(user("rice"), stage="s", task="test-echo", max_tokens=10),
        client.complete(user("wheat"), stage="s", task="test-echo"),
    )
    assert server.count() == 5


async def test_a_failure_is_shared_by_the_waiting_calls(server, tmp_path):
    server.latency = 0.05
    ledger = TokenLedger()
    client = connect(endpoint(server), ledger=ledger, cache=ResponseCache(tmp_path / "c.sqlite"))
    results = await asyncio.gather(
        *(client.structured(user("wrong shape"), Crop, stage="quiz", task="test-json") for _ in range(4)),
        return_exceptions=True,
    )
    assert all(isinstance(r, LLMOutputError) for r in results)
    assert server.count() == 3  # the first request and its two re-asks, once for all four
    totals = ledger.totals()
    assert (totals.deduped, totals.failures, totals.failure_reasons) == (3, 4, {"invalid": 4})


async def test_a_cancelled_leader_lets_a_waiting_call_ask_itself(server):
    server.latency = 0.3
    client = connect(endpoint(server))
    leader = asyncio.create_task(client.complete(user("rice"), stage="s", task="test-echo"))
    await asyncio.sleep(0.05)
    follower = asyncio.create_task(client.complete(user("rice"), stage="s", task="test-echo"))
    await asyncio.sleep(0.05)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    assert (await follower).text == "[canned] echo: rice"
    assert server.count() == 2
