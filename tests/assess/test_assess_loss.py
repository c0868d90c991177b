"""The loss formula on hand-written logprob cases (no database, no server)."""

from __future__ import annotations

import math

import pytest

from graphgen_neo4j.assess.loss import (
    EPSILON,
    HISTOGRAM_EDGES,
    YesNo,
    classify_token,
    histogram_bin,
    histogram_labels,
    item_loss,
    statement_loss,
    yes_no_mass,
)
from graphgen_neo4j.llm import TokenCandidate


def top(*pairs: tuple[str, float]) -> list[TokenCandidate]:
    """Candidates from (token, probability) pairs."""
    return [TokenCandidate(token=t, logprob=math.log(p) if p > 0 else float("-inf")) for t, p in pairs]


@pytest.mark.parametrize(
    "token",
    ["Yes", "yes", " yes", "YES", "Yes.", "ĠYes", "▁yes", "\nyes", "**Yes**", "True", "correct",
     "是", " 是", "是的", "对", "正确", "没错", "ｙｅｓ"],
)
def test_yes_variants(token: str) -> None:
    assert classify_token(token) == "yes"


@pytest.mark.parametrize(
    "token", ["No", "no", " no", "NO", "No,", "ĠNo", "false", "Not", "否", "不", "不是", "不对", "错", "错误", "没有"]
)
def test_no_variants(token: str) -> None:
    assert classify_token(token) == "no"


@pytest.mark.parametrize("token", ["The", "**", "<think>", "", " ", "Yesterday", "Nor", "没", "非", "1", "Y", "maybe"])
def test_other_tokens(token: str) -> None:
    assert classify_token(token) == "other"


def test_mass_is_summed_over_all_variants() -> None:
    answer = yes_no_mass(top(("Yes", 0.6), (" yes", 0.2), ("No", 0.08), (" no", 0.02), ("The", 0.1)))
    assert answer.p_yes == pytest.approx(0.8)
    assert answer.p_no == pytest.approx(0.1)
    assert answer.p_other == pytest.approx(0.1)
    assert statement_loss(answer.p_correct(True)) == pytest.approx(-math.log(0.8))
    assert statement_loss(answer.p_correct(False)) == pytest.approx(-math.log(0.1))


def test_capitalised_yes_is_not_inverted() -> None:
    # Upstream compared "Yes" with "yes" case-sensitively and scored this as −log(0.01) = 4.6.
    answer = yes_no_mass(top(("Yes", 0.99), ("No", 0.005)))
    assert statement_loss(answer.p_correct(True)) == pytest.approx(-math.log(0.99))
    assert statement_loss(answer.p_correct(True)) < 0.02


def test_mass_on_other_tokens_counts_against_the_truth() -> None:
    rambling = yes_no_mass(top(("The", 0.9), ("yes", 0.05), ("no", 0.05)))
    assert statement_loss(rambling.p_correct(True)) == pytest.approx(-math.log(0.05))
    assert statement_loss(rambling.p_correct(False)) == pytest.approx(-math.log(0.05))
    # The same 0.05 on yes with the rest on "no" is the same loss: nothing is renormalized.
    unsure = yes_no_mass(top(("no", 0.95), ("yes", 0.05)))
    assert statement_loss(unsure.p_correct(True)) == pytest.approx(statement_loss(rambling.p_correct(True)))


def test_mass_outside_top_k_counts_against_the_truth() -> None:
    answer = yes_no_mass(top(("yes", 0.3), ("The", 0.2), ("A", 0.1)))  # 0.4 not in the top k
    assert answer.p_other == pytest.approx(0.7)
    assert item_loss([answer], [True]).loss == pytest.approx(-math.log(0.3))


def test_probability_zero_gives_a_finite_bounded_loss() -> None:
    answer = yes_no_mass(top(("No", 1.0)))  # logprob 0.0: certain, and wrong
    assert answer.p_yes == 0.0
    loss = statement_loss(answer.p_correct(True))
    assert math.isfinite(loss)
    assert loss == pytest.approx(-math.log(EPSILON))
    assert statement_loss(yes_no_mass(top(("The", 1.0), ("yes", 0.0))).p_correct(True)) == pytest.approx(-math.log(EPSILON))


def test_probability_one_gives_a_tiny_positive_loss() -> None:
    answer = yes_no_mass(top(("yes", 1.0)))
    loss = statement_loss(answer.p_correct(True))
    assert 0.0 < loss < 1e-5


def test_rounding_past_one_is_scaled_back() -> None:
    answer = yes_no_mass([TokenCandidate(token="Yes", logprob=0.0), TokenCandidate(token="No", logprob=math.log(0.02))])
    assert answer.p_yes + answer.p_no == pytest.approx(1.0)
    assert answer.p_yes == pytest.approx(1 / 1.02)


def test_item_loss_is_the_mean_over_statements() -> None:
    # The seed walkthrough: 0.92 on the true statement, 0.05 on its negation.
    knows = item_loss([YesNo(p_yes=0.92, p_no=0.08), YesNo(p_yes=0.05, p_no=0.95)], [True, False])
    assert knows.loss == pytest.approx((-math.log(0.92) - math.log(0.95)) / 2)
    assert knows.confidence == pytest.approx((0.92 + 0.95) / 2)
    assert knows.statements == 2
    assert knows.p_yes == [0.92, 0.05]
    unsure = item_loss([YesNo(p_yes=0.4, p_no=0.6), YesNo(p_yes=0.6, p_no=0.4)], [True, False])
    assert unsure.loss == pytest.approx(-math.log(0.4))
    assert unsure.loss > 10 * knows.loss


def test_item_loss_rejects_mismatched_or_empty_input() -> None:
    with pytest.raises(ValueError, match="2 labelled"):
        item_loss([YesNo(p_yes=1.0, p_no=0.0)], [True, False])
    with pytest.raises(ValueError, match="at least one"):
        item_loss([], [])


def test_histogram_bins_match_their_labels() -> None:
    labels = histogram_labels()
    assert len(labels) == len(HISTOGRAM_EDGES) + 1
    assert histogram_bin(0.05) == 0 and labels[0] == "< 0.1"
    assert histogram_bin(0.1) == 1 and labels[1] == "0.1–0.25"
    assert histogram_bin(-math.log(0.5)) == 3 and labels[3] == "0.5–0.75"
    assert histogram_bin(-math.log(EPSILON)) == len(HISTOGRAM_EDGES) and labels[-1] == "≥ 5"
