// The relations' loss as it stands: how many have one for the trainee model, their
// mean / median / max / mean confidence, and how many fall in each histogram bin.
// Parameters: $model (trainee model; null = whichever model each relation's loss is from),
//             $edges (ascending upper bin edges; bin i holds losses with exactly i edges <= loss).
// Returns: relations, judged, mean, median, max, mean_confidence, bins (len($edges) + 1 counts).
:param model => 'Qwen2.5-7B-Instruct'
:param edges => [0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0]
MATCH (s:Entity)-[r:RELATED]->(t:Entity)
WHERE coalesce(r.excluded, false) = false
  AND coalesce(s.excluded, false) = false AND coalesce(t.excluded, false) = false
WITH r, r.loss IS NOT NULL AND ($model IS NULL OR r.loss_model = $model) AS judged
WITH count(r) AS relations,
     count(CASE WHEN judged THEN 1 END) AS judged,
     avg(CASE WHEN judged THEN r.loss END) AS mean,
     percentileCont(CASE WHEN judged THEN r.loss END, 0.5) AS median,
     max(CASE WHEN judged THEN r.loss END) AS max,
     avg(CASE WHEN judged THEN r.loss_confidence END) AS mean_confidence,
     collect(CASE WHEN judged THEN size([edge IN $edges WHERE r.loss >= edge]) END) AS bin_of
RETURN relations, judged, mean, median, max, mean_confidence,
       [i IN range(0, size($edges)) | size([b IN bin_of WHERE b = i])] AS bins
