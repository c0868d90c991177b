"""Fixtures for the LLM layer tests: a scripted server per test and responders for test tasks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest

from graphgen_neo4j.llm import EndpointSettings, LLMClient, ResponseCache
from graphgen_neo4j.testing import ScriptedLLMServer, ScriptedRequest, canned, responder

MODEL = "graphgen-scripted"


@responder("test-echo")
def echo(request: ScriptedRequest) -> str:
    """Echoes the last user message, marked canned."""
    return canned(f"echo: {request.last_user}")


@responder("test-json")
def crop(request: ScriptedRequest) -> str:
    """A ``Crop`` JSON object. JSON that does not fit it for a conversation that says 'wrong shape'
    anywhere, and for 'wrong once' in the last user message (a re-ask's follow-up does not say it)."""
    said = " ".join(str(m.get("content")) for m in request.messages if m.get("role") == "user")
    if "wrong shape" in said or "wrong once" in request.last_user:
        return json.dumps({"unexpected": True})
    return json.dumps({"name": "[canned] rice", "aliases": ["稻", "Oryza sativa"], "count": len(request.last_user)})


_opened: list[LLMClient | ResponseCache] = []


def connect(settings: EndpointSettings, **options: object) -> LLMClient:
    """An ``LLMClient`` closed (with its cache) when the test ends."""
    client = LLMClient(settings, **options)  # type: ignore[arg-type]
    _opened.append(client)
    if client.cache is not None:
        _opened.append(client.cache)
    return client


@pytest.fixture(autouse=True)
async def _close_opened() -> AsyncIterator[None]:
    yield
    while _opened:
        thing = _opened.pop()
        if isinstance(thing, LLMClient):
            await thing.aclose()
        else:
            thing.close()


@pytest.fixture
def server() -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer() as running:
        yield running


def endpoint(server: ScriptedLLMServer, **overrides: object) -> EndpointSettings:
    values: dict[str, object] = {"role": "synthesizer", "base_url": server.base_url, "model": MODEL, "timeout": 5.0, "max_retries": 3}
    values.update(overrides)
    return EndpointSettings(**values)  # type: ignore[arg-type]


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]
