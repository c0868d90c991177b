// How many of the given chunks are extracted already (a re-run skips them).
:param ids => ['chunk-…']
UNWIND $ids AS id
MATCH (c:Chunk {id: id, status: 'extracted'})
RETURN count(c) AS done
