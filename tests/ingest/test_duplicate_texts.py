"""The same text in two places is one document with two sources; it goes only when no
source holds it any more, and moving or inserting JSONL lines churns nothing."""

from __future__ import annotations

import json
from collections import Counter

from graphgen_neo4j.ingest.documents import count_replacements, file_of, plan_sources, source_file

from .helpers import fingerprint, run_ingest

SHARED = "稻瘟病由稻瘟病菌引起，是水稻最重要的病害之一。"
OTHER = "The variety IR64 is grown in India."
THIRD = "Tricyclazole controls rice blast."


def jsonl(*texts: str) -> str:
    return "".join(json.dumps({"content": t}, ensure_ascii=False) + "\n" for t in texts)


def documents(graph) -> dict[str, list[str]]:
    rows = graph.query("MATCH (d:Document) RETURN d.text AS text, d.sources AS sources")
    return {r["text"]: sorted(s.split("/")[-1].split("#")[0] for s in r["sources"]) for r in rows}


# -- pure -----------------------------------------------------------------------------

def test_plan_sources_keeps_a_document_any_source_still_holds() -> None:
    rows = [
        {"id": "doc-a", "sources": ["a.jsonl#1111111111111111", "b.jsonl#1111111111111111"]},
        {"id": "doc-b", "sources": ["a.jsonl#2222222222222222"]},
        {"id": "doc-c", "sources": ["c.txt"]},
        {"id": "doc-d", "sources": ["elsewhere.txt", "a.jsonl#4444444444444444"]},
    ]
    seen = {"b.jsonl#1111111111111111": "doc-a", "c.txt": "doc-new"}
    plan = plan_sources(rows, ["a.jsonl", "b.jsonl", "c.txt"], seen)
    assert plan.updates == [
        {"id": "doc-a", "sources": ["b.jsonl#1111111111111111"], "source": "b.jsonl"},
        {"id": "doc-d", "sources": ["elsewhere.txt"], "source": "elsewhere.txt"},
    ]
    assert plan.removed == ["doc-b", "doc-c"]
    assert plan.removed_by_file == Counter({"a.jsonl": 1, "c.txt": 1})
    assert count_replacements({"c.txt": 1}, plan.removed_by_file) == 1


def test_source_keys_belong_to_their_file() -> None:
    assert file_of("dir/a.jsonl#00ff00ff00ff00ff", {"dir/a.jsonl"}) == "dir/a.jsonl"
    assert file_of("dir/a#b.txt", {"dir/a#b.txt"}) == "dir/a#b.txt"
    assert file_of("dir/a.jsonl#1", {"dir/b.jsonl"}) is None
    assert source_file("dir/a.jsonl#00ff00ff00ff00ff") == source_file("dir/a.jsonl#12") == "dir/a.jsonl"
    assert source_file("dir/a#b.txt") == "dir/a#b.txt"


# -- against Neo4j ---------------------------------------------------------------------

async def test_a_text_on_two_lines_survives_editing_one_of_them(graph, server, tmp_path):
    path = tmp_path / "dup.jsonl"
    path.write_text(jsonl(SHARED, OTHER, SHARED), encoding="utf-8")
    first = await run_ingest(graph, server, [path])
    assert (first.documents, first.documents_new, first.documents_unchanged) == (3, 2, 1)
    path.write_text(jsonl(SHARED, OTHER, THIRD), encoding="utf-8")  # the second copy edited
    report = await run_ingest(graph, server, [path])
    assert SHARED in documents(graph)
    assert report.chunks_removed == 0 and report.entities_removed == 0
    assert (report.documents_new, report.documents_changed, report.documents_unchanged, report.documents_removed) == (1, 0, 2, 0)


async def test_a_text_in_two_files_stays_until_neither_holds_it(graph, server, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(jsonl(SHARED, OTHER), encoding="utf-8")
    b.write_text(jsonl(SHARED), encoding="utf-8")
    await run_ingest(graph, server, [a, b])
    assert documents(graph)[SHARED] == ["a.jsonl", "b.jsonl"]
    a.write_text(jsonl(THIRD, OTHER), encoding="utf-8")  # a's copy edited, b still holds it
    report = await run_ingest(graph, server, [a, b])
    assert documents(graph)[SHARED] == ["b.jsonl"]
    assert (report.documents_new, report.documents_changed, report.documents_unchanged, report.documents_removed) == (1, 0, 2, 0)
    assert report.entities_removed == 0
    mentioned = graph.query("MATCH (d:Document {text: $t})-[:HAS_CHUNK]->(:Chunk)-[:MENTIONS]->(e) RETURN count(e) AS n", {"t": SHARED})
    assert mentioned[0]["n"] > 0
    b.write_text(jsonl(OTHER), encoding="utf-8")  # now nobody holds it
    report = await run_ingest(graph, server, [a, b])
    assert SHARED not in documents(graph) and report.chunks_removed == 1
    assert (report.documents_changed, report.documents_removed) == (0, 1)


async def test_ingesting_one_file_does_not_touch_the_sources_of_another(graph, server, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(jsonl(SHARED), encoding="utf-8")
    b.write_text(jsonl(OTHER), encoding="utf-8")
    await run_ingest(graph, server, [a, b])
    report = await run_ingest(graph, server, [a])
    assert report.documents_removed == 0 and OTHER in documents(graph)


async def test_inserting_a_line_mid_file_re_extracts_and_churns_nothing(graph, server, tmp_path):
    path = tmp_path / "rice.jsonl"
    path.write_text(jsonl(SHARED, OTHER), encoding="utf-8")
    await run_ingest(graph, server, [path])
    before = {r["id"]: r["at"] for r in graph.query("MATCH (d:Document) RETURN d.id AS id, toString(d.ingested_at) AS at")}
    path.write_text(jsonl(THIRD, SHARED, OTHER), encoding="utf-8")  # a line inserted before both
    calls = len(server.requests)
    report = await run_ingest(graph, server, [path])
    after = {r["id"]: r["at"] for r in graph.query("MATCH (d:Document) RETURN d.id AS id, toString(d.ingested_at) AS at")}
    assert all(after[i] == at for i, at in before.items())  # not deleted and re-created
    assert report.chunks_extracted == 1 and report.chunks_removed == 0 and report.documents_removed == 0
    assert (report.documents_new, report.documents_unchanged) == (1, 2)
    assert len(server.requests) > calls  # only the new line was extracted
    path.write_text(jsonl(OTHER, THIRD, SHARED), encoding="utf-8")  # lines moved
    state = fingerprint(graph)
    report = await run_ingest(graph, server, [path])
    assert report.llm_calls == 0 and fingerprint(graph) == state


async def test_a_file_with_a_bad_record_keeps_its_documents(graph, server, tmp_path):
    path = tmp_path / "rice.jsonl"
    path.write_text(jsonl(SHARED, OTHER), encoding="utf-8")
    await run_ingest(graph, server, [path])
    path.write_text(jsonl(OTHER) + '{"content": "broken\n', encoding="utf-8")  # SHARED's line now unreadable
    report = await run_ingest(graph, server, [path])
    assert report.bad_records == 1 and report.documents_removed == 0 and SHARED in documents(graph)


async def test_an_edited_text_file_is_a_changed_document(graph, server, tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(SHARED, encoding="utf-8")
    await run_ingest(graph, server, [path])
    path.write_text(OTHER, encoding="utf-8")
    report = await run_ingest(graph, server, [path])
    assert (report.documents_new, report.documents_changed, report.documents_removed) == (0, 1, 0)
    assert list(documents(graph)) == [OTHER]
