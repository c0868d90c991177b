"""Count control, config and reply parsing: pure functions, no database, no server."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphgen_neo4j.choices import parse_mix
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.generate.config import GenerateConfig, load_config
from graphgen_neo4j.generate.material import MaterialRelation, chain_order
from graphgen_neo4j.generate.plan import BatchOffer, Unit, candidate_units, largest_remainder, mode_quotas, plan_units
from graphgen_neo4j.generate.units import clean_text, parse_plain_text, parse_tagged_qa

MODES3 = ("aggregated", "multi_hop", "atomic")


# -- config ----------------------------------------------------------------------------------


def test_upstream_qa_form_values_are_accepted() -> None:
    assert GenerateConfig(qa_form="open").modes == ["aggregated"]
    assert GenerateConfig(qa_form="multi_hop").modes == ["multi_hop"]
    assert GenerateConfig(modes="atomic, Multi-Hop,open").modes == ["atomic", "multi_hop", "aggregated"]
    assert GenerateConfig().modes == ["aggregated"]


def test_bad_config_is_one_config_error_line() -> None:
    with pytest.raises(ConfigError, match="unknown generation mode 'riddle'"):
        load_config(modes=["riddle"])
    with pytest.raises(ConfigError, match="mix share for atomic must be a positive number"):
        load_config(mix="atomic=-1")
    with pytest.raises(ConfigError, match="^mix gives shares for aggregated but the modes \\(qa_form\\) are atomic"):
        GenerateConfig(modes=["atomic"], mix={"aggregated": 1})  # as the pipeline builds it
    with pytest.raises(ConfigError, match="max_qa"):
        load_config(max_qa=0)
    with pytest.raises(ConfigError, match="unknown key 'qa_count'; allowed keys: .*max_qa"):
        load_config(qa_count=3)


def test_mix_names_the_modes_when_modes_are_not_given() -> None:
    config = GenerateConfig(mix="aggregated=0.5,multi_hop=0.3,atomic=0.2")
    assert config.modes == ["aggregated", "multi_hop", "atomic"]
    assert parse_mix({"open": 5, "atomic": 5}) == {"aggregated": 5.0, "atomic": 5.0}
    with pytest.raises(ConfigError, match="not mode=share"):
        parse_mix("aggregated:0.5")


# -- quotas ----------------------------------------------------------------------------------


def test_cap_and_mix_split_exactly_when_every_mode_has_enough() -> None:
    available = {"aggregated": 100, "multi_hop": 100, "atomic": 100}
    mix = {"aggregated": 0.5, "multi_hop": 0.3, "atomic": 0.2}
    assert mode_quotas(available, mix, 10) == {"aggregated": 5, "multi_hop": 3, "atomic": 2}
    assert mode_quotas(available, mix, 7) == {"aggregated": 4, "multi_hop": 2, "atomic": 1}


def test_a_short_mode_passes_its_share_to_the_others() -> None:
    available = {"aggregated": 100, "multi_hop": 1, "atomic": 100}
    quotas = mode_quotas(available, {"aggregated": 0.5, "multi_hop": 0.3, "atomic": 0.2}, 10)
    assert quotas["multi_hop"] == 1 and sum(quotas.values()) == 10
    assert quotas["aggregated"] > quotas["atomic"]  # in proportion to their shares


def test_without_a_cap_the_mix_sets_the_largest_total_that_fits() -> None:
    available = {"aggregated": 10, "multi_hop": 3, "atomic": 40}
    assert mode_quotas(available, {"aggregated": 0.5, "multi_hop": 0.3, "atomic": 0.2}, None) == {
        "aggregated": 5, "multi_hop": 3, "atomic": 2,
    }
    # No candidates for a mode: it is left out rather than forcing everything to zero.
    assert mode_quotas({"aggregated": 4, "multi_hop": 0}, {"aggregated": 1, "multi_hop": 1}, None) == {
        "aggregated": 4, "multi_hop": 0,
    }
    assert mode_quotas({"aggregated": 4, "atomic": 9}, None, None) == {"aggregated": 4, "atomic": 9}
    assert mode_quotas({"aggregated": 4, "atomic": 9}, None, 6) == {"aggregated": 3, "atomic": 3}


@settings(max_examples=300, deadline=None)
@given(
    available=st.lists(st.integers(0, 60), min_size=3, max_size=3),
    shares=st.lists(st.integers(1, 10), min_size=3, max_size=3),
    cap=st.one_of(st.none(), st.integers(1, 120)),
)
def test_quotas_never_exceed_what_exists_and_fill_the_cap(available, shares, cap) -> None:
    avail = dict(zip(MODES3, available))
    mix = dict(zip(MODES3, map(float, shares)))
    quotas = mode_quotas(avail, mix, cap)
    assert all(0 <= quotas[m] <= avail[m] for m in MODES3)
    if cap is not None:
        assert sum(quotas.values()) == min(cap, sum(available))
        exact = largest_remainder(cap, {m: s / sum(shares) for m, s in mix.items()})
        if all(exact[m] <= avail[m] for m in MODES3):
            assert quotas == exact  # the mix is honoured exactly whenever it can be
    else:
        usable = [m for m in MODES3 if avail[m]]
        if usable:  # the ratio between modes with candidates holds to within rounding
            total = sum(quotas.values())
            weight = sum(mix[m] for m in usable)
            assert all(abs(quotas[m] - total * mix[m] / weight) < 1 for m in usable)


# -- choosing units --------------------------------------------------------------------------


def offers() -> list[BatchOffer]:
    return [
        BatchOffer(batch_id="b0", index=0, mean_loss=1.0, relations=[("r1", 0.5), ("r2", 1.5)]),
        BatchOffer(batch_id="b1", index=1, mean_loss=3.0, relations=[("r3", 3.0)]),
        BatchOffer(batch_id="b2", index=2, mean_loss=None, relations=[("r4", None), ("r5", None)]),
        BatchOffer(batch_id="b3", index=3, mean_loss=None, relations=[], entity_ids=["e9"]),
        BatchOffer(batch_id="b4", index=4, mean_loss=2.0, relations=[]),  # everything excluded
    ]


def test_candidates_per_mode() -> None:
    pools = candidate_units(offers(), ["aggregated", "multi_hop", "atomic"])
    assert [u.batch_id for u in pools["aggregated"]] == ["b0", "b1", "b2"]
    assert [u.batch_id for u in pools["multi_hop"]] == ["b0", "b2"]  # two relations at least
    assert [u.item_id for u in pools["atomic"]] == ["r1", "r2", "r3", "r4", "r5", "e9"]
    assert pools["atomic"][0].key == "atomic:r1" and pools["aggregated"][0].key == "aggregated"


def test_highest_loss_first_unknown_last() -> None:
    config = GenerateConfig(modes=["aggregated", "atomic"])
    plan = plan_units(candidate_units(offers(), config.modes), config)
    aggregated = [u.batch_id for u in plan.units if u.mode == "aggregated"]
    atomic = [u.item_id for u in plan.units if u.mode == "atomic"]
    assert aggregated == ["b1", "b0", "b2"]
    assert atomic == ["r3", "r2", "r1", "r4", "r5", "e9"]
    assert plan.units[0] == Unit("b1", 1, "aggregated", None, 3.0)  # across modes too


def test_min_loss_skips_low_and_unknown_losses() -> None:
    config = GenerateConfig(modes=["aggregated", "atomic"], min_loss=1.0)
    plan = plan_units(candidate_units(offers(), config.modes), config)
    assert sorted((u.mode, u.item_id or u.batch_id) for u in plan.units) == [
        ("aggregated", "b0"), ("aggregated", "b1"), ("atomic", "r2"), ("atomic", "r3"),
    ]
    assert plan.below_min_loss == {"aggregated": 0, "atomic": 1}
    assert plan.unjudged == {"aggregated": 1, "atomic": 3}


def test_min_loss_without_any_loss_is_not_applied_and_says_so() -> None:
    bare = [BatchOffer(batch_id=f"b{i}", index=i, relations=[(f"r{i}", None)]) for i in range(3)]
    config = GenerateConfig(modes=["aggregated"], min_loss=2.0)
    plan = plan_units(candidate_units(bare, config.modes), config)
    assert [u.batch_id for u in plan.units] == ["b0", "b1", "b2"]  # partition order
    assert not plan.losses_available
    assert any("min_loss 2 not applied" in note for note in plan.notes)
    assert any("partition order" in note for note in plan.notes)


def test_cap_takes_the_top_of_each_mode() -> None:
    many = [BatchOffer(batch_id=f"b{i}", index=i, mean_loss=float(i % 7),
                       relations=[(f"r{i}a", float(i)), (f"r{i}b", 0.1)]) for i in range(20)]
    config = GenerateConfig(mix={"aggregated": 0.5, "multi_hop": 0.3, "atomic": 0.2}, max_qa=10)
    plan = plan_units(candidate_units(many, config.modes), config)
    chosen = {m: [u for u in plan.units if u.mode == m] for m in config.modes}
    assert {m: len(us) for m, us in chosen.items()} == {"aggregated": 5, "multi_hop": 3, "atomic": 2}
    assert [u.item_id for u in chosen["atomic"]] == ["r19a", "r18a"]
    assert min(u.loss for u in chosen["aggregated"]) >= 5.0


# -- material order and replies -------------------------------------------------------------


def test_chain_order_follows_shared_entities() -> None:
    def rel(i: str, s: str, t: str) -> MaterialRelation:
        return MaterialRelation(id=i, source_id=s, target_id=t)

    ordered = chain_order([rel("seed", "A", "B"), rel("far", "X", "Y"), rel("next", "B", "C"), rel("link", "Y", "C")])
    assert [r.id for r in ordered] == ["seed", "next", "link", "far"]


@pytest.mark.parametrize("raw, expected", [
    ("Question: What causes rice blast?\nAnswer: A fungus.", ("What causes rice blast?", "A fungus.")),
    ("**Question**: Why?\n**Answer**: Because.", ("Why?", "Because.")),
    ("<think>let me see</think>Q: Who?\nA: Them.", ("Who?", "Them.")),
    ("问题：稻瘟病由什么引起？\n答案：稻瘟病菌。", ("稻瘟病由什么引起？", "稻瘟病菌。")),
    ("问题: 什么是Pi9？ 答案: 抗病基因。", ("什么是Pi9？", "抗病基因。")),
    ("I cannot write a question about this.", None),
])
def test_tagged_replies_parse(raw, expected) -> None:
    assert parse_tagged_qa(raw) == expected


def test_labels_and_quotes_are_cleaned() -> None:
    assert clean_text('Question: "What is Pi9?"') == "What is Pi9?"
    assert clean_text("重述文本：稻瘟病是一种真菌病害。") == "稻瘟病是一种真菌病害。"
    assert parse_plain_text("Rephrased Text: Rice blast is a disease.") == "Rice blast is a disease."
    assert parse_plain_text('{"note": "nothing"}') is None
    assert parse_plain_text("") is None
