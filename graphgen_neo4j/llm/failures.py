"""Why an item of LLM work failed: the short failure reasons (``BAD_REPLY``, ``KEY_REJECTED``, …),
which of them stop a stage at once (``FATAL``) and which fail one item (``ITEM_REASONS``),
and ``failure_reason``, which reads the reason off an error (the client's label, or the
openai error it was raised from). The work pool (``llm/pool.py``) acts on them.
"""

from __future__ import annotations

import openai

from graphgen_neo4j.errors import LLMError, LLMOutputError, Neo4jUnavailable, NoLogprobsError

# Failure reasons: short strings, the keys of ``PoolOutcome.reasons``.
BAD_REPLY = "bad reply"


TRUNCATED = "truncated reply"


SERVER_ERROR = "server error"


TIMEOUT = "timeout"


RATE_LIMITED = "rate limited"


REJECTED = "request rejected"


LLM_FAILED = "llm error"


KEY_REJECTED = "key rejected"


ACCESS_DENIED = "access denied"


MODEL_NOT_SERVED = "model not served"


MODEL_MISMATCH = "model mismatch"


UNREACHABLE = "endpoint unreachable"


NO_LOGPROBS = "no logprobs"


NEO4J_UNAVAILABLE = "neo4j unavailable"


FATAL = frozenset({KEY_REJECTED, ACCESS_DENIED, MODEL_NOT_SERVED, MODEL_MISMATCH, UNREACHABLE, NO_LOGPROBS, NEO4J_UNAVAILABLE})


ITEM_REASONS = frozenset({BAD_REPLY, TRUNCATED, SERVER_ERROR, TIMEOUT, RATE_LIMITED, REJECTED, LLM_FAILED})


# openai error type (what the client's LLMError was raised from) → reason; order matters:
# a timeout is a connection error to openai.
_OPENAI_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (openai.AuthenticationError, KEY_REJECTED),
    (openai.PermissionDeniedError, ACCESS_DENIED),
    (openai.NotFoundError, MODEL_NOT_SERVED),
    (openai.APITimeoutError, TIMEOUT),
    (openai.APIConnectionError, UNREACHABLE),
    (openai.RateLimitError, RATE_LIMITED),
    (openai.InternalServerError, SERVER_ERROR),
    (openai.BadRequestError, REJECTED),
    (openai.UnprocessableEntityError, REJECTED),
)


class ItemFailed(Exception):
    """Raised by a stage's work to fail its item with ``reason`` (which must be one ``fail_item`` allows)."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


def failure_reason(error: BaseException) -> str | None:
    """The short reason of a failed item, or None for an error that is not a known failure (a bug).

    An ``LLMError`` may carry ``reason`` itself; otherwise the openai error the client
    raised it from (its ``__context__``) tells which one it was.
    """
    if isinstance(error, ItemFailed):
        return error.reason
    if isinstance(error, Neo4jUnavailable):
        return NEO4J_UNAVAILABLE
    if not isinstance(error, LLMError):
        return None
    if isinstance(error, NoLogprobsError):
        return NO_LOGPROBS
    if isinstance(error, LLMOutputError):
        return TRUNCATED if error.reason == "truncated" else BAD_REPLY
    own = _client_reason(getattr(error, "reason", None))
    return own or _openai_reason(error) or LLM_FAILED


# The client's own labels (``LLMError.reason``, set in llm/transport.py) → the pool's reasons.
_CLIENT_REASONS = {"HTTP 401": KEY_REJECTED, "HTTP 403": ACCESS_DENIED, "HTTP 404": MODEL_NOT_SERVED,
                   "HTTP 429": RATE_LIMITED, "unreachable": UNREACHABLE, "timeout": TIMEOUT}


def _client_reason(label: object) -> str | None:
    if not isinstance(label, str) or not label:
        return None
    if label in _CLIENT_REASONS:
        return _CLIENT_REASONS[label]
    if label.startswith("HTTP 5"):
        return SERVER_ERROR
    if label.startswith("HTTP 4"):
        return REJECTED
    return label if label in FATAL | ITEM_REASONS else None


def _openai_reason(error: BaseException) -> str | None:
    seen: set[int] = set()
    cause = error.__context__ or error.__cause__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        for kind, reason in _OPENAI_REASONS:
            if isinstance(cause, kind):
                return reason
        if isinstance(cause, openai.APIStatusError):
            return SERVER_ERROR if cause.status_code >= 500 else REJECTED
        cause = cause.__context__ or cause.__cause__
    return None
