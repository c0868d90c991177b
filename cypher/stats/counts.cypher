// What the graph holds: the figures `graphgen-neo4j stats` prints.
CALL () { MATCH (d:Document) RETURN count(d) AS documents }
CALL () { MATCH (c:Chunk) RETURN count(c) AS chunks,
                                 count(CASE WHEN c.status = 'extracted' THEN 1 END) AS chunks_extracted,
                                 count(CASE WHEN c.status = 'failed' THEN 1 END) AS chunks_failed }
CALL () { MATCH (e:Entity) RETURN count(e) AS entities,
                                  count(CASE WHEN e.excluded THEN 1 END) AS entities_excluded }
CALL () { MATCH (a:Alias)-[:ALIAS_OF]->(e:Entity) WHERE a.name <> e.name RETURN count(a) AS aliases }
CALL () { MATCH (:Entity)-[r:RELATED]->(:Entity)
          RETURN count(r) AS relations, count(CASE WHEN r.excluded THEN 1 END) AS relations_excluded,
                 count(r.quiz_statements) AS relations_quizzed,
                 count(r.loss) AS relations_judged, avg(r.loss) AS mean_loss }
CALL () { MATCH (b:Batch) RETURN count(b) AS batches }
CALL () { MATCH (q:QA) RETURN count(q) AS qa, count(CASE WHEN q.stale THEN 1 END) AS qa_stale }
CALL () { MATCH (p:Entity)-[s:SAME_AS]->(:Entity) WHERE s.status = 'proposed' RETURN count(s) AS duplicates_proposed }
CALL () { MATCH (r:Run) RETURN count(r) AS runs }
RETURN documents, chunks, chunks_extracted, chunks_failed, entities, entities_excluded, aliases,
       relations, relations_excluded, relations_quizzed, relations_judged, mean_loss,
       batches, qa, qa_stale, duplicates_proposed, runs
