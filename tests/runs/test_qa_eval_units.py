"""QA faithfulness and filter, without a database: the verdict parser, the prompt, the scripted
rule, the aggregate, and the filter's rules."""

from __future__ import annotations

import json

import pytest

from graphgen_neo4j.config import Filter, parse_config
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.llm.parsing import ReplyError, parse_model
from graphgen_neo4j.runs.qa_filter import FilterItem, decide, duplicate_clusters, item_reasons
from graphgen_neo4j.runs.qa_judge import (
    FaithfulnessVerdict,
    JudgedQA,
    QAFaithfulness,
    QAMaterial,
    aggregate,
    claims_from,
    estimate_judging,
    parse_sample_size,
    qa_messages,
    score_from,
)
from graphgen_neo4j.testing.scripts import ScriptedRequest, get_responder
from graphgen_neo4j.testing.scripts.qa_faithfulness import verdict

# -- the verdict parser --------------------------------------------------------------------------


@pytest.mark.parametrize("reply, score, claims", [
    ('{"score": 5, "unsupported_claims": [], "reason": "all there"}', 5, []),
    ('```json\n{"score": "2/5", "unsupported_claims": "IR8 cures blast", "reason": "x"}\n```', 2, ["IR8 cures blast"]),
    ('Here you go: {"score": "4 out of 5", "unsupported_claims": "none"}', 4, []),
    ('{"rating": "8/10", "unsupported": ["A", " ", "none"]}', 4, ["A"]),
    ('{"faithfulness": "unfaithful", "reason": "contradicts"}', 1, []),
    ('{"score": 0.75, "unsupported_claims": null}', 4, []),
    ('｛“评分”：“3”，“无依据说法”：［“它由细菌引起”］，“理由”：“一半”｝', 3, ["它由细菌引起"]),
    ('{"score": 3.0, "unsupported_claims": [], "reason": null}', 3, []),
])
def test_the_verdict_parser_reads_what_models_write(reply: str, score: int, claims: list[str]) -> None:
    parsed = parse_model(reply, FaithfulnessVerdict)
    assert (parsed.score, parsed.unsupported_claims) == (score, claims)
    assert parsed.faithfulness == (score - 1) / 4


@pytest.mark.parametrize("reply", ['{"score": 9}', '{"score": "great"}', '{"reason": "fine"}', '{"score": 4, "unsupp'])
def test_an_unusable_verdict_is_an_error_not_a_default(reply: str) -> None:
    with pytest.raises(ReplyError):
        parse_model(reply, FaithfulnessVerdict)


def test_score_and_claims_helpers() -> None:
    assert score_from("partially supported") == 3 and score_from("not faithful") == 1 and score_from("faithful") == 5
    assert score_from(True) is True  # a boolean is not a score: validation rejects it
    assert claims_from("无") == [] and claims_from(["a", "", None]) == ["a"]
    assert claims_from("a claim") == ["a claim"]
    assert parse_sample_size("all") is None and parse_sample_size(" 12 ") == 12
    with pytest.raises(ValueError):
        parse_sample_size("some")


# -- the prompt and the scripted rule ---------------------------------------------------------------

MATERIAL = QAMaterial(
    id="qa-1", question="What does Pi9 resist?", answer="Pi9 resists rice blast.", mode="atomic", language="en",
    relations=[{"source": "Pi9", "target": "Rice blast", "description": "Pi9 resists rice blast."}],
    entities=[{"name": "Pi9", "type": "GENE", "description": "A rice gene."}],
)


@pytest.mark.parametrize("language, marker", [("en", "Score the answer"), ("zh", "给答案打")])
def test_the_prompt_holds_the_material_in_the_qa_language(language: str, marker: str) -> None:
    user = qa_messages(MATERIAL.model_copy(update={"language": language}))[-1]["content"]
    assert marker in user
    assert "1. Pi9 -> Rice blast: Pi9 resists rice blast." in user and "1. Pi9 [GENE]: A rice gene." in user
    assert "<answer>\nPi9 resists rice blast.\n</answer>" in user


def _scripted(qa: QAMaterial) -> dict:
    reply = get_responder("qa_faithfulness")(ScriptedRequest(task="qa_faithfulness", messages=qa_messages(qa)))
    assert isinstance(reply, str)
    return json.loads(reply)


def test_the_scripted_rule_scores_sentences_found_in_the_material() -> None:
    assert _scripted(MATERIAL)["score"] == 5
    bad = _scripted(MATERIAL.model_copy(update={"answer": "Pi9 resists rice blast. IR8 cures every disease."}))
    assert bad["score"] == 3 and bad["unsupported_claims"] == ["IR8 cures every disease"]
    assert bad["reason"].startswith("[canned]")
    assert verdict("稻瘟病危害水稻。", "它由细菌引起。")["score"] == 1


def test_the_estimate_counts_one_call_per_qa_with_the_real_prompt() -> None:
    cost = estimate_judging([MATERIAL, MATERIAL])
    assert cost.calls == 2 and cost.prompt_tokens > 2 * 100 and cost.completion_tokens > 0


def test_the_aggregate_counts_faithful_and_keeps_the_worst() -> None:
    def judged(i: int, score: int, mode: str = "atomic") -> JudgedQA:
        return JudgedQA(id=f"qa-{i}", mode=mode, question="q", answer="a", score=score,
                        faithfulness=(score - 1) / 4, unsupported=["x"] if score < 5 else [], reason="r")

    result = aggregate(QAFaithfulness(sampled=4), [judged(1, 5), judged(2, 4), judged(3, 1, "aggregated"), judged(4, 2)])
    assert (result.judged, result.faithful, result.faithful_share) == (4, 2, 0.5)
    assert result.mean == pytest.approx((1 + 0.75 + 0 + 0.25) / 4)
    assert [j.id for j in result.worst] == ["qa-3", "qa-4", "qa-2"]  # a 5 is never among the worst
    assert result.by_score == {1: 1, 2: 1, 4: 1, 5: 1} and set(result.by_mode) == {"atomic", "aggregated"}


# -- the filter's rules -------------------------------------------------------------------------------


def _item(i: int, question: str = "What does gene {i} control in rice plants?", answer: str = "It controls the tiller "
          "angle of rice plants and their height.", **extra) -> FilterItem:
    return FilterItem(id=f"qa-{i}", question=question.format(i=i), answer=answer, **extra)


def test_each_rule_drops_what_fails_it_and_says_why() -> None:
    rules = Filter(min_answer_tokens=5, max_question_tokens=30, min_mtld=3, min_loss=0.5, min_faithfulness=0.5,
                   unjudged="keep", modes=["atomic", "aggregated"])
    good = _item(1, mode="atomic", loss=1.0, faithfulness=1.0)
    assert item_reasons(good, rules) == []
    assert [r for r, _ in item_reasons(_item(2, answer="Yes.", mode="atomic", loss=1.0), rules)] == ["answer_tokens", "mtld"]
    assert item_reasons(_item(3, mode="multi_hop", loss=1.0), rules) == [("mode", "mode multi_hop not in atomic, aggregated")]
    assert item_reasons(_item(4, mode="atomic", loss=0.1), rules) == [("loss", "loss 0.1 < 0.5")]
    assert item_reasons(_item(5, mode="atomic"), rules) == [("loss", "loss unknown")]
    assert item_reasons(_item(6, mode="atomic", loss=1.0, faithfulness=0.25), rules) == [
        ("faithfulness", "faithfulness 0.25 < 0.5")]
    assert item_reasons(_item(7, mode="atomic", loss=1.0), rules) == []  # unjudged: keep
    dropping = rules.model_copy(update={"unjudged": "drop"})
    assert item_reasons(_item(7, mode="atomic", loss=1.0), dropping) == [("faithfulness", "faithfulness not judged")]
    long_question = _item(8, question="why " * 40, mode="atomic", loss=1.0)
    assert item_reasons(long_question, rules)[0][0] == "question_tokens"


def test_near_duplicates_keep_the_most_faithful_of_each_cluster() -> None:
    items = [
        _item(1, question="What does the gene OsDT11 control in rice?", faithfulness=0.5),
        _item(2, question="What does the gene OsDT11 control in rice ?", faithfulness=1.0),
        _item(3, question="What does the gene OsDT11 control in rice??", faithfulness=0.75),
        _item(4, question="Which insect spreads rice grassy stunt virus?"),
    ]
    assert duplicate_clusters([i.question for i in items], 0.8) == [[0, 1, 2]]
    decision = decide(items, Filter(dedup=True))
    assert decision.kept == ["qa-2", "qa-4"]
    assert decision.dropped == {"qa-1": ["near duplicate of qa-2"], "qa-3": ["near duplicate of qa-2"]}
    assert decision.by_rule == {"near_duplicate": 2}


def test_a_qa_another_rule_drops_is_never_the_one_kept_of_its_cluster() -> None:
    items = [_item(1, question="What does the gene OsDT11 control in rice?", faithfulness=1.0, mode="multi_hop"),
             _item(2, question="What does the gene OsDT11 control in rice ?", faithfulness=0.5, mode="atomic")]
    decision = decide(items, Filter(dedup=True, modes=["atomic"]))
    assert decision.kept == ["qa-2"] and decision.by_rule == {"mode": 1}


def test_no_rule_drops_nothing_and_counts_by_rule_add_up() -> None:
    items = [_item(i, mode="atomic", loss=i / 10) for i in range(10)]
    assert decide(items, Filter()).dropped == {}
    decision = decide(items, Filter(min_loss=0.45, modes=["aggregated"]))
    assert decision.by_rule == {"mode": 10, "loss": 5} and len(decision.dropped) == 10 and decision.kept == []


def test_the_filter_section_is_checked_when_the_config_loads() -> None:
    config = parse_config({"filter": {"min_faithfulness": 0.5, "modes": ["open"], "dedup": True}})
    assert config.filter.modes == ["aggregated"]  # upstream's name accepted
    assert config.filter.active() and not Filter().active() and not Filter(dedup_threshold=0.9).active()
    assert Filter(min_loss=0).active() and Filter(min_answer_tokens=0).active()  # 0 is a rule, not "unset"
    for bad, key in (({"min_faithfulness": 2}, "filter.min_faithfulness"), ({"unjudged": "maybe"}, "filter.unjudged"),
                     ({"min_answer_tokens": 9, "max_answer_tokens": 3}, "max_answer_tokens"), ({"colour": 1}, "colour")):
        with pytest.raises(ConfigError, match=key):
            parse_config({"filter": bad})


def test_estimate_counts_one_faithfulness_call_per_qa_when_the_filter_needs_it(tmp_path) -> None:
    from pathlib import Path

    from graphgen_neo4j.runs.estimate import estimate

    corpus = Path(__file__).resolve().parents[1] / "real_model" / "corpus" / "tea_blight_en.txt"
    base = {"input_file": str(corpus), "traverse_strategy": {"qa_form": ["atomic", "aggregated"]}}
    without = {s.stage: s for s in estimate(parse_config(base)).stages}
    assert "qa_judge" not in without
    stages = {s.stage: s for s in estimate(parse_config({**base, "filter": {"min_faithfulness": 0.5}})).stages}
    qa = sum(int(part.split()[-1]) for part in stages["generate"].basis.split("QA: ")[1].split(", "))
    assert stages["qa_judge"].calls == qa > 0 and stages["qa_judge"].prompt_tokens > 100 * qa
    kept = {s.stage for s in estimate(parse_config({**base, "filter": {"min_faithfulness": 0.5, "unjudged": "keep"}})).stages}
    assert "qa_judge" not in kept
