"""A reply that has fallen into a loop is told apart from one that only repeats a little (pure)."""

from __future__ import annotations

from graphgen_neo4j.llm.local.loops import LOOP_SPAN, MAX_PERIOD, looping


def test_one_sentence_over_and_over_is_a_loop() -> None:
    sentence = list(range(100, 117))  # 17 tokens
    assert looping(list(range(40)) + sentence * 8)
    assert looping([7] * LOOP_SPAN)  # one token repeated


def test_too_little_repetition_is_not_a_loop() -> None:
    sentence = list(range(100, 117))
    assert not looping(list(range(200)) + sentence * 2)  # said twice: 34 tokens, not the span
    assert not looping(sentence * 3)  # shorter than the span in all
    assert not looping(list(range(LOOP_SPAN * 3)))  # no repetition at all


def test_a_block_longer_than_the_longest_period_is_not_looked_for() -> None:
    block = list(range(1000, 1000 + MAX_PERIOD + 5))
    assert not looping(block * 4)
    assert looping(block * 4, max_period=MAX_PERIOD + 5, span=2 * len(block))


def test_a_list_that_counts_up_is_not_a_loop() -> None:
    items = [t for n in range(30) for t in (5, 6, 1000 + n, 7)]  # "- item 1", "- item 2", …
    assert not looping(items)
