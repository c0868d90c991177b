"""Fixtures for the LLM layer tests: a scripted server per test and responders for test tasks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest

from graphgen_neo4j.llm import EndpointSettings, LLMClient, ResponseCache
from graphgen_neo4j.testing import ScriptedLLMServer, ScriptedRequest, canned, responder
from graphgen_neo4j.testing.scripts import message_text

MODEL = "graphgen-scripted"


@responder("test-echo")
def echo(request: ScriptedRequest) -> str:
    """Echoes the last user message, marked canned."""
    return canned(f"echo: {request.last_user}")


@responder("test-json")
def crop(request: ScriptedRequest) -> str:
    """A ``Crop`` JSON object; JSON that does not fit it for the prompt 'wrong shape', and for
    'wrong once' until it is asked again (a re-ask ends with the client's note)."""
    last = request.messages[-1] if request.messages else {}
    reasked = last.get("role") == "user" and request.last_user != message_text(last)
    if "wrong shape" in request.last_user or ("wrong once" in request.last_user and not reasked):
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
