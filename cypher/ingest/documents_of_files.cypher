// Documents that some source in the given files holds (candidates for losing sources).
// A source key is the file itself (.txt/.md) or file#record (JSONL, chunked JSON).
// Parameters: $files — file paths as shown (display paths)
// Returns: id, sources
:param files => ['examples/rice_zh.jsonl']
MATCH (d:Document)
WITH d, coalesce(d.sources, [d.source_key]) AS sources
WHERE any(s IN sources WHERE s IN $files OR any(f IN $files WHERE s STARTS WITH f + '#'))
RETURN d.id AS id, sources
