"""A pool of endpoints behind one client: real HTTP to two or three scripted servers.

The load is spread; an instance killed mid-run loses no request; a rejected key stops the
stage naming the endpoint; a trainee pool serving different models is refused; the cache
does not care which endpoint answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from graphgen_neo4j.errors import StageFailed
from graphgen_neo4j.llm import ResponseCache, TokenLedger
from graphgen_neo4j.llm.embeddings import EmbeddingClient
from graphgen_neo4j.llm.failures import KEY_REJECTED, MODEL_MISMATCH
from graphgen_neo4j.llm.pool import WorkPool
from graphgen_neo4j.testing import ScriptedLLMServer

from .conftest import MODEL, connect, endpoint, user


@pytest.fixture
def servers() -> Iterator[list[ScriptedLLMServer]]:
    running = [ScriptedLLMServer(latency=0.02, concurrency=4).start() for _ in range(3)]
    yield running
    for server in running:
        server.stop()


def pool_of(servers: list[ScriptedLLMServer], **overrides: object):
    return [endpoint(s, max_concurrency=4, **overrides) for s in servers]


async def ask_all(client, n: int, prefix: str = "item") -> list[str]:
    replies = await asyncio.gather(*(client.complete(user(f"{prefix} {i}"), stage="test", task="test-echo") for i in range(n)))
    return [r.text for r in replies]


async def test_requests_are_spread_over_the_endpoints_and_counted_per_endpoint(servers):
    ledger = TokenLedger()
    client = connect(pool_of(servers), ledger=ledger)
    texts = await ask_all(client, 120)
    assert texts == [f"[canned] echo: item {i}" for i in range(120)]
    counts = [s.count() for s in servers]
    assert sum(counts) == 120 and min(counts) >= 30, counts  # each takes about a third
    rows = {row.base_url: row for row in ledger.endpoint_rows()}
    assert [rows[s.base_url].calls for s in servers] == counts
    assert all(row.prompt_tokens > 0 and row.busy_ms > 0 and row.errors == 0 for row in rows.values())
    assert sum(row.busy_share for row in rows.values()) == pytest.approx(1.0)
    assert TokenLedger.from_dict(ledger.to_dict()).endpoint_rows() == ledger.endpoint_rows()
    assert ledger.totals().calls == 120


async def test_an_instance_killed_mid_run_loses_no_request_and_the_others_take_its_share(servers):
    ledger = TokenLedger()
    client = connect(pool_of(servers), ledger=ledger)
    victim = servers[1]

    async def kill_when_busy() -> None:
        while victim.count() < 10:
            await asyncio.sleep(0.005)
        await asyncio.to_thread(victim.stop)

    texts, _ = await asyncio.gather(ask_all(client, 300), kill_when_busy())
    assert texts == [f"[canned] echo: item {i}" for i in range(300)]  # every request answered, in order
    rows = {row.base_url: row for row in ledger.endpoint_rows()}
    dead = rows[victim.base_url]
    assert dead.errors >= 1 and dead.outages >= 1 and dead.calls < 100
    assert rows[servers[0].base_url].calls + rows[servers[2].base_url].calls + dead.calls == 300
    assert ledger.totals().failures == 0 and ledger.totals().retries >= dead.errors


async def test_a_rejected_key_stops_the_stage_with_one_line_naming_the_endpoint():
    with ScriptedLLMServer() as good, ScriptedLLMServer(api_key="right-key") as strict:
        pool = [endpoint(good, max_concurrency=2), endpoint(strict, max_concurrency=2, api_key="wrong-key")]
        client = connect(pool)
        work = WorkPool("extract", client=client)
        with pytest.raises(StageFailed) as raised:
            async with work:
                for i in range(40):
                    await work.submit(client.complete(user(f"item {i}"), stage="extract", task="test-echo"))
        line = raised.value.outcome.failure_line()
        assert raised.value.outcome.reasons == {KEY_REJECTED: 1}
        assert strict.base_url in line and "SYNTHESIZER_API_KEY" in line and "\n" not in line
        assert "wrong-key" not in line


async def test_a_trainee_pool_whose_endpoints_serve_different_models_is_refused_before_any_call():
    with ScriptedLLMServer() as same, ScriptedLLMServer(model="another-model") as other:
        pool = [endpoint(s, role="trainee") for s in (same, other)]
        client = connect(pool)
        work = WorkPool("judge", client=client)
        with pytest.raises(StageFailed) as raised:
            async with work:
                for i in range(5):
                    await work.submit(client.judge_yes_no(user(f"statement {i}"), stage="judge"))
        line = raised.value.outcome.failure_line()
        assert raised.value.outcome.reasons == {MODEL_MISMATCH: 1}
        assert other.base_url in line and "another-model" in line and MODEL in line
        assert same.count() == other.count() == 0  # no chat request went out


async def test_a_synthesizer_pool_may_mix_models_each_endpoint_asked_for_its_own():
    with ScriptedLLMServer(model="m-a", require_model=True) as a, ScriptedLLMServer(model="m-b", require_model=True) as b:
        client = connect([endpoint(a, model="m-a", max_concurrency=2), endpoint(b, model="m-b", max_concurrency=2)])
        assert len(await ask_all(client, 20)) == 20
        assert a.count() > 0 and b.count() > 0


async def test_cache_keys_ignore_which_endpoint_answered(tmp_path, servers):
    first = connect(pool_of(servers[:2]), cache=ResponseCache(tmp_path / "cache.sqlite"))
    await ask_all(first, 30)
    assert servers[0].count() > 0 and servers[1].count() > 0  # both answered some
    before = [s.count() for s in servers]
    # another pool: one endpoint gone, one new, the order changed — the same model
    ledger = TokenLedger()
    second = connect([endpoint(servers[2], max_concurrency=4), endpoint(servers[0], max_concurrency=4)],
                     cache=ResponseCache(tmp_path / "cache.sqlite"), ledger=ledger)
    texts = await ask_all(second, 30)
    assert texts == [f"[canned] echo: item {i}" for i in range(30)]
    assert [s.count() for s in servers] == before and ledger.totals().cached == 30


async def test_an_embedding_pool_spreads_batches_and_survives_a_dead_endpoint(servers):
    ledger = TokenLedger()
    pool = [endpoint(s, role="embedding", max_concurrency=2) for s in servers]
    client = EmbeddingClient(pool, ledger=ledger, batch_size=4)
    servers[2].stop()
    try:
        vectors = await client.embed([f"text {i}" for i in range(80)], stage="resolve")
    finally:
        await client.aclose()
    single = EmbeddingClient(endpoint(servers[0], role="embedding"), batch_size=4)
    try:
        assert vectors == await single.embed([f"text {i}" for i in range(80)], stage="resolve")
    finally:
        await single.aclose()
    rows = {row.base_url: row for row in ledger.endpoint_rows()}
    assert rows[servers[0].base_url].calls > 0 and rows[servers[1].base_url].calls > 0
    assert rows[servers[2].base_url].calls == 0 and rows[servers[2].base_url].outages == 1
