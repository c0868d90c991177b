"""Reading inputs: formats, keys, bad records with file and line (no database)."""

from __future__ import annotations

import json

import pytest

from graphgen_neo4j.errors import InputError
from graphgen_neo4j.ids import sha256_hex
from graphgen_neo4j.ingest.readers import IssueLog, expand_paths, prepare, read_documents


def read(paths, data_type="auto", strict=False):
    issues = IssueLog(strict=strict)
    return list(read_documents(paths, data_type, issues)), issues


def test_jsonl_lines_are_documents_keyed_by_content(tmp_path):
    path = tmp_path / "raw.jsonl"
    path.write_text('{"content": "水稻。"}\n\n{"content": "Rice.", "id": 7}\n', encoding="utf-8")
    docs, issues = read([path])
    assert [d.text for d in docs] == ["水稻。", "Rice."]
    assert [d.line for d in docs] == [1, 3]
    assert [d.source_key.rsplit("#", 1)[1] for d in docs] == [sha256_hex(t)[:16] for t in ("水稻。", "Rice.")]
    path.write_text('{"content": "new"}\n{"content": "Rice."}\n{"content": "水稻。"}\n', encoding="utf-8")
    moved, _ = read([path])
    assert {d.source_key for d in moved} > {d.source_key for d in docs}  # inserting and moving lines changes no key
    assert docs[0].chunks is None and issues.count == 0


def test_chunked_json_keeps_its_chunks_and_lines(tmp_path):
    path = tmp_path / "chunked.json"
    data = [[{"content": "第一块。"}, {"content": "第二块。"}], {"content": "single"}]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    docs, _ = read([path])
    assert docs[0].chunks == ("第一块。", "第二块。") and docs[1].chunks == ("single",)
    assert [d.source_key.rsplit("#", 1)[1] for d in docs] == [sha256_hex(d.text)[:16] for d in docs]
    assert docs[0].line == 2 and docs[1].line > docs[0].line
    prepared = prepare(docs[0], chunk_size=1024, chunk_overlap=100, encoding="cl100k_base")
    assert [c.text for c in prepared.chunks] == ["第一块。", "第二块。"]  # not chunked again


def test_json_is_sniffed_and_data_type_can_force_it(tmp_path):
    lines = tmp_path / "lines.json"
    lines.write_text('{"content": "a"}\n{"content": "b"}\n', encoding="utf-8")
    assert [d.text for d in read([lines])[0]] == ["a", "b"]
    chunked = tmp_path / "list.jsonl"
    chunked.write_text('[[{"content": "a"}]]', encoding="utf-8")
    assert read([chunked], data_type="chunked")[0][0].chunks == ("a",)
    assert [d.text for d in read([lines], data_type="text")[0]] == ['{"content": "a"}\n{"content": "b"}\n']


def test_text_and_markdown_files_are_one_document_each(tmp_path):
    (tmp_path / "a.txt").write_bytes("\ufeff稻瘟病。".encode("utf-8"))
    (tmp_path / "b.md").write_text("# Rice\n\nBlast.", encoding="utf-8")
    docs, _ = read([tmp_path])
    assert [d.text for d in docs] == ["稻瘟病。", "# Rice\n\nBlast."]
    assert docs[0].source_key.endswith("a.txt")


def test_folders_are_read_sorted_without_hidden_or_foreign_files(tmp_path):
    for name in ("b.txt", "a.jsonl", "notes.rtf", ".hidden.txt", "sub/c.md"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text('{"content": "x"}' if name.endswith("jsonl") else "x", encoding="utf-8")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.jsonl", "b.txt", "c.md"]
    with pytest.raises(InputError, match="cannot read .rtf"):
        expand_paths([tmp_path / "notes.rtf"])
    with pytest.raises(InputError, match="no such file"):
        expand_paths([tmp_path / "missing.jsonl"])


BAD_JSONL = (
    b'{"content": "good one."}\n'
    b'{"content": "broken\n'
    b'{"text": "no content key"}\n'
    b'{"content": "caf\xe9 in Latin-1"}\n'
    b'{"content": "   "}\n'
    b'{"content": 42}\n'
    b'{"content": "good two."}\n'
)


def test_bad_jsonl_lines_are_skipped_and_counted_with_their_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(BAD_JSONL)
    docs, issues = read([path])
    assert [d.text for d in docs] == ["good one.", "good two."]
    assert issues.count == 5
    found = {issue.line: issue.message for issue in issues.issues}
    assert "invalid JSON" in found[2]
    assert 'no "content" key (keys: text)' in found[3]
    assert "not UTF-8" in found[4]
    assert '"content" is empty' in found[5]
    assert "must be a string, got int" in found[6]


def test_strict_stops_at_the_first_bad_line_naming_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(BAD_JSONL)
    with pytest.raises(InputError) as caught:
        read([path], strict=True)
    assert caught.value.line == 2 and str(caught.value).startswith(f"{caught.value.path}:2: invalid JSON")


@pytest.mark.parametrize("name, data", [("empty.jsonl", b""), ("blank.txt", b" \n\n"), ("empty.json", b"  "), ("list.json", b"[]")])
def test_empty_files_are_reported(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    docs, issues = read([path])
    assert docs == [] and issues.count == 1
    assert "empty" in issues.issues[0].message


def test_a_text_file_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("第一行\n第二行".encode().split(b"\n")[0] + b"\n" + "第二行".encode("gbk"))
    with pytest.raises(InputError, match=r"gbk.txt:2: not UTF-8 \(byte 1 of the line, 11 of the file\)"):
        read([path], strict=True)


def test_a_text_file_that_is_not_utf8_names_the_byte_after_a_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfab\ncd\xffe")
    with pytest.raises(InputError, match=r"bom.txt:2: not UTF-8 \(byte 3 of the line, 9 of the file\)"):
        read([path], strict=True)


def test_invalid_chunked_json_names_the_line_and_bad_documents_are_skipped(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[\n  [{"content": "a"}],\n  [{"content": "b"},\n]', encoding="utf-8")
    docs, issues = read([broken])
    assert [d.text for d in docs] == ["a"]
    assert issues.issues[0].line == 4 and "invalid JSON" in issues.issues[0].message  # where the parser gave up
    holes = tmp_path / "holes.json"
    holes.write_text('[\n[{"content": "a"}, {"no": 1}],\n[{"content": "b"}],\n"text"\n]', encoding="utf-8")
    docs, issues = read([holes])
    assert [d.text for d in docs] == ["b"]
    assert [(i.line, i.message.split(":")[0]) for i in issues.issues] == [(2, "document 1, chunk 2"), (4, "document 3")]
    not_a_list = tmp_path / "object.json"
    not_a_list.write_text('{"content": "a"}\n{"oops"', encoding="utf-8")
    assert read([not_a_list])[1].issues[0].line == 2  # read as JSON Lines: line 2 is broken
