"""Reply to the connectivity check of ``graphgen-neo4j doctor``."""

from __future__ import annotations

from . import ScriptedRequest, canned, responder


@responder("ping")
def ping(request: ScriptedRequest) -> str:
    return canned("OK")
