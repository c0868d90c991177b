"""The whole pipeline on a real model: the embedded Qwen2.5-Coder-0.5B on CPU (marker real_model).

Two short documents of our own (tests/real_model/corpus: one English, one Chinese), written
by the test as a PDF and a DOCX so two of the binary readers feed the model, go
through ``graphgen-neo4j run`` with the embedded model as synthesizer *and* trainee,
exactly as the README's first command sets it up. What a real model must give, with the
figures the thresholds come from (measured runs on this 2-core machine, see
docs/real-models.md for the whole table):

* every stage produces output, and the run exits 0;
* extraction parses for at least 90 % of the chunks (measured: 2 of 2 in every run);
* the judge's losses come from real log-probabilities: at least half of the relations
  get one, and they are not all the same value (measured: every relation judged,
  losses spread over 0.05–1.4);
* every QA mode (atomic, aggregated, multi-hop) yields at least one QA; then, on a
  community partition, each question style (cot, multi_choice, multi_answer,
  fill_in_blank, true_false) yields at least one;
* then ``generate`` with the question styles, two units each (``--max-qa 10``): cot,
  multi_choice, multi_answer and fill_in_blank yield at least one QA each from the model,
  true_false one from the quiz's statements without a call;
* a second run makes no request at all (the response cache and the graph's progress).

The run takes several minutes (the model writes ~10 tokens/s); the CI budget allows it.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.testing.documents import write_docx, write_pdf

pytestmark = pytest.mark.real_model

pytest.importorskip("llama_cpp_py_sync", reason="pip install 'graphgen-neo4j[local]' (the test extra has it)")

from graphgen_neo4j.llm.local.process import LocalLLM  # noqa: E402

CORPUS = Path(__file__).parent / "corpus"
MODEL = "qwen2.5-coder-0.5b-instruct-q4_k_m"
CONFIG = """\
input_file: {corpus}
quiz_samples: 1
traverse_strategy:
  qa_form: [atomic, aggregated, multi_hop]
output:
  path: {output}
llm:
  cache_path: {cache}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def model_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = LocalLLM(tmp_path_factory.mktemp("llm-state"), free_port())
    info = server.start("packaged", timeout=300)
    yield info["base_url"]
    server.stop()


@pytest.fixture
def real_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, neo4j_settings: Any, model_url: str) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    values = {
        "NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
        "NEO4J_PASSWORD": neo4j_settings.password.get_secret_value(),
    }
    for role in ("SYNTHESIZER", "TRAINEE"):  # as .env.example sets them
        values |= {f"{role}_BASE_URL": model_url, f"{role}_MODEL": MODEL,
                   f"{role}_MAX_CONCURRENCY": "1", f"{role}_TIMEOUT": "900"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GRAPHGEN_RAISE_ERRORS", raising=False)
    return values


def write_corpus(folder: Path) -> Path:
    """The corpus as the PDF and DOCX readers see it (the text is the same as the .txt files)."""
    folder.mkdir()
    english = (CORPUS / "tea_blight_en.txt").read_text(encoding="utf-8").split()
    lines, line = [], ""
    for word in english:  # PDF lines of at most ~80 characters
        if line and len(line) + len(word) > 80:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    write_pdf(folder / "tea_blight_en.pdf", [[*lines, line]])
    chinese = (CORPUS / "dujiangyan_zh.txt").read_text(encoding="utf-8").strip()
    write_docx(folder / "dujiangyan_zh.docx", [chinese])
    return folder


def run(config: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["run", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("{"):])


STYLES = ["cot", "multi_choice", "multi_answer", "fill_in_blank", "true_false"]


def generate_styles(config: Path, output: Path) -> dict[str, Any]:
    args = ["generate", "--config", str(config), "--mode", ",".join(STYLES), "--max-qa", str(2 * len(STYLES)),
            "--format", "messages", "--output", str(output), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("{"):])


def test_the_whole_pipeline_on_the_embedded_model(graph: Graph, real_env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "real.yaml"
    output = tmp_path / "output" / "qa.jsonl"
    corpus = write_corpus(tmp_path / "corpus")
    config.write_text(CONFIG.format(corpus=corpus, output=output, cache=tmp_path / "cache.sqlite"), encoding="utf-8")

    report = run(config)

    ingest = report["ingest"]
    assert ingest["documents"] == 2, ingest  # the PDF and the DOCX
    assert ingest["entities_total"] > 0 and ingest["relations_total"] > 0, ingest
    assert ingest["chunks_extracted"] >= 0.9 * ingest["chunks_total"], ingest  # extraction parses

    assert report["quiz"]["statements"] > 0, report["quiz"]
    losses = graph.query("MATCH ()-[r:RELATED]->() RETURN r.loss AS loss")
    judged = [row["loss"] for row in losses if row["loss"] is not None]
    assert len(judged) >= 0.5 * len(losses), (len(judged), len(losses))
    assert len({round(x, 6) for x in judged}) > 1, judged  # real logprobs, not a constant

    assert report["partition"]["batches"] > 0
    by_mode = {row["mode"]: row["n"] for row in graph.query("MATCH (q:QA) RETURN q.mode AS mode, count(q) AS n")}
    assert {"atomic", "aggregated", "multi_hop"} <= {m for m, n in by_mode.items() if n > 0}, by_mode
    records = output.read_text(encoding="utf-8").splitlines()
    assert len(records) == report["export"]["records"] > 0

    again = run(config)
    assert again["ledger"]["totals"]["requests"] == 0, again["ledger"]["totals"]
    assert output.read_text(encoding="utf-8").splitlines() == records

    # The question styles on a community partition (no LLM call; cot is meant for it).
    cut = CliRunner().invoke(app, ["partition", "--config", str(config), "--method", "community", "--json"])
    assert cut.exit_code == 0, cut.output
    assert graph.query("MATCH (e:Entity) WHERE e.community_id IS NOT NULL RETURN count(e) AS n")[0]["n"] > 0
    styles = generate_styles(config, tmp_path / "output" / "styles.jsonl")
    by_mode = {row["mode"]: row["n"] for row in graph.query("MATCH (q:QA) RETURN q.mode AS mode, count(q) AS n")}
    assert set(STYLES) <= {m for m, n in by_mode.items() if n > 0}, (by_mode, styles)
