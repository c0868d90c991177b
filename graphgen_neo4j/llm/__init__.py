"""The LLM layer: one OpenAI-compatible client for the synthesizer and the trainee.

    from graphgen_neo4j.llm import EndpointSettings, LLMClient, ResponseCache, TokenLedger

    ledger = TokenLedger()
    synth = LLMClient(EndpointSettings.from_env("synthesizer"), cache=ResponseCache(), ledger=ledger)
    reply = await synth.complete(messages, stage="extract", task="extract")

See docs/llm.md for the behaviour (limits, retries, cache, structured output, logprobs).
"""

from graphgen_neo4j.llm.budgets import MAX_TOKENS, max_tokens_for
from graphgen_neo4j.llm.cache import DEFAULT_CACHE_PATH, ResponseCache
from graphgen_neo4j.llm.client import LOCAL_OWNER, SCRIPTED_OWNER, TASK_HEADER, Completion, LLMClient, TokenCandidate
from graphgen_neo4j.llm.ledger import LedgerRow, TokenLedger
from graphgen_neo4j.llm.parsing import ReplyError, extract_json, parse_model, strip_think
from graphgen_neo4j.llm.settings import EndpointSettings

__all__ = [
    "DEFAULT_CACHE_PATH",
    "MAX_TOKENS",
    "LOCAL_OWNER",
    "SCRIPTED_OWNER",
    "TASK_HEADER",
    "Completion",
    "EndpointSettings",
    "LLMClient",
    "LedgerRow",
    "ReplyError",
    "ResponseCache",
    "TokenCandidate",
    "TokenLedger",
    "extract_json",
    "max_tokens_for",
    "parse_model",
    "strip_think",
]
