"""Documents prepared for the graph: chunked (unless they came chunked), with content-hash
ids, token counts, languages, the pages of a PDF's chunks and a table row's metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphgen_neo4j.ids import content_id
from graphgen_neo4j.ingest.chunking import chunk_pages, chunk_text
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.tokens import count_tokens

if TYPE_CHECKING:
    from graphgen_neo4j.ingest.readers import SourceDocument


@dataclass(frozen=True)
class PreparedChunk:
    id: str  # chunk- + hash of the text
    text: str
    index: int
    tokens: int
    language: str
    pages: tuple[int, ...] | None = None  # PDF pages (1-based) the chunk's text comes from


@dataclass(frozen=True)
class PreparedDocument:
    """A document with its content-hash id and its chunks, ready to be written."""

    id: str  # doc- + hash of the text
    source: str
    source_key: str
    text: str
    language: str
    tokens: int
    chunks: tuple[PreparedChunk, ...]
    metadata: str | None = None  # JSON of a table row's other columns

    def row(self) -> dict[str, object]:
        """The parameters of ``cypher/ingest/create_documents.cypher`` for this document."""
        return {
            "id": self.id, "source": self.source, "source_key": self.source_key, "text": self.text,
            "language": self.language, "tokens": self.tokens, "metadata": self.metadata,
            "chunks": [
                {"id": c.id, "text": c.text, "index": c.index, "tokens": c.tokens, "language": c.language,
                 "pages": None if c.pages is None else list(c.pages)}
                for c in self.chunks
            ],
        }


def document_id(document: SourceDocument) -> str:
    return content_id("doc", document.text)


def prepare(document: SourceDocument, *, chunk_size: int, chunk_overlap: int, encoding: str) -> PreparedDocument:
    """Chunk a document (unless it came chunked) and give it and its chunks their ids."""
    texts = list(document.chunks) if document.chunks is not None else chunk_text(
        document.text, chunk_size=chunk_size, chunk_overlap=chunk_overlap, encoding=encoding
    )
    texts = [t for t in texts if t.strip()]
    pages = chunk_pages(document.text, texts, document.page_starts) if document.page_starts else [None] * len(texts)
    chunks = []
    for index, (text, chunk_pages_) in enumerate(zip(texts, pages)):
        chunks.append(PreparedChunk(
            id=content_id("chunk", text), text=text, index=index,
            tokens=count_tokens(text, encoding), language=detect_language(text), pages=chunk_pages_,
        ))
    tokens = sum(c.tokens for c in chunks) if document.chunks is not None else count_tokens(document.text, encoding)
    metadata = json.dumps(dict(document.metadata), ensure_ascii=False, default=str) if document.metadata else None
    return PreparedDocument(
        id=document_id(document), source=document.source, source_key=document.source_key, text=document.text,
        language=detect_language(document.text), tokens=tokens, chunks=tuple(chunks), metadata=metadata,
    )
