"""Concurrency and RPM/TPM limits, asserted on counts and order of server-side arrivals."""

from __future__ import annotations

import asyncio
import time

from .conftest import connect, endpoint, user


async def test_concurrency_limit_is_shared_by_all_callers(server):
    server.latency = 0.05
    client = connect(endpoint(server, max_concurrency=3))
    await asyncio.gather(*(client.complete(user(str(i)), stage=f"stage{i % 2}", task="test-echo") for i in range(12)))
    assert server.count() == 12 and server.peak_active == 3


async def test_rpm_is_a_token_bucket(server):
    rpm, period = 5, 0.5  # 5 requests per 0.5 s: a burst of 5, then one every 0.1 s
    client = connect(endpoint(server, rpm=rpm, max_concurrency=50), rate_period=period)
    start = time.monotonic()  # the clock of the server's arrival times
    await asyncio.gather(*(client.complete(user(str(i)), stage="s", task="test-echo") for i in range(12)))
    arrivals = sorted(r.arrived for r in server.requests)
    assert len(arrivals) == 12
    # The burst goes at once; request rpm + j waits for j + 1 leaks of period / rpm each.
    assert arrivals[rpm - 1] < arrivals[rpm]
    for j in range(12 - rpm):
        assert arrivals[rpm + j] - start >= 0.95 * (j + 1) * period / rpm


async def test_tpm_is_charged_with_prompt_and_max_tokens(server):
    client = connect(endpoint(server, tpm=200, max_concurrency=50), rate_period=0.5)
    # Each request costs 3 prompt tokens + 4 per message + 43 max_tokens = 50: 4 fit in the
    # bucket, then one more each time 50 tokens have leaked (0.125 s).
    start = time.monotonic()
    await asyncio.gather(*(client.complete(user(f"item {i}"), stage="s", task="test-echo", max_tokens=43) for i in range(8)))
    arrivals = sorted(r.arrived for r in server.requests)
    assert len(arrivals) == 8
    for j in range(4):
        assert arrivals[4 + j] - start >= 0.95 * (j + 1) * 0.125


async def test_server_concurrency_cap_queues_requests(server):
    server.latency = 0.1
    server.concurrency = 2
    client = connect(endpoint(server, max_concurrency=16))
    loop = asyncio.get_running_loop()
    began = loop.time()
    await asyncio.gather(*(client.complete(user(str(i)), stage="s", task="test-echo") for i in range(8)))
    assert server.peak_active == 2 and loop.time() - began >= 0.4  # 8 requests, 2 at a time, 0.1 s each
