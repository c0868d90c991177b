"""The client against the scripted server over real HTTP: retries, errors, bad replies."""

from __future__ import annotations

import asyncio

import pytest

from graphgen_neo4j.errors import LLMError, LLMOutputError
from graphgen_neo4j.llm import TokenLedger
from graphgen_neo4j.tokens import count_tokens

from .conftest import connect, endpoint, user


async def test_complete_sends_task_header_and_counts_tokens(server):
    ledger = TokenLedger()
    client = connect(endpoint(server), ledger=ledger)
    reply = await client.complete(user("Rice is a crop."), stage="extract", task="test-echo", max_tokens=50)
    assert reply.text == "[canned] echo: Rice is a crop."
    assert not reply.cached and reply.completion_tokens == count_tokens(reply.text)
    [request] = server.requests
    assert request.task == "test-echo" and request.headers["x-graphgen-task"] == "test-echo"
    assert request.params["max_tokens"] == 50 and request.params["temperature"] == 0.0
    [row] = ledger.rows()
    assert (row.stage, row.role, row.model, row.calls, row.failures) == ("extract", "synthesizer", "graphgen-scripted", 1, 0)
    assert (row.prompt_tokens, row.completion_tokens) == (reply.prompt_tokens, reply.completion_tokens)
    await client.aclose()


async def test_think_block_is_dropped(server):
    server.inject("think")
    reply = await connect(endpoint(server)).complete(user("hi"), stage="s", task="test-echo")
    assert reply.raw_text.startswith("<think>") and reply.text == "[canned] echo: hi"


async def test_429_with_retry_after_then_success(server):
    server.inject("429", times=2, retry_after=0.01)
    ledger = TokenLedger()
    reply = await connect(endpoint(server), ledger=ledger).complete(user("x"), stage="s", task="test-echo")
    assert reply.text == "[canned] echo: x"
    assert server.count() == 3
    assert [r.headers.get("x-stainless-retry-count", "0") for r in server.requests] == ["0", "1", "2"]
    assert ledger.totals().retries == 2 and ledger.totals().calls == 1


async def test_500_is_retried_with_backoff(server):
    server.inject("500")  # no Retry-After: the openai client's own backoff (about 0.4-0.5 s)
    reply = await connect(endpoint(server)).complete(user("x"), stage="s", task="test-echo")
    assert reply.text and server.count() == 2


async def test_retries_are_bounded(server):
    server.inject("429", times=None, retry_after=0.01)
    ledger = TokenLedger()
    with pytest.raises(LLMError, match="still rate-limits after 2 retries.*SYNTHESIZER_RPM"):
        await connect(endpoint(server, max_retries=2), ledger=ledger).complete(user("x"), stage="s", task="test-echo")
    assert server.count() == 3
    assert ledger.totals().failures == 1 and ledger.totals().calls == 0


async def test_bad_api_key_fails_at_once_naming_endpoint_and_fix(server):
    server.api_key = "sk-right"
    client = connect(endpoint(server, api_key="sk-wrong"))
    with pytest.raises(LLMError) as caught:
        await client.complete(user("x"), stage="s", task="test-echo")
    message = str(caught.value)
    assert f"API key rejected by {server.base_url} for model graphgen-scripted: set SYNTHESIZER_API_KEY" in message
    assert server.count() == 1


async def test_unknown_model_fails_at_once_and_lists_served_models(server):
    server.require_model = True
    with pytest.raises(LLMError) as caught:
        await connect(endpoint(server, model="gpt-5-nano")).complete(user("x"), stage="s", task="test-echo")
    message = str(caught.value)
    assert f"model 'gpt-5-nano' is not served by {server.base_url}; it serves: graphgen-scripted: set SYNTHESIZER_MODEL" in message
    assert server.count() == 1


async def test_hang_times_out_and_is_retried(server):
    server.inject("hang", seconds=3)
    reply = await connect(endpoint(server, timeout=0.3)).complete(user("x"), stage="s", task="test-echo")
    assert reply.text and server.count() == 2


async def test_endless_hang_ends_in_a_clear_error(server):
    server.inject("hang", times=None, seconds=3)
    with pytest.raises(LLMError, match=r"no reply from .* within 0.2 s, 1 retries.*SYNTHESIZER_TIMEOUT"):
        await connect(endpoint(server, timeout=0.2, max_retries=1)).complete(user("x"), stage="s", task="test-echo")
    assert server.count() == 2


async def test_connection_refused_names_the_variable(server):
    url = server.base_url
    server.stop()
    with pytest.raises(LLMError, match=r"cannot connect to .* \(SYNTHESIZER_BASE_URL\)"):
        await connect(endpoint(server, base_url=url, max_retries=0)).complete(user("x"), stage="s", task="test-echo")


@pytest.mark.parametrize("fault", ["malformed_json", "empty_content"])
async def test_unusable_reply_is_asked_again_once(server, fault):
    server.inject(fault)
    reply = await connect(endpoint(server)).complete(user("x"), stage="s", task="test-echo")
    assert reply.text == "[canned] echo: x" and server.count() == 2


async def test_unusable_reply_after_every_reask_raises_with_raw_text(server):
    server.inject("malformed_json", times=3)  # the first request and max_reasks (2) re-asks
    ledger = TokenLedger()
    with pytest.raises(LLMOutputError, match="not JSON") as caught:
        await connect(endpoint(server), ledger=ledger).complete(user("x"), stage="s", task="test-echo")
    assert caught.value.raw.startswith('{"id": "chatcmpl-scripted-broken"') and caught.value.task == "test-echo"
    assert server.count() == 3
    totals = ledger.totals()
    assert (totals.calls, totals.requests, totals.reasks, totals.failures) == (3, 3, 2, 1)
    assert totals.failure_reasons == {"broken response": 1}

    server.inject("empty_content", times=3)
    with pytest.raises(LLMOutputError, match="empty reply"):
        await connect(endpoint(server)).complete(user("y"), stage="s", task="test-echo")


async def test_unknown_task_is_a_clear_400(server):
    with pytest.raises(LLMError, match="no scripted responder for task 'nonexistent'"):
        await connect(endpoint(server)).complete(user("x"), stage="s", task="nonexistent")
    assert server.count() == 1


def test_one_client_serves_several_event_loops(server):
    client = connect(endpoint(server))

    async def ask(text: str) -> str:
        reply = await client.complete(user(text), stage="s", task="test-echo")
        await client.aclose()  # before its loop ends; the next loop gets a new connection pool
        return reply.text

    assert [asyncio.run(ask(text)) for text in ("one", "two")] == ["[canned] echo: one", "[canned] echo: two"]
