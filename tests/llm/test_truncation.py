"""max_tokens on every call, sized per task; a reply cut off at max_tokens is a failure, never a result."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from pydantic import BaseModel

from graphgen_neo4j import prompts
from graphgen_neo4j.errors import LLMOutputError
from graphgen_neo4j.llm import MAX_TOKENS, ResponseCache, TokenLedger, max_tokens_for
from graphgen_neo4j.llm.budgets import DEFAULT_MAX_TOKENS, MAX_TOKENS_CAP

from .conftest import connect, endpoint, user


class Crop(BaseModel):
    name: str
    aliases: list[str]
    count: int


def test_every_prompt_task_has_a_budget():
    tasks = {path.name.split(".")[0] for path in Path(prompts.__file__).parent.glob("*.md")}
    assert tasks and tasks <= set(MAX_TOKENS)
    assert MAX_TOKENS["judge"] == MAX_TOKENS["ping"] == 1
    assert max_tokens_for("not-a-task") == DEFAULT_MAX_TOKENS


async def test_max_tokens_is_sent_on_every_call_from_the_table_or_the_call(server):
    client = connect(endpoint(server))
    await client.complete(user("a"), stage="s", task="test-echo")
    await client.complete(user("b"), stage="s", task="test-echo", max_tokens=77)
    await client.structured(user("c"), Crop, stage="s", task="test-json")
    await client.judge_yes_no(user("Statement: rice is a crop.\nJudgement:"), stage="judge")
    assert [r.params["max_tokens"] for r in server.requests] == [DEFAULT_MAX_TOKENS, 77, DEFAULT_MAX_TOKENS, 1]


async def test_truncated_reply_is_asked_again_with_twice_the_budget(server, tmp_path):
    server.inject("truncated")
    ledger = TokenLedger()
    cache = ResponseCache(tmp_path / "c.sqlite")
    crop = await connect(endpoint(server), ledger=ledger, cache=cache).structured(
        user("rice"), Crop, stage="extract", task="test-json", max_tokens=300)
    assert crop.count == 4
    assert [(r.params["max_tokens"], r.fault) for r in server.requests] == [(300, "truncated"), (600, None)]
    assert server.requests[1].messages == user("rice")  # the same question, a larger budget
    # and a way out of a greedy loop: some temperature and a repetition penalty
    assert [(r.params.get("temperature"), r.params.get("frequency_penalty")) for r in server.requests] == [(0.0, None), (0.3, 0.5)]
    assert (ledger.totals().reasks, ledger.totals().failures, len(cache)) == (1, 0, 1)


@pytest.mark.parametrize("structured", [True, False])
async def test_truncated_twice_fails_with_the_reason_and_nothing_is_cached(server, tmp_path, structured):
    server.inject("truncated", times=None)
    ledger = TokenLedger()
    cache = ResponseCache(tmp_path / "c.sqlite")
    client = connect(endpoint(server), ledger=ledger, cache=cache)
    with pytest.raises(LLMOutputError, match=r"truncated at max_tokens=1000 for task") as caught:
        if structured:
            await client.structured(user("rice"), Crop, stage="extract", task="test-json", max_tokens=500)
        else:
            await client.complete(user("rice"), stage="merge", task="test-echo", max_tokens=500)
    assert caught.value.reason == "truncated"
    assert [r.params["max_tokens"] for r in server.requests] == [500, 1000]
    assert len(cache) == 0 and ledger.totals().failure_reasons == {"truncated": 1}


async def test_the_grown_budget_is_capped(server):
    server.inject("truncated", times=None)
    with pytest.raises(LLMOutputError, match=f"truncated at max_tokens={MAX_TOKENS_CAP}"):
        await connect(endpoint(server)).complete(user("x"), stage="s", task="test-echo", max_tokens=MAX_TOKENS_CAP - 100)
    assert [r.params["max_tokens"] for r in server.requests] == [MAX_TOKENS_CAP - 100, MAX_TOKENS_CAP]


async def test_one_token_calls_stop_at_length_by_design(server):
    server.inject("truncated", task="judge")
    trainee = connect(endpoint(server, role="trainee"))
    top = await trainee.judge_yes_no(user("Statement: rice is a crop.\nJudgement:"), stage="judge")
    assert top and server.count() == 1


async def test_a_cached_truncated_reply_from_an_older_version_is_asked_again(server, tmp_path):
    path = tmp_path / "c.sqlite"
    client = connect(endpoint(server), cache=ResponseCache(path))
    await client.complete(user("rice"), stage="s", task="test-echo")
    with sqlite3.connect(path) as db:  # what an older version stored: a cut-off reply
        [(key, payload)] = db.execute("SELECT key, payload FROM responses").fetchall()
        db.execute("UPDATE responses SET payload = ? WHERE key = ?",
                   (json.dumps({**json.loads(payload), "raw_text": "[canned] ec", "finish_reason": "length"}), key))
    again = await connect(endpoint(server), cache=ResponseCache(path)).complete(user("rice"), stage="s", task="test-echo")
    assert not again.cached and again.text == "[canned] echo: rice" and server.count() == 2


async def test_a_cached_cut_off_json_from_an_older_version_is_not_taken_for_its_inner_object(server, tmp_path):
    """Older versions cached an unclosed JSON (no finish_reason) and took an inner object of it for the answer."""
    path = tmp_path / "c.sqlite"
    client = connect(endpoint(server), cache=ResponseCache(path))
    await client.structured(user("rice"), Crop, stage="s", task="test-json")
    cut = 'Sure:\n```json\n{"crops": [{"name": "stale", "aliases": [], "count": 1}, {"name": "whe'
    with sqlite3.connect(path) as db:
        db.execute("UPDATE responses SET payload = ?", (json.dumps({"raw_text": cut, "prompt_tokens": 1}),))
    crop = await connect(endpoint(server), cache=ResponseCache(path)).structured(user("rice"), Crop, stage="s", task="test-json")
    assert (crop.name, crop.count) == ("[canned] rice", 4) and server.count() == 2
