"""Routing in a pool of endpoints: least loaded, back-off, return — pure, on a fake clock."""

from __future__ import annotations

import pytest

from graphgen_neo4j.errors import LLMError
from graphgen_neo4j.llm.pooled import RATE_LIMITED, failover_kind, model_mismatch
from graphgen_neo4j.llm.routing import DOWN, SERVER_ERROR, Router


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def router(*capacities: int, **options) -> tuple[Router, Clock]:
    clock = Clock()
    return Router(list(capacities), clock=clock, **options), clock


def test_the_least_loaded_endpoint_takes_the_request_relative_to_its_slots():
    r, _ = router(4, 2)
    picks = []
    for _ in range(6):
        i = r.pick()
        assert i is not None
        r.begin(i)
        picks.append(i)
    assert picks == [0, 1, 0, 0, 1, 0]  # by share of slots in use (ties: the first): four to the 4-slot one, two to the other
    assert r.pick() is None  # every slot taken
    r.succeed(1)
    assert r.pick() == 1


def test_a_down_endpoint_is_out_until_its_back_off_ends_and_the_back_off_doubles():
    r, clock = router(2, 2, base_backoff=1.0, max_backoff=4.0)
    r.begin(0)
    assert r.fail(0, DOWN) is True
    assert [r.pick() for _ in range(2)] == [1, 1]
    assert r.next_return() == pytest.approx(1.0)
    clock.now += 1.0
    assert r.healthy(0) and r.pick() == 0
    for expected in (2.0, 4.0, 4.0):  # it fails again on return: doubled, up to the cap
        r.begin(0)
        assert r.fail(0, DOWN) is True
        assert r.next_return() == pytest.approx(expected)
        clock.now += expected
    r.begin(0)
    r.succeed(0)
    r.begin(0)
    r.fail(0, DOWN)
    assert r.next_return() == pytest.approx(1.0)  # a success reset it


def test_the_other_requests_in_flight_on_a_dead_endpoint_do_not_extend_its_back_off():
    r, _ = router(8, 8, base_backoff=1.0)
    for _ in range(5):
        r.begin(0)
    assert r.fail(0, DOWN) is True
    assert [r.fail(0, DOWN) for _ in range(4)] == [False] * 4
    assert r.endpoints[0].inflight == 0 and r.endpoints[0].outages == 1
    assert r.next_return() == pytest.approx(1.0)


def test_server_errors_take_an_endpoint_out_only_after_a_streak():
    r, _ = router(2, 2, error_streak=3)
    for _ in range(2):
        r.begin(0)
        assert r.fail(0, SERVER_ERROR) is False
    assert r.healthy(0)
    r.begin(0)
    r.succeed(0)  # the streak is broken
    for _ in range(2):
        r.begin(0)
        r.fail(0, SERVER_ERROR)
    assert r.healthy(0)
    r.begin(0)
    assert r.fail(0, SERVER_ERROR) is True and not r.healthy(0)


def test_a_request_avoids_the_endpoints_it_already_tried_while_others_are_free():
    r, _ = router(2, 2, 2)
    assert r.pick(avoid={0}) == 1
    assert r.pick(avoid={0, 1}) == 2
    assert r.pick(avoid={0, 1, 2}) == 0  # all tried: any free one


def test_all_down_and_when_the_first_returns():
    r, clock = router(1, 1, base_backoff=2.0)
    r.begin(0)
    r.fail(0, DOWN)
    clock.now += 1.0
    r.begin(1)
    r.fail(1, DOWN)
    assert r.all_down() and r.pick() is None
    assert r.next_return() == pytest.approx(1.0)
    assert router(1)[0].next_return() is None


@pytest.mark.parametrize(("reason", "kind"), [
    ("unreachable", DOWN), ("timeout", DOWN), ("HTTP 502", SERVER_ERROR), ("HTTP 429", RATE_LIMITED),
    ("HTTP 401", None), ("HTTP 404", None), ("HTTP 400", None), ("response_format refused", None),
])
def test_which_failures_are_sent_elsewhere(reason, kind):
    assert failover_kind(LLMError("x", reason=reason)) == kind


def test_model_mismatch_names_the_endpoint_and_the_weights():
    same = {"http://a/v1": ("m", [{"id": "m", "root": "/w/qwen"}]), "http://b/v1": ("m", [{"id": "m", "root": "/w/qwen"}])}
    assert model_mismatch("trainee", same) is None
    assert model_mismatch("trainee", {"http://a/v1": ("m", []), "http://b/v1": ("m", [{"id": "m"}])}) is None
    other = {"http://a/v1": ("m", [{"id": "m"}]), "http://b/v1": ("m", [{"id": "llama"}])}
    problem = model_mismatch("trainee", other)
    assert problem is not None and "http://b/v1" in problem and "'m'" in problem and "llama" in problem
    roots = {"http://a/v1": ("m", [{"id": "m", "root": "/w/qwen-0.5b"}]), "http://b/v1": ("m", [{"id": "m", "root": "/w/qwen-7b"}])}
    problem = model_mismatch("trainee", roots)
    assert problem is not None and "qwen-0.5b" in problem and "qwen-7b" in problem
