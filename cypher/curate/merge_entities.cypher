// Merge one entity into another: `absorb` disappears, `keep` takes over everything it had.
// * relations: each relation of `absorb` is re-attached to `keep` and gets the id of its new
//   (source, target) pair (rel-… hashes the pair). If `keep` already has that relation, the two
//   are folded into one: descriptions, keywords, chunk_ids and the per-chunk evidence accumulate,
//   strength is the mean over chunks, excluded if either was. A relation between the two
//   entities would become a loop and is deleted (extraction never keeps loops either).
// * mentions, aliases (the absorbed name becomes an alias, source 'merged'), batch and QA links,
//   SAME_AS proposals (a rejection is kept): all move to `keep`; type votes add up.
// * recorded on `keep`: merged_from (ids of the entities merged into it), merged_at; on each moved
//   relation: merged_from (its former id and the ids folded into it).
// * QA generated from the absorbed entity or from a relation that moved are marked stale.
// `keep` keeps its name, excluded flag and losses; its type is the majority of the added-up
// votes and its description is rebuilt from both descriptions lists, unless an analyst set them
// (`type` / `description` in keep.locked).
// Parameters: $keep, $absorb — entity ids (ent-…) or exact names.
// Returns: kept_id, kept_name, absorbed_id, absorbed_name, relations_moved, relations_folded,
//   loops_dropped, mentions, aliases, qa_marked_stale.
:param keep => null
:param absorb => null
CALL () {
  MATCH (e:Entity) WHERE e.id = $keep OR e.name = $keep
  RETURN collect(e) AS keeps
}
CALL () {
  MATCH (e:Entity) WHERE e.id = $absorb OR e.name = $absorb
  RETURN collect(e) AS absorbs
}
CALL apoc.util.validate(size(keeps) <> 1, 'keep: expected one entity with id or name %s, found %d', [$keep, size(keeps)])
CALL apoc.util.validate(size(absorbs) <> 1, 'absorb: expected one entity with id or name %s, found %d', [$absorb, size(absorbs)])
WITH keeps[0] AS keep, absorbs[0] AS gone
CALL apoc.util.validate(keep = gone, 'keep and absorb are the same entity (%s)', [keep.id])
WITH keep, gone, gone.id AS gone_id, gone.name AS gone_name

// -- relations: re-key onto keep, fold into an existing one, or drop a loop ---------------------
CALL (keep, gone) {
  MATCH (gone)-[r:RELATED]-()
  WITH DISTINCT r, keep, gone
  WITH r, r.id AS old_id,
       CASE WHEN startNode(r) = gone THEN keep ELSE startNode(r) END AS s,
       CASE WHEN endNode(r) = gone THEN keep ELSE endNode(r) END AS t
  WITH r, old_id, s, t, 'rel-' + left(apoc.util.sha256([s.id + '->' + t.id]), 24) AS new_id
  OPTIONAL MATCH (s)-[existing:RELATED {id: new_id}]->(t)
  CALL (r, old_id, s, t, new_id, existing) {
    WITH * WHERE s = t
    DELETE r
    RETURN 'dropped' AS outcome
    UNION
    WITH * WHERE s <> t AND existing IS NOT NULL
    // evidence is kept per chunk in lists aligned with chunk_ids, sorted by chunk (as extraction writes it):
    // a chunk both relations came from keeps one entry holding both descriptions
    WITH *, coalesce(existing.chunk_ids, []) AS kc, coalesce(r.chunk_ids, []) AS mc,
         existing.evidence_descriptions IS NOT NULL OR r.evidence_descriptions IS NOT NULL AS has_evidence
    WITH *, [i IN range(0, size(mc) - 1) WHERE NOT mc[i] IN kc] AS fresh,
         [j IN range(0, size(kc) - 1) | apoc.coll.indexOf(mc, kc[j])] AS shared,
         coalesce(existing.evidence_descriptions, [c IN kc | coalesce(existing.description, '')]) AS ked,
         coalesce(r.evidence_descriptions, [c IN mc | coalesce(r.description, '')]) AS med,
         coalesce(existing.evidence_keywords, [c IN kc | apoc.text.join(coalesce(existing.keywords, []), '|')]) AS kek,
         coalesce(r.evidence_keywords, [c IN mc | apoc.text.join(coalesce(r.keywords, []), '|')]) AS mek,
         coalesce(existing.evidence_strengths, [c IN kc | coalesce(existing.strength, 5.0)]) AS kes,
         coalesce(r.evidence_strengths, [c IN mc | coalesce(r.strength, 5.0)]) AS mes
    WITH *, apoc.coll.sortMaps(
           [j IN range(0, size(kc) - 1) | {
              chunk: kc[j],
              description: CASE WHEN shared[j] >= 0 AND coalesce(med[shared[j]], '') <> ''
                                     AND NOT coalesce(ked[j], '') CONTAINS med[shared[j]]
                                THEN trim(coalesce(ked[j], '') + ' ' + med[shared[j]]) ELSE ked[j] END,
              keywords: CASE WHEN shared[j] >= 0
                             THEN apoc.text.join([k IN apoc.coll.toSet(split(coalesce(kek[j], ''), '|')
                                                  + split(coalesce(mek[shared[j]], ''), '|')) WHERE k <> ''], '|')
                             ELSE kek[j] END,
              strength: kes[j]}]
           + [i IN fresh | {chunk: mc[i], description: med[i], keywords: mek[i], strength: mes[i]}],
           '^chunk') AS evidence,
         apoc.coll.sort(apoc.coll.toSet(coalesce(existing.descriptions, []) + coalesce(r.descriptions, []))) AS descriptions
    WITH *, [e IN evidence | e.strength] AS evidence_strengths
    SET existing.chunk_ids = [e IN evidence | e.chunk],
        existing.evidence_descriptions = CASE WHEN has_evidence THEN [e IN evidence | e.description] END,
        existing.evidence_keywords = CASE WHEN has_evidence THEN [e IN evidence | e.keywords] END,
        existing.evidence_strengths = CASE WHEN has_evidence THEN evidence_strengths END,
        existing.descriptions = descriptions,
        existing.keywords = coalesce(existing.keywords, [])
          + [k IN coalesce(r.keywords, []) WHERE NOT k IN coalesce(existing.keywords, [])],
        existing.strength = CASE
          WHEN size(evidence_strengths) > 0 THEN apoc.coll.avg(evidence_strengths)
          ELSE coalesce((existing.strength + r.strength) / 2, existing.strength, r.strength) END,
        existing.excluded = coalesce(existing.excluded, false) OR coalesce(r.excluded, false),
        existing.merged_from = coalesce(existing.merged_from, []) + old_id + coalesce(r.merged_from, [])
    // the description is rebuilt from the descriptions (one per line) as extraction does,
    // a long one, or one that was a summary, waits for the next summary pass
    WITH *, apoc.text.join(descriptions, '\n') AS joined
    SET existing.summary_pending = CASE
          WHEN 'description' IN coalesce(existing.locked, []) THEN existing.summary_pending
          WHEN coalesce(existing.summarized, false) OR coalesce(r.summarized, false) OR size(joined) > 600 THEN true
          ELSE null END,
        existing.summarized = CASE WHEN 'description' IN coalesce(existing.locked, []) THEN existing.summarized ELSE false END,
        existing.description = CASE WHEN 'description' IN coalesce(existing.locked, []) THEN existing.description ELSE joined END
    DELETE r
    RETURN 'folded' AS outcome
    UNION
    WITH * WHERE s <> t AND existing IS NULL
    CREATE (s)-[moved:RELATED]->(t)
    SET moved = apoc.map.merge(properties(r), {id: new_id, merged_from: coalesce(r.merged_from, []) + old_id})
    DELETE r
    WITH old_id, new_id
    // the loss history follows the relation to its new id (unless that id has history already)
    CALL (old_id, new_id) {
      MATCH (j:Judgement {item_id: old_id})
      WHERE NOT EXISTS { MATCH (:Judgement {id: new_id + '@' + j.trainee_model}) }
      SET j.item_id = new_id, j.id = new_id + '@' + j.trainee_model
    }
    RETURN 'moved' AS outcome
  }
  RETURN count(CASE outcome WHEN 'moved' THEN 1 END) AS relations_moved,
         count(CASE outcome WHEN 'folded' THEN 1 END) AS relations_folded,
         count(CASE outcome WHEN 'dropped' THEN 1 END) AS loops_dropped,
         collect(old_id) AS old_relation_ids
}

// -- mentions, aliases, batches, QA ------------------------------------------------------------
CALL (keep, gone) {
  MATCH (c:Chunk)-[m:MENTIONS]->(gone)
  MERGE (c)-[kept:MENTIONS]->(keep)
  ON CREATE SET kept = properties(m)
  ON MATCH SET kept.description = CASE
    WHEN coalesce(m.description, '') = '' OR coalesce(kept.description, '') CONTAINS m.description THEN kept.description
    ELSE trim(coalesce(kept.description, '') + ' ' + m.description) END
  DELETE m
  RETURN count(m) AS mentions
}
CALL (keep, gone) {
  MATCH (a:Alias)-[x:ALIAS_OF]->(gone)
  MERGE (a)-[:ALIAS_OF]->(keep)
  SET a.source = CASE a.source WHEN 'name' THEN 'merged' ELSE a.source END
  DELETE x
  RETURN count(a) AS aliases
}
CALL (keep, gone) {
  MATCH (b:Batch)-[x:HAS_ENTITY]->(gone)
  MERGE (b)-[:HAS_ENTITY]->(keep)
  DELETE x
}
CALL (keep, gone) {
  MATCH (q:QA)-[x:ABOUT]->(gone)
  MERGE (q)-[:ABOUT]->(keep)
  DELETE x
}
// SAME_AS: drop the one between the pair; move the others (a rejection wins over what keep had)
CALL (keep, gone) {
  MATCH (gone)-[x:SAME_AS]-(other)
  WITH DISTINCT x, other, keep, gone, startNode(x) = gone AS outgoing
  OPTIONAL MATCH (keep)-[known:SAME_AS]-(other)
  WITH x, other, keep, gone, outgoing, head(collect(known)) AS known,
       other <> keep AND other <> gone AS moves
  FOREACH (_ IN CASE WHEN moves AND known IS NULL AND outgoing THEN [1] ELSE [] END |
    CREATE (keep)-[y:SAME_AS]->(other) SET y = properties(x))
  FOREACH (_ IN CASE WHEN moves AND known IS NULL AND NOT outgoing THEN [1] ELSE [] END |
    CREATE (other)-[y:SAME_AS]->(keep) SET y = properties(x))
  FOREACH (_ IN CASE WHEN moves AND known IS NOT NULL AND x.status = 'rejected' THEN [1] ELSE [] END |
    SET known.status = 'rejected')
  DELETE x
}

// -- the survivor's properties --------------------------------------------------------------
// type votes add up; most votes first, ties in the order keep had them (as extraction orders them)
CALL (keep, gone) {
  WITH coalesce(keep.type_votes, []) + coalesce(gone.type_votes, []) AS votes
  UNWIND range(0, size(votes) - 1) AS i
  WITH i, split(votes[i], '=') AS parts
  WITH apoc.text.join(parts[0..-1], '=') AS type, toInteger(parts[-1]) AS n, i
  WITH type, sum(coalesce(n, 0)) AS n, min(i) AS first ORDER BY n DESC, first
  RETURN collect(type + '=' + toString(n)) AS type_votes,
         head([t IN collect(type) WHERE t <> 'UNKNOWN'] + ['UNKNOWN']) AS majority
}
WITH keep, gone, gone_id, gone_name, type_votes, majority,
     relations_moved, relations_folded, loops_dropped, old_relation_ids, mentions, aliases,
     [n IN coalesce(keep.aliases, []) + [gone.name] + coalesce(gone.aliases, []) WHERE n <> keep.name] AS alias_names,
     apoc.coll.sort(apoc.coll.toSet(coalesce(keep.descriptions, []) + coalesce(gone.descriptions, []))) AS descriptions,
     'description' IN coalesce(keep.locked, []) AS description_locked
WITH *, apoc.text.join(descriptions, '\n') AS joined
SET keep.aliases = apoc.coll.toSet(alias_names),
    keep.descriptions = descriptions,
    keep.summary_pending = CASE
      WHEN description_locked THEN keep.summary_pending
      WHEN coalesce(keep.summarized, false) OR coalesce(gone.summarized, false) OR size(joined) > 600 THEN true
      ELSE null END,
    keep.summarized = CASE WHEN description_locked THEN keep.summarized ELSE false END,
    keep.description = CASE WHEN description_locked THEN keep.description ELSE joined END,
    keep.type_votes = type_votes,
    keep.type = CASE WHEN 'type' IN coalesce(keep.locked, []) OR size(type_votes) = 0 THEN keep.type ELSE majority END,
    keep.merged_from = coalesce(keep.merged_from, []) + gone.id + coalesce(gone.merged_from, []),
    keep.merged_at = datetime(),
    keep.mention_count = COUNT { (:Chunk)-[:MENTIONS]->(keep) }
// anything still attached to gone (a relationship type added after this file was written)
// moves to keep; gone's own properties are dropped first so none is copied over.
SET gone = {}
WITH keep, gone, gone_id, gone_name, relations_moved, relations_folded, loops_dropped,
     old_relation_ids, mentions, aliases
CALL apoc.refactor.mergeNodes([keep, gone], {properties: 'discard', mergeRels: false}) YIELD node

// -- QA made from what just went away are stale ------------------------------------------------
CALL (node, gone_id, old_relation_ids) {
  MATCH (q:QA)
  WHERE gone_id IN coalesce(q.entity_ids, [])
     OR any(id IN coalesce(q.relation_ids, []) WHERE id IN old_relation_ids)
  WITH q, 'entity ' + gone_id + ' merged into ' + node.id AS reason
  SET q.stale = true,
      q.stale_reasons = coalesce(q.stale_reasons, []) + [x IN [reason] WHERE NOT x IN coalesce(q.stale_reasons, [])]
  RETURN count(q) AS qa_marked_stale
}
RETURN node.id AS kept_id, node.name AS kept_name, gone_id AS absorbed_id, gone_name AS absorbed_name,
       relations_moved, relations_folded, loops_dropped, mentions, aliases, qa_marked_stale
