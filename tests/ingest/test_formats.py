"""Reading PDF, HTML, DOCX, CSV, Parquet and saved datasets (no database)."""

from __future__ import annotations

import json

import pytest

from graphgen_neo4j.errors import InputError
from graphgen_neo4j.ids import sha256_hex
from graphgen_neo4j.ingest.chunking import chunk_pages
from graphgen_neo4j.ingest.formats import docx_paragraphs, html_text, join_pages
from graphgen_neo4j.ingest.readers import SUFFIXES, IssueLog, expand_paths, prepare, read_documents
from graphgen_neo4j.ingest.tables import hub_name, pick_column
from graphgen_neo4j.testing.documents import write_docx, write_pdf


def read(paths, strict=False, text_column=None):
    issues = IssueLog(strict=strict)
    return list(read_documents(paths, "auto", issues, text_column)), issues


# -- PDF ----------------------------------------------------------------------------------------


def test_a_pdf_is_one_document_whose_chunks_know_their_pages(tmp_path):
    pages = [[f"Page one sentence {n} about rice blast." for n in range(12)],
             [f"Page two sentence {n} about Pi9 resistance." for n in range(12)]]
    path = write_pdf(tmp_path / "paper.pdf", pages)
    docs, issues = read([path])
    assert issues.count == 0 and len(docs) == 1
    doc = docs[0]
    assert doc.source_key == doc.source and doc.source.endswith("paper.pdf")
    assert "Page one sentence 0 about rice blast." in doc.text and "Pi9 resistance" in doc.text
    assert doc.page_starts is not None and len(doc.page_starts) == 2
    assert doc.text[doc.page_starts[1]:].startswith("Page two sentence 0")
    prepared = prepare(doc, chunk_size=64, chunk_overlap=0, encoding="cl100k_base")
    assert len(prepared.chunks) > 2
    assert prepared.chunks[0].pages == (1,) and prepared.chunks[-1].pages == (2,)
    for chunk in prepared.chunks:  # a chunk's pages are the ones its sentences come from
        assert chunk.pages == tuple(p for p, word in ((1, "one"), (2, "two")) if f"Page {word}" in chunk.text)
    assert prepared.row()["chunks"][0]["pages"] == [1]


def test_a_scanned_pdf_without_text_is_reported_not_silently_empty(tmp_path):
    path = write_pdf(tmp_path / "scan.pdf", [[], []])
    docs, issues = read([path])
    assert docs == [] and issues.count == 1
    assert issues.issues[0].path.endswith("scan.pdf") and "no text layer" in issues.issues[0].message
    with pytest.raises(InputError, match=r"scan\.pdf: no text layer"):
        read([path], strict=True)


def test_a_broken_pdf_names_the_file(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not a pdf\n")
    docs, issues = read([path])
    assert docs == [] and issues.count == 1 and "broken.pdf" in issues.issues[0].path


def test_chunk_pages_spans_page_boundaries():
    text, starts = join_pages(["aaa bbb.", "ccc ddd."])
    assert text == "aaa bbb.\n\nccc ddd." and starts == (0, 10)
    assert chunk_pages(text, ["aaa bbb.", "bbb.\n\nccc", "ccc ddd.", "zzz"], starts) == [(1,), (1, 2), (2,), None]


# -- HTML and DOCX -------------------------------------------------------------------------------


def test_html_keeps_blocks_and_drops_scripts(tmp_path):
    page = ("<html><head><title>t</title><style>p{color:red}</style></head><body>"
            "<h1>Rice   blast</h1><script>alert('x')</script><p>Caused by <b>Magnaporthe</b>\n oryzae.</p>"
            "<ul><li>Pi9</li><li>Pi2</li></ul><p>A&amp;B</p></body></html>")
    assert html_text(page) == "Rice blast\n\nCaused by Magnaporthe oryzae.\n\nPi9\n\nPi2\n\nA&B"
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    docs, _ = read([tmp_path / "page.html"])
    assert docs[0].text.startswith("Rice blast") and "alert" not in docs[0].text


def test_docx_paragraphs_are_read(tmp_path):
    path = write_docx(tmp_path / "notes.docx", ["稻瘟病是水稻的病害。", "Pi9\tconfers resistance."])
    docs, issues = read([path])
    assert issues.count == 0 and docs[0].text == "稻瘟病是水稻的病害。\n\nPi9\tconfers resistance."
    assert docx_paragraphs(b'<w:document xmlns:w="x"/>') == ""


def test_a_docx_that_is_not_a_zip_and_an_empty_page_are_reported(tmp_path):
    (tmp_path / "fake.docx").write_text("plain text", encoding="utf-8")
    (tmp_path / "empty.html").write_text("<html><script>x()</script></html>", encoding="utf-8")
    docs, issues = read([tmp_path / "fake.docx", tmp_path / "empty.html"])
    assert docs == [] and issues.count == 2
    messages = {i.path.rsplit("/", 1)[-1]: i.message for i in issues.issues}
    assert "not a DOCX file" in messages["fake.docx"] and "no text" in messages["empty.html"]


# -- CSV ----------------------------------------------------------------------------------------

CSV = (
    "id,content,topic\n"
    "1,Rice blast is a fungal disease.,disease\n"
    '2,"A quoted, multi-line\nrecord.",notes\n'
    "3,,empty\n"
    "4,too,many,fields\n"
    "\n"
    "5,Pi9 confers resistance.,\n"
)


def test_csv_rows_are_documents_with_metadata_and_line_numbers(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text(CSV, encoding="utf-8")
    docs, issues = read([path])
    assert [d.text for d in docs] == ["Rice blast is a fungal disease.", "A quoted, multi-line\nrecord.", "Pi9 confers resistance."]
    assert [d.line for d in docs] == [2, 3, 8]
    assert docs[0].metadata == {"id": "1", "topic": "disease"} and docs[2].metadata == {"id": "5"}
    assert [d.source_key.rsplit("#", 1)[1] for d in docs] == [sha256_hex(d.text)[:16] for d in docs]
    assert {(i.line, i.message.split(":")[0]) for i in issues.issues} == {
        (5, "column 'content' is empty"), (6, "4 fields where the header has 3")}
    prepared = prepare(docs[0], chunk_size=1024, chunk_overlap=0, encoding="cl100k_base")
    assert json.loads(prepared.metadata) == {"id": "1", "topic": "disease"}
    with pytest.raises(InputError) as caught:
        read([path], strict=True)
    assert caught.value.line == 5 and str(caught.value).startswith(f"{caught.value.path}:5: column 'content' is empty")


def test_csv_text_column_and_its_default(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("text\tbody\nfrom text\tfrom body\n", encoding="utf-8")
    assert [d.text for d in read([path])[0]] == ["from text"]  # default: content, else text
    assert [d.text for d in read([path], text_column="body")[0]] == ["from body"]
    docs, issues = read([path], text_column="missing")
    assert docs == [] and "no column 'missing' (columns: text, body)" in issues.issues[0].message
    assert pick_column(["a", "content", "text"], None, "x") == "content"
    with pytest.raises(InputError, match="set text_column"):
        pick_column(["a"], None, "x")


# -- Parquet and datasets ------------------------------------------------------------------------


def test_parquet_rows_are_documents_and_bad_rows_name_their_number(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"text": ["Rice blast.", None, "  ", "Pi9."], "year": [2001, 2002, 2003, 2004]})
    pq.write_table(table, tmp_path / "rows.parquet")
    docs, issues = read([tmp_path / "rows.parquet"])
    assert [(d.text, dict(d.metadata or {})) for d in docs] == [("Rice blast.", {"year": 2001}), ("Pi9.", {"year": 2004})]
    assert [i.message for i in issues.issues] == ["row 2: column 'text' must hold text, got nothing", "row 3: column 'text' is empty"]
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 not really")
    docs, issues = read([tmp_path / "junk.parquet"])
    assert docs == [] and "not a readable Parquet file" in issues.issues[0].message


def test_a_saved_dataset_folder_is_one_input(tmp_path):
    datasets = pytest.importorskip("datasets")
    saved = tmp_path / "data" / "rice"
    datasets.DatasetDict({
        "train": datasets.Dataset.from_dict({"content": ["Rice blast.", ""], "label": [1, 0]}),
        "test": datasets.Dataset.from_dict({"content": ["Pi9."], "label": [2]}),
    }).save_to_disk(str(saved))
    (tmp_path / "data" / "notes.txt").write_text("A note.", encoding="utf-8")
    assert [p.name for p in expand_paths([tmp_path / "data"])] == ["notes.txt", "rice"]  # its .json files are not inputs
    docs, issues = read([saved])
    assert sorted((d.text, d.metadata["label"]) for d in docs) == [("Pi9.", 2), ("Rice blast.", 1)]
    assert [i.message for i in issues.issues] == ["split train, row 2: column 'content' is empty"]


def test_hub_names_and_the_supported_list():
    assert hub_name("hf:owner/name") == ("owner/name", "train")
    assert hub_name("hf:owner/name:validation") == ("owner/name", "validation")
    assert expand_paths(["hf:owner/name"])[0].as_posix() == "hf:owner/name"
    for suffix in (".pdf", ".csv", ".tsv", ".parquet", ".html", ".docx"):
        assert suffix in SUFFIXES


def test_an_empty_folder_lists_every_format(tmp_path):
    with pytest.raises(InputError) as caught:
        expand_paths([tmp_path])
    for suffix in (".pdf", ".csv", ".parquet", ".html", ".docx", ".jsonl"):
        assert suffix in str(caught.value)


def test_estimate_counts_the_new_formats_through_the_same_readers(tmp_path):
    from graphgen_neo4j.config import parse_config
    from graphgen_neo4j.runs.estimate import estimate

    write_pdf(tmp_path / "a.pdf", [["Rice blast is a disease."], ["Pi9 resists it."]])
    (tmp_path / "b.csv").write_text("body,year\nIR8 raised yields.,1966\nIR36 resisted pests.,1976\n", encoding="utf-8")
    config = parse_config({"input_file": str(tmp_path), "text_column": "body"})
    result = estimate(config, judging=False)
    assert (result.documents, result.chunks) == (3, 3)
    assert parse_config({"input_file": str(tmp_path)}).text_column is None


def test_a_hub_dataset_is_streamed_by_name_and_split(monkeypatch):
    datasets = pytest.importorskip("datasets")
    asked = []

    def load_dataset(name, split=None, streaming=False):  # the Hub is not reachable from the tests
        asked.append((name, split, streaming))
        return datasets.Dataset.from_dict({"text": ["Streamed row."], "id": [7]}).to_iterable_dataset()

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    docs, issues = read(["hf:owner/rice:validation"])
    assert asked == [("owner/rice", "validation", True)] and issues.count == 0
    assert [(d.text, d.metadata, d.source) for d in docs] == [("Streamed row.", {"id": 7}, "hf:owner/rice:validation")]
    assert docs[0].source_key.startswith("hf:owner/rice:validation#")
