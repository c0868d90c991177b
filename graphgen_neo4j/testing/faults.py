"""The faults the scripted server can inject (``FAULT_KINDS``, ``Fault``) and what each does to
an answer: an HTTP error in place of the reply (``fault_error``), or a reply bent out of
shape (``shape_text``: fenced, thinking, empty, truncated).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphgen_neo4j.testing.http import Answer, error_answer

FAULT_KINDS = {
    "429": "HTTP 429 with Retry-After (retry_after, default 0.05 s)",
    "500": "HTTP 500 (with Retry-After if retry_after is set)",
    "401": "HTTP 401, API key rejected",
    "hang": "no answer for `seconds` (default 600), past any client timeout",
    "malformed_json": "HTTP 200 whose body is cut-off JSON",
    "empty_content": "HTTP 200 with an empty message",
    "no_logprobs": "a normal reply without logprobs",
    "no_usage": "a normal reply without usage (token counts)",
    "reject_response_format": "HTTP 400 when the request has response_format (no structured output)",
    "format_500": "HTTP 500 naming response_format when the request has one (a server that fails on it)",
    "json_object_only": "HTTP 500 \"Input should be 'text' or 'json_object'\" for a json_schema response_format "
    "(llama-cpp-python); json_object is taken",
    "truncated": "the reply cut off halfway, finish_reason length (a model that hit max_tokens)",
    "text_mode": "the reply wrapped in a ```json fence with chatter around it",
    "think": "the reply preceded by a <think>…</think> block",
}


@dataclass
class Fault:
    """A fault for the next ``times`` matching requests (``None``: until cleared).

    ``task`` limits it to one task; ``reject_response_format`` only matches requests
    that carry a response_format.
    """

    kind: str
    times: int | None = 1
    task: str | None = None
    retry_after: float | None = None
    seconds: float = 600.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {', '.join(FAULT_KINDS)}")

    def matches(self, task: str, body: Mapping[str, Any]) -> bool:
        if self.task is not None and task != self.task:
            return False
        fmt = body.get("response_format")
        if self.kind == "json_object_only":
            return isinstance(fmt, Mapping) and fmt.get("type") == "json_schema"
        return self.kind not in ("reject_response_format", "format_500") or bool(fmt)


def fault_error(fault: Fault) -> Answer | None:
    """The HTTP error a fault answers with in place of the reply (None: the fault shapes the reply, or delays it)."""
    kind = fault.kind
    if kind == "429":
        retry_after = 0.05 if fault.retry_after is None else fault.retry_after
        return error_answer(429, "Rate limit reached (scripted fault)", headers={"retry-after": f"{retry_after:g}"})
    if kind == "500":
        extra = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        return error_answer(500, "Internal server error (scripted fault)", headers=extra)
    if kind in _FORMAT_ERRORS:
        status, message = _FORMAT_ERRORS[kind]
        if status == 400:
            return error_answer(status, message, param="response_format")
        return error_answer(status, message)
    return None


_FORMAT_ERRORS = {  # faults of a server that cannot take a response_format: (status, message)
    "reject_response_format": (400, "response_format is not supported by this server (scripted fault)"),
    "format_500": (500, "cannot apply response_format: grammar compilation failed (scripted fault)"),
    "json_object_only": (500, "1 validation error: ('body', 'response_format', 'type') Input should be 'text' or "
                              "'json_object' (scripted fault)"),
}


def shape_text(text: str, kind: str | None) -> tuple[str, str]:
    """The reply's text and finish reason under fault ``kind`` (unchanged, ``stop``, for the others)."""
    if kind == "text_mode":
        text = f"[canned] Sure! Here is the JSON you asked for:\n```json\n{text}\n```\nLet me know if you need anything else."
    elif kind == "think":
        text = '<think>[canned] Let me think step by step. {"draft": true}</think>\n' + text
    elif kind == "empty_content":
        text = ""
    elif kind == "truncated":
        return text[: max(1, len(text) // 2)], "length"
    return text, "stop"
