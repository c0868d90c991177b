"""Scripted replies of the test server: one module per kind of prompt.

A *responder* turns a request into the reply text, deterministically, from the
request alone (plus the server's knobs). It is registered under the task name the
client sends in ``X-GraphGen-Task``; every module of this package is imported when
the server starts, so adding a module here is all it takes::

    # graphgen_neo4j/testing/scripts/summarize.py
    from graphgen_neo4j.testing.scripts import ScriptedRequest, canned, responder

    @responder("summarize")
    def summarize(request: ScriptedRequest) -> str:
        first_line = request.last_user.strip().splitlines()[0]
        return canned(f"summary of: {first_line[:60]}")

Rules: the same request always gets the same reply; free text says plainly that it is
canned (``canned()`` adds ``[canned] ``; JSON replies put it in their string values);
a responder that cannot answer raises an exception, which the client sees as HTTP 400
with the message. Return a ``ScriptedReply`` to give first-token probabilities.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphgen_neo4j.llm.calls import REASK_PREFIX

CANNED_PREFIX = "[canned] "


@dataclass(frozen=True)
class ScriptedRequest:
    """What a responder sees: the chat request and the server's knobs."""

    task: str
    messages: list[dict[str, Any]]
    params: dict[str, Any] = field(default_factory=dict)  # the rest of the body: temperature, max_tokens, …
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    knobs: Mapping[str, Any] = field(default_factory=dict)  # trainee_profile, judgements, … and extra ones

    @property
    def response_format(self) -> dict[str, Any] | None:
        return self.params.get("response_format")

    @property
    def last_user(self) -> str:
        """Text of the last user message ('' if none), skipping the client's re-ask notes:
        asked again, a responder answers the question itself again."""
        for message in reversed(self.messages):
            if message.get("role") == "user" and not message_text(message).startswith(REASK_PREFIX):
                return message_text(message)
        return ""

    @property
    def system(self) -> str:
        return "\n".join(message_text(m) for m in self.messages if m.get("role") == "system")


@dataclass(frozen=True)
class ScriptedReply:
    """A reply with first-token candidates ``(token, probability)``, most likely first."""

    text: str
    token_probs: list[tuple[str, float]] | None = None


Responder = Callable[[ScriptedRequest], str | ScriptedReply]

_REGISTRY: dict[str, Responder] = {}
_LOADED = False
_LOAD_LOCK = threading.Lock()


def responder(task: str) -> Callable[[Responder], Responder]:
    """Register the decorated function as the responder for ``task``."""

    def register(func: Responder) -> Responder:
        existing = _REGISTRY.get(task)
        if existing is not None and _qualname(existing) != _qualname(func):
            raise ValueError(f"task {task!r} already has a scripted responder: {_qualname(existing)}")
        _REGISTRY[task] = func
        return func

    return register


def load_responders() -> None:
    """Import every module of this package (once), registering their responders."""
    global _LOADED
    with _LOAD_LOCK:
        if _LOADED:
            return
        for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if not module.name.startswith("_"):
                importlib.import_module(f"{__name__}.{module.name}")
        _LOADED = True


def get_responder(task: str) -> Responder | None:
    load_responders()
    return _REGISTRY.get(task)


def tasks() -> list[str]:
    """Names of the tasks that have a responder."""
    load_responders()
    return sorted(_REGISTRY)


def canned(text: str) -> str:
    """``text`` marked as a canned reply."""
    return text if text.startswith(CANNED_PREFIX) else CANNED_PREFIX + text


def message_text(message: Mapping[str, Any]) -> str:
    """The text of a message whose content is a string or a list of parts."""
    content = message.get("content") or ""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


_CJK = re.compile("[\u4e00-\u9fff]")
_LATIN = re.compile("[A-Za-z]")  # the ASCII letters


def is_chinese(text: str) -> bool:
    """True when CJK characters make up at least a third of the letters (crude and stable)."""
    cjk = len(_CJK.findall(text))
    return cjk > 0 and cjk >= len(_LATIN.findall(text)) / 2


def _qualname(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"
