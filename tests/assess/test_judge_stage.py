"""Judge: real runs against the scripted trainee; loss on every edge, history per model."""

from __future__ import annotations

import math

import pytest

from graphgen_neo4j.assess.items import AssessItem, description_hash, statements_hash
from graphgen_neo4j.assess.judge import JudgeConfig, judge, plan_item
from graphgen_neo4j.assess.loss import histogram_bin
from graphgen_neo4j.assess.quiz import QuizConfig, quiz
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import StageFailed

from .conftest import ENTITIES, RELATIONS

N = 2  # quiz_samples: 2n statements per item


def relation_losses(graph: Graph) -> dict[str, dict]:
    rows = graph.query(
        "MATCH ()-[r:RELATED]->() RETURN r.id AS id, r.loss AS loss, r.loss_model AS model,"
        " r.loss_confidence AS confidence, r.loss_statements AS statements, r.judged_at AS judged_at"
    )
    return {row["id"]: row for row in rows}


@pytest.fixture
async def quizzed(graph, sample_graph, synthesizer) -> dict[str, str]:
    await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=N))
    return sample_graph


# -- pure: what the judge decides per item --------------------------------------------------


def test_plan_follows_re_judge_and_history() -> None:
    statements, labels = ["A controls B.", "It is not true that A controls B."], [True, False]
    base = dict(id="rel-1", kind="relation", description="A controls B.", quiz_statements=statements,
                quiz_labels=labels, quiz_source_hash=description_hash("A controls B."))
    same = {"loss": 0.1, "statements_hash": statements_hash(statements, labels)}
    assert plan_item(AssessItem(**base), "m", re_judge=False) == "judge"
    assert plan_item(AssessItem(**base, loss=0.1, loss_model="m", judgement=same), "m", re_judge=False) == "up_to_date"
    assert plan_item(AssessItem(**base, loss=0.1, loss_model="m", judgement=same), "m", re_judge=True) == "judge"
    assert plan_item(AssessItem(**base, loss=0.3, loss_model="other", judgement=same), "m", re_judge=False) == "reuse"
    stale = {"loss": 0.1, "statements_hash": "from-older-statements"}
    assert plan_item(AssessItem(**base, judgement=stale), "m", re_judge=False) == "judge"
    assert plan_item(AssessItem(**base, loss=2.5), "m", re_judge=False) == "judge"  # a loss of no known model
    edited = {**base, "description": "A controls C."}
    assert plan_item(AssessItem(**edited), "m", re_judge=False) == "not_quizzed"
    assert plan_item(AssessItem(**{**base, "quiz_statements": None}), "m", re_judge=True) == "not_quizzed"


# -- real runs ------------------------------------------------------------------------------


async def test_every_relation_gets_a_loss_with_2n_calls_each(graph, quizzed, server, make_trainee) -> None:
    report = await judge(graph=graph, trainee=make_trainee("trainee-a"), config=JudgeConfig())
    assert server.count(task="judge") == 2 * N * len(RELATIONS)
    assert report.judged == {"relation": len(RELATIONS)} and report.calls_per_item == 2 * N
    assert report.statements_judged == 2 * N * len(RELATIONS)
    for request in server.requests:
        if request.task == "judge":
            assert (request.params["max_tokens"], request.params["temperature"], request.params["logprobs"]) == (1, 0.0, True)
            assert request.params["top_logprobs"] >= 5
    losses = relation_losses(graph)
    for row in losses.values():
        assert row["model"] == "trainee-a" and row["statements"] == 2 * N and row["judged_at"] is not None
        assert 0 < row["loss"] < 13.9 and 0 < row["confidence"] < 1
    history = graph.query("MATCH (j:Judgement) RETURN j.id AS id, j.item_id AS item, j.loss AS loss, j.item_kind AS kind")
    assert {(h["item"], h["loss"]) for h in history} == {(rid, row["loss"]) for rid, row in losses.items()}
    assert all(h["id"] == h["item"] + "@trainee-a" and h["kind"] == "relation" for h in history)
    assert report.summary is not None and report.summary.judged == len(RELATIONS)
    assert report.summary.mean == pytest.approx(sum(r["loss"] for r in losses.values()) / len(losses))
    expected_bins = [0] * len(report.summary.bins)
    for row in losses.values():
        expected_bins[histogram_bin(row["loss"])] += 1
    assert report.summary.bins == expected_bins  # Cypher bins as loss.histogram_bin counts them
    assert [h.loss for h in report.summary.highest] == sorted((r["loss"] for r in losses.values()), reverse=True)
    assert graph.query("MATCH (e:Entity) WHERE e.loss IS NOT NULL RETURN count(e) AS n")[0]["n"] == 0


async def test_re_judge_semantics(graph, quizzed, server, make_trainee) -> None:
    trainee_a = make_trainee("trainee-a")
    await judge(graph=graph, trainee=trainee_a, config=JudgeConfig())
    first = relation_losses(graph)
    calls = server.count(task="judge")

    again = await judge(graph=graph, trainee=trainee_a, config=JudgeConfig(re_judge=False))
    assert server.count(task="judge") == calls and again.judged_total == 0
    assert again.up_to_date == len(RELATIONS)
    assert relation_losses(graph) == first

    forced = await judge(graph=graph, trainee=trainee_a, config=JudgeConfig(re_judge=True))
    assert server.count(task="judge") == calls + 2 * N * len(RELATIONS)
    assert forced.judged_total == len(RELATIONS)
    assert all(row["judged_at"] >= first[rid]["judged_at"] for rid, row in relation_losses(graph).items())

    # a new checkpoint has no loss yet: all judged, and the relation shows its loss
    server.trainee_profile = "guesses"
    calls = server.count(task="judge")
    await judge(graph=graph, trainee=make_trainee("trainee-b"), config=JudgeConfig())
    assert server.count(task="judge") == calls + 2 * N * len(RELATIONS)
    assert {row["model"] for row in relation_losses(graph).values()} == {"trainee-b"}

    # back to the first model: its judgements are re-used, no call
    calls = server.count(task="judge")
    back = await judge(graph=graph, trainee=trainee_a, config=JudgeConfig())
    assert server.count(task="judge") == calls and back.reused == len(RELATIONS)
    restored = relation_losses(graph)
    assert {rid: (row["model"], row["loss"]) for rid, row in restored.items()} == {
        rid: ("trainee-a", pytest.approx(row["loss"])) for rid, row in first.items()
    }
    assert graph.query("MATCH (j:Judgement) RETURN count(j) AS n")[0]["n"] == 2 * len(RELATIONS)


async def test_edited_description_is_judged_again_after_the_quiz(graph, quizzed, server, synthesizer, make_trainee) -> None:
    trainee = make_trainee()
    await judge(graph=graph, trainee=trainee, config=JudgeConfig())
    rid = quizzed["Pi-ta->AVR-Pita"]
    graph.query("MATCH ()-[r:RELATED {id: $id}]->() SET r.description = 'Pi-ta binds AVR-Pita directly.'", {"id": rid})
    stale = await judge(graph=graph, trainee=trainee, config=JudgeConfig(re_judge=True))
    assert stale.not_quizzed == 1 and stale.judged_total == len(RELATIONS) - 1
    await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=N))
    calls = server.count(task="judge")
    fresh = await judge(graph=graph, trainee=trainee, config=JudgeConfig())
    assert fresh.judged == {"relation": 1} and server.count(task="judge") == calls + 2 * N
    assert relation_losses(graph)[rid]["loss"] is not None


async def test_trainee_that_knows_has_lower_loss_than_one_that_guesses(graph, quizzed, server, make_trainee) -> None:
    server.trainee_profile = "knows"
    knows = await judge(graph=graph, trainee=make_trainee("knows"), config=JudgeConfig())
    server.trainee_profile = "guesses"
    guesses = await judge(graph=graph, trainee=make_trainee("guesses"), config=JudgeConfig())
    assert knows.summary.mean < guesses.summary.mean
    # P(correct) ≈ 0.92 gives ≈ 0.08; a coin flip gives ≈ −log 0.5 = 0.69
    assert knows.summary.mean < 0.2 and 0.55 < guesses.summary.mean < 0.85
    changes = graph.run("assess/compare_models", {"old": "knows", "new": "guesses", "limit": 100})
    assert len(changes) == len(RELATIONS)
    assert all(row["change"] > 0 for row in changes)  # every relation: the guesser is worse


async def test_blind_spots_come_out_on_top(graph, quizzed, server, make_trainee) -> None:
    server.trainee_profile = "blind_spots"
    server.blind_spot_terms = ["AVR-Pita"]
    report = await judge(graph=graph, trainee=make_trainee(), config=JudgeConfig())
    highest = report.summary.highest
    blind = {h.id for h in highest if "AVR-Pita" in (h.description or "")}
    assert {h.id for h in highest[: len(blind)]} == blind and len(blind) == 3
    assert min(h.loss for h in highest if h.id in blind) > 1.0 > max(h.loss for h in highest if h.id not in blind)


async def test_seed_walkthrough_probabilities(graph, build_graph, synthesizer, server, make_trainee) -> None:
    ids = build_graph([("刘备", "PERSON", "刘备，字玄德。"), ("关羽", "PERSON", "关羽，字云长。")],
                      [("刘备", "关羽", "刘备与关羽结义")])
    await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=1))
    statements = graph.query("MATCH ()-[r:RELATED]->() RETURN r.quiz_statements AS s")[0]["s"]
    assert statements[0] == "刘备与关羽结义" and statements[1].startswith("并非")
    server.set_judgement(statements[0], yes=0.92)  # the rest on "no"
    server.set_judgement(statements[1], yes=0.05)
    sure = await judge(graph=graph, trainee=make_trainee("sure"), config=JudgeConfig())
    server.set_judgement(statements[0], yes=0.4)
    server.set_judgement(statements[1], yes=0.6)
    unsure = await judge(graph=graph, trainee=make_trainee("unsure"), config=JudgeConfig())
    assert sure.mean_loss_judged == pytest.approx((-math.log(0.92) - math.log(0.95)) / 2, abs=1e-9)
    assert unsure.mean_loss_judged == pytest.approx(-math.log(0.4), abs=1e-9)
    rows = graph.query("MATCH (j:Judgement {item_id: $id}) RETURN j.trainee_model AS m, j.p_yes AS p_yes ORDER BY m", {"id": ids["刘备->关羽"]})
    assert [(r["m"], [round(p, 6) for p in r["p_yes"]]) for r in rows] == [("sure", [0.92, 0.05]), ("unsure", [0.4, 0.6])]


async def test_both_judges_entities_and_skips_excluded(graph, sample_graph, synthesizer, server, make_trainee) -> None:
    graph.query("MATCH (e:Entity {id: $id}) SET e.excluded = true", {"id": sample_graph["张飞"]})
    await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=1, loss_strategy="both"))
    report = await judge(graph=graph, trainee=make_trainee(), config=JudgeConfig(loss_strategy="both"))
    # the excluded entity's relations are left out too: excluded items never reach a prompt
    usable = [r for r in RELATIONS if "张飞" not in r[:2]]
    assert len(usable) < len(RELATIONS)
    assert report.judged == {"relation": len(usable), "entity": len(ENTITIES) - 1}
    assert server.count(task="judge") == 2 * (len(usable) + len(ENTITIES) - 1)
    entities = graph.query("MATCH (e:Entity) RETURN e.id AS id, e.loss AS loss, e.loss_model AS model")
    assert all((row["loss"] is None) == (row["id"] == sample_graph["张飞"]) for row in entities)
    kinds = graph.query("MATCH (j:Judgement) RETURN j.item_kind AS kind, count(*) AS n ORDER BY kind")
    assert kinds == [{"kind": "entity", "n": len(ENTITIES) - 1}, {"kind": "relation", "n": len(usable)}]


async def test_no_logprobs_stops_with_a_clear_error(graph, quizzed, server, make_trainee) -> None:
    server.inject("no_logprobs", times=None, task="judge")
    with pytest.raises(StageFailed, match="judge: stopped .*returns no logprobs"):
        await judge(graph=graph, trainee=make_trainee(), config=JudgeConfig())
    assert all(row["loss"] is None for row in relation_losses(graph).values())
    assert graph.query("MATCH (j:Judgement) RETURN count(j) AS n")[0]["n"] == 0


@pytest.mark.parametrize("skip", [False, True])
async def test_without_a_trainee_losses_stay_null(graph, quizzed, server, make_trainee, skip) -> None:
    trainee = make_trainee() if skip else None
    report = await judge(graph=graph, trainee=trainee, config=JudgeConfig(skip_judge=skip))
    assert report.skipped_reason and ("skipped" in report.skipped_reason if skip else "TRAINEE_" in report.skipped_reason)
    assert report.judged_total == 0 and server.count(task="judge") == 0
    assert all(row["loss"] is None for row in relation_losses(graph).values())
    assert report.summary.judged == 0 and report.summary.mean is None
    assert report.summary.relations == len(RELATIONS)
