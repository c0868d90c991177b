// One step of a label propagation round, for a chunk of the entities of one group (a round
// updates four groups, by first label modulo 4, one after another: partition/units.py): each
// entity takes the label most common among its own and those of its neighbours — one vote per
// usable relation to another labelled entity, either direction — ties to the smallest label.
// The new label goes to community_next, so all entities of a group read the labels as they were
// before the group (its chunks and their order do not change the result); community_swap.cypher
// then makes them current, before the next group. Unlabelled entities (excluded, or outside the
// component with use_lcc) do not vote.
// Parameters: $keys (elementIds of labelled entities of one group).   Returns: changed.
:param keys => ['4:…:0']
UNWIND $keys AS key
MATCH (e:Entity)
WHERE elementId(e) = key
CALL (e) {
  MATCH (e)-[r:RELATED]-(m:Entity)
  WHERE m <> e AND m.community_label IS NOT NULL AND coalesce(r.excluded, false) = false
  RETURN m.community_label AS label
  UNION ALL
  RETURN e.community_label AS label
}
WITH e, label, count(*) AS votes
WITH e, collect([votes, label]) AS tally
WITH e, reduce(best = [0, null], x IN tally |
               CASE WHEN x[0] > best[0] OR (x[0] = best[0] AND x[1] < best[1]) THEN x ELSE best END)[1] AS next
SET e.community_next = next
RETURN count(CASE WHEN next <> e.community_label THEN 1 END) AS changed
