"""Reading input files into documents: JSONL, chunked JSON, plain text and Markdown.

* **JSONL** (upstream ``data_type: raw``): one ``{"content": "…"}`` per line; each line is
  a document keyed ``path#<content key>`` (16 hex digits of the text's hash), so inserting
  or moving lines changes no key. Blank lines are skipped; other keys ignored.
* **Chunked JSON** (upstream ``data_type: chunked``): a list of documents, each a list of
  ``{"content": "…"}`` chunks kept as they are (not chunked again); keyed
  ``path#<content key>`` like JSONL. A single ``{"content"}`` object in the list
  is a one-chunk document.
* **.txt / .md**: the whole file is one document keyed by its path.
* A folder is read recursively (sorted; hidden files and other extensions skipped).

A malformed record (invalid JSON, no ``content``, empty content, bytes that are not
UTF-8) or an unusable file (empty, not JSON) is reported as an ``InputError`` naming the
file and line. Outside strict mode the record is skipped and counted, so one bad line
does not stop a 100k-line file; in strict mode the first one is raised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from graphgen_neo4j.choices import DataType
from graphgen_neo4j.errors import InputError
from graphgen_neo4j.ids import content_id, sha256_hex
from graphgen_neo4j.ingest.chunking import chunk_text
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.tokens import count_tokens

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSON_SUFFIXES = (".jsonl", ".json")
SUFFIXES = TEXT_SUFFIXES + JSON_SUFFIXES


@dataclass(frozen=True)
class SourceDocument:
    """One document as read: its text, or its chunks when the input came chunked."""

    source: str  # the file, as shown to the user
    source_key: str  # ``source`` or ``source#record``
    line: int | None  # where the record starts in the file
    chunks: tuple[str, ...] | None  # given chunks (chunked JSON), else None
    text: str


class InputIssue(BaseModel):
    """A skipped record or file."""

    path: str
    line: int | None = None
    message: str


class IssueLog:
    """Collects input problems: raises the first one when strict, else counts them (keeping the first few)."""

    def __init__(self, strict: bool = False, keep: int = 50):
        self.strict = strict
        self.keep = keep
        self.count = 0
        self.issues: list[InputIssue] = []
        self.files: set[str] = set()  # files with a skipped record (or unusable)

    def report(self, error: InputError) -> None:
        if self.strict:
            raise error
        self.count += 1
        self.files.add(error.path or "")
        if len(self.issues) < self.keep:
            message = str(error)
            prefix = f"{error.path}:{error.line}: " if error.line is not None else f"{error.path}: "
            self.issues.append(InputIssue(path=error.path or "", line=error.line, message=message.removeprefix(prefix)))


class _Silent(IssueLog):
    """Ignores problems (for a second pass over inputs already checked)."""

    def report(self, error: InputError) -> None:
        pass


SILENT = _Silent()


def record_key(shown: str, text: str) -> str:
    """``path#<content key>`` of a record in a multi-record file: the same text is the same
    record wherever it stands in the file (and a duplicate line is not a second source)."""
    return f"{shown}#{sha256_hex(text)[:16]}"


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is inside it, else absolute (POSIX style)."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Input files: the files given, and the readable files under the folders given (sorted, no repeats)."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise InputError(f"the folder holds no file to read: supported are {', '.join(SUFFIXES)} "
                                 "(hidden files and folders are skipped)", path=str(path))
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise InputError(
                    f"cannot read {path.suffix or 'extensionless'} files: give .jsonl, .json, .txt or .md", path=str(path)
                )
            files.append(path)
        else:
            raise InputError("no such file or folder", path=str(path))
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file)
    return list(unique.values())


def read_documents(paths: Iterable[str | Path], data_type: DataType = "auto", issues: IssueLog | None = None) -> Iterator[SourceDocument]:
    """The documents of every input file, in order, streaming (a JSONL file is never held whole)."""
    issues = issues if issues is not None else IssueLog()
    for path in expand_paths(paths):
        yield from read_file(path, data_type, issues)


def read_file(path: Path, data_type: DataType, issues: IssueLog) -> Iterator[SourceDocument]:
    shown = display_path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES or data_type == "text":
            yield from _read_text(path, shown, issues)
            return
        kind = data_type if data_type in ("raw", "chunked") else _sniff_json(path, shown)
        if kind == "chunked":
            yield from _read_chunked(path, shown, issues)
        else:
            yield from _read_jsonl(path, shown, issues)
    except InputError as error:  # the whole file is unusable
        issues.report(error)


def _sniff_json(path: Path, shown: str) -> str:
    """``chunked`` when the file starts with ``[``, else ``raw`` (JSON Lines)."""
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise InputError("empty file: nothing to ingest", path=shown)
    return "chunked" if head.startswith(b"[") else "raw"


def _read_jsonl(path: Path, shown: str, issues: IssueLog) -> Iterator[SourceDocument]:
    seen_any = False
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                issues.report(InputError(f"not UTF-8 (byte {exc.start + 1} of the line): save the file as UTF-8", path=shown, line=number))
                seen_any = True
                continue
            if not line.strip():
                continue
            seen_any = True
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                issues.report(InputError(f"invalid JSON: {_json_problem(exc)}", path=shown, line=number))
                continue
            content = _content(record, shown, number, issues)
            if content is not None:
                yield SourceDocument(shown, record_key(shown, content), number, None, content)
    if not seen_any:
        raise InputError("empty file: nothing to ingest", path=shown)


def _content(record: object, shown: str, line: int | None, issues: IssueLog, where: str = "") -> str | None:
    """The non-empty ``content`` string of a record, or None after reporting why not."""
    if not isinstance(record, dict):
        issues.report(InputError(f"{where}expected an object with \"content\", got {type(record).__name__}", path=shown, line=line))
        return None
    if "content" not in record:
        keys = ", ".join(sorted(map(str, record))) or "none"
        issues.report(InputError(f"{where}no \"content\" key (keys: {keys})", path=shown, line=line))
        return None
    content = record["content"]
    if not isinstance(content, str):
        issues.report(InputError(f"{where}\"content\" must be a string, got {type(content).__name__}", path=shown, line=line))
        return None
    if not content.strip():
        issues.report(InputError(f"{where}\"content\" is empty", path=shown, line=line))
        return None
    return content


def _decode(data: bytes, shown: str) -> str:
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")  # a slice is a copy: the BOM case pays it once
    except UnicodeDecodeError as exc:
        exc.start += bom
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not UTF-8 (byte {column} of the line, {exc.start + 1} of the file): save the file as UTF-8",
            path=shown, line=line,
        ) from None


def _read_text(path: Path, shown: str, issues: IssueLog) -> Iterator[SourceDocument]:
    text = _decode(path.read_bytes(), shown)
    if not text.strip():
        raise InputError("empty file: nothing to ingest", path=shown)
    yield SourceDocument(shown, shown, None, None, text)


def _read_chunked(path: Path, shown: str, issues: IssueLog) -> Iterator[SourceDocument]:
    """A JSON list of lists of ``{"content"}``, read element by element to know each one's line."""
    text = _decode(path.read_bytes(), shown)
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position >= len(text):
        raise InputError("empty file: nothing to ingest", path=shown)
    if text[position] != "[":
        raise InputError("a chunked JSON file must hold a list of documents (lists of {\"content\": …})", path=shown, line=_line(text, position))
    position = _skip_space(text, position + 1)
    lines = _LineCounter(text)
    number = 0
    while position < len(text) and text[position] != "]":
        number += 1
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {_json_problem(exc)}; the rest of the file is skipped", path=shown, line=exc.lineno) from None
        line = lines.at(position)
        document = _chunked_document(value, shown, number, line, issues)
        if document is not None:
            yield document
        position = _skip_space(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
        elif position < len(text) and text[position] != "]":
            raise InputError("invalid JSON: expected ',' or ']' between documents; the rest of the file is skipped", path=shown, line=_line(text, position))
    if position >= len(text):
        raise InputError("invalid JSON: the list is not closed with ']'", path=shown, line=_line(text, len(text)))
    if number == 0:
        raise InputError("empty list: nothing to ingest", path=shown)


def _chunked_document(value: object, shown: str, number: int, line: int, issues: IssueLog) -> SourceDocument | None:
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not items:
        issues.report(InputError(f"document {number}: expected a non-empty list of {{\"content\": …}}", path=shown, line=line))
        return None
    chunks = []
    for index, item in enumerate(items, start=1):
        content = _content(item, shown, line, issues, where=f"document {number}, chunk {index}: ")
        if content is None:
            return None  # a document with a hole in it would be a different document
        chunks.append(content.strip())
    text = "\n\n".join(chunks)
    return SourceDocument(shown, record_key(shown, text), line, tuple(chunks), text)


def _json_problem(exc: json.JSONDecodeError) -> str:
    return f"{exc.msg.removesuffix(' at')} (column {exc.colno})"


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


class _LineCounter:
    """Line numbers of increasing positions, counted incrementally (a big file stays linear)."""

    def __init__(self, text: str):
        self.text = text
        self.position = 0
        self.line = 1

    def at(self, position: int) -> int:
        self.line += self.text.count("\n", self.position, position)
        self.position = position
        return self.line




# ------------------------------------------------------------------ prepared for the graph

@dataclass(frozen=True)
class PreparedChunk:
    id: str  # chunk- + hash of the text
    text: str
    index: int
    tokens: int
    language: str


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

    def row(self) -> dict[str, object]:
        """The parameters of ``cypher/ingest/create_documents.cypher`` for this document."""
        return {
            "id": self.id, "source": self.source, "source_key": self.source_key, "text": self.text,
            "language": self.language, "tokens": self.tokens,
            "chunks": [
                {"id": c.id, "text": c.text, "index": c.index, "tokens": c.tokens, "language": c.language}
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
    chunks = []
    for index, text in enumerate(t for t in texts if t.strip()):
        chunks.append(PreparedChunk(
            id=content_id("chunk", text), text=text, index=index,
            tokens=count_tokens(text, encoding), language=detect_language(text),
        ))
    tokens = sum(c.tokens for c in chunks) if document.chunks is not None else count_tokens(document.text, encoding)
    return PreparedDocument(
        id=document_id(document), source=document.source, source_key=document.source_key, text=document.text,
        language=detect_language(document.text), tokens=tokens, chunks=tuple(chunks),
    )
