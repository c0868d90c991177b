"""The local Neo4j: the initial password never shows in a process list, weak or example
passwords are refused, the HTTP API answers no other web page."""

from __future__ import annotations

import os
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.db import local_server
from graphgen_neo4j.db.local_password import check_new_password, picocli_quote
from graphgen_neo4j.db.local_server import LocalNeo4j, default_jars_dir
from graphgen_neo4j.errors import LocalServerError

PASSWORD = 'Tricky "pass" #1 \\ ü'


@pytest.mark.parametrize("password", ["change-me-please", "short", "elevenchars", "two\nlines-password"])
def test_weak_passwords_are_refused_with_the_fix(password: str) -> None:
    with pytest.raises(LocalServerError, match="NEO4J_PASSWORD .*12 characters or more"):
        check_new_password(password)
    check_new_password("twelve-chars")


def test_neo4j_start_refuses_the_example_password_in_one_line(tmp_path) -> None:
    result = CliRunner().invoke(app, ["neo4j", "start", "--dir", str(tmp_path / "instance")],
                                env={"NEO4J_PASSWORD": "change-me-please"})
    assert result.exit_code == 1 and "example password" in result.output
    assert result.output.strip().count("\n") == 0
    assert not (tmp_path / "instance" / "data" / "dbms").exists()


def test_env_example_asks_for_a_password_instead_of_shipping_one() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    line = next(x for x in example.splitlines() if x.startswith("NEO4J_PASSWORD="))
    assert line == "NEO4J_PASSWORD="


def test_picocli_quote_escapes_quotes_and_backslashes() -> None:
    assert picocli_quote('a"b\\c #d') == '"a\\"b\\\\c #d"'


@pytest.mark.skipif(not default_jars_dir().joinpath("VERSION").exists(), reason="Neo4j jars not fetched")
def test_the_initial_password_is_never_a_process_argument(tmp_path, monkeypatch) -> None:
    argvs: list[list[str]] = []
    real_run, real_popen = subprocess.run, subprocess.Popen

    def run(args, *a, **k):
        argvs.append([str(x) for x in args])
        return real_run(args, *a, **k)

    class Popen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args, *a, **k):
            argvs.append([str(x) for x in args])
            super().__init__(args, *a, **k)

    monkeypatch.setattr(local_server.subprocess, "run", run)
    monkeypatch.setattr(local_server.subprocess, "Popen", Popen)
    server = LocalNeo4j(instance_dir=tmp_path / "instance", jars_dir=default_jars_dir())
    server.configure(PASSWORD)
    assert argvs, "neo4j-admin was not run"
    assert not any(PASSWORD in arg or "Tricky" in arg for argv in argvs for arg in argv)
    assert (tmp_path / "instance" / "data" / "dbms" / "auth.ini").exists()
    argument_file = Path(argvs[-1][-1].removeprefix("@"))
    assert not argument_file.exists()  # removed as soon as neo4j-admin read it


def test_the_http_api_allows_only_the_browser_origin_in_the_config(tmp_path) -> None:
    server = LocalNeo4j(instance_dir=tmp_path, jars_dir=tmp_path / "jars", bolt_port=7999, http_port=7998)
    conf = dict(line.split("=", 1) for line in server.config_text().splitlines() if line and not line.startswith("#"))
    assert conf["dbms.security.http_access_control_allow_origin"] == "http://127.0.0.1:7998"


def test_the_running_server_answers_no_foreign_origin(neo4j_settings) -> None:
    host = urlparse(neo4j_settings.uri).hostname
    from dotenv import dotenv_values

    http_port = os.environ.get("GRAPHGEN_NEO4J_HTTP_PORT") or dotenv_values(".env").get("GRAPHGEN_NEO4J_HTTP_PORT") or "7474"
    request = urllib.request.Request(f"http://{host}:{http_port}/", headers={"Origin": "https://evil.example"})
    with urllib.request.urlopen(request, timeout=10) as response:
        allowed = response.headers.get("Access-Control-Allow-Origin")
    assert allowed in (None, f"http://127.0.0.1:{http_port}")
