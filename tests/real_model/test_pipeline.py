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
* every QA mode (atomic, aggregated, multi-hop) yields at least one QA;
* a second run makes no request at all (the response cache and the graph's progress);
* the other four readers (HTML, CSV, Parquet, a saved Hugging Face dataset) feed one short
  document each to the model's extraction (``ingest``, no gleaning): at least 3 of 4 parse;
* every partitioner cuts the model's graph (community, ece, bfs, triple, dfs, quintuple,
  anchor_bfs on its commonest entity type), and ``generate`` with a question style on
  each, two units per style: cot, multi_choice, multi_answer and fill_in_blank yield at
  least one QA each from the model, true_false from the quiz's statements without a call;
* ``report --qa-judge-sample 2``: the model judges the faithfulness of at least one QA,
  stored on it.

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
from graphgen_neo4j.db.local_server import LocalNeo4j, default_jars_dir
from graphgen_neo4j.settings import Neo4jSettings
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


DB_PASSWORD = "real-model-test-db"


# A Neo4j of the test's own: it runs beside the rest of the suite (``-n 2``: its own
# pytest-xdist worker, see tests/conftest.py), which uses and wipes the shared one.
@pytest.fixture(scope="module")
def private_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jSettings]:
    server = LocalNeo4j(instance_dir=tmp_path_factory.mktemp("neo4j"), jars_dir=default_jars_dir(),
                        bolt_port=free_port(), http_port=free_port(), heap="1g", pagecache="256m")
    if not server.jars_present():
        pytest.fail("no Neo4j jars for the real-model test's own database: run `graphgen-neo4j neo4j start` once")
    server.start(DB_PASSWORD, timeout=300)
    try:
        yield Neo4jSettings(uri=server.bolt_uri, user="neo4j", password=DB_PASSWORD)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def private_graph(private_neo4j: Neo4jSettings) -> Iterator[Graph]:
    with Graph.connect(private_neo4j) as graph:
        graph.init_schema()
        yield graph


@pytest.fixture
def real_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, private_neo4j: Any, model_url: str) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    values = {
        "NEO4J_URI": private_neo4j.uri, "NEO4J_USER": private_neo4j.user,
        "NEO4J_PASSWORD": private_neo4j.password.get_secret_value(),
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


# Each partitioner feeds a question style it suits (upstream: community for cot, single
# relations for a blank); true_false is written from the quiz's statements without a call,
# so the partitioners that feed it cost no model time.
PARTITIONS = [("community", ["cot"]), ("ece", ["multi_choice"]), ("bfs", ["multi_answer"]),
              ("triple", ["fill_in_blank"]), ("dfs", ["true_false"]), ("quintuple", ["true_false"]),
              ("anchor_bfs", ["true_false"])]
STYLES = list(dict.fromkeys(mode for _, modes in PARTITIONS for mode in modes))

# One short document per remaining reader, naming entities the corpus has, ingested into the same graph.
MORE_INPUTS = {
    "html": "Exobasidium vexans is a fungus that infects the young leaves of the tea plant in Assam.",
    "csv": "Copper fungicides protect the tea plant from tea blister blight.",
    "parquet": "李冰是战国时期秦国的蜀郡太守，他主持修建了都江堰。",
    "datasets": "岷江是长江的支流，都江堰位于岷江上。",
}


def write_more_inputs(folder: Path) -> Path:
    """The four other readers' inputs: an HTML page, a CSV row, a Parquet row and a saved Hugging Face dataset."""
    import csv

    datasets = pytest.importorskip("datasets")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder.mkdir()
    (folder / "blight_fungus.html").write_text(
        f"<html><head><title>Tea notes</title></head><body><h1>Exobasidium vexans</h1><p>{MORE_INPUTS['html']}</p>"
        "<script>ignored()</script></body></html>", encoding="utf-8")
    with open(folder / "control.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["topic", "content"], ["control", MORE_INPUTS["csv"]]])
    pq.write_table(pa.table({"content": [MORE_INPUTS["parquet"]], "source": ["notes"]}), folder / "li_bing.parquet")
    datasets.Dataset.from_dict({"content": [MORE_INPUTS["datasets"]]}).save_to_disk(str(folder / "minjiang"))
    return folder


def invoke(args: list[str]) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("{"):])


def test_the_whole_pipeline_on_the_embedded_model(private_graph: Graph, real_env: dict[str, str], tmp_path: Path) -> None:
    graph = private_graph  # the test's own database, empty
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

    # The other readers feed the model too (extraction only: no gleaning, to keep the test short).
    more = invoke(["ingest", "--config", str(config), "--max-gleaning", "0", str(write_more_inputs(tmp_path / "more"))])
    assert more["documents"] == len(MORE_INPUTS), more
    assert more["chunks_extracted"] >= len(MORE_INPUTS) - 1, more  # one unparsable reply of four is tolerated
    sources = " ".join(row["source"] for row in graph.query("MATCH (d:Document) RETURN d.source_key AS source"))
    assert all(name in sources for name in ("blight_fungus.html", "control.csv", "li_bing.parquet", "minjiang")), sources

    # Each partitioner on the model's graph, then the question styles on its batches.
    common_type = graph.query("MATCH (e:Entity) RETURN e.type AS type, count(*) AS n ORDER BY n DESC, type LIMIT 1")[0]["type"]
    for method, modes in PARTITIONS:
        anchor = ["--anchor-type", common_type] if method == "anchor_bfs" else []  # anchors: the commonest type
        cut = invoke(["partition", "--config", str(config), "--method", method, *anchor])
        assert cut["batches"] > 0, (method, cut)
        invoke(["generate", "--config", str(config), "--mode", ",".join(modes), "--max-qa", str(2 * len(modes)),
                "--format", "messages", "--output", str(tmp_path / "output" / f"{method}.jsonl")])
    assert graph.query("MATCH (e:Entity) WHERE e.community_id IS NOT NULL RETURN count(e) AS n")[0]["n"] > 0
    by_mode = {row["mode"]: row["n"] for row in graph.query("MATCH (q:QA) RETURN q.mode AS mode, count(q) AS n")}
    assert set(STYLES) <= {m for m, n in by_mode.items() if n > 0}, by_mode

    # The model judges the faithfulness of two QA; each verdict is stored on its QA.
    judged_report = invoke(["report", str(output), "--config", str(config), "--qa-judge-sample", "2"])
    faithfulness = judged_report["qa_faithfulness"]
    assert faithfulness["judged"] >= 1, faithfulness
    assert graph.query("MATCH (q:QA) WHERE q.faithfulness IS NOT NULL RETURN count(q) AS n")[0]["n"] == faithfulness["judged"]
