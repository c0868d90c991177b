// What analysts changed: excluded items, merged entities, renamed / retyped / corrected
// items (`locked`), stale QA — the state later runs work from.
// Parameters: none.
// Returns: kind, item, change, detail.
CALL () {
  MATCH (e:Entity) WHERE e.excluded
  RETURN 'entity' AS kind, e.name AS item, 'excluded' AS change, e.excluded_reason AS detail
  UNION ALL
  MATCH (s)-[r:RELATED]->(t) WHERE r.excluded
  RETURN 'relation' AS kind, s.name + ' -> ' + t.name AS item, 'excluded' AS change, r.excluded_reason AS detail
  UNION ALL
  MATCH (e:Entity) WHERE size(coalesce(e.merged_from, [])) > 0
  RETURN 'entity' AS kind, e.name AS item, 'merged' AS change,
         toString(size(e.merged_from)) + ' merged in: ' + apoc.text.join(e.merged_from, ', ') AS detail
  UNION ALL
  MATCH (e:Entity) WHERE size(coalesce(e.locked, [])) > 0
  RETURN 'entity' AS kind, e.name AS item, 'set by hand' AS change, apoc.text.join(e.locked, ', ') AS detail
  UNION ALL
  MATCH (s)-[r:RELATED]->(t) WHERE size(coalesce(r.locked, [])) > 0
  RETURN 'relation' AS kind, s.name + ' -> ' + t.name AS item, 'set by hand' AS change, apoc.text.join(r.locked, ', ') AS detail
  UNION ALL
  MATCH (q:QA) WHERE q.stale
  RETURN 'qa' AS kind, q.question AS item, 'stale' AS change, apoc.text.join(coalesce(q.stale_reasons, []), '; ') AS detail
}
RETURN kind, item, change, detail
ORDER BY kind, change, item
