"""The work pool: which errors fail an item, which stop the stage, the outcome and its verdict.

Real HTTP to the scripted server (its faults), no database.
"""

from __future__ import annotations

import asyncio
import socket

import pytest
from pydantic import ValidationError

from graphgen_neo4j.errors import LLMOutputError, Neo4jUnavailable, StageFailed
from graphgen_neo4j.llm.pool import (
    BAD_REPLY,
    KEY_REJECTED,
    MODEL_NOT_SERVED,
    NEO4J_UNAVAILABLE,
    NO_LOGPROBS,
    SERVER_ERROR,
    UNREACHABLE,
    OnError,
    PoolOutcome,
    WorkPool,
    failure_reason,
)

from .conftest import connect, endpoint, user


async def run_all(pool: WorkPool, works) -> tuple[list, list]:
    done, failed = [], []
    async with pool:
        for work in works:
            await pool.submit(work, on_done=done.append, on_failed=lambda reason, exc: failed.append(reason))
    return done, failed


def echoes(client, n: int, task: str = "test-echo"):
    return (client.complete(user(f"item {i}"), stage="test", task=task) for i in range(n))  # made when submitted


async def test_a_bad_reply_fails_its_item_only_and_the_verdict_is_partial(server):
    client = connect(endpoint(server, max_retries=0))
    server.inject("empty_content", times=3, task="test-echo")  # the first item's reply and its two re-asks (max_reasks)
    pool = WorkPool("quiz", client=client, window=1)  # one at a time: both faults hit the first item
    done, failed = await run_all(pool, echoes(client, 5))
    assert (len(done), failed) == (4, [BAD_REPLY])
    outcome = pool.outcome
    assert (outcome.done, outcome.failed, outcome.reasons, outcome.verdict) == (4, 1, {BAD_REPLY: 1}, "partial")
    assert "quiz: 1 of 5 items failed (1 × bad reply)" in (outcome.warning_line() or "")
    outcome.raise_if_failed()  # partial is not a failure


async def test_every_item_failing_is_a_failed_verdict_naming_endpoint_variable_and_fix(server):
    client = connect(endpoint(server, max_retries=0))
    server.inject("500", times=None, task="test-echo")
    pool = WorkPool("extract", client=client, what="chunks")
    done, failed = await run_all(pool, echoes(client, 4))
    assert done == [] and failed == [SERVER_ERROR] * 4
    assert pool.outcome.verdict == "failed"
    with pytest.raises(StageFailed) as raised:
        pool.outcome.raise_if_failed()
    line = str(raised.value)
    assert "\n" not in line
    assert line.startswith("extract: all 4 chunks failed (4 × server error)")
    assert server.base_url in line and "SYNTHESIZER_BASE_URL" in line and "HTTP 500" in line


@pytest.mark.parametrize(("fault", "reason", "says"), [
    ("401", KEY_REJECTED, "set SYNTHESIZER_API_KEY"),
    ("no_logprobs", NO_LOGPROBS, "returns no logprobs"),
])
async def test_a_fatal_error_stops_the_stage_at_once(server, fault, reason, says):
    client = connect(endpoint(server, max_retries=0, max_concurrency=1))
    server.inject(fault, times=None)
    pool = WorkPool("judge", client=client)
    if fault == "no_logprobs":
        works = (client.judge_yes_no(user(f"statement {i}"), stage="judge", task="judge") for i in range(20))
    else:
        works = echoes(client, 20)
    with pytest.raises(StageFailed, match=f"judge: stopped after 0 items done, 0 failed: .*{says}") as raised:
        await run_all(pool, works)
    assert raised.value.outcome.verdict == "stopped" and raised.value.outcome.reasons == {reason: 1}
    assert server.count() <= 2  # one request (two in flight at most), not one per item


async def test_a_model_that_is_not_served_and_an_unreachable_endpoint_stop(server):
    wrong_model = connect(endpoint(server, model="no-such-model", max_retries=0))
    server.require_model = True
    with pytest.raises(StageFailed, match="set SYNTHESIZER_MODEL") as raised:
        await run_all(WorkPool("quiz", client=wrong_model), echoes(wrong_model, 3))
    assert raised.value.outcome.reasons == {MODEL_NOT_SERVED: 1}

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    nowhere = connect(endpoint(server, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0))
    with pytest.raises(StageFailed, match=r"cannot connect to .*\(SYNTHESIZER_BASE_URL\)") as raised:
        await run_all(WorkPool("quiz", client=nowhere), echoes(nowhere, 3))
    assert raised.value.outcome.reasons == {UNREACHABLE: 1}


async def test_neo4j_unavailable_stops_and_a_bug_propagates_unchanged():
    async def lost() -> None:
        raise Neo4jUnavailable("lost the connection to Neo4j: start it")

    with pytest.raises(StageFailed, match="lost the connection to Neo4j") as raised:
        await run_all(WorkPool("quiz"), [lost()])
    assert raised.value.outcome.reasons == {NEO4J_UNAVAILABLE: 1}

    async def bug() -> None:
        raise KeyError("oops")

    with pytest.raises(KeyError):
        await run_all(WorkPool("quiz"), [bug()])


async def test_consecutive_failures_stop_when_the_policy_says_so():
    async def bad(i: int) -> None:
        raise LLMOutputError(f"reply {i} unusable", raw="")

    pool = WorkPool("extract", policy=OnError(max_consecutive=3), window=1, what="chunks")
    with pytest.raises(StageFailed, match="3 chunks failed in a row, the last with: reply 2 unusable"):
        await run_all(pool, (bad(i) for i in range(10)))
    assert (pool.outcome.failed, pool.outcome.verdict) == (3, "stopped")


async def test_the_window_bounds_items_in_flight_and_a_stop_unblocks_a_waiting_feeder():
    active, peak = 0, 0

    async def work(i: int) -> int:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.01)
        active -= 1
        return i

    pool = WorkPool("generate", window=3)
    done, _ = await run_all(pool, [work(i) for i in range(12)])
    assert sorted(done) == list(range(12)) and peak == 3

    async def fatal() -> None:
        raise Neo4jUnavailable("gone")

    never = asyncio.Event()
    stopping = WorkPool("extract")
    with pytest.raises(StageFailed, match="gone"):
        async with stopping:
            await stopping.submit(fatal())
            await stopping.guard(never.wait())  # would wait forever without the stop


def test_fatal_reasons_cannot_be_made_item_failures_and_outcomes_combine():
    with pytest.raises(ValidationError, match="always stop the stage"):
        OnError(fail_item=frozenset({BAD_REPLY, KEY_REJECTED}))
    extract = PoolOutcome(stage="extract", done=0, failed=2, reasons={SERVER_ERROR: 2})
    summaries = PoolOutcome(stage="summarize", done=3, failed=0)
    combined = extract.combined(summaries)
    assert (combined.done, combined.failed, combined.verdict) == (3, 2, "partial")
    assert failure_reason(ValueError("x")) is None
    assert failure_reason(LLMOutputError("x", raw="")) == BAD_REPLY


def test_the_default_window_covers_every_endpoint_of_a_pool(server) -> None:
    one = connect(endpoint(server, max_concurrency=16))
    pooled = connect([endpoint(server, max_concurrency=16), endpoint(server, max_concurrency=16, base_url=server.base_url + "/"),
                      endpoint(server, max_concurrency=8, base_url=server.base_url + "//")])
    assert WorkPool("judge", client=one).window == 32
    assert WorkPool("judge", client=pooled).window == 2 * (16 + 16 + 8)  # not twice the first endpoint's 16
    assert WorkPool("judge").window == 16
