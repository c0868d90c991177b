// The evidence relations have gathered so far, looked up by their directed endpoints.
// Parameters: $pairs — [{source_id, target_id}]
// Returns: source_id, target_id, id, chunk_ids, evidence_descriptions, evidence_keywords,
//          evidence_strengths, descriptions, locked (what an analyst fixed)
:param pairs => []
UNWIND $pairs AS pair
MATCH (:Entity {id: pair.source_id})-[r:RELATED]->(:Entity {id: pair.target_id})
RETURN pair.source_id AS source_id, pair.target_id AS target_id, r.id AS id, r.chunk_ids AS chunk_ids,
       r.evidence_descriptions AS evidence_descriptions, r.evidence_keywords AS evidence_keywords,
       r.evidence_strengths AS evidence_strengths, r.descriptions AS descriptions, r.locked AS locked
