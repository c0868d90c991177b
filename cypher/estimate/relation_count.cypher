// Relations in the graph (calibration for `estimate`).
MATCH (:Entity)-[r:RELATED]->(:Entity)
RETURN count(r) AS relations
