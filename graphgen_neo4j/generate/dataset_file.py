"""Writing a dataset file without ever destroying one, and its LLaMA-Factory ``dataset_info.json``.

``write_dataset(path, records, json_lines=…, overwrite=False)``:

* the records go to a temporary file in the same folder, renamed into place when complete:
  an interrupted write leaves the old file as it was and no part file;
* an existing dataset is not replaced by an empty or smaller one unless ``overwrite``
  (``ReplaceRefused``: the new records are dropped, the old file untouched);
* a replaced dataset is kept as ``<name>.prev`` (one generation back);
* the file is written with mode 0644 (readable by a trainer running as another user).

``merge_dataset_info(folder, name, entry)`` adds or updates one entry of
``<folder>/dataset_info.json``, keeping every other entry.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphgen_neo4j.errors import GraphGenError

FILE_MODE = 0o644
DATASET_INFO = "dataset_info.json"


class ReplaceRefused(GraphGenError):
    """An export would replace a dataset with an empty or smaller one."""


def prev_path(path: str | Path) -> Path:
    target = Path(path)
    return target.with_name(target.name + ".prev")


def count_records(path: str | Path) -> int:
    """Records in an existing dataset file: non-blank lines of JSONL, items of a JSON array."""
    target = Path(path)
    text = target.read_text(encoding="utf-8", errors="replace")
    if target.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError:
            return sum(1 for line in text.splitlines() if line.strip())  # not an array: count what is there
        return len(data) if isinstance(data, list) else 1
    return sum(1 for line in text.splitlines() if line.strip())


def _write_temp(target: Path, records: Iterable[dict[str, Any]], json_lines: bool) -> tuple[str, int]:
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    count = 0
    try:
        with handle:
            if not json_lines:
                handle.write("[")
            for record in records:
                line = json.dumps(record, ensure_ascii=False)
                if json_lines:
                    handle.write(line + "\n")
                else:
                    handle.write(("\n  " if count == 0 else ",\n  ") + line)
                count += 1
            if not json_lines:
                handle.write("\n]\n" if count else "]\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, FILE_MODE)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return handle.name, count


def _keep_previous(target: Path) -> None:
    """Keep the file about to be replaced as ``<name>.prev`` (a hard link, else a copy)."""
    prev = prev_path(target)
    prev.unlink(missing_ok=True)
    try:
        os.link(target, prev)
    except OSError:
        shutil.copy2(target, prev)


def write_dataset(path: str | Path, records: Iterable[dict[str, Any]], *, json_lines: bool,
                  overwrite: bool = False) -> int:
    """Write ``records`` to ``path`` atomically; returns how many. See the module docstring."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp, count = _write_temp(target, records, json_lines)
    try:
        if target.exists():
            old = count_records(target)
            if count < old and not overwrite:
                raise ReplaceRefused(
                    f"export refused: {target} holds {old} records and this export has {count}; "
                    f"it was left as it was — pass --overwrite (config output.overwrite: true) to replace it "
                    f"(the old file is kept as {prev_path(target).name}), or write to another --output"
                )
            _keep_previous(target)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count


def write_json_atomic(path: Path, data: Any) -> None:
    """A small JSON file, written whole or not at all, mode 0644."""
    temp, _ = _write_temp(path, [], json_lines=True)  # an empty file with the right mode
    try:
        Path(temp).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def merge_dataset_info(folder: str | Path, name: str, entry: dict[str, Any]) -> Path:
    """Add or replace entry ``name`` of ``<folder>/dataset_info.json``; other entries stay."""
    path = Path(folder) / DATASET_INFO
    info: dict[str, Any] = {}
    if path.exists():
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise GraphGenError(
                f"{path} is not valid JSON ({exc}): fix or move it, then export again (it was left as it was)"
            ) from None
        if not isinstance(info, dict):
            raise GraphGenError(f"{path} is not a JSON object of datasets: fix or move it, then export again")
    info[name] = entry
    write_json_atomic(path, info)
    return path
