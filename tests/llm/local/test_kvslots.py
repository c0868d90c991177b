"""Which saved key/value state the engine keeps and brings back (pure: no model)."""

from __future__ import annotations

import pytest

from graphgen_neo4j.llm.local.kvslots import MIN_GAIN, SAME_KIND, SavedStates, slots_from_env


def prompt(kind: int, tail: int, length: int = 100) -> list[int]:
    """``length`` tokens: a prefix of ``kind``'s instructions, then a tail of its own."""
    return [kind * 1000 + i for i in range(length)] + [tail, tail + 1]


def test_a_long_context_of_another_kind_is_worth_saving() -> None:
    states = SavedStates(2)
    assert states.worth_saving(prompt(1, 5), prompt(2, 5))
    assert not states.worth_saving(prompt(1, 5), prompt(1, 7))  # the same kind: the live context serves it
    assert not states.worth_saving(prompt(1, 5, length=SAME_KIND - 10), prompt(2, 5))  # too short to matter
    assert not SavedStates(0).worth_saving(prompt(1, 5), prompt(2, 5))  # saving off


def test_the_state_sharing_most_comes_back_once() -> None:
    states = SavedStates(3)
    states.save(prompt(1, 5), b"one")
    states.save(prompt(2, 5), b"two")
    taken = states.take(prompt(2, 9), live_shared=0)
    assert taken is not None and taken.data == b"two"
    assert len(states) == 1  # taken out: the live context holds it now
    assert states.take(prompt(3, 9), live_shared=0) is None  # nothing of that kind


def test_no_restore_unless_it_spares_enough_over_the_live_context() -> None:
    states = SavedStates(2)
    states.save(prompt(1, 5), b"one")
    target = prompt(1, 9)  # shares 100 tokens with the saved state
    assert states.take(target, live_shared=100 - MIN_GAIN + 1) is None
    assert states.take(target, live_shared=100 - MIN_GAIN) is not None


def test_a_later_state_of_the_same_kind_replaces_the_earlier() -> None:
    states = SavedStates(3)
    states.save(prompt(1, 5), b"old")
    states.save(prompt(1, 7), b"new")
    assert len(states) == 1
    taken = states.take(prompt(1, 9), live_shared=0)
    assert taken is not None and taken.data == b"new"


def test_the_least_recently_saved_goes_past_the_slots() -> None:
    states = SavedStates(2)
    for kind in (1, 2, 3):
        states.save(prompt(kind, 5), str(kind).encode())
    assert len(states) == 2
    assert states.take(prompt(1, 9), live_shared=0) is None
    assert states.take(prompt(3, 9), live_shared=0) is not None


def test_slots_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHGEN_LLM_KV_SLOTS", "0")
    assert slots_from_env() == 0
    monkeypatch.setenv("GRAPHGEN_LLM_KV_SLOTS", "many")
    with pytest.raises(ValueError, match="GRAPHGEN_LLM_KV_SLOTS='many'"):
        slots_from_env()
    monkeypatch.setenv("GRAPHGEN_LLM_KV_SLOTS", "99")
    with pytest.raises(ValueError, match="0 \\(off\\) to 64"):
        slots_from_env()
