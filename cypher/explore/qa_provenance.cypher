// Where a QA came from, down to the text: the QA, the entities it is about and the
// relations it was written from (typed by loss band as in explore/neighbourhood), the
// chunks they were extracted from (with their text) and each chunk's document.
// Virtual links (apoc.create.vRelationship) tie the picture together: nothing is written.
// Each entity also carries a label Colour0…ColourF (from a hash of its type): the style
// colours a type it has no rule for by it, so every type present has a colour.
// Parameters: $qa_id — a QA id (see explore/qa_for_entity); null: the fresh QA with the
//   highest loss.
// Returns per link: source, relation, target (drawn), link, text (a chunk's text on
//   its rows; the question and answer on the QA's).
:param qa_id => null
CALL () {
  MATCH (q:QA {id: $qa_id}) RETURN q
  UNION
  MATCH (q:QA) WHERE $qa_id IS NULL AND NOT coalesce(q.stale, false)
  RETURN q ORDER BY coalesce(q.loss, -1.0) DESC, q.id LIMIT 1
}
CALL (q) {
  UNWIND coalesce(q.relation_ids, []) AS id
  MATCH (s:Entity)-[r:RELATED {id: id}]->(t:Entity)
  RETURN collect({s: s, r: r, t: t}) AS rels
}
CALL (q) {
  OPTIONAL MATCH (q)-[:ABOUT]->(e:Entity)
  RETURN collect(e) AS about
}
WITH q, rels, about, apoc.coll.toSet(about + [row IN rels | row.s] + [row IN rels | row.t]) AS entities
WITH q, rels, about, entities, apoc.map.fromPairs([n IN entities | [n.id, apoc.create.vNode(
       [coalesce(n.type, 'UNKNOWN'), 'Colour' + toUpper(left(apoc.util.md5([coalesce(n.type, 'UNKNOWN')]), 1))]
         + CASE WHEN n.excluded THEN ['Excluded'] ELSE [] END,
       n {.id, .name, .type, .mention_count, .excluded, .description})]]) AS drawn
CALL (q, drawn) {
  MATCH (c:Chunk) WHERE c.id IN coalesce(q.chunk_ids, [])
  OPTIONAL MATCH (d:Document)-[:HAS_CHUNK]->(c)
  OPTIONAL MATCH (c)-[:MENTIONS]->(e:Entity) WHERE drawn[e.id] IS NOT NULL
  RETURN collect({c: c, d: d, e: e}) AS sources
}
WITH q, drawn, about, rels, sources,
     [e IN about | {source: q, link: 'ABOUT', target: drawn[e.id], text: q.question + ' — ' + q.answer}] +
     [row IN rels | {source: drawn[row.s.id], target: drawn[row.t.id], link:
        CASE WHEN row.r.excluded OR row.s.excluded OR row.t.excluded THEN 'EXCLUDED' WHEN row.r.loss IS NULL THEN 'UNJUDGED'
             WHEN row.r.loss >= 1.0 THEN 'LOSS_HIGH' WHEN row.r.loss >= 0.3 THEN 'LOSS_MID' ELSE 'LOSS_LOW' END,
        props: {id: row.r.id, description: row.r.description, loss: round(row.r.loss, 2)}, text: row.r.description}] +
     [row IN sources WHERE row.e IS NOT NULL | {source: row.c, link: 'MENTIONS', target: drawn[row.e.id], text: row.c.text}] +
     [row IN sources WHERE row.d IS NOT NULL | {source: row.d, link: 'HAS_CHUNK', target: row.c, text: row.c.text}] AS links
UNWIND apoc.coll.toSet(links) AS link
RETURN link.source AS source,
       apoc.create.vRelationship(link.source, link.link, coalesce(link.props, {}), link.target) AS relation,
       link.target AS target, link.link AS link, link.text AS text
ORDER BY link, text
