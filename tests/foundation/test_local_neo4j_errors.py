"""`graphgen-neo4j neo4j start` fails with one clear line for each thing that can go wrong."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.db.local_server import default_jars_dir


def start(tmp_path: Path, *extra: str, env: dict[str, str] | None = None):
    environment = {"NEO4J_PASSWORD": "long-enough-password", **(env or {})}
    return CliRunner().invoke(
        app, ["neo4j", "start", "--dir", str(tmp_path / "instance"), "--bolt-port", str(free_port()),
              "--http-port", str(free_port()), *extra], env=environment,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_port_in_use(tmp_path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = CliRunner().invoke(app, ["neo4j", "start", "--dir", str(tmp_path), "--bolt-port", str(port)],
                                    env={"NEO4J_PASSWORD": "long-enough-password"})
    assert result.exit_code == 1
    assert f"port {port} (Bolt) on 127.0.0.1 is already in use" in result.output


def test_short_password(tmp_path) -> None:
    result = start(tmp_path, env={"NEO4J_PASSWORD": "short"})
    assert result.exit_code == 1 and "fewer than 12" in result.output and "short" not in result.output


def test_no_password(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here to generate a password into (tests/foundation/test_generated_password.py)
    result = CliRunner().invoke(app, ["neo4j", "start", "--dir", str(tmp_path / "instance")])
    assert result.exit_code == 1 and "set NEO4J_PASSWORD" in result.output


def test_wrong_java_version(tmp_path) -> None:
    java25 = Path("/usr/lib/jvm/temurin-25-jdk-amd64")
    if not (java25 / "bin" / "java").exists():
        pytest.skip("no second JDK on this machine")
    result = start(tmp_path, env={"JAVA_HOME": str(java25)})
    assert result.exit_code == 1 and "is Java 25; Neo4j 5.26.30 needs Java 17 or 21" in result.output


def test_no_maven_when_jars_are_missing(tmp_path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(shutil.which("java"))  # java but no mvn on PATH
    result = start(tmp_path, env={"PATH": str(bin_dir), "GRAPHGEN_NEO4J_JARS": str(tmp_path / "no-jars")})
    assert result.exit_code == 1 and "Maven (mvn) not found" in result.output


def test_server_exiting_during_startup_shows_its_log(tmp_path) -> None:
    if not default_jars_dir().joinpath("VERSION").exists():
        pytest.skip("jars not fetched")
    # An instance started before (its password is set), now with a heap the JVM cannot
    # reserve: the server dies at once, before Bolt ever answers.
    (tmp_path / "instance" / "data" / "databases" / "system").mkdir(parents=True)
    result = start(tmp_path, "--heap", "100000g", "--timeout", "60")
    assert result.exit_code == 1
    assert "Neo4j exited during start-up" in result.output
    assert "heap" in result.output.lower()  # the JVM's own words, from the log tail
    assert not os.path.exists(tmp_path / "instance" / "run" / "graphgen-neo4j.json")


def test_download_failure_names_what_failed(tmp_path, monkeypatch) -> None:
    from graphgen_neo4j.db import local_server as local_neo4j
    from graphgen_neo4j.errors import LocalServerError

    pom = tmp_path / "pom.xml"
    pom.write_text(local_neo4j.POM.read_text().replace(
        "<artifactId>neo4j-browser</artifactId>", "<artifactId>neo4j-browser-that-does-not-exist</artifactId>"))
    monkeypatch.setattr(local_neo4j, "POM", pom)
    server = local_neo4j.LocalNeo4j(instance_dir=tmp_path / "instance", jars_dir=tmp_path / "jars")
    with pytest.raises(LocalServerError, match=r"downloading Neo4j 5\.26\.\d+ from Maven Central failed: .*neo4j-browser-that-does-not-exist"):
        server.fetch()
    assert not server.jars_present()
