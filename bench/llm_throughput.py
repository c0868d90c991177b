"""Throughput of ``LLMClient`` against the scripted server: how close to ideal, and what it costs.

The server answers each request ``latency`` (L) seconds after it gets one of its
``concurrency`` (C) slots, so nothing can beat C/L requests per second. Workers send
requests back to back through one client; the run is made twice, with the client's own
limit at C (every millisecond the client spends between replies shows) and at 2C (the
server always has requests queued, as a client should keep a vLLM batch full).
Printed: throughput over C/L, the round trip above L, and client CPU per request.

    python bench/llm_throughput.py                      # C=64, L=200 ms, 2000 requests
    python bench/llm_throughput.py --in-process         # server in a thread of this process
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.testing import ScriptedLLMServer


@contextmanager
def scripted_server(latency: float, concurrency: int, in_process: bool) -> Iterator[str]:
    """The server's base URL; in a child process unless ``in_process``."""
    if in_process:
        with ScriptedLLMServer(latency=latency, concurrency=concurrency) as server:
            yield server.base_url
        return
    command = [sys.executable, "-m", "graphgen_neo4j.testing.llm_server", "--port", "0",
               "--latency", str(latency), "--concurrency", str(concurrency)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            yield process.stdout.readline().rsplit(" ", 1)[-1].strip()
        finally:
            process.terminate()


def prompt(i: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"Is the following statement true?\n\nStatement: Rice variety {i} is grown in Guangdong.\nJudgement:"}]


async def run(base_url: str, concurrency: int, requests: int, latency: float, server_slots: int) -> dict[str, float]:
    """``concurrency`` workers through a client limited to ``concurrency`` requests at once."""
    settings = EndpointSettings(role="trainee", base_url=base_url, model="graphgen-scripted", max_concurrency=concurrency, timeout=60)
    ledger = TokenLedger()
    client = LLMClient(settings, cache=None, ledger=ledger)
    await asyncio.gather(*(client.complete(prompt(-i), stage="warmup", task="judge") for i in range(concurrency)))

    durations: list[float] = []
    queue = iter(range(requests))

    async def worker() -> None:
        for i in queue:
            began = time.perf_counter()
            await client.complete(prompt(i), stage="bench", task="judge")
            durations.append(time.perf_counter() - began)

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    await client.aclose()
    bench = next(r for r in ledger.rows() if r.stage == "bench")
    assert bench.calls == requests and bench.failures == 0
    return {
        "throughput": requests / wall,
        "ratio": requests / wall / (server_slots / latency),
        "wall": wall,
        "overhead_ms": (statistics.mean(durations) - latency) * 1000,
        "overhead_p95_ms": (sorted(durations)[int(0.95 * len(durations))] - latency) * 1000,
        "cpu_ms": cpu / requests * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", "-c", type=int, default=64, help="server slots C")
    parser.add_argument("--latency", "-l", type=float, default=0.2, help="seconds per reply L")
    parser.add_argument("--requests", "-n", type=int, default=2000)
    parser.add_argument("--in-process", action="store_true", help="run the server in a thread of this process")
    args = parser.parse_args()
    c, latency, n = args.concurrency, args.latency, args.requests
    where = "a thread of this process" if args.in_process else "a separate process"
    print(f"scripted server in {where}: C={c} slots, L={latency * 1000:.0f} ms; {n} requests per run")
    print(f"{'client limit':>12}  {'throughput':>12}  {'/ (C/L)':>7}  {'round trip - L, mean / p95':>26}  {'client CPU':>10}")
    for limit in (c, 2 * c):
        with scripted_server(latency, c, args.in_process) as base_url:
            r = asyncio.run(run(base_url, limit, n, latency, c))
        trip = f"{r['overhead_ms']:.1f} / {r['overhead_p95_ms']:.1f} ms" if limit <= c else "(queued at the server)"
        print(f"{limit:>12}  {r['throughput']:>6.1f} req/s  {r['ratio']:>7.3f}  {trip:>26}  {r['cpu_ms']:>7.2f} ms")
    rounds = n / c
    print(f"ceiling for {n} requests: {rounds / math.ceil(rounds):.3f} ({rounds:g} rounds of C replies take {math.ceil(rounds)} x L)")


if __name__ == "__main__":
    main()
