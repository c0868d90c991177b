"""The scripted server itself: routes, records, faults, subprocess and CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphgen_neo4j.llm import SCRIPTED_OWNER
from graphgen_neo4j.testing import Fault, ScriptedLLMServer
from graphgen_neo4j.testing.scripts import is_chinese, responder, tasks
from graphgen_neo4j.testing.scripts.judge import is_negation

from .conftest import connect, endpoint, user


def post(url: str, body: dict, task: str | None = None) -> tuple[int, dict]:
    headers = {"content-type": "application/json", **({"X-GraphGen-Task": task} if task else {})}
    request = urllib.request.Request(url + "/chat/completions", data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_models_endpoint_identifies_the_scripted_server(server):
    with urllib.request.urlopen(server.base_url + "/models", timeout=5) as response:
        data = json.loads(response.read())
        assert response.headers["x-graphgen-scripted"] == "canned"
    assert data["data"] == [{"id": "graphgen-scripted", "object": "model", "created": 0, "owned_by": SCRIPTED_OWNER}]


async def test_client_detects_the_scripted_server(server):
    assert await connect(endpoint(server)).is_scripted()


def test_reply_shape_and_record(server):
    status, data = post(server.base_url, {"model": "anything", "messages": [{"role": "user", "content": "hi"}]}, task="test-echo")
    assert status == 200
    assert data["model"] == "graphgen-scripted" and data["system_fingerprint"] == SCRIPTED_OWNER
    assert data["choices"][0]["message"]["content"] == "[canned] echo: hi"
    assert data["usage"]["total_tokens"] == data["usage"]["prompt_tokens"] + data["usage"]["completion_tokens"]
    [record] = server.requests
    assert record.messages == [{"role": "user", "content": "hi"}] and record.params == {"model": "anything"}


def test_unknown_or_missing_task_is_400(server):
    status, data = post(server.base_url, {"model": "m", "messages": []}, task="no-such-task")
    assert status == 400 and "no scripted responder for task 'no-such-task'" in data["error"]["message"]
    status, data = post(server.base_url, {"model": "m", "messages": []})
    assert status == 400 and "X-GraphGen-Task" in data["error"]["message"]


def test_faults_target_a_task_and_count_down():
    with ScriptedLLMServer(faults=[Fault("500", task="test-json", times=2)]) as server:
        assert post(server.base_url, {"model": "m", "messages": []}, task="test-echo")[0] == 200
        assert [post(server.base_url, {"model": "m", "messages": []}, task="test-json")[0] for _ in range(3)] == [500, 500, 200]
        assert [r.fault for r in server.requests] == [None, "500", "500", None]
        assert server.count(task="test-json") == 3
    with pytest.raises(ValueError, match="unknown fault"):
        Fault("teapot")


def test_responder_failure_is_reported_as_400(server):
    @responder("test-broken")
    def broken(request):
        raise KeyError("entities")

    status, data = post(server.base_url, {"model": "m", "messages": []}, task="test-broken")
    assert status == 400 and "scripted responder for task 'test-broken' cannot answer: KeyError" in data["error"]["message"]


def test_registry_knows_the_shipped_responders():
    assert "judge" in tasks()
    with pytest.raises(ValueError, match="already has a scripted responder"):
        responder("judge")(lambda request: "no")


def test_runs_as_a_subprocess():
    command = [sys.executable, "-m", "graphgen_neo4j.testing.llm_server", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            line = process.stdout.readline()
            assert "canned" in line
            url = line.rsplit(" ", 1)[-1].strip()
            status, data = post(url, {"model": "m", "messages": user("Statement: rice is a crop.")}, task="judge")
            assert status == 200 and data["choices"][0]["message"]["content"] == "Yes"
        finally:
            process.terminate()
        assert process.stderr.read() == ""  # no warnings on start


def test_cli_prints_a_canned_banner():
    command = [sys.executable, "-m", "graphgen_neo4j", "scripted-llm", "--port", "0", "--trainee-profile", "guesses"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            banner = process.stdout.readline() + process.stdout.readline()
            assert "scripted LLM server" in banner and "CANNED" in banner
        finally:
            process.terminate()


@given(st.text(alphabet=st.sampled_from(list("abcXYZ 09,.é中文稻米一龥〇ａ「」")) | st.characters()))
def test_is_chinese_counts_cjk_against_ascii_letters(text: str) -> None:
    """The regex counts agree with the plain definition: CJK (U+4E00–U+9FFF) ≥ half the ASCII letters, and some CJK."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    assert is_chinese(text) == (cjk > 0 and cjk >= latin / 2)


def test_negations_are_recognised_whatever_the_case_and_quotes() -> None:
    assert is_negation("“It is NOT true that rice grows.")
    assert is_negation("以下说法是错误的：稻")
    assert not is_negation("Rice is not a tree.")
