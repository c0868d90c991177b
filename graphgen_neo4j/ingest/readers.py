"""Reading input files into documents: JSONL, chunked JSON, plain text and Markdown here;
PDF, HTML and DOCX in ``formats.py``; CSV, Parquet and Hugging Face datasets in ``tables.py``.

* **JSONL** (upstream ``data_type: raw``): one ``{"content": "…"}`` per line; each line is
  a document keyed ``path#<content key>`` (16 hex digits of the text's hash), so inserting
  or moving lines changes no key. Blank lines are skipped; other keys ignored.
* **Chunked JSON** (upstream ``data_type: chunked``): a list of documents, each a list of
  ``{"content": "…"}`` chunks kept as they are (not chunked again); keyed
  ``path#<content key>`` like JSONL. A single ``{"content"}`` object in the list
  is a one-chunk document.
* **.txt / .md**: the whole file is one document keyed by its path.
* **.pdf / .html / .docx**: the whole file is one document keyed by its path (a PDF
  keeps where each page starts, so every chunk knows its pages).
* **.csv / .tsv / .parquet / a saved ``datasets`` folder / ``hf:owner/name[:split]``**:
  one document per row, its text from ``text_column`` (default: ``content``, else
  ``text``), the other columns kept as the document's ``metadata``; keyed
  ``path#<content key>`` like JSONL.
* A folder is read recursively (sorted; hidden files and other extensions skipped); a
  folder written by ``Dataset.save_to_disk`` is one input.

Every format is picked by its extension; ``data_type`` chooses among JSON, JSONL and text.

A malformed record (invalid JSON, no ``content``, empty content, bytes that are not
UTF-8) or an unusable file (empty, not JSON) is reported as an ``InputError`` naming the
file and line. Outside strict mode the record is skipped and counted, so one bad line
does not stop a 100k-line file; in strict mode the first one is raised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.choices import DataType
from graphgen_neo4j.errors import InputError
from graphgen_neo4j.ids import sha256_hex
from graphgen_neo4j.ingest.prepared import PreparedChunk, PreparedDocument, document_id, prepare

__all__ = [  # the prepared documents are re-exported: stages and tests import them from here
    "IssueLog", "PreparedChunk", "PreparedDocument", "SourceDocument", "document_id", "expand_paths", "prepare",
    "read_documents",
]

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSON_SUFFIXES = (".jsonl", ".json")
DOCUMENT_SUFFIXES = (".pdf", ".html", ".htm", ".docx")  # formats.py
TABLE_SUFFIXES = (".csv", ".tsv", ".parquet")  # tables.py
SUFFIXES = TEXT_SUFFIXES + JSON_SUFFIXES + DOCUMENT_SUFFIXES + TABLE_SUFFIXES
HF_PREFIX = "hf:"  # a dataset on the Hugging Face Hub, streamed: hf:owner/name or hf:owner/name:split
TEXT_COLUMNS = ("content", "text")  # the text column of a table when text_column is not set


@dataclass(frozen=True)
class SourceDocument:
    """One document as read: its text, or its chunks when the input came chunked."""

    source: str  # the file, as shown to the user
    source_key: str  # ``source`` or ``source#record``
    line: int | None  # where the record starts in the file
    chunks: tuple[str, ...] | None  # given chunks (chunked JSON), else None
    text: str
    metadata: Mapping[str, Any] | None = None  # a table row's other columns
    page_starts: tuple[int, ...] | None = None  # PDF: where each page starts in ``text``


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
    """The path relative to the working directory when it is inside it, else absolute (POSIX style);
    a streamed dataset (``hf:owner/name``) as given."""
    if is_hub_name(path):
        return path.as_posix()
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def is_hub_name(path: Path) -> bool:
    return path.as_posix().startswith(HF_PREFIX)


def is_saved_dataset(path: Path) -> bool:
    """A folder written by ``datasets``' ``save_to_disk`` (a Dataset or a DatasetDict)."""
    return path.is_dir() and ((path / "state.json").is_file() or (path / "dataset_dict.json").is_file())


def _folder_files(path: Path) -> list[Path]:
    hidden = lambda p: any(part.startswith(".") for part in p.relative_to(path).parts)  # noqa: E731
    datasets = sorted(p for p in path.rglob("*") if is_saved_dataset(p) and not hidden(p))
    inside = lambda p: any(d in p.parents for d in datasets)  # noqa: E731
    found = sorted(
        [p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES and not hidden(p) and not inside(p)]
        + [d for d in datasets if not any(o in d.parents for o in datasets)]
    )
    if not found:
        raise InputError(f"the folder holds no file to read: supported are {', '.join(SUFFIXES)} and saved "
                         "datasets (hidden files and folders are skipped)", path=str(path))
    return found


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Input files: the files given, and the readable files under the folders given (sorted, no repeats);
    a saved dataset folder and a ``hf:`` name stand for themselves."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if is_hub_name(path) or is_saved_dataset(path):
            files.append(path)
        elif path.is_dir():
            files.extend(_folder_files(path))
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise InputError(
                    f"cannot read {path.suffix or 'extensionless'} files: give one of {', '.join(SUFFIXES)}, "
                    "a saved dataset folder or hf:owner/name", path=str(path)
                )
            files.append(path)
        else:
            raise InputError("no such file or folder", path=str(path))
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file if is_hub_name(file) else file.resolve(), file)
    return list(unique.values())


def read_documents(
    paths: Iterable[str | Path], data_type: DataType = "auto", issues: IssueLog | None = None,
    text_column: str | None = None,
) -> Iterator[SourceDocument]:
    """The documents of every input file, in order, streaming (a JSONL file is never held whole)."""
    issues = issues if issues is not None else IssueLog()
    for path in expand_paths(paths):
        yield from read_file(path, data_type, issues, text_column)


def read_file(path: Path, data_type: DataType, issues: IssueLog, text_column: str | None = None) -> Iterator[SourceDocument]:
    shown = display_path(path)
    suffix = path.suffix.lower()
    try:
        if is_hub_name(path) or is_saved_dataset(path) or suffix in TABLE_SUFFIXES:
            from graphgen_neo4j.ingest import tables

            yield from tables.read_table(path, shown, issues, text_column)
            return
        if suffix in DOCUMENT_SUFFIXES:
            from graphgen_neo4j.ingest import formats

            yield from formats.read_document(path, shown)
            return
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
