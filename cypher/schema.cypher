// Schema of the graphgen-neo4j knowledge graph (see docs/data-model.md).
// Applied by `graphgen-neo4j init`; every statement is idempotent (IF NOT EXISTS).
// Labels and relationship types are fixed here: text from documents or from an LLM
// is never used as a label or a type — entity and relation types are properties.

// -- Keys the pipeline MERGEs on --------------------------------------------------
CREATE CONSTRAINT document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE;
CREATE CONSTRAINT chunk_id IF NOT EXISTS FOR (c:Chunk) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE;
// Every name an entity goes by (its own name too) is an Alias node with a normalized key:
// one key routes to exactly one entity.
CREATE CONSTRAINT alias_key IF NOT EXISTS FOR (a:Alias) REQUIRE a.key IS UNIQUE;
CREATE CONSTRAINT related_id IF NOT EXISTS FOR ()-[r:RELATED]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT judgement_id IF NOT EXISTS FOR (j:Judgement) REQUIRE j.id IS UNIQUE;
CREATE CONSTRAINT batch_id IF NOT EXISTS FOR (b:Batch) REQUIRE b.id IS UNIQUE;
CREATE CONSTRAINT qa_id IF NOT EXISTS FOR (q:QA) REQUIRE q.id IS UNIQUE;
CREATE CONSTRAINT run_id IF NOT EXISTS FOR (r:Run) REQUIRE r.id IS UNIQUE;
// The write lease (runs/lock.py): one per name, so two writers cannot both create it.
CREATE CONSTRAINT lease_name IF NOT EXISTS FOR (l:Lease) REQUIRE l.name IS UNIQUE;

// -- Lookups ------------------------------------------------------------------------
CREATE INDEX document_source IF NOT EXISTS FOR (d:Document) ON (d.source_key);
CREATE INDEX chunk_status IF NOT EXISTS FOR (c:Chunk) ON (c.status);
CREATE INDEX entity_type IF NOT EXISTS FOR (e:Entity) ON (e.type);
// Analysts look entities up by display name (curate and explore queries take an id or a name).
CREATE INDEX entity_name IF NOT EXISTS FOR (e:Entity) ON (e.name);
CREATE INDEX related_loss IF NOT EXISTS FOR ()-[r:RELATED]-() ON (r.loss);
CREATE INDEX related_batch IF NOT EXISTS FOR ()-[r:RELATED]-() ON (r.batch_id);
CREATE INDEX judgement_item IF NOT EXISTS FOR (j:Judgement) ON (j.item_id);
CREATE INDEX batch_run IF NOT EXISTS FOR (b:Batch) ON (b.run_id);
CREATE INDEX qa_run IF NOT EXISTS FOR (q:QA) ON (q.run_id);

// -- Full-text search over names and aliases, Chinese and English ---------------------
// The CJK analyzer indexes Han characters as bigrams and Latin words as lower-cased
// terms, so both "刘玄德" and "Rice blast" are found. Query it with
// CALL db.index.fulltext.queryNodes('entity_names', '玄德') YIELD node, score
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS
FOR (n:Entity|Alias) ON EACH [n.name, n.aliases]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}};
