"""``graphgen-neo4j doctor``: is everything a run needs in place?

Each check ends OK, WARN (works, but not as you may expect) or FAIL, and says what to
do when it is not OK. Nothing is written to the graph and no response is cached.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import openai

from graphgen_neo4j import prompts
from graphgen_neo4j.context import Context, load_context
from graphgen_neo4j.db import queries
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.errors import GraphGenError
from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.llm.endpoints import role_endpoints
from graphgen_neo4j.settings import Neo4jSettings

Status = Literal["OK", "WARN", "FAIL"]


@dataclass
class Check:
    area: str
    name: str
    status: Status
    detail: str
    fix: str = ""


def schema_names() -> set[str]:
    """Names of the constraints and indexes cypher/schema.cypher creates."""
    pattern = re.compile(r"CREATE\s+(?:FULLTEXT\s+)?(?:CONSTRAINT|INDEX)\s+(\w+)", re.IGNORECASE)
    return {m.group(1) for s in queries.load_statements("schema") for m in pattern.finditer(s)}


def check_neo4j(settings: Neo4jSettings | None = None) -> list[Check]:
    settings = settings or Neo4jSettings.from_env()
    try:
        graph = Graph.connect(settings)
    except GraphGenError as exc:  # unreachable, rejected, no such database, or a URI the driver does not take
        return [Check("neo4j", "connection", "FAIL", str(exc), "see the message; `graphgen-neo4j neo4j status` for the local server")]
    checks = []
    with graph:
        info = graph.server_info()
        version = str(info.get("version", "?"))
        ok = version.startswith("5.") or version[:4].isdigit()
        checks.append(Check("neo4j", "connection", "OK" if ok else "WARN",
                            f"{settings.uri} as {settings.user}: Neo4j {version} {info.get('edition', '')}",
                            "" if ok else "Neo4j 5.26 is the tested version"))
        checks.append(check_database(graph))
        checks.append(check_vector_index(graph))
        try:
            apoc = graph.query("RETURN apoc.version() AS v", write=False)[0]["v"]
            checks.append(Check("neo4j", "APOC", "OK", f"APOC {apoc}"))
        except Exception:  # noqa: BLE001 — any failure here means APOC is not usable
            checks.append(Check("neo4j", "APOC", "WARN", "APOC is not installed",
                                "install APOC core (docker: NEO4J_PLUGINS='[\"apoc\"]'); only the analysts' library uses it"))
        present = {r["name"] for r in graph.query("SHOW CONSTRAINTS YIELD name RETURN name", write=False)}
        present |= {r["name"] for r in graph.query("SHOW INDEXES YIELD name RETURN name", write=False)}
        missing = sorted(schema_names() - present)
        checks.append(Check("neo4j", "schema", "FAIL" if missing else "OK",
                            f"missing: {', '.join(missing)}" if missing else "constraints and indexes applied",
                            "run `graphgen-neo4j init`" if missing else ""))
    return checks


def check_database(graph: Graph) -> Check:
    """The database used, how the driver reaches it, and the servers holding it (writer, readers)."""
    address = graph.address
    how = address.describe() if address else "?"
    try:
        servers = graph.database_servers()
    except Exception as exc:  # noqa: BLE001 — SHOW DATABASE refused: still say what we know
        return Check("neo4j", "database", "OK", f"{graph.database!r}; {how} (servers not listed: {exc.__class__.__name__})")
    writers = sum(1 for s in servers if s.get("writer"))
    readers = len(servers) - writers
    detail = f"{graph.database!r}; {how}; {writers} writer, {readers} reader(s)"
    if address and not address.routing and len(servers) > 1:
        return Check("neo4j", "database", "WARN", detail + ": a bolt:// URI sends every read to one server",
                     "use a neo4j:// (or neo4j+s://) URI so reads spread over the readers")
    return Check("neo4j", "database", "OK", detail)


def check_vector_index(graph: Graph) -> Check:
    """Whether the server has vector indexes (``resolve`` with embeddings needs them: Neo4j 5.11+)."""
    try:
        rows = graph.read("resolve/vector_index_state")
    except Exception as exc:  # noqa: BLE001 — SHOW VECTOR INDEXES unknown: no vector index support
        return Check("neo4j", "vector index", "WARN", f"not available ({exc.__class__.__name__})",
                     "resolve by embeddings needs Neo4j 5.11 or later (Aura has it); name-based resolve works without")
    state = f"entity_embedding {rows[0]['state']}, {rows[0]['dimensions']} dimensions" if rows else "no entity_embedding index yet"
    return Check("neo4j", "vector index", "OK", f"available; {state}")


async def check_endpoint(role: Literal["synthesizer", "trainee"], context: Context | None = None) -> list[Check]:
    area = role
    if role == "trainee" and not EndpointSettings.trainee_configured(context.environ if context else None):
        return [Check(area, "configured", "WARN", "no trainee endpoint: judging will be skipped and relations get no loss",
                      "set TRAINEE_BASE_URL and TRAINEE_MODEL to measure the trainee's blind spots")]
    try:
        pool = context.endpoints(role) if context else role_endpoints(role, os.environ)
    except GraphGenError as exc:
        return [Check(area, "configured", "FAIL", str(exc), f"set the {role.upper()}_* variables in .env")]
    if len(pool) == 1:
        return await check_one_endpoint(area, pool[0])
    checks = [Check(area, "pool", "OK", f"{len(pool)} endpoints, model(s) {', '.join(sorted({s.model for s in pool}))}")]
    for i, settings in enumerate(pool, 1):  # each endpoint probed on its own
        checks += await check_one_endpoint(f"{area} {i}/{len(pool)}", settings)
    return checks


async def check_one_endpoint(area: str, settings: EndpointSettings) -> list[Check]:
    role = settings.role
    checks = [Check(area, "configured", "OK", f"{settings.base_url} model {settings.model}")]
    prefix = settings.env_prefix
    client = LLMClient(settings, cache=None, ledger=TokenLedger())
    try:
        try:
            models = await client.served_models()
        except openai.AuthenticationError:
            checks.append(Check(area, "key", "FAIL", f"API key rejected by {settings.base_url}", f"set {settings.key_var}"))
            return checks
        except openai.APIConnectionError as exc:
            checks.append(Check(area, "reachable", "FAIL", f"cannot reach {settings.base_url} ({exc.__class__.__name__})",
                                f"start the server or fix {prefix}_BASE_URL"))
            return checks
        except openai.APIStatusError as exc:
            models = []
            checks.append(Check(area, "models", "WARN", f"GET /models answered HTTP {exc.status_code}",
                                "fine if the provider does not list models"))
        else:
            checks.append(Check(area, "reachable", "OK", f"{len(models)} model(s) served; key accepted"))
            if any(m.get("owned_by") == "graphgen-neo4j-scripted-server" for m in models):
                checks.append(Check(area, "canned", "WARN", "this is the scripted test server: every reply is canned, not a model's",
                                    "point the variables at a real model for real data"))
        ids = [str(m.get("id")) for m in models]
        if models and settings.model not in ids:
            checks.append(Check(area, "model listed", "WARN", f"{settings.model!r} is not in the list ({', '.join(ids[:8])})",
                                f"check {prefix}_MODEL"))
        elif models:
            checks.append(Check(area, "model listed", "OK", settings.model))
        try:
            if role == "synthesizer":
                reply = await client.complete([{"role": "user", "content": "Reply with the single word OK."}],
                                              stage="doctor", task="ping", max_tokens=1)
                checks.append(Check(area, "1-token call", "OK", f"replied {reply.text!r}"))
            else:
                messages = prompts.render("judge", "en", statement="Water boils at 100 degrees Celsius at sea level.")
                candidates = await client.judge_yes_no(messages, stage="doctor")
                top = ", ".join(f"{c.token!r} {c.prob:.2f}" for c in candidates[:3])
                checks.append(Check(area, "logprobs", "OK", f"yes/no call returns top-{len(candidates)} logprobs ({top})"))
        except GraphGenError as exc:
            name = "logprobs" if role == "trainee" else "1-token call"
            checks.append(Check(area, name, "FAIL", str(exc), "see the message"))
        checks.append(await check_structured_output(client, area))
    finally:
        await client.aclose()
    return checks


async def check_structured_output(client: LLMClient, area: str | None = None) -> Check:
    """Which response_format mode the endpoint takes: json_schema, json_object or neither."""
    settings = client.settings
    where = area or settings.role
    var = f"{settings.env_prefix}_STRUCTURED_OUTPUT"
    name = "structured output"
    try:
        mode, refused = await client.probe_structured_output()
    except GraphGenError as exc:
        return Check(where, name, "FAIL", f"probe failed: {exc}", "see the message")
    if mode == "json_schema":
        return Check(where, name, "OK", "json_schema taken (schema-guided JSON)")
    why = "; ".join(f"{m} refused ({reason})" for m, reason in refused.items())
    if settings.structured_output in (mode, "off"):
        return Check(where, name, "OK", f"{why}; {var}={settings.structured_output} works")
    return Check(where, name, "WARN", f"{why}; {mode} works",
                 f"set {var}={mode} (auto falls back by itself, after the first requests are refused)")


def check_config(path: Path | None) -> tuple[list[Check], Context | None]:
    """The config's check, and the context built from it (None when it is invalid)."""
    try:
        context = load_context(path)
    except GraphGenError as exc:
        return [Check("config", str(path), "FAIL", str(exc), "fix the key named in the message")], None
    if path is None:
        return [], context
    inputs = context.config.input_paths()
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        return [Check("config", str(path), "FAIL", f"input not found: {', '.join(missing)}", "fix input_file")], context
    return [Check("config", str(path), "OK", f"valid; {len(inputs)} input path(s)")], context


async def run_checks(config_path: Path | None = None) -> list[Check]:
    """Every check; with a config, Neo4j and the endpoints are those it names (flags > env > file > defaults)."""
    checks, context = check_config(config_path)
    checks += check_neo4j(context.neo4j_settings() if context else None)
    checks += await check_endpoint("synthesizer", context)
    checks += await check_endpoint("trainee", context)
    return checks
