// Text of the chunks already extracted: `estimate` counts their sentences to calibrate
// how many relations a sentence yields with this model and this kind of text.
MATCH (c:Chunk {status: 'extracted'})
RETURN c.text AS text
