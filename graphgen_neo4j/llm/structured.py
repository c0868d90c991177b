"""Which structured-output mode an endpoint takes, learnt once and remembered.

``structured()`` asks for JSON with a ``response_format``: ``json_schema`` (vLLM, SGLang,
OpenAI), else ``json_object`` (llama.cpp, Ollama), else nothing (``off``: the prompt and
the tolerant parser do the work). Servers say "unsupported" in different ways —
llama-cpp-python answers a ``json_schema`` with HTTP 500 "Input should be 'text' or
'json_object'" — so any 4xx/5xx whose message names ``response_format``,
``json_schema`` or ``json_object`` counts as "this mode is not supported".

With ``<ROLE>_STRUCTURED_OUTPUT=auto`` the client steps down the ladder on such an
answer and remembers the mode that works per endpoint (base URL + model): for the
process, and in ``structured_output.json`` beside the response cache, so the next run
starts with the right mode. A set mode is never changed; its rejection is an error
naming the variable.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

Mode = Literal["json_schema", "json_object", "off"]
LADDER: tuple[Mode, ...] = ("json_schema", "json_object", "off")
MEMORY_FILE = "structured_output.json"

_NAMES_FORMAT = re.compile(r"response_format|json_schema|json_object", re.IGNORECASE)
_process_modes: dict[str, Mode] = {}
_lock = threading.Lock()


def names_response_format(status: int, detail: str) -> bool:
    """Whether an error answer means "this response_format is not supported"."""
    return 400 <= status < 600 and status not in (401, 403, 404, 408, 429) and bool(_NAMES_FORMAT.search(detail))


def next_mode(mode: Mode) -> Mode:
    """The mode to try after ``mode`` was refused (``off`` is the last)."""
    return LADDER[min(LADDER.index(mode) + 1, len(LADDER) - 1)]


def response_format(mode: Mode, name: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The ``response_format`` body entry of ``mode`` (None for ``off``)."""
    if mode == "off":
        return None
    if mode == "json_object":
        return {"type": "json_object"}
    safe = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in name)[:64]
    return {"type": "json_schema", "json_schema": {"name": safe or "reply", "schema": schema}}


def fix_hint(env_prefix: str, refused: Mode) -> str:
    """The variable setting that avoids a refused mode."""
    return f"set {env_prefix}_STRUCTURED_OUTPUT={next_mode(refused)}"


class ModeMemory:
    """The structured-output mode that works for one endpoint, shared in the process and on disk."""

    def __init__(self, base_url: str, model: str, folder: Path | None):
        self.key = f"{base_url} {model}"
        self.path = folder / MEMORY_FILE if folder is not None else None

    def recall(self) -> Mode | None:
        with _lock:
            mode = _process_modes.get(self.key)
        if mode is None and self.path is not None:
            mode = _read(self.path).get(self.key)
            if mode in LADDER:
                with _lock:
                    _process_modes.setdefault(self.key, mode)
            else:
                mode = None
        return mode

    def remember(self, mode: Mode) -> bool:
        """Store ``mode``; True when it is news (the first to learn it logs the warning)."""
        with _lock:
            if _process_modes.get(self.key) == mode:
                return False
            if _process_modes.get(self.key) in LADDER and LADDER.index(_process_modes[self.key]) > LADDER.index(mode):
                return False  # another request already stepped further down
            _process_modes[self.key] = mode
        if self.path is not None:
            try:
                data = _read(self.path)
                data[self.key] = mode
                tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
                tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
                os.replace(tmp, self.path)
            except OSError as exc:  # only a cheap hint for the next run
                log.debug("cannot write %s: %s", self.path, exc)
        return True


def forget_all() -> None:
    """Drop what this process learnt (tests: a fresh process)."""
    with _lock:
        _process_modes.clear()


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
