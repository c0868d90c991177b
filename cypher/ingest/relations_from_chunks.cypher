// Relations around these entities that were extracted (also) from these chunks, with their evidence.
// Parameters: $entity_ids; $chunk_ids
// Returns: id, chunk_ids, evidence_descriptions, evidence_keywords, evidence_strengths, descriptions, locked
:param entity_ids => []
:param chunk_ids => []
MATCH (e:Entity)-[r:RELATED]-()
WHERE e.id IN $entity_ids AND any(id IN r.chunk_ids WHERE id IN $chunk_ids)
WITH DISTINCT r
RETURN r.id AS id, r.chunk_ids AS chunk_ids, r.evidence_descriptions AS evidence_descriptions,
       r.evidence_keywords AS evidence_keywords, r.evidence_strengths AS evidence_strengths,
       r.descriptions AS descriptions, r.locked AS locked
