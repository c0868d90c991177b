"""Test support that ships with the package: the scripted OpenAI-compatible server.

Its replies are canned (deterministic fixtures, not a language model); see
``llm_server`` for the server (``http``: its HTTP plumbing, ``faults``: the faults it
can inject, ``recording``: the requests it saw) and ``scripts`` for the per-task responders.
"""

from __future__ import annotations

import importlib
from typing import Any

# Loaded on first use, so that ``python -m graphgen_neo4j.testing.llm_server`` does not
# find its own module imported already (runpy warns about that).
_EXPORTS = {
    "DEFAULT_MODEL": "llm_server",
    "FAULT_KINDS": "faults",
    "Fault": "faults",
    "RecordedRequest": "recording",
    "ScriptedLLMServer": "llm_server",
    "ScriptedReply": "scripts",
    "ScriptedRequest": "scripts",
    "canned": "scripts",
    "responder": "scripts",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
