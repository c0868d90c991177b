"""Every error the toolkit raises on purpose derives from ``GraphGenError``.

    GraphGenError
      ConfigError            bad config file, bad value, missing setting
      InputError             unreadable or malformed input (carries file and line)
      Neo4jUnavailable       Neo4j unreachable, wrong credentials, schema not applied
      LocalServerError       the local Neo4j server (Maven jars) could not be fetched or started
      LLMError               an LLM endpoint failed in a way retries do not fix
        LLMOutputError       a reply could not be parsed (keeps the raw text)
        NoLogprobsError      the trainee endpoint returns no log-probabilities
      StageError             a pipeline stage cannot go on (names the stage)
        StageFailed          a fan-out stopped on a fatal error, or every one of its items failed

The CLI prints ``str(error)`` on one line and exits 1; messages therefore say what
went wrong *and* what to do about it.
"""

from __future__ import annotations


class GraphGenError(Exception):
    """Root of the toolkit's errors."""


class ConfigError(GraphGenError):
    """The configuration is invalid or incomplete."""


class InputError(GraphGenError):
    """An input file could not be read or has a malformed record."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")


class Neo4jUnavailable(GraphGenError):
    """Neo4j cannot be reached or used."""


class LocalServerError(GraphGenError):
    """The local Neo4j server could not be fetched, configured or started."""


class LLMError(GraphGenError):
    """An LLM endpoint failed in a way that retrying does not fix.

    ``reason`` is a short label for counting failures by reason (``HTTP 500``,
    ``truncated``, …); the message says the rest.
    """

    reason = "error"

    def __init__(self, message: str = "", *, reason: str | None = None):
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class LLMOutputError(LLMError):
    """An LLM reply could not be parsed into the expected structure (or was cut off)."""

    reason = "invalid reply"

    def __init__(self, message: str, *, raw: str, task: str | None = None, reason: str | None = None):
        self.raw = raw
        self.task = task
        super().__init__(message, reason=reason)


class NoLogprobsError(LLMError):
    """The trainee endpoint answered without token log-probabilities."""

    reason = "no logprobs"


class StageError(GraphGenError):
    """A pipeline stage cannot continue."""

    def __init__(self, stage: str, message: str):
        self.stage = stage
        super().__init__(f"{stage}: {message}")


class StageFailed(StageError):
    """A stage's work pool stopped on a fatal error, or every one of its items failed.

    ``outcome`` is the pool's ``llm.pool.PoolOutcome`` (done/failed counts, reasons);
    ``report`` may carry what the stages before it did (the pipeline sets it).
    """

    def __init__(self, stage: str, message: str, *, outcome: object = None):
        self.outcome = outcome
        self.report: object = None
        super().__init__(stage, message)
