"""QA faithfulness and filter on a real Neo4j with the scripted server: ``report
--qa-judge-sample``, ``filter`` (rules, dry run, reset) and what export writes after it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graphgen_neo4j.cli import app

pytestmark = pytest.mark.neo4j

STORE_QA = """
MERGE (run:Run {id: 'generate-test'})
WITH run UNWIND $rows AS row
CREATE (q:QA {id: row.id, question: row.question, answer: row.answer, mode: row.mode, language: row.language,
              loss: row.loss, relation_ids: row.relation_ids, entity_ids: row.entity_ids, chunk_ids: [],
              run_id: 'generate-test', batch_id: 'batch-1', stale: false, created_at: datetime()})
CREATE (run)-[:PRODUCED]->(q)
"""


@pytest.fixture
def qa_graph(build_graph, graph):
    ids = build_graph(
        entities=[("Pi9", "GENE", "A rice gene."), ("Rice blast", "DISEASE", "A fungal disease of rice."),
                  ("褐飞虱", "INSECT", "水稻害虫。"), ("草状矮化病", "DISEASE", "水稻病毒病。")],
        relations=[("Pi9", "Rice blast", "Pi9 resists rice blast.", {"loss": 1.2}),
                   ("褐飞虱", "草状矮化病", "褐飞虱传播水稻草状矮化病。", {"loss": 0.2})],
    )
    en = {"relation_ids": [ids["Pi9->Rice blast"]], "entity_ids": [ids["Pi9"], ids["Rice blast"]], "language": "en"}
    zh = {"relation_ids": [ids["褐飞虱->草状矮化病"]], "entity_ids": [ids["褐飞虱"], ids["草状矮化病"]], "language": "zh"}
    rows = [
        {"id": "qa-faithful", "question": "What does the rice gene Pi9 resist?", "answer": "Pi9 resists rice blast.",
         "mode": "atomic", "loss": 1.2, **en},
        {"id": "qa-invented", "question": "What does Pi9 do, and who found it?",
         "answer": "Pi9 resists rice blast. It was found by Gregor Mendel in 1866.", "mode": "aggregated", "loss": 1.2, **en},
        {"id": "qa-copy", "question": "What does the rice gene Pi9 resist ?", "answer": "Pi9 resists rice blast.",
         "mode": "atomic", "loss": 1.2, **en},
        {"id": "qa-zh", "question": "褐飞虱传播什么病？", "answer": "褐飞虱传播水稻草状矮化病。", "mode": "atomic", "loss": 0.2, **zh},
    ]
    graph.query(STORE_QA, {"rows": rows})
    return graph


def _invoke(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _dataset(tmp_path) -> str:
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps({"instruction": "What does Pi9 resist?", "output": "Rice blast."}) + "\n", encoding="utf-8")
    return str(path)


def test_report_judges_qa_faithfulness_stores_it_and_is_cached(qa_graph, cli_env, scripted_llm, tmp_path) -> None:
    report = _invoke("report", _dataset(tmp_path), "--qa-judge-sample", "all")["qa_faithfulness"]
    assert (report["in_scope"], report["sampled"], report["judged"], report["failed"]) == (4, 4, 4, 0)
    assert report["faithful"] == 3 and report["by_score"] == {"3": 1, "5": 3}
    assert report["model"] == "graphgen-scripted"
    assert [w["id"] for w in report["worst"]] == ["qa-invented"]
    assert report["worst"][0]["unsupported"] == ["It was found by Gregor Mendel in 1866"]
    stored = {r["id"]: r for r in qa_graph.query(
        "MATCH (q:QA) RETURN q.id AS id, q.faithfulness AS f, q.faithfulness_score AS s, q.faithfulness_model AS m, "
        "q.faithfulness_unsupported AS u")}
    assert stored["qa-invented"]["f"] == 0.5 and stored["qa-faithful"]["s"] == 5 and stored["qa-zh"]["m"] == "graphgen-scripted"
    calls = scripted_llm.count(task="qa_faithfulness")
    assert calls == 4
    zh_prompt = [r for r in scripted_llm.requests if r.task == "qa_faithfulness" and "褐飞虱" in str(r.messages)]
    assert zh_prompt and "给答案打" in str(zh_prompt[0].messages)

    sample = _invoke("report", _dataset(tmp_path), "--qa-judge-sample", "2")["qa_faithfulness"]
    assert (sample["sampled"], sample["judged"]) == (2, 2)
    assert scripted_llm.count(task="qa_faithfulness") == calls  # the same QA again: from the response cache

    page = tmp_path / "r.html"
    shown = CliRunner().invoke(app, ["report", _dataset(tmp_path), "--qa-judge-sample", "all", "--html", str(page)])
    assert shown.exit_code == 0, shown.output
    assert "Least faithful QA" in page.read_text(encoding="utf-8") and "Gregor Mendel" in page.read_text(encoding="utf-8")
    refused = CliRunner().invoke(app, ["report", _dataset(tmp_path), "--qa-judge-sample", "some"])
    assert refused.exit_code == 2 and "neither a number" in refused.output


def test_filter_excludes_from_export_reversibly(qa_graph, cli_env, scripted_llm, tmp_path) -> None:
    out = str(tmp_path / "out.jsonl")
    assert _invoke("export", "--output", out)["records"] == 4

    dry = _invoke("filter", "--min-faithfulness", "0.75", "--dedup", "--dry-run")
    assert dry["dry_run"] and dry["judge_estimate"]["calls"] == 4 and scripted_llm.count(task="qa_faithfulness") == 0
    assert dry["unjudged"] == 4 and dry["dropped"] == 1 and dry["by_rule"] == {"near_duplicate": 1}  # unjudged are kept
    assert not qa_graph.query("MATCH (q:QA) WHERE q.filtered RETURN q")  # nothing marked

    done = _invoke("filter", "--min-faithfulness", "0.75", "--dedup")
    assert scripted_llm.count(task="qa_faithfulness") == 4  # every QA judged first (unjudged: judge)
    assert done["by_rule"] == {"faithfulness": 1, "near_duplicate": 1} and (done["kept"], done["dropped"]) == (2, 2)
    reasons = {r["id"]: r["reasons"] for r in qa_graph.query(
        "MATCH (q:QA) WHERE q.filtered RETURN q.id AS id, q.filter_reasons AS reasons")}
    assert reasons["qa-invented"] == ["faithfulness 0.5 < 0.75"]
    assert set(reasons) == {"qa-invented", "qa-copy"} or set(reasons) == {"qa-invented", "qa-faithful"}

    refused = CliRunner().invoke(app, ["export", "--output", out])
    assert refused.exit_code == 1 and "overwrite" in refused.output  # a smaller dataset needs --overwrite
    exported = _invoke("export", "--output", out, "--overwrite")
    assert (exported["records"], exported["filtered"]) == (2, 2)
    assert "Gregor Mendel" not in (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    library = _invoke("cypher", "explore/filtered_qa", "--param", "reason=faithfulness")
    assert [row["id"] for row in library["rows"]] == ["qa-invented"]

    again = _invoke("filter", "--mode", "atomic")  # a new filter run decides afresh
    assert again["by_rule"] == {"mode": 1} and again["restored"] == 1 and scripted_llm.count(task="qa_faithfulness") == 4
    assert _invoke("filter", "--reset")["restored"] == 1
    assert _invoke("export", "--output", out)["records"] == 4

    nothing = CliRunner().invoke(app, ["filter"])
    assert nothing.exit_code == 2 and "no rule given" in nothing.output


def test_filter_rules_from_the_config_and_the_run_scope(qa_graph, cli_env, tmp_path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("filter:\n  min_loss: 0.5\n  max_answer_tokens: 9\n", encoding="utf-8")
    result = _invoke("filter", "--config", str(config))  # answers of 7, 20, 7 and 24 tokens; the Chinese QA's loss 0.2
    assert result["by_rule"] == {"answer_tokens": 2, "loss": 1} and result["dropped"] == 2
    assert _invoke("filter", "--reset", "--run-id", "generate-other")["restored"] == 0
    assert _invoke("filter", "--reset", "--run-id", "generate-test")["restored"] == 2
