"""What the client asks and how it judges a reply: the call, re-ask messages, truncation.

Pure helpers of ``client.LLMClient``, kept apart so that the client stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphgen_neo4j.llm.parsing import strip_think
from graphgen_neo4j.llm.transport import BadReply, Reply

Messages = list[dict[str, Any]]

# How much of a rejected reply is shown back to the model when it is asked again.
ECHO_CHARS = 4000
# How the follow-up message of a re-ask begins (the scripted server answers the question before it).
REASK_PREFIX = "Your reply was rejected:"


@dataclass
class Call:
    """One logical call: what is asked, how, and under which cache / single-flight key."""

    messages: Messages
    stage: str
    task: str
    temperature: float
    max_tokens: int
    key: str
    extra: dict[str, Any] = field(default_factory=dict)
    schema: tuple[str, dict[str, Any]] | None = None  # (name, JSON schema) of a structured call

    def body(self, model: str, messages: Messages, temperature: float, max_tokens: int) -> dict[str, Any]:
        return {"model": model, "messages": messages, "temperature": temperature, "max_tokens": max_tokens, **self.extra}


def reply_text(reply: Reply) -> str:
    """The reply without reasoning; an empty one is unusable."""
    text = strip_think(reply.raw_text)
    if not text:
        raise BadReply("an empty reply", reply.raw_text, kind="empty", content=reply.raw_text or None)
    return text


def follow_up(messages: Messages, bad: BadReply, *, json: bool) -> Messages:
    """The conversation with the rejected reply and a short note of what was wrong with it."""
    if not bad.content:
        return messages
    wanted = "one complete, valid JSON object with every required key, nothing before or after it" if json else "the text itself"
    note = f"{REASK_PREFIX} {bad.reason}. Answer again with only what was asked for: {wanted}."
    return [*messages, {"role": "assistant", "content": bad.content[:ECHO_CHARS]}, {"role": "user", "content": note}]


def check_truncation(reply: Reply, budget: int) -> None:
    """A reply cut off at ``max_tokens`` is rejected (one-token calls are cut off by design)."""
    if reply.finish_reason == "length" and budget > 1:
        raise BadReply(f"a reply truncated at max_tokens={budget}", reply.raw_text, kind="truncated")
