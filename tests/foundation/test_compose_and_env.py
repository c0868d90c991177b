"""docker-compose.yml and .env.example agree with what the code reads (no Docker engine needed)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
ENV_EXAMPLE = dict(
    line.split("=", 1)
    for line in (ROOT / ".env.example").read_text().splitlines()
    if line and not line.startswith("#")
)
PACKAGE_SOURCE = "\n".join(p.read_text() for p in (ROOT / "graphgen_neo4j").rglob("*.py"))


def test_neo4j_service_is_5_26_with_apoc_auth_and_healthcheck() -> None:
    neo4j = COMPOSE["services"]["neo4j"]
    assert neo4j["image"].startswith("neo4j:5.26")
    assert neo4j["environment"]["NEO4J_PLUGINS"] == '["apoc"]'
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert "RETURN 1" in " ".join(neo4j["healthcheck"]["test"])
    assert {"neo4j-data:/data", "neo4j-logs:/logs"} <= set(neo4j["volumes"])
    assert {"neo4j-data", "neo4j-logs"} <= set(COMPOSE["volumes"])


def test_every_published_port_is_bound_to_loopback() -> None:
    for name, service in COMPOSE["services"].items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} on all interfaces"
    assert "127.0.0.1:7474:7474" in COMPOSE["services"]["neo4j"]["ports"]
    assert "127.0.0.1:7687:7687" in COMPOSE["services"]["neo4j"]["ports"]


def test_ports_match_the_default_neo4j_uri() -> None:
    from graphgen_neo4j.settings import DEFAULT_NEO4J_URI

    assert DEFAULT_NEO4J_URI.endswith(":7687")
    assert ENV_EXAMPLE["NEO4J_URI"] == DEFAULT_NEO4J_URI


def test_llm_profile_serves_an_openai_compatible_model_on_the_env_names() -> None:
    vllm = COMPOSE["services"]["vllm"]
    assert vllm["profiles"] == ["llm"]
    assert "127.0.0.1:8000:8000" in vllm["ports"]
    served_name = vllm["command"][vllm["command"].index("--served-model-name") + 1]
    model = vllm["command"][vllm["command"].index("--model") + 1]
    assert served_name == model  # named after what is served, not after a variable naming another model
    image, _, tag = vllm["image"].partition(":")
    assert image == "vllm/vllm-openai" and re.fullmatch(r"v\d+\.\d+\.\d+", tag), vllm["image"]


def test_env_example_names_are_the_ones_the_code_reads() -> None:
    expected = {
        "NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE",
        "SYNTHESIZER_MODEL", "SYNTHESIZER_BASE_URL", "SYNTHESIZER_API_KEY",
        "TRAINEE_MODEL", "TRAINEE_BASE_URL", "TRAINEE_API_KEY",
    }
    assert expected <= set(ENV_EXAMPLE)
    for name in ENV_EXAMPLE:
        prefix, _, suffix = name.partition("_")
        # read literally, or built from a role prefix (f"{ROLE}_BASE_URL")
        assert name in PACKAGE_SOURCE or re.search(rf"_{suffix}\b", PACKAGE_SOURCE), f"{name} is read nowhere"
