"""Reading tables: CSV/TSV (stdlib ``csv``), Parquet (``pyarrow``, the ``formats`` extra) and
Hugging Face datasets (``datasets``, optional): saved with ``save_to_disk`` or streamed by
name (``hf:owner/name``, ``hf:owner/name:split``; default the ``train`` split).

Every row is a document: its text is the ``text_column`` (default ``content``, else
``text``), its other columns are kept as the document's metadata. A row is keyed
``source#<content key>`` like a JSONL record. A row without text (empty, missing, not a
string) is reported with its line (CSV) or row number and skipped and counted, or raised
under ``--strict``; a table without the text column is unusable as a whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from graphgen_neo4j.errors import InputError
from graphgen_neo4j.ingest.readers import (
    HF_PREFIX,
    TEXT_COLUMNS,
    IssueLog,
    SourceDocument,
    _decode,
    is_hub_name,
    record_key,
)

FORMATS_EXTRA = "pip install 'graphgen-neo4j[formats]'"


def read_table(path: Path, shown: str, issues: IssueLog, text_column: str | None) -> Iterator[SourceDocument]:
    if is_hub_name(path):
        yield from _read_rows(_hub_rows(path.as_posix(), shown), shown, issues, text_column)
    elif path.is_dir():
        yield from _read_rows(_saved_rows(path, shown), shown, issues, text_column)
    elif path.suffix.lower() == ".parquet":
        yield from _read_rows(_parquet_rows(path, shown), shown, issues, text_column)
    else:
        yield from _read_csv(path, shown, issues, text_column)


def pick_column(columns: Iterable[str], text_column: str | None, shown: str) -> str:
    """The column holding the text: ``text_column`` when given, else the first of ``content``, ``text``."""
    names = list(columns)
    wanted = (text_column,) if text_column else TEXT_COLUMNS
    for name in wanted:
        if name in names:
            return name
    listed = ", ".join(names) or "none"
    if text_column:
        raise InputError(f"no column {text_column!r} (columns: {listed}): set text_column to one of them", path=shown)
    raise InputError(f"no 'content' or 'text' column (columns: {listed}): set text_column (--text-column)", path=shown)


def row_document(
    row: Mapping[str, Any], column: str, shown: str, line: int | None, issues: IssueLog, where: str = "",
) -> SourceDocument | None:
    """Pure but for reporting: the document of one row, or None after reporting why not."""
    text = row.get(column)
    if not isinstance(text, str):
        got = "nothing" if text is None else type(text).__name__
        issues.report(InputError(f"{where}column {column!r} must hold text, got {got}", path=shown, line=line))
        return None
    if not text.strip():
        issues.report(InputError(f"{where}column {column!r} is empty", path=shown, line=line))
        return None
    metadata = {str(k): v for k, v in row.items() if k != column and k is not None and v not in (None, "")}
    return SourceDocument(shown, record_key(shown, text), line, None, text, metadata=metadata or None)


# -- CSV ----------------------------------------------------------------------------------------


def _read_csv(path: Path, shown: str, issues: IssueLog, text_column: str | None) -> Iterator[SourceDocument]:
    text = _decode(path.read_bytes(), shown)
    if not text.strip():
        raise InputError("empty file: nothing to ingest", path=shown)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
    try:
        header = next(reader)
        column = pick_column(header, text_column, shown)
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                issues.report(InputError(f"{len(fields)} fields where the header has {len(header)}: quote fields "
                                         "that hold the delimiter", path=shown, line=line))
                continue
            document = row_document(dict(zip(header, fields)), column, shown, line, issues)
            if document is not None:
                yield document
    except csv.Error as exc:
        raise InputError(f"invalid CSV ({exc}); the rest of the file is skipped", path=shown, line=reader.line_num) from None


# -- Parquet and datasets: rows as dicts, numbered from 1 -----------------------------------------


Rows = Iterator[tuple[str, int, dict[str, Any], list[str]]]  # (where, row number, row, columns)


def _read_rows(rows: Rows, shown: str, issues: IssueLog, text_column: str | None) -> Iterator[SourceDocument]:
    column: str | None = None
    seen = False
    for where, number, row, columns in rows:
        seen = True
        column = column or pick_column(columns, text_column, shown)
        document = row_document(row, column, shown, None, issues, where=f"{where}row {number}: ")
        if document is not None:
            yield document
    if not seen:
        raise InputError("no rows: nothing to ingest", path=shown)


def _parquet_rows(path: Path, shown: str) -> Rows:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"reading Parquet needs pyarrow: {FORMATS_EXTRA}", path=shown) from None
    try:
        table = pq.ParquetFile(path)
        columns = list(table.schema_arrow.names)
        number = 0
        for batch in table.iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                number += 1
                yield "", number, row, columns
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise InputError(f"not a readable Parquet file ({exc})", path=shown) from None


def _datasets(shown: str) -> Any:
    try:
        import datasets
    except ImportError:
        raise InputError("reading Hugging Face datasets needs the datasets package: pip install 'graphgen-neo4j[formats]'", path=shown) from None
    return datasets


def _split_rows(splits: Mapping[str, Any] | None, dataset: Any) -> Rows:
    """Rows of a dataset, or of each split of a dataset dict (prefixed ``split NAME, ``)."""
    parts = [("", dataset)] if splits is None else [(f"split {name}, ", split) for name, split in splits.items()]
    for where, part in parts:
        columns = list(part.column_names or [])
        for number, row in enumerate(part, start=1):
            yield where, number, dict(row), columns or list(row)


def _saved_rows(path: Path, shown: str) -> Rows:
    datasets = _datasets(shown)
    try:
        loaded = datasets.load_from_disk(str(path))
    except (OSError, ValueError, FileNotFoundError) as exc:
        raise InputError(f"not a readable saved dataset ({exc})", path=shown) from None
    yield from _split_rows(loaded if isinstance(loaded, Mapping) else None, loaded)


def hub_name(given: str) -> tuple[str, str]:
    """Pure: ``hf:owner/name[:split]`` → (``owner/name``, split; default ``train``)."""
    name, _, split = given.removeprefix(HF_PREFIX).partition(":")
    return name, split or "train"


def _hub_rows(given: str, shown: str) -> Rows:
    datasets = _datasets(shown)
    name, split = hub_name(given)
    if not name:
        raise InputError("no dataset name after hf: (give hf:owner/name or hf:owner/name:split)", path=shown)
    try:
        stream = datasets.load_dataset(name, split=split, streaming=True)
        yield from _split_rows(None, stream)
    except (OSError, ValueError, FileNotFoundError, ConnectionError) as exc:
        raise InputError(f"cannot stream the dataset ({type(exc).__name__}: {exc})", path=shown) from None
