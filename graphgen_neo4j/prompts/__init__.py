"""Prompt templates, one file per task and language: ``prompts/<task>.<lang>.md``.

A file holds the system message, a line ``=== user ===``, then the user message.
Placeholders are ``{{name}}`` (double braces, so JSON examples in a prompt need no
escaping). ``render("extract", "zh", text=…)`` returns chat messages ready to send.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from graphgen_neo4j.errors import GraphGenError

PROMPT_DIR = Path(__file__).parent
USER_MARKER = "=== user ==="
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@functools.cache
def template(task: str, language: str) -> tuple[str, str]:
    """(system, user) templates of a task in a language ("zh" or "en")."""
    path = PROMPT_DIR / f"{task}.{language}.md"
    if not path.is_file():
        raise GraphGenError(f"no prompt {path.name} in {PROMPT_DIR}")
    text = path.read_text(encoding="utf-8")
    if USER_MARKER not in text:
        return "", text.strip()
    system, user = text.split(USER_MARKER, 1)
    return system.strip(), user.strip()


def fill(text: str, values: dict[str, object]) -> str:
    """Replace ``{{name}}`` placeholders; a missing value is an error, not a silent blank."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise GraphGenError(f"prompt placeholder {{{{{name}}}}} has no value")
        return str(values[name])

    return _PLACEHOLDER.sub(replace, text)


def render(task: str, language: str, **values: object) -> list[dict[str, str]]:
    """Chat messages for a task: a system message (if any) and the user message."""
    system, user = template(task, language)
    messages = []
    if system:
        messages.append({"role": "system", "content": fill(system, values)})
    messages.append({"role": "user", "content": fill(user, values)})
    return messages
