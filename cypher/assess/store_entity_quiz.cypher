// Store the quiz statements written for entities (loss_strategy: both). New statements
// make the entity's current loss meaningless, so it is removed; the Judgement history keeps it.
// Parameters: $rows — list of {id, statements, labels, sources, source_hash, samples}; sources say
// where each statement came from: description, model, negate (asked for alone) or template.
:param rows => [{id: 'ent-…', statements: ['A is a rice gene.', 'It is not true that A is a rice gene.'], labels: [true, false], sources: ['description', 'template'], source_hash: '…', samples: 1}]
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e.quiz_statements = row.statements, e.quiz_labels = row.labels, e.quiz_sources = row.sources,
    e.quiz_source_hash = row.source_hash, e.quiz_samples = row.samples, e.quizzed_at = datetime()
REMOVE e.loss, e.loss_model, e.loss_confidence, e.loss_statements, e.loss_p_yes, e.loss_p_no, e.judged_at
RETURN count(e) AS stored
