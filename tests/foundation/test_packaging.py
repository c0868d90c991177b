"""The installed wheel carries the Cypher files and the Maven pom, and the CLI is there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    return next(out.glob("graphgen_neo4j-*.whl"))


def test_wheel_contains_every_cypher_file_and_the_pom(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (ROOT / "cypher").rglob("*.cypher"):
        assert f"graphgen_neo4j/cypher/{path.relative_to(ROOT / 'cypher').as_posix()}" in names
    assert "graphgen_neo4j/db/local_neo4j_pom.xml" in names


def test_installed_package_finds_its_queries(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    script = (
        "from graphgen_neo4j.db import queries;"
        "print(queries.cypher_dir());"
        "assert queries.load_statements('schema')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"}, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "site" / "graphgen_neo4j" / "cypher")


def test_console_script_lists_its_commands() -> None:
    result = subprocess.run(["graphgen-neo4j", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("init", "neo4j"):
        assert command in result.stdout


def test_library_does_not_import_the_cli_stack() -> None:
    script = (
        "import sys, graphgen_neo4j, graphgen_neo4j.db.graph, graphgen_neo4j.tokens;"
        "assert 'typer' not in sys.modules and 'rich' not in sys.modules, 'library imported typer/rich'"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
