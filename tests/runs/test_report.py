"""Quality report: formats, MTLD, near duplicates, coverage from the graph."""

from __future__ import annotations

import json

import pytest

from graphgen_neo4j.errors import InputError
from graphgen_neo4j.runs.report import (
    build_report,
    coverage_from_graph,
    distribution,
    load_dataset,
    mtld,
    near_duplicates,
    parse_record,
    render_html,
    text_histogram,
    words,
)


def test_the_three_export_formats_parse_to_the_same_pair() -> None:
    alpaca = {"instruction": "What is OsDT11?", "input": "", "output": "A rice gene."}
    sharegpt = {"conversations": [{"from": "human", "value": "What is OsDT11?"}, {"from": "gpt", "value": "A rice gene."}]}
    chatml = {"messages": [{"role": "user", "content": "What is OsDT11?"}, {"role": "assistant", "content": "A rice gene."}]}
    parsed = [parse_record(r) for r in (alpaca, sharegpt, chatml)]
    assert {(p.question, p.answer) for p in parsed} == {("What is OsDT11?", "A rice gene.")}


def test_metadata_gives_mode_and_loss() -> None:
    record = parse_record({"instruction": "q", "output": "a", "metadata": {"mode": "atomic", "loss": 1.5}})
    assert (record.mode, record.loss) == ("atomic", 1.5)


def test_bad_record_names_file_and_line(tmp_path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"instruction": "q", "output": "a"}\n{"text": "not a qa"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"data.jsonl:2: record is not a QA pair"):
        load_dataset(path)
    path.write_text('{"instruction": "q", "output": "a"}\n{broken\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"data.jsonl:2: invalid JSON"):
        load_dataset(path)


def test_json_array_and_jsonl_both_load(tmp_path) -> None:
    rows = [{"instruction": f"q{i}", "output": "a"} for i in range(3)]
    (tmp_path / "a.json").write_text(json.dumps(rows), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert load_dataset(tmp_path / "a.json") == load_dataset(tmp_path / "b.jsonl")


def test_mtld_is_lower_for_repetitive_text() -> None:
    repetitive = ["rice"] * 40
    varied = [f"w{i}" for i in range(30)] + [f"w{i}" for i in range(10)]
    assert mtld(repetitive) == pytest.approx(40 / 20)  # a factor every 2 tokens
    assert mtld(varied) > 5 * mtld(repetitive)
    assert mtld([]) == 0.0


def test_words_cut_chinese_with_jieba_and_english_by_letters() -> None:
    assert words("云南省农业科学院育成了水稻品种") [:2] == ["云南省", "农业"]
    assert words("The OsDT11 gene's role") == ["the", "osdt11", "gene's", "role"]


def test_near_duplicates_finds_rephrased_questions_only() -> None:
    questions = [
        "Which institute bred the early rice variety Yungeng 26?",
        "Which institute bred the early rice variety Yungeng 26 ?",
        "What disease does the OsDT11 gene protect against?",
        "云粳26号是哪个研究所育成的？",
        "云粳26号是哪个研究所育成的",
    ]
    pairs = {(a, b) for a, b, _ in near_duplicates(questions)}
    assert pairs == {(0, 1), (3, 4)}


def test_distribution_bins_cover_all_values() -> None:
    dist = distribution([1, 2, 2, 3, 10], bins=3)
    assert sum(c for _, _, c in dist.bins) == 5
    assert dist.median == 2 and dist.maximum == 10
    assert len(text_histogram(dist)) == 3


def test_report_and_html_from_records(tmp_path) -> None:
    records = [parse_record({"instruction": f"Question {i} about rice?", "output": f"Answer {i}: rice is a crop grown in Yunnan.",
                             "metadata": {"mode": "atomic" if i % 2 else "aggregated"}}) for i in range(6)]
    report = build_report(records, source="test.jsonl")
    assert report.records == 6 and report.by_mode == {"aggregated": 3, "atomic": 3}
    page = render_html(report)
    assert page.count("<svg") == 3 and "<script" not in page


def test_coverage_counts_relations_used_by_non_stale_qa(build_graph, graph) -> None:
    ids = build_graph(
        entities=[("A", "GENE", "A."), ("B", "TRAIT", "B."), ("C", "TRAIT", "C.")],
        relations=[
            ("A", "B", "A controls B.", {"loss": 3.0}),
            ("A", "C", "A affects C.", {"loss": 1.0}),
            ("B", "C", "B relates to C.", {"loss": 0.5}),
        ],
    )
    graph.query(
        "CREATE (r1:Run {id: 'r1'}), (r2:Run {id: 'r2'}),"
        "       (r1)-[:PRODUCED]->(q1:QA {id: 'q1', run_id: 'r1', relation_ids: [$ab]}),"
        "       (r1)-[:PRODUCED]->(:QA {id: 'q2', run_id: 'r1', relation_ids: [$bc], stale: true}),"
        "       (r2)-[:PRODUCED]->(q1)",
        {"ab": ids["A->B"], "bc": ids["B->C"]},
    )
    coverage = coverage_from_graph(graph)
    assert (coverage.relations, coverage.covered, coverage.judged_relations) == (3, 1, 3)
    assert coverage.mean_loss_covered == 3.0
    assert coverage.mean_loss_uncovered == pytest.approx(0.75)
    assert coverage_from_graph(graph, run_id="other").covered == 0
    assert coverage_from_graph(graph, run_id="r2").covered == 1  # r2 reused q1 (q1.run_id is r1)


def test_report_command_prints_bracketed_text_as_written(tmp_path, monkeypatch) -> None:
    """Text such as the scripted server's "[canned]" marker is data, not terminal markup."""
    from typer.testing import CliRunner

    from graphgen_neo4j.cli import app

    path = tmp_path / "qa.jsonl"
    rows = [{"instruction": "[canned] Which institute bred Yungeng 26?", "output": "[bold]A[/bold]"}] * 2
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(path), "--no-graph", "--html", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "'[canned] Which institute bred Yungeng 26?'" in result.output
    assert "[canned] Which institute" in (tmp_path / "r.html").read_text(encoding="utf-8")
