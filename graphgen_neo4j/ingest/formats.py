"""Reading PDF, HTML and DOCX files: each file is one document keyed by its path.

* **PDF**: the text layer of every page (``pypdf``), pages joined by a blank line; the
  document keeps where each page starts, so each chunk records its pages. A PDF with no
  text on any page (a scan) is an error naming the file: run OCR first.
* **HTML**: the text of the page (stdlib ``html.parser``): ``script``, ``style`` and the
  like dropped, block elements (paragraphs, headings, list items, table rows…) become
  paragraphs, runs of white space collapse (line breaks kept inside ``pre``).
* **DOCX**: the paragraphs of ``word/document.xml`` (stdlib ``zipfile`` and
  ``xml.etree``), one paragraph per ``w:p``; tabs and line breaks kept.

A file that cannot be read is an ``InputError`` naming it; ``readers.read_file`` skips and
counts it, or raises it under ``--strict``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from graphgen_neo4j.errors import InputError
from graphgen_neo4j.ingest.readers import SourceDocument, _decode

OCR_HINT = "no text layer (a scanned PDF?): run OCR first (e.g. ocrmypdf --sidecar) and ingest the text"


def read_document(path: Path, shown: str) -> Iterator[SourceDocument]:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        pages = pdf_pages(path, shown)
        text, starts = join_pages(pages)
        if not text.strip():
            raise InputError(OCR_HINT, path=shown)
        yield SourceDocument(shown, shown, None, None, text, page_starts=starts)
        return
    text = html_text(_decode(path.read_bytes(), shown)) if suffix in (".html", ".htm") else docx_text(path, shown)
    if not text.strip():
        raise InputError("no text in the file: nothing to ingest", path=shown)
    yield SourceDocument(shown, shown, None, None, text)


# -- PDF --------------------------------------------------------------------------------------


def pdf_pages(path: Path, shown: str) -> list[str]:
    """The text layer of each page, in order ('' for a page without one)."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - a dependency of the package
        raise InputError("reading PDF needs pypdf: pip install pypdf", path=shown) from None
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise InputError("the PDF is encrypted: save a copy without a password and ingest that", path=shown)
        return [(page.extract_text() or "").strip() for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(f"not a readable PDF ({type(exc).__name__}: {exc})", path=shown) from None


def join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    """Pure: the pages joined by a blank line, and the offset where each page starts."""
    starts: list[int] = []
    parts: list[str] = []
    offset = 0
    for page in pages:
        starts.append(offset)
        parts.append(page)
        offset += len(page) + 2
    return "\n\n".join(parts), tuple(starts)


# -- HTML -------------------------------------------------------------------------------------

_DROPPED = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object"})
_BLOCKS = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "blockquote", "pre", "figure", "figcaption", "br", "hr",
    "title", "address", "details", "summary",
})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropped = 0  # depth inside dropped elements
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropped += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        if tag == "pre":
            self.pre += 1
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropped = max(0, self.dropped - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.dropped:
            return
        self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_text(markup: str) -> str:
    """Pure: the readable text of an HTML page, one paragraph per block element."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.split("\n"))).strip()


# -- DOCX -------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(path: Path, shown: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("word/document.xml")
    except zipfile.BadZipFile:
        raise InputError("not a DOCX file (not a zip archive): save it as .docx from the word processor", path=shown) from None
    except KeyError:
        raise InputError("not a DOCX file (no word/document.xml): save it as .docx", path=shown) from None
    try:
        return docx_paragraphs(data)
    except ElementTree.ParseError as exc:
        raise InputError(f"word/document.xml is not valid XML ({exc})", path=shown) from None


def docx_paragraphs(document_xml: bytes) -> str:
    """Pure: the paragraphs of a ``word/document.xml``, separated by blank lines."""
    root = ElementTree.fromstring(document_xml)
    paragraphs = []
    for paragraph in root.iter(f"{_W}p"):
        pieces = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t" and node.text:
                pieces.append(node.text)
            elif node.tag == f"{_W}tab":
                pieces.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                pieces.append("\n")
        text = "".join(pieces).strip()
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)
