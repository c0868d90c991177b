// One batch as partition cut it, drawn like explore/highest_loss_relations: exactly the
// batch's relations (b.relation_ids), entities labelled by type, relations typed by loss
// band (LOSS_HIGH ≥ 1.0, LOSS_MID ≥ 0.3, LOSS_LOW, UNJUDGED, EXCLUDED). A batch around an
// isolated entity ((:Batch)-[:HAS_ENTITY]->(:Entity)) draws that entity alone.
// Virtual nodes and relationships (apoc.create.vNode): nothing is written.
// Each entity also carries a label Colour0…ColourF (from a hash of its type): the style
// colours a type it has no rule for by it, so every type present has a colour.
// Parameters: $batch_id — a batch id (see explore/run_batches); null: the batch with the
//   highest mean loss of the latest partition run.
// Returns per relation: source, relation, target (virtual), batch, index, mean_loss,
//   source_name, target_name, loss, description.
:param batch_id => null
CALL () {
  MATCH (b:Batch {id: $batch_id}) RETURN b
  UNION
  MATCH (b:Batch) WHERE $batch_id IS NULL
  WITH b.run_id AS run_id, max(b.created_at) AS created_at
  OPTIONAL MATCH (run:Run {id: run_id})
  WITH run_id ORDER BY coalesce(run.started_at, created_at) DESC LIMIT 1
  MATCH (b:Batch {run_id: run_id})
  RETURN b ORDER BY coalesce(b.mean_loss, -1.0) DESC, b.index LIMIT 1
}
CALL (b) {
  UNWIND coalesce(b.relation_ids, []) AS id
  MATCH (s:Entity)-[r:RELATED {id: id}]->(t:Entity)
  RETURN collect({s: s, r: r, t: t}) AS rows
}
CALL (b) {
  OPTIONAL MATCH (b)-[:HAS_ENTITY]->(e:Entity)
  RETURN collect(e) AS lone
}
WITH b, rows, apoc.coll.toSet([row IN rows | row.s] + [row IN rows | row.t] + CASE WHEN size(rows) = 0 THEN lone ELSE [] END) AS nodes
WITH b, rows, nodes, apoc.map.fromPairs([n IN nodes | [n.id, apoc.create.vNode(
       [coalesce(n.type, 'UNKNOWN'), 'Colour' + toUpper(left(apoc.util.md5([coalesce(n.type, 'UNKNOWN')]), 1))]
         + CASE WHEN n.excluded THEN ['Excluded'] ELSE [] END,
       n {.id, .name, .type, .mention_count, .excluded, .description, aliases: coalesce(n.aliases, [])})]]) AS drawn
UNWIND CASE WHEN size(rows) = 0 THEN [{s: nodes[0]}] ELSE rows END AS row
WITH b, drawn, row.s AS s, row.r AS r, row.t AS t
RETURN drawn[s.id] AS source,
       CASE WHEN r IS NOT NULL THEN apoc.create.vRelationship(drawn[s.id],
         CASE WHEN r.excluded OR s.excluded OR t.excluded THEN 'EXCLUDED' WHEN r.loss IS NULL THEN 'UNJUDGED'
              WHEN r.loss >= 1.0 THEN 'LOSS_HIGH' WHEN r.loss >= 0.3 THEN 'LOSS_MID' ELSE 'LOSS_LOW' END,
         r {.id, .description, .keywords, .excluded, loss: round(r.loss, 2)}, drawn[t.id]) END AS relation,
       drawn[t.id] AS target, b.id AS batch, b.index AS index, round(b.mean_loss, 2) AS mean_loss,
       s.name AS source_name, t.name AS target_name, round(r.loss, 2) AS loss, r.description AS description
ORDER BY loss DESC, source_name, target_name
