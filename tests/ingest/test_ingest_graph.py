"""Ingest end to end: real Neo4j, the scripted LLM server over HTTP."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from graphgen_neo4j.errors import InputError, StageError, StageFailed
from graphgen_neo4j.ids import normalize_key, sha256_hex
from graphgen_neo4j.ingest.readers import prepare, read_documents
from graphgen_neo4j.ingest.stage import IngestConfig, ingest
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.testing.llm_server import ScriptedLLMServer
from graphgen_neo4j.testing.scripts import extract as script

from .helpers import client, counts, fingerprint, run_ingest, snapshot

pytestmark = pytest.mark.neo4j


def expected_graph(paths, chunk_size=1024, chunk_overlap=100):
    """What the responder's rule plus alias merging should give: entities as sets of name
    keys, relations as (source set, target set)."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            key = parent[key]
        return key

    pairs = []
    for doc in read_documents(paths):
        for chunk in prepare(doc, chunk_size=chunk_size, chunk_overlap=chunk_overlap, encoding="cl100k_base").chunks:
            for item in script.analyse(chunk.text):
                if item.kind == "entity":
                    root = find(normalize_key(item.data["name"]))
                    for alias in item.data["aliases"]:
                        parent[find(normalize_key(alias))] = root
                else:
                    pairs.append((normalize_key(item.data["source"]), normalize_key(item.data["target"])))
                    find(pairs[-1][0]), find(pairs[-1][1])
    groups: dict[str, set[str]] = {}
    for key in list(parent):
        groups.setdefault(find(key), set()).add(key)
    entities = {frozenset(keys) for keys in groups.values()}
    relations = {(frozenset(groups[find(s)]), frozenset(groups[find(t)])) for s, t in pairs if find(s) != find(t)}
    return entities, relations


def graph_shape(graph):
    rows = graph.query("MATCH (a:Alias)-[:ALIAS_OF]->(e:Entity) RETURN e.id AS id, collect(a.key) AS keys")
    keys = {row["id"]: frozenset(row["keys"]) for row in rows}
    rels = graph.query("MATCH (s:Entity)-[:RELATED]->(t:Entity) RETURN s.id AS s, t.id AS t")
    return set(keys.values()), {(keys[r["s"]], keys[r["t"]]) for r in rels}


async def test_the_examples_become_the_graph_the_rule_predicts(graph, server, examples):
    report = await run_ingest(graph, server, [examples])
    assert report.documents == report.documents_new == 10 and report.bad_records == 0
    assert report.chunks_extracted == report.chunks == 12 and report.chunks_failed == 0
    assert report.duplicates_proposed == 0
    entities, relations = expected_graph([examples])
    assert graph_shape(graph) == (entities, relations)
    assert (report.entities_total, report.relations_total) == (len(entities), len(relations))
    assert server.count(task="extract") == server.count(task="glean") == 12

    # Provenance: document → chunk → entity, and every relation lists chunks that mention both ends.
    assert graph.query("MATCH (d:Document) WHERE COUNT { (d)-[:HAS_CHUNK]->() } <> d.chunk_count RETURN d") == []
    assert graph.query("MATCH (e:Entity) WHERE NOT (:Chunk)-[:MENTIONS]->(e) RETURN e") == []
    assert graph.query("""
        MATCH (s:Entity)-[r:RELATED]->(t:Entity) UNWIND r.chunk_ids AS chunk_id
        MATCH (c:Chunk {id: chunk_id}) WHERE NOT ((c)-[:MENTIONS]->(s) AND (c)-[:MENTIONS]->(t))
        RETURN r.id""") == []
    assert graph.query("MATCH (c:Chunk) WHERE c.status <> 'extracted' RETURN c") == []


async def test_aliases_merge_chinese_and_english_names(graph, server, examples):
    await run_ingest(graph, server, [examples])
    rows = graph.query("""
        MATCH (a:Alias {key: $key})-[:ALIAS_OF]->(e:Entity)<-[m:MENTIONS]-(c:Chunk)<-[:HAS_CHUNK]-(d:Document)
        RETURN e.name AS name, e.aliases AS aliases, collect(m.name) AS mentioned_as, collect(d.source_key) AS sources""", {"key": "稻热病"})
    assert len(rows) == 1
    row = rows[0]
    assert (row["name"], row["aliases"]) == ("稻瘟病", ["稻热病"])
    assert sorted(row["mentioned_as"]) == sorted(["稻瘟病", "稻热病"])  # the later chunk wrote 稻热病 and landed here
    lines = [json.loads(x)["content"] for x in (examples / "rice_zh.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(s.rsplit("#")[1] for s in row["sources"]) == sorted(sha256_hex(lines[i])[:16] for i in (1, 2))
    miracle = graph.query("MATCH (:Alias {key: 'miracle rice'})-[:ALIAS_OF]->(e:Entity) RETURN e.name AS name, e.mention_count AS n")
    assert miracle == [{"name": "IR8", "n": 2}]
    # An abbreviation only used as an endpoint ("IRRI went on to breed …") routes to its institute.
    assert graph.query("""
        MATCH (s:Entity)-[:RELATED]->(:Entity {name: 'IR36'}) RETURN s.name AS name""") == [{"name": "International Rice Research Institute"}]
    hits = graph.query("CALL db.index.fulltext.queryNodes('entity_names', '稻热') YIELD node RETURN labels(node) AS labels, node.name AS name")
    assert {"labels": ["Alias"], "name": "稻热病"} in hits


async def test_reingesting_makes_no_llm_call_and_changes_nothing(graph, server, examples):
    await run_ingest(graph, server, [examples])
    before = fingerprint(graph)
    calls = len(server.requests)
    report = await run_ingest(graph, server, [examples])
    assert len(server.requests) == calls and report.llm_calls == 0
    assert report.documents_unchanged == report.documents == 10 and report.chunks_extracted == 0
    assert fingerprint(graph) == before


async def test_a_changed_document_replaces_its_chunks_and_their_provenance(graph, server, examples, tmp_path):
    lines = (examples / "rice_zh.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "rice.jsonl"
    path.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    await run_ingest(graph, server, [path])
    assert graph.query("MATCH (e:Entity {name: '稻瘟病菌'}) RETURN e")  # from record 2
    path.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")  # record 2 rewritten
    report = await run_ingest(graph, server, [path])
    assert (report.documents_changed, report.documents_unchanged, report.chunks_extracted) == (1, 1, 1)
    assert report.chunks_removed == 1 and report.entities_removed > 0 and report.relations_removed > 0
    assert graph.query("MATCH (e:Entity {name: '稻瘟病菌'}) RETURN e") == []
    assert graph.query("MATCH (d:Document) RETURN count(d) AS n") == [{"n": 2}]
    updated = snapshot(graph)

    graph.query("MATCH (n) DETACH DELETE n")
    await run_ingest(graph, server, [path])
    assert snapshot(graph) == updated  # exactly the graph of the new version from scratch


async def test_an_interrupted_ingest_resumes_without_duplicates(graph, server, examples):
    config = {"chunk_size": 64, "chunk_overlap": 16, "max_in_flight": 4, "write_batch_size": 2}
    await run_ingest(graph, server, [examples], **config)
    uninterrupted = snapshot(graph)
    total = counts(graph)
    graph.query("MATCH (n) DETACH DELETE n")

    server.latency = 0.05
    task = asyncio.create_task(run_ingest(graph, server, [examples], **config))
    for _ in range(1500):  # up to 30 s on a busy machine; usually well under one
        await asyncio.sleep(0.02)
        done = graph.query("MATCH (c:Chunk {status: 'extracted'}) RETURN count(c) AS n")[0]["n"]
        if done >= 6:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    partial = counts(graph)
    assert 6 <= total["chunks"] - partial["chunks_pending"] < total["chunks"]
    assert partial["entities"] < total["entities"]

    server.latency = 0.0
    report = await run_ingest(graph, server, [examples], **config)
    assert report.chunks_extracted == partial["chunks_pending"]
    assert counts(graph) == total
    assert snapshot(graph) == uninterrupted


async def test_bad_input_is_skipped_and_counted_unless_strict(graph, server, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(
        b'{"content": "The gene Pi9 protects rice against Magnaporthe oryzae."}\n'
        b'{"content": "broken\n'
        b'{"text": "no content"}\n'
        b'{"content": "caf\xe9"}\n'
        b'{"content": "The variety IR64 is grown in India."}\n'
    )
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    report = await run_ingest(graph, server, [tmp_path])
    assert (report.documents, report.bad_records) == (2, 4)
    assert [(Path(i.path).name, i.line) for i in report.issues] == [("bad.jsonl", 2), ("bad.jsonl", 3), ("bad.jsonl", 4), ("empty.txt", None)]
    assert report.chunks_extracted == 2

    graph.query("MATCH (n) DETACH DELETE n")
    with pytest.raises(InputError, match=r"bad\.jsonl:2: invalid JSON"):
        await run_ingest(graph, server, [tmp_path], strict=True)


async def test_gleaning_adds_what_the_first_pass_left_out(graph, server, tmp_path):
    path = tmp_path / "pi9.txt"
    path.write_text("The gene Pi9 protects rice. The fungus Magnaporthe oryzae causes rice blast. "
                    "The gene Pi9 was found in Oryza minuta.", encoding="utf-8")
    report = await run_ingest(graph, server, [path], max_gleaning=0)
    assert graph.query("MATCH (e:Entity {name: 'Oryza minuta'}) RETURN e") == [] and report.gleaned_items == 0
    assert server.count(task="glean") == 0

    graph.query("MATCH (n) DETACH DELETE n")
    report = await run_ingest(graph, server, [path], max_gleaning=3)
    assert report.gleaned_items == 2  # the entity and its relation
    assert graph.query("MATCH (:Entity {name: 'Pi9'})-[r:RELATED]->(:Entity {name: 'Oryza minuta'}) RETURN r.keywords AS k") == [{"k": ["found"]}]
    assert server.count(task="glean") == 2  # the second glean found nothing new: stop


async def test_relation_endpoints_nobody_listed_become_unknown_entities(graph, server, tmp_path):
    path = tmp_path / "fao.txt"
    path.write_text("FAO tracks the variety IR64 in India.", encoding="utf-8")
    await run_ingest(graph, server, [path])
    rows = graph.query("""
        MATCH (c:Chunk)-[m:MENTIONS]->(e:Entity {name: 'FAO'})-[:RELATED]->(t:Entity)
        RETURN e.type AS type, e.description AS description, m.type AS mention_type, collect(t.name) AS targets""")
    assert len(rows) == 1 and sorted(rows[0].pop("targets")) == ["IR64", "India"]
    assert rows == [{"type": "UNKNOWN", "description": "[canned] FAO tracks the variety IR64 in India.", "mention_type": "UNKNOWN"}]


async def test_messy_replies_in_code_fences_make_the_same_graph(graph, server, examples):
    await run_ingest(graph, server, [examples])
    clean = snapshot(graph)
    graph.query("MATCH (n) DETACH DELETE n")
    server.clear_requests()
    server.knobs["extract_style"] = "messy"
    server.inject("text_mode", times=None)
    report = await run_ingest(graph, server, [examples])
    assert report.chunks_failed == 0 and report.dropped_items == 0
    assert {r.fault for r in server.requests} == {"text_mode"}  # every reply was fenced and chatty
    assert snapshot(graph) == clean


async def test_long_descriptions_are_summarized_whole_in_their_language(graph, server, examples):
    report = await run_ingest(graph, server, [examples], max_description_tokens=40)
    assert report.summaries > 0 and report.summary_failures == 0
    assert graph.query("MATCH (e:Entity) WHERE e.summary_pending RETURN e") == []
    entity = graph.query("MATCH (e:Entity {name: '稻瘟病'}) RETURN e.description AS d, e.descriptions AS ds, e.summarized AS s")[0]
    assert entity["s"] is True and entity["d"].startswith("[canned] ")
    assert len(entity["d"]) < len("\n".join(entity["ds"]))
    prompt = next(r.messages[-1]["content"] for r in server.requests if r.task == "summarize" and "关于稻瘟病的" in r.messages[-1]["content"])
    assert all(d in prompt for d in entity["ds"])  # the whole text, not its first tokens
    assert "中文" in prompt and detect_language(entity["d"]) == "zh"
    english = graph.query("MATCH (e:Entity {name: 'IR8'}) RETURN e.description AS d, e.summarized AS s")[0]
    assert english["s"] is True and detect_language(english["d"]) == "en"
    calls = len(server.requests)
    await run_ingest(graph, server, [examples], max_description_tokens=40)
    assert len(server.requests) == calls  # nothing left to summarize


async def test_a_chunk_whose_reply_cannot_be_parsed_fails_then_succeeds_on_the_next_run(graph, server, examples, tmp_path):
    path = tmp_path / "one.txt"
    shutil.copy(examples / "artemisinin_zh.txt", path)
    server.inject("malformed_json", times=3, task="extract")  # the reply and its two re-asks (max_reasks)
    report = await run_ingest(graph, server, [path])
    assert (report.chunks_failed, report.chunks_extracted) == (1, 0)
    chunk = graph.query("MATCH (c:Chunk) RETURN c.status AS status, c.error AS error, c.raw_reply AS raw")[0]
    assert chunk["status"] == "failed" and "asked 3 times" in chunk["error"] and chunk["raw"].startswith('{"id": "chatcmpl-scripted-broken"')
    assert report.failures[0].error == chunk["error"]

    report = await run_ingest(graph, server, [path])
    assert (report.chunks_failed, report.chunks_extracted) == (0, 1)
    chunk = graph.query("MATCH (c:Chunk) RETURN c.status AS status, c.error AS error, c.raw_reply AS raw")[0]
    assert chunk == {"status": "extracted", "error": None, "raw": None}
    retried = snapshot(graph)
    graph.query("MATCH (n) DETACH DELETE n")
    await run_ingest(graph, server, [path])
    assert snapshot(graph) == retried


async def test_an_alias_an_analyst_adds_routes_later_mentions(graph, server, tmp_path):
    (tmp_path / "a.txt").write_text("“刘备”，字玄德，与“关羽”结为兄弟。", encoding="utf-8")
    await run_ingest(graph, server, [tmp_path / "a.txt"])
    graph.query("""
        MATCH (e:Entity {name: '刘备'})
        CREATE (:Alias {key: '刘玄德', name: '刘玄德', source: 'analyst'})-[:ALIAS_OF]->(e)""")
    (tmp_path / "b.txt").write_text("“玄德”三顾茅庐，请“诸葛亮”出山。“刘玄德”在新野驻军。", encoding="utf-8")
    await run_ingest(graph, server, [tmp_path / "b.txt"])
    rows = graph.query("""
        MATCH (e:Entity {name: '刘备'})<-[m:MENTIONS]-(:Chunk)<-[:HAS_CHUNK]-(d:Document)
        RETURN d.source_key AS source, m.name AS name ORDER BY source""")
    assert [(Path(r["source"]).name, r["name"]) for r in rows] == [("a.txt", "刘备"), ("b.txt", "玄德")]
    assert graph.query("MATCH (s:Entity)-[:RELATED]->(t:Entity {name: '诸葛亮'}) RETURN s.name AS name") == [{"name": "刘备"}]
    assert graph.query("MATCH (e:Entity) WHERE e.name IN ['玄德', '刘玄德'] RETURN e") == []


async def test_what_an_analyst_locked_stays_while_evidence_accumulates(graph, server, examples, tmp_path):
    records = [json.loads(line)["content"] for line in (examples / "rice_zh.jsonl").read_text(encoding="utf-8").splitlines()]
    (tmp_path / "a.txt").write_text(records[1], encoding="utf-8")
    (tmp_path / "b.txt").write_text(records[2], encoding="utf-8")
    await run_ingest(graph, server, [tmp_path / "a.txt"])
    graph.query("""MATCH (e:Entity {name: '稻瘟病'})
                   SET e.description = '稻瘟病是稻瘟病菌引起的真菌病害。', e.type = 'FUNGAL_DISEASE', e.locked = ['description', 'type']""")
    await run_ingest(graph, server, [tmp_path / "b.txt"], max_description_tokens=32)
    entity = graph.query("""MATCH (e:Entity {name: '稻瘟病'})
        RETURN e.description AS d, e.type AS type, e.type_votes AS votes, size(e.descriptions) AS n, e.summary_pending AS pending""")[0]
    assert entity == {"d": "稻瘟病是稻瘟病菌引起的真菌病害。", "type": "FUNGAL_DISEASE", "votes": ["DISEASE=2"], "n": 2, "pending": None}
    assert not any("关于稻瘟病的" in r.messages[-1]["content"] for r in server.requests if r.task == "summarize")


async def test_an_endpoint_that_keeps_failing_stops_the_run_and_keeps_what_was_done(graph, server, examples):
    server.inject("500", times=None, task="extract")  # every retry spent: each chunk fails
    with pytest.raises(StageError, match="3 chunks failed in a row, the last with: .*HTTP 500"):
        await run_ingest(graph, server, [examples], max_consecutive_failures=3, max_in_flight=1)
    after = counts(graph)
    assert (after["documents"], after["chunks_failed"], after["chunks_pending"]) == (10, 3, 9)
    server.clear_faults()
    report = await run_ingest(graph, server, [examples])
    assert report.chunks_extracted == 12 and counts(graph)["chunks_failed"] == 0


async def test_a_rejected_key_stops_the_extraction_at_once_and_fails_no_chunk(graph, server, examples):
    server.inject("401", times=None, task="extract")  # no retry helps, and no chunk is to blame
    with pytest.raises(StageFailed, match="extract: stopped .*API key rejected .*SYNTHESIZER_API_KEY") as stopped:
        await run_ingest(graph, server, [examples], max_in_flight=1)
    assert stopped.value.outcome.verdict == "stopped" and stopped.value.outcome.reasons == {"key rejected": 1}
    assert server.count(task="extract") == 1  # not one call per chunk
    after = counts(graph)
    assert (after["chunks_failed"], after["chunks_pending"]) == (0, 12)


async def test_an_excluded_entity_is_not_sent_to_be_summarized(graph, server, examples):
    await run_ingest(graph, server, [examples], max_description_tokens=40, summarize=False)
    pending = graph.query("MATCH (e:Entity {name: '稻瘟病'}) RETURN e.summary_pending AS p")[0]["p"]
    assert pending
    graph.query("MATCH (e:Entity {name: '稻瘟病'}) SET e.excluded = true")
    server.clear_requests()
    report = await run_ingest(graph, server, [examples], max_description_tokens=40)
    assert report.summaries > 0
    prompts = [r.messages[-1]["content"] for r in server.requests if r.task == "summarize"]
    assert prompts and not [p for p in prompts if "关于稻瘟病的" in p]
    left = graph.query("MATCH (e:Entity {name: '稻瘟病'}) RETURN e.summary_pending AS p, e.summarized AS s")[0]
    assert left == {"p": True, "s": None}  # summarized when an analyst includes it again


async def test_a_wide_pool_gets_more_chunks_in_flight_than_the_old_fixed_window(graph, tmp_path):
    """The writer's window (chunks extracted or waiting to be written) follows the work pool's:
    a client that may send 96 requests at once gets them all busy, not 64."""
    docs = [{"content": f"Variety V{i} resists disease D{i}. Line L{i} is the parent of V{i}."} for i in range(120)]
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    with ScriptedLLMServer(latency=0.3, concurrency=200) as slow:
        async with client(slow, max_concurrency=96) as synthesizer:
            report = await ingest([str(tmp_path / "docs.jsonl")], graph=graph, synthesizer=synthesizer,
                                  config=IngestConfig(data_type="raw", max_gleaning=0, summarize=False))
        peak = slow.peak_active
    assert report.chunks_extracted == 120 and report.chunks_failed == 0
    assert peak > 64  # the old fixed window (64 chunks, one request each here) capped it at 64
