"""Reply to the connectivity check of ``graphgen-neo4j doctor``."""

from __future__ import annotations

from graphgen_neo4j.testing.scripts import ScriptedRequest, canned, responder


@responder("ping")
def ping(request: ScriptedRequest) -> str:
    return canned("OK")
