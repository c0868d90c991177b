// The material's language: the language most extracted chunks are in (the display-name rule).
// Parameters: none.
// Returns: language, chunks.
MATCH (c:Chunk) WHERE c.language IS NOT NULL
RETURN c.language AS language, count(*) AS chunks
ORDER BY chunks DESC, language
LIMIT 1
