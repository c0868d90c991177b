// Generated QA per mode (stale ones separately).
MATCH (q:QA)
RETURN q.mode AS mode, count(CASE WHEN NOT coalesce(q.stale, false) THEN 1 END) AS qa,
       count(CASE WHEN q.stale THEN 1 END) AS stale
ORDER BY mode
