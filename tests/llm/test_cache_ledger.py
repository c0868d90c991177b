"""The response cache (in one process and across processes) and the token ledger."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from pydantic import BaseModel

from graphgen_neo4j.llm import ResponseCache, TokenLedger
from graphgen_neo4j.tokens import count_tokens

from .conftest import connect, endpoint, user


class Crop(BaseModel):
    name: str
    aliases: list[str]
    count: int


async def test_second_identical_call_makes_no_request(server, tmp_path):
    ledger = TokenLedger()
    client = connect(endpoint(server), cache=ResponseCache(tmp_path / "c.sqlite"), ledger=ledger)
    first = await client.complete(user("rice"), stage="extract", task="test-echo")
    again = await client.complete(user("rice"), stage="extract", task="test-echo")
    assert server.count() == 1
    assert again.text == first.text and again.cached and not first.cached
    [row] = ledger.rows()
    assert (row.calls, row.cached, row.prompt_tokens) == (1, 1, first.prompt_tokens)
    assert ledger.total_calls() == 1 and ledger.total_calls(include_cached=True) == 2


async def test_key_covers_sampling_parameters(server, tmp_path):
    client = connect(endpoint(server), cache=ResponseCache(tmp_path / "c.sqlite"))
    calls = [
        dict(temperature=1.0),
        dict(temperature=1.0),  # sampled calls are cached too
        dict(temperature=0.7),
        dict(temperature=1.0, sample=1),  # another sample of the same prompt
        dict(temperature=1.0, max_tokens=10),
    ]
    for kwargs in calls:
        await client.complete(user("rice"), stage="quiz", task="test-echo", **kwargs)
    assert server.count() == 4
    await client.structured(user("rice"), Crop, stage="s", task="test-json")
    await client.structured(user("rice"), Crop, stage="s", task="test-json")
    assert server.count() == 5


async def test_cache_none_always_asks(server):
    client = connect(endpoint(server), cache=None)
    for _ in range(2):
        await client.complete(user("rice"), stage="s", task="test-echo")
    assert server.count() == 2


async def test_bad_replies_are_not_cached(server, tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    server.inject("empty_content")
    client = connect(endpoint(server), cache=cache)
    await client.complete(user("rice"), stage="s", task="test-echo")
    assert len(cache) == 1 and server.count() == 2
    assert (await client.complete(user("rice"), stage="s", task="test-echo")).cached


FILL = textwrap.dedent(
    """
    import asyncio, sys
    from graphgen_neo4j.llm import EndpointSettings, LLMClient, ResponseCache
    from pydantic import BaseModel

    class Crop(BaseModel):
        name: str
        aliases: list[str]
        count: int

    async def main(url, path):
        client = LLMClient(EndpointSettings(role="synthesizer", base_url=url, model="graphgen-scripted"), cache=ResponseCache(path))
        for text in ("rice", "wheat", "millet"):
            await client.complete([{"role": "user", "content": text}], stage="s", task="test-echo", temperature=1.0)
        await client.structured([{"role": "user", "content": "rice"}], Crop, stage="s", task="test-json")
        await client.aclose()

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """
)


async def test_cache_is_shared_across_processes(server, tmp_path):
    path = tmp_path / "shared.sqlite"
    # The child process registers no test responders, but the server lives here and does.
    subprocess.run([sys.executable, "-c", FILL, server.base_url, str(path)], check=True, timeout=60)
    assert server.count() == 4
    server.clear_requests()
    client = connect(endpoint(server), cache=ResponseCache(path))
    for text in ("rice", "wheat", "millet"):
        reply = await client.complete(user(text), stage="s", task="test-echo", temperature=1.0)
        assert reply.cached and reply.text == f"[canned] echo: {text}"
    assert (await client.structured(user("rice"), Crop, stage="s", task="test-json")).count == 4
    assert server.count() == 0 and client.ledger.total_calls() == 0


async def test_ledger_falls_back_to_tiktoken_without_usage(server):
    server.inject("no_usage")
    ledger = TokenLedger()
    reply = await connect(endpoint(server), ledger=ledger).complete(user("Rice is a staple crop."), stage="s", task="test-echo")
    assert reply.completion_tokens == count_tokens("[canned] echo: Rice is a staple crop.")
    assert reply.prompt_tokens == count_tokens("Rice is a staple crop.") + 4


async def test_ledger_rows_per_stage_role_and_model(server):
    ledger = TokenLedger()
    synth = connect(endpoint(server), ledger=ledger)
    trainee = connect(endpoint(server, role="trainee", model="other-model"), ledger=ledger)
    await synth.complete(user("a"), stage="extract", task="test-echo")
    await synth.complete(user("b"), stage="extract", task="test-echo")
    await synth.complete(user("c"), stage="quiz", task="test-echo")
    await trainee.judge_yes_no(user("Statement: rice is a crop.\nJudgement:"), stage="judge")
    keys = [(r.stage, r.role, r.model, r.calls) for r in ledger.rows()]
    assert keys == [("extract", "synthesizer", "graphgen-scripted", 2), ("judge", "trainee", "other-model", 1), ("quiz", "synthesizer", "graphgen-scripted", 1)]
    data = ledger.to_dict()
    assert data["totals"]["calls"] == 4 and data["totals"]["completion_tokens"] == sum(r.completion_tokens for r in ledger.rows())
    assert TokenLedger.from_dict(data).rows() == ledger.rows()


def test_ledger_is_thread_safe():
    import threading

    ledger = TokenLedger()

    def work():
        for _ in range(1000):
            ledger.add("s", "synthesizer", "m", calls=1, prompt_tokens=3)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ledger.totals().calls == 8000 and ledger.totals().prompt_tokens == 24000


def test_stage_counts_sum_a_stage_over_roles_and_models_like_its_rows():
    ledger = TokenLedger()
    ledger.add("judge", "trainee", "a", calls=3, cached=1, prompt_tokens=30)
    ledger.add("judge", "trainee", "b", calls=2)
    ledger.add("quiz", "synthesizer", "a", calls=7)
    ledger.add_failure("judge", "trainee", "a", "HTTP 500")
    counts = ledger.stage_counts("judge")
    rows = [row for row in ledger.rows() if row.stage == "judge"]
    assert counts == {name: sum(getattr(r, name) for r in rows) for name in counts}
    assert (counts["calls"], counts["cached"], counts["failures"], counts["prompt_tokens"]) == (5, 1, 1, 30)
    assert ledger.stage_counts("generate")["calls"] == 0
