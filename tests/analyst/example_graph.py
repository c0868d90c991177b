"""A small bilingual rice-blast graph in the full data-model shape, for the analyst tests.

Documents, chunks and mentions, entities with aliases, relations with losses (one excluded),
a partition run with batches and a generate run with QA — what an analyst finds after a
real run, small enough to read. It holds duplicates on purpose, one of each kind the
resolver looks for:

* 稻瘟 / 稻瘟病 (one name inside the other), Magnaporthe oryza / Magnaporthe oryzae (a typo),
  rice-blast disease / rice blast disease (same name but for punctuation),
  Pyricularia grisea lists "Pyricularia-oryzae", an alias of Magnaporthe oryzae (shared alias),
  稻瘟病 / rice blast and 三环唑 / Tricyclazole (Chinese and English names of one thing);
* and names that look alike but are different things: Pi9 / Pi2 (resistance genes).

``load_example_graph(graph)`` returns the ids by name (entities), by "A->B" (relations), and
of the chunks, QA, batches and runs.
"""

from __future__ import annotations

from typing import Any

from graph_builder import build_graph

from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.ids import content_id

DOCUMENTS = {
    "zh": [
        "稻瘟病（rice blast）是由稻瘟病菌引起的水稻病害，稻瘟是它的简称。",
        "三环唑（tricyclazole）用于防治稻瘟病。稻瘟在多雨年份流行于水稻产区。",
    ],
    "en": [
        "Rice blast is caused by Magnaporthe oryzae. The Pi-ta gene recognizes AVR-Pita.",
        "Tricyclazole controls rice blast. Pi9 and Pi2 confer resistance; Magnaporthe oryza infects rice leaves.",
    ],
}

# name, type, description, extra (aliases, …), chunk indexes (language, position) mentioning it
ENTITIES: list[tuple[str, str, str, dict[str, Any], list[tuple[str, int]]]] = [
    ("稻瘟病", "DISEASE", "稻瘟病（rice blast）是水稻最严重的真菌病害之一。", {"aliases": ["稻热病"]}, [("zh", 0), ("zh", 1)]),
    ("稻瘟", "DISEASE", "稻瘟是稻瘟病的简称，多雨年份易流行。", {}, [("zh", 0), ("zh", 1)]),
    ("稻瘟病菌", "PATHOGEN", "稻瘟病菌是引起稻瘟病的真菌。", {}, [("zh", 0)]),
    ("水稻", "CROP", "水稻是重要的粮食作物。", {}, [("zh", 0), ("zh", 1)]),
    ("三环唑", "DRUG", "三环唑（tricyclazole）是防治稻瘟病的杀菌剂。", {}, [("zh", 1)]),
    ("rice blast", "DISEASE", "Rice blast is a fungal disease of rice.", {}, [("en", 0), ("en", 1)]),
    ("Magnaporthe oryzae", "PATHOGEN", "Magnaporthe oryzae is the fungus that causes rice blast.",
     {"aliases": ["Pyricularia oryzae"]}, [("en", 0)]),
    ("Magnaporthe oryza", "PATHOGEN", "Magnaporthe oryza infects rice leaves.", {}, [("en", 1)]),
    ("Pyricularia grisea", "PATHOGEN", "Pyricularia grisea is an older name of the blast fungus.",
     {"aliases": ["Pyricularia-oryzae"]}, [("en", 1)]),
    ("rice-blast disease", "DISEASE", "Rice-blast disease spreads in wet years.", {}, [("en", 1)]),
    ("rice blast disease", "DISEASE", "Rice blast disease lowers yields.", {}, [("en", 1)]),
    ("rice", "CROP", "Rice is a cereal crop.", {}, [("en", 1)]),
    ("Tricyclazole", "DRUG", "Tricyclazole is a fungicide that inhibits melanin synthesis.", {}, [("en", 1)]),
    ("Pi-ta", "GENE", "Pi-ta is a rice resistance gene.", {}, [("en", 0)]),
    ("AVR-Pita", "GENE", "AVR-Pita is an avirulence gene of Magnaporthe oryzae.", {}, [("en", 0)]),
    ("Pi9", "GENE", "Pi9 is a broad-spectrum blast resistance gene.", {}, [("en", 1)]),
    ("Pi2", "GENE", "Pi2 is a blast resistance gene.", {}, [("en", 1)]),
]

# source, target, description, loss (None: not judged), chunk (language, position), extra
RELATIONS: list[tuple[str, str, str, float | None, tuple[str, int], dict[str, Any]]] = [
    ("稻瘟病菌", "稻瘟病", "稻瘟病菌引起稻瘟病。", 0.12, ("zh", 0), {}),
    ("稻瘟病", "水稻", "稻瘟病危害水稻的叶片和穗。", 0.85, ("zh", 0), {}),
    ("三环唑", "稻瘟病", "三环唑用于防治稻瘟病。", 2.4, ("zh", 1), {}),
    ("稻瘟", "水稻", "稻瘟在多雨年份流行于水稻产区。", 0.5, ("zh", 1), {}),
    ("稻瘟", "稻瘟病", "稻瘟是稻瘟病的简称。", None, ("zh", 0), {}),
    ("Magnaporthe oryzae", "rice blast", "Magnaporthe oryzae causes rice blast.", 0.2, ("en", 0), {}),
    ("rice blast", "rice", "Rice blast destroys rice leaves and panicles.", 1.3, ("en", 1), {}),
    ("Tricyclazole", "rice blast", "Tricyclazole controls rice blast.", 2.9, ("en", 1), {}),
    ("Pi-ta", "AVR-Pita", "Pi-ta recognizes AVR-Pita and triggers resistance.", 1.7, ("en", 0), {}),
    ("AVR-Pita", "Magnaporthe oryzae", "AVR-Pita is secreted by Magnaporthe oryzae.", 0.4, ("en", 0), {}),
    ("Magnaporthe oryza", "rice", "Magnaporthe oryza infects rice leaves.", None, ("en", 1), {}),
    ("Pi9", "Magnaporthe oryzae", "Pi9 confers broad-spectrum resistance to Magnaporthe oryzae.", 0.9, ("en", 1), {}),
    ("Pi2", "Magnaporthe oryzae", "Pi2 confers resistance to Magnaporthe oryzae.", 0.3, ("en", 1), {}),
    ("rice blast", "Pi-ta", "Rice blast is a gene.", None, ("en", 0), {"excluded": True}),
]

# mode, question, answer, relations ("A->B") it came from, batch index
QA = [
    ("atomic", "What does tricyclazole control?", "Rice blast.", ["Tricyclazole->rice blast"], 0),
    ("atomic", "三环唑用于防治什么？", "稻瘟病。", ["三环唑->稻瘟病"], 1),
    ("aggregated", "稻瘟与水稻有什么关系？", "稻瘟由稻瘟病菌引起，在多雨年份流行于水稻产区。",
     ["稻瘟病菌->稻瘟病", "稻瘟->水稻"], 1),
    ("multi_hop", "Which fungus secretes the effector that Pi-ta recognizes?", "Magnaporthe oryzae.",
     ["Pi-ta->AVR-Pita", "AVR-Pita->Magnaporthe oryzae"], 0),
]

# A QA `filter` excluded (explore/filtered_qa finds it), as the faithfulness judge left it.
FILTERED = {"Which fungus secretes the effector that Pi-ta recognizes?": {
    "filtered": True, "filter_reasons": ["faithfulness 0.25 < 0.5"], "faithfulness": 0.25, "faithfulness_score": 2,
    "faithfulness_unsupported": ["Magnaporthe oryzae secretes the effector"], "faithfulness_model": "judge-example",
    "faithfulness_reason": "the relations do not say which fungus secretes AVR-Pita"}}

PARTITION_RUN = "run-example-partition"
GENERATE_RUN = "run-example-generate"

_TEXT = """
UNWIND $documents AS d
MERGE (doc:Document {id: d.id})
SET doc.source_key = d.source_key, doc.source = d.source, doc.text = d.text, doc.language = d.language,
    doc.tokens = size(d.text), doc.chunk_count = size(d.chunks), doc.ingested_at = datetime()
WITH doc, d
UNWIND d.chunks AS c
MERGE (chunk:Chunk {id: c.id})
SET chunk.text = c.text, chunk.index = c.index, chunk.language = d.language, chunk.tokens = size(c.text),
    chunk.status = 'extracted', chunk.extracted_at = datetime()
MERGE (doc)-[:HAS_CHUNK]->(chunk)
"""

_MENTIONS = """
UNWIND $rows AS row
MATCH (c:Chunk {id: row.chunk_id}), (e:Entity {id: row.entity_id})
MERGE (c)-[:MENTIONS]->(e)
WITH DISTINCT e
SET e.mention_count = COUNT { (:Chunk)-[:MENTIONS]->(e) }
"""

_RUNS_AND_BATCHES = """
MERGE (p:Run {id: $partition_run}) SET p.command = 'partition', p.status = 'completed', p.started_at = datetime()
MERGE (g:Run {id: $generate_run}) SET g.command = 'generate', g.status = 'completed', g.started_at = datetime()
WITH p
UNWIND $batches AS row
MERGE (b:Batch {id: row.id})
SET b.run_id = $partition_run, b.index = row.index, b.seed_relation_id = row.relation_ids[0],
    b.relation_ids = row.relation_ids, b.entity_ids = row.entity_ids, b.mean_loss = row.mean_loss,
    b.tokens = row.tokens, b.status = 'generated'
// Links as partition wrote them before 2026-11-26 (every batch to its entities and its run);
// it now links only isolated batches: curation and generation must handle both.
MERGE (p)-[:CREATED]->(b)
WITH b, row
UNWIND row.entity_ids AS entity_id
MATCH (e:Entity {id: entity_id})
MERGE (b)-[:HAS_ENTITY]->(e)
WITH DISTINCT b, row
UNWIND row.relation_ids AS relation_id
MATCH ()-[r:RELATED {id: relation_id}]->()
SET r.batch_id = b.id, r.batch_run_id = $partition_run
"""

_QA = """
MATCH (g:Run {id: $generate_run})
UNWIND $rows AS row
MERGE (q:QA {id: row.id})
SET q += row.properties, q.run_id = $generate_run, q.stale = false, q.created_at = datetime()
MERGE (g)-[:PRODUCED]->(q)
WITH q, row
MATCH (b:Batch {id: row.properties.batch_id})
MERGE (b)-[:YIELDED {unit: row.unit}]->(q)
WITH q, row
UNWIND row.properties.entity_ids AS entity_id
MATCH (e:Entity {id: entity_id})
MERGE (q)-[:ABOUT]->(e)
"""


def chunk_id(language: str, index: int) -> str:
    return content_id("chunk", DOCUMENTS[language][index])


def load_example_graph(graph: Graph) -> dict[str, Any]:
    """Write the example graph (the database should be empty); returns its ids."""
    entity_specs = [(name, type_, description, extra) for name, type_, description, extra, _ in ENTITIES]
    relation_specs = [
        (source, target, description, {
            **({"loss": loss, "loss_model": "trainee-example", "loss_statements": 4} if loss is not None else {}),
            "chunk_ids": [chunk_id(*chunk)], "keywords": [description.split()[0].lower()], **extra,
        })
        for source, target, description, loss, chunk, extra in RELATIONS
    ]
    ids: dict[str, Any] = build_graph(graph, entity_specs, relation_specs)

    documents = [
        {"id": content_id("doc", "".join(chunks)), "source_key": f"examples/rice_blast.{language}.txt",
         "source": f"examples/rice_blast.{language}.txt", "text": "".join(chunks), "language": language,
         "chunks": [{"id": chunk_id(language, i), "text": text, "index": i} for i, text in enumerate(chunks)]}
        for language, chunks in DOCUMENTS.items()
    ]
    graph.query(_TEXT, {"documents": documents})
    mentions = [{"chunk_id": chunk_id(*chunk), "entity_id": ids[name]}
                for name, *_, chunks in ENTITIES for chunk in chunks]
    graph.query(_MENTIONS, {"rows": mentions})

    batches = []
    for index in (0, 1):
        relation_keys = sorted({key for *_, keys, batch in QA if batch == index for key in keys})
        relation_ids = [ids[key] for key in relation_keys]
        entity_ids = sorted({ids[name] for key in relation_keys for name in key.split("->")})
        losses = [loss for s, t, _, loss, *_ in RELATIONS if f"{s}->{t}" in relation_keys and loss is not None]
        batches.append({"id": f"batch-example-{index}", "index": index, "relation_ids": relation_ids,
                        "entity_ids": entity_ids, "mean_loss": sum(losses) / len(losses), "tokens": 40 * len(relation_ids)})
    graph.query(_RUNS_AND_BATCHES, {"partition_run": PARTITION_RUN, "generate_run": GENERATE_RUN, "batches": batches})

    qa_rows = []
    for mode, question, answer, keys, batch in QA:
        qa_id = content_id("qa", f"{mode}\n{question}\n{answer}")
        entity_ids = sorted({ids[name] for key in keys for name in key.split("->")})
        chunk_ids = sorted({chunk_id(*chunk) for s, t, _, _, chunk, _ in RELATIONS if f"{s}->{t}" in keys})
        qa_rows.append({"id": qa_id, "unit": "aggregated" if mode != "atomic" else f"atomic:{ids[keys[0]]}",
                        "properties": {"question": question, "answer": answer, "mode": mode,
                                       "batch_id": f"batch-example-{batch}", "relation_ids": [ids[k] for k in keys],
                                       "entity_ids": entity_ids, "chunk_ids": chunk_ids,
                                       "loss": batches[batch]["mean_loss"], **FILTERED.get(question, {})}})
        ids[f"qa:{question}"] = qa_id
    graph.query(_QA, {"generate_run": GENERATE_RUN, "rows": qa_rows})

    ids["chunks"] = {f"{language}{i}": chunk_id(language, i) for language, chunks in DOCUMENTS.items() for i in range(len(chunks))}
    ids["batches"] = [b["id"] for b in batches]
    ids["runs"] = {"partition": PARTITION_RUN, "generate": GENERATE_RUN}
    return ids
