// Sampled QA with the material they were written from: the relations of `q.relation_ids`
// (with their ends' names) and the entities of `q.entity_ids`, as the graph holds them now.
// Parameters: $ids — QA ids.
// Returns: id, question, answer, mode, language, relations [{source, target, description}],
//   entities [{name, type, description}].
:param ids => []
UNWIND $ids AS qa_id
MATCH (q:QA {id: qa_id})
CALL (q) {
  UNWIND coalesce(q.relation_ids, []) AS relation_id
  MATCH (s:Entity)-[r:RELATED {id: relation_id}]->(t:Entity)
  RETURN collect({source: s.name, target: t.name, description: coalesce(r.description, '')}) AS relations
}
CALL (q) {
  UNWIND coalesce(q.entity_ids, []) AS entity_id
  MATCH (e:Entity {id: entity_id})
  RETURN collect({name: e.name, type: coalesce(e.type, 'UNKNOWN'), description: coalesce(e.description, '')}) AS entities
}
RETURN q.id AS id, q.question AS question, q.answer AS answer, q.mode AS mode, q.language AS language,
       relations, entities
ORDER BY id
