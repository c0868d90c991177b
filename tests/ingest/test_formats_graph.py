"""New input formats end to end: real Neo4j, the scripted LLM server."""

from __future__ import annotations

import json

import pytest

from graphgen_neo4j.testing.documents import write_docx, write_pdf

from .helpers import fingerprint, run_ingest

pytestmark = pytest.mark.neo4j

PDF_PAGES = [
    [f"Rice blast (Disease) threatens harvests {n}." for n in range(10)],
    [f"Pi9 (Gene) resists rice blast {n}." for n in range(10)],
]


async def test_pdf_csv_and_docx_are_ingested_with_provenance_and_reingest_is_free(graph, server, tmp_path):
    write_pdf(tmp_path / "paper.pdf", PDF_PAGES)
    (tmp_path / "rows.csv").write_text(
        "content,year\nIR8 (Variety) raised yields in Asia.,1966\nIR36 (Variety) resisted pests.,1976\n,1980\n",
        encoding="utf-8")
    write_docx(tmp_path / "notes.docx", ["Magnaporthe oryzae (Organism) causes rice blast."])
    report = await run_ingest(graph, server, [tmp_path], chunk_size=64, chunk_overlap=0)
    assert report.files == 3 and report.documents == report.documents_new == 4 and report.bad_records == 1
    assert report.issues[0].line == 4 and report.issues[0].path.endswith("rows.csv")
    assert report.chunks_extracted == report.chunks and report.chunks_failed == 0

    pages = graph.query("""
        MATCH (d:Document)-[h:HAS_CHUNK]->(c:Chunk) WHERE d.source ENDS WITH 'paper.pdf'
        RETURN h.index AS index, c.pages AS pages ORDER BY index""")
    assert len(pages) > 2 and pages[0]["pages"] == [1] and pages[-1]["pages"] == [2]
    assert all(row["pages"] for row in pages)
    rows = graph.query("MATCH (d:Document) WHERE d.source ENDS WITH 'rows.csv' RETURN d.metadata AS m, d.source_key AS k")
    assert sorted(json.loads(r["m"])["year"] for r in rows) == ["1966", "1976"]
    assert all("#" in r["k"] for r in rows)
    assert graph.query("MATCH (d:Document) WHERE d.source ENDS WITH 'notes.docx' RETURN d.metadata AS m") == [{"m": None}]

    before, calls = fingerprint(graph), len(server.requests)
    again = await run_ingest(graph, server, [tmp_path], chunk_size=64, chunk_overlap=0)
    assert len(server.requests) == calls and again.llm_calls == 0 and again.documents_unchanged == 4
    assert fingerprint(graph) == before

    # A row edited in the CSV replaces its document; the other row stays.
    (tmp_path / "rows.csv").write_text(
        "content,year\nIR8 (Variety) raised yields in Asia.,1966\nIR64 (Variety) spread widely.,1985\n", encoding="utf-8")
    edited = await run_ingest(graph, server, [tmp_path], chunk_size=64, chunk_overlap=0)
    assert edited.documents_changed == 1 and edited.documents_unchanged == 3
    years = graph.query("MATCH (d:Document) WHERE d.source ENDS WITH 'rows.csv' RETURN d.metadata AS m")
    assert sorted(json.loads(r["m"])["year"] for r in years) == ["1966", "1985"]
