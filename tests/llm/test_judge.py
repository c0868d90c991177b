"""Trainee yes/no judgements: logprob extraction and the scripted judge responder."""

from __future__ import annotations

import math

import pytest

from graphgen_neo4j.errors import NoLogprobsError
from graphgen_neo4j.llm import LLMClient, ResponseCache, TokenCandidate, TokenLedger

from .conftest import connect, endpoint, user

FACTS = [
    "OsDT11 is a rice gene that regulates drought tolerance.",
    "Huanghuazhan is a rice variety bred in Guangdong.",
    "黄华占是广东省农业科学院选育的水稻品种。",
    "Liu Bei swore brotherhood with Guan Yu in the peach garden.",
]


def negation(fact: str) -> str:
    return "并非" + fact if fact[0] > "\u4e00" else "It is not true that " + fact[0].lower() + fact[1:]


def judge_prompt(statement: str) -> list[dict[str, str]]:
    return user(
        "Please determine if the following statement is correct. Reply with 'yes' or 'no' only.\n\n"
        f"Statement:\n{statement}\nJudgement:"
    )


def p_yes_no(candidates: list[TokenCandidate]) -> tuple[float, float]:
    yes = sum(c.prob for c in candidates if c.token.strip().lower() in ("yes", "是"))
    no = sum(c.prob for c in candidates if c.token.strip().lower() in ("no", "否"))
    return yes, no


async def mean_loss(client: LLMClient) -> float:
    losses = []
    for fact in FACTS:
        for statement, truth in ((fact, True), (negation(fact), False)):
            yes, no = p_yes_no(await client.judge_yes_no(judge_prompt(statement), stage="judge"))
            losses.append(-math.log(yes if truth else no))
    return sum(losses) / len(losses)


async def test_first_token_candidates_are_extracted(server):
    ledger = TokenLedger()
    client = connect(endpoint(server, role="trainee"), ledger=ledger)
    top = await client.judge_yes_no(judge_prompt(FACTS[0]), stage="judge")
    assert [c.token for c in top] == ["Yes", " yes", "No", "The", " no"]
    assert top == sorted(top, key=lambda c: c.logprob, reverse=True)
    assert math.isclose(sum(c.prob for c in top), 1.0)
    params = server.requests[0].params
    assert (params["max_tokens"], params["temperature"], params["logprobs"], params["top_logprobs"]) == (1, 0.0, True, 5)
    assert server.requests[0].task == "judge"
    assert ledger.rows()[0].completion_tokens == 1


async def test_chinese_statements_get_chinese_variants(server):
    top = await connect(endpoint(server, role="trainee")).judge_yes_no(judge_prompt(negation(FACTS[2])), stage="judge", top_logprobs=3)
    assert [c.token for c in top] == ["否", "No", "是"]


async def test_endpoint_without_logprobs_stops_with_a_clear_error(server, tmp_path):
    server.inject("no_logprobs")
    cache = ResponseCache(tmp_path / "c.sqlite")
    client = connect(endpoint(server, role="trainee"), cache=cache)
    with pytest.raises(NoLogprobsError) as caught:
        await client.judge_yes_no(judge_prompt(FACTS[0]), stage="judge")
    assert str(caught.value) == (
        f"TRAINEE endpoint {server.base_url} (model graphgen-scripted) returns no logprobs; "
        "use vLLM/SGLang/OpenAI, or run with judging skipped"
    )
    assert server.count() == 1 and len(cache) == 0


async def test_judgements_are_cached(server, tmp_path):
    client = connect(endpoint(server, role="trainee"), cache=ResponseCache(tmp_path / "c.sqlite"))
    first = await client.judge_yes_no(judge_prompt(FACTS[1]), stage="judge")
    assert await client.judge_yes_no(judge_prompt(FACTS[1]), stage="judge") == first
    assert server.count() == 1


async def test_a_trainee_that_knows_has_lower_loss_than_one_that_guesses(server):
    client = connect(endpoint(server, role="trainee"))
    knows = await mean_loss(client)
    server.trainee_profile = "guesses"
    guesses = await mean_loss(client)
    assert knows < 0.15 < 0.6 < guesses < 0.8


async def test_blind_spots_are_confidently_wrong(server):
    server.trainee_profile = "blind_spots"
    server.blind_spot_terms = ["huanghuazhan", "黄华占"]
    client = connect(endpoint(server, role="trainee"))
    for fact in FACTS:
        yes, no = p_yes_no(await client.judge_yes_no(judge_prompt(fact), stage="judge"))
        blind = "Huanghuazhan" in fact or "黄华占" in fact
        assert (yes < 0.15) if blind else (yes > 0.85)


async def test_judgement_is_deterministic_per_statement(server):
    client = connect(endpoint(server, role="trainee"))
    a = await client.judge_yes_no(judge_prompt(FACTS[0]), stage="judge")
    b = await client.judge_yes_no(user(f"Statement: {FACTS[0]}"), stage="judge")  # other wording around it
    c = await client.judge_yes_no(judge_prompt(FACTS[3]), stage="judge")
    assert a == b and a != c


async def test_exact_probabilities_from_the_seed_walkthrough(server):
    statement = "刘备与关羽结义。"
    server.set_judgement(statement, yes=0.92)
    server.set_judgement("刘备没有与关羽结义。", yes=0.05)
    server.set_judgement("Liu Bei and Guan Yu swore brotherhood.", yes=0.4, no=0.55)
    client = connect(endpoint(server, role="trainee"))
    yes, no = p_yes_no(await client.judge_yes_no(judge_prompt(statement), stage="judge"))
    assert math.isclose(yes, 0.92) and math.isclose(no, 0.08)
    yes, no = p_yes_no(await client.judge_yes_no(judge_prompt("刘备没有与关羽结义。"), stage="judge"))
    assert math.isclose(yes, 0.05) and math.isclose(no, 0.95)
    top = await client.judge_yes_no(judge_prompt("Liu Bei and Guan Yu swore brotherhood."), stage="judge")
    yes, no = p_yes_no(top)
    assert math.isclose(yes, 0.4) and math.isclose(no, 0.55) and top[-1].token == "The"
