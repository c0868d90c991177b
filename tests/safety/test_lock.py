"""One writer at a time: the :Lease node, its heartbeat and takeover, and two concurrent
`ingest` commands over the same input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from graphgen_neo4j.runs.lock import Lease, LeaseHeld, LeaseLost, graph_lease

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def lease_row(graph):
    return graph.query("MATCH (l:Lease) RETURN l.holder AS holder, l.pid AS pid, l.host AS host, l.heartbeat AS beat")


def test_a_second_writer_is_told_who_holds_the_lease(graph) -> None:
    with graph_lease(graph, "ingest"):
        assert [r["holder"] for r in lease_row(graph)] == ["ingest"]
        with pytest.raises(LeaseHeld) as caught, graph_lease(graph, "run"):
            pass
        message = str(caught.value)
        assert f"pid {os.getpid()}" in message and "`ingest`" in message and "since" in message and "--wait" in message
        assert "\n" not in message
    assert lease_row(graph) == []  # released
    with graph_lease(graph, "run"):
        pass


def test_a_waiting_writer_gets_the_lease_when_it_is_released(graph) -> None:
    first = Lease(graph, "ingest", heartbeat_every=0.2)
    first.acquire()
    got: list[float] = []
    told: list[str] = []

    def second() -> None:
        with graph_lease(graph, "run", wait=True, poll_every=0.1, on_wait=lambda h: told.append(h.holder or "")):
            got.append(time.monotonic())

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(1.0)
    assert got == [] and told == ["ingest"]
    released = time.monotonic()
    first.release()
    thread.join(timeout=20)
    assert got and got[0] >= released


def test_the_heartbeat_keeps_the_lease_fresh_and_a_stale_one_is_taken_over(graph) -> None:
    alive = Lease(graph, "ingest", heartbeat_every=0.2, stale_after=2)
    alive.acquire()
    first_beat = lease_row(graph)[0]["beat"]
    time.sleep(2.5)
    assert lease_row(graph)[0]["beat"] > first_beat
    with pytest.raises(LeaseHeld):  # past stale_after since it started, but it beats
        Lease(graph, "run", stale_after=2).acquire()
    alive.release()

    dead = Lease(graph, "ingest", heartbeat_every=3600, stale_after=2)  # a holder killed: no heartbeat
    dead.acquire()
    graph.query("MATCH (l:Lease) SET l.heartbeat = datetime() - duration({seconds: 5})")
    with graph_lease(graph, "run", stale_after=2) as lease:
        assert lease.taken_over is not None and lease.taken_over.pid == os.getpid()
        assert [r["holder"] for r in lease_row(graph)] == ["run"]
    dead.release()  # the old holder's token no longer removes anything


def test_a_holder_whose_lease_was_taken_over_is_told_so(graph) -> None:
    with pytest.raises(LeaseLost), graph_lease(graph, "ingest", heartbeat_every=0.2):
        graph.query("MATCH (l:Lease) SET l.token = 'someone-else'")
        time.sleep(0.8)
    graph.query("MATCH (l:Lease) DELETE l")


@pytest.fixture
def ingest_env(cli_env, scripted_llm, monkeypatch):
    monkeypatch.setenv("SYNTHESIZER_MODEL", "scripted-synth")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    scripted_llm.latency = 1.0  # the first ingest is still running when the second starts
    scripted_llm.concurrency = 2
    return scripted_llm


def ingest(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "graphgen_neo4j", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=os.environ.copy())



def test_two_concurrent_ingests_one_fails_at_once_in_one_line(graph, ingest_env, tmp_path) -> None:
    first = ingest("ingest", str(EXAMPLES), "--json")
    for _ in range(300):
        if graph.query("MATCH (l:Lease) RETURN l"):
            break
        time.sleep(0.1)
    second = ingest("ingest", str(EXAMPLES), "--json")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 1, err
    assert "Traceback" not in err and "ConstraintError" not in err
    lines = [x for x in err.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and "is being written by `ingest`" in lines[0] and f"pid {first.pid}" in lines[0]
    assert first.wait(timeout=300) == 0
    assert graph.query("MATCH (r:Run {command: 'ingest'}) RETURN count(r) AS n") == [{"n": 1}]


def test_two_concurrent_ingests_with_wait_pay_each_call_once(graph, ingest_env, tmp_path) -> None:
    first = ingest("--wait", "ingest", str(EXAMPLES), "--json", "--no-cache")
    for _ in range(300):
        if graph.query("MATCH (l:Lease) RETURN l"):
            break
        time.sleep(0.1)
    second = ingest("--wait", "ingest", str(EXAMPLES), "--json", "--no-cache")
    out2, err2 = second.communicate(timeout=600)
    out1, err1 = first.communicate(timeout=600)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    assert "Traceback" not in err1 + err2

    one, two = json.loads(out1), json.loads(out2)
    assert one["llm_calls"] > 0 and two["llm_calls"] == 0  # the second found everything done
    assert two["documents_unchanged"] == two["documents"]


def test_a_lease_of_a_killed_process_on_this_host_is_taken_over_at_once(graph) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = Lease(graph, "ingest", heartbeat_every=3600)
    dead.pid = gone.pid  # as if that process had taken it and been killed
    dead.acquire()
    with graph_lease(graph, "ingest") as lease:  # no waiting for stale_after
        assert lease.taken_over is not None and lease.taken_over.pid == gone.pid
