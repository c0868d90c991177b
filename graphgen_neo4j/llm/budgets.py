"""How many tokens each task may write, and how a rejected reply is asked again.

One table, by task, is the only definition of the ``max_tokens`` every request carries;
a call may override it (``complete(..., max_tokens=N)``). The sizes leave room for a
full reply in Chinese (about one token per character) with some slack, and stop a
small model that rambles (a 0.5B model once wrote 7,085 tokens for one extraction).
"""

from __future__ import annotations

# task -> max_tokens. ``judge`` and ``ping`` want a single token.
MAX_TOKENS: dict[str, int] = {
    "extract": 3072,
    "glean": 2048,
    "summarize": 768,
    "quiz": 1024,
    "negate": 256,
    "judge": 1,
    "qa_atomic": 768,
    "qa_aggregated_rewrite": 1536,
    "qa_aggregated_question": 384,
    "qa_multi_hop": 1024,
    "qa_cot": 1024,
    "qa_multi_choice": 256,
    "qa_multi_answer": 768,
    "qa_fill_in_blank": 384,
    "resolve": 384,
    "resolve_batch": 2048,  # 10 verdicts of ~100 tokens, Chinese reasons
    "translate_names": 2048,  # 50 names of ~25 tokens as JSON
    "kg_accuracy": 256,
    "qa_faithfulness": 512,
    "ping": 1,
    "probe": 32,
}
# Any other task (tests, new stages until they get a row).
DEFAULT_MAX_TOKENS = 1024
# A reply cut off at max_tokens is asked again once with twice the budget, at most this.
MAX_TOKENS_CAP = 8192
# The re-ask after a truncated reply also carries this OpenAI ``frequency_penalty`` (0…2).
TRUNCATION_FREQUENCY_PENALTY = 0.5
# Temperatures of the 1st, 2nd, … re-ask after a rejected reply (never lower than the call's own).
REASK_TEMPERATURES = (0.3, 0.6)


def max_tokens_for(task: str) -> int:
    """The ``max_tokens`` a request of ``task`` carries unless the call says otherwise."""
    return MAX_TOKENS.get(task, DEFAULT_MAX_TOKENS)


# Extraction writes about as much as it reads (names, types, descriptions of what the passage
# says): a reply longer than this many tokens per passage token, plus a fixed part, is a
# model that rambles, and cutting it early saves minutes on a small local model.
EXTRACT_TOKENS_PER_INPUT_TOKEN = 4
EXTRACT_FIXED_TOKENS = 1024


def extraction_budget(task: str, passage_tokens: int) -> int:
    """``max_tokens`` of an ``extract`` / ``glean`` call on a passage of ``passage_tokens``:
    the table's value, or less for a short passage."""
    return min(max_tokens_for(task), EXTRACT_FIXED_TOKENS + EXTRACT_TOKENS_PER_INPUT_TOKEN * passage_tokens)


# A QA, a rewrite or a reasoning chain says what its material (a unit's entities and
# relations) says, in about as many words: a reply of more than this many tokens per
# material token, plus a fixed part for the JSON and the question, is a model repeating
# itself (the 0.5B model filled 1,536 tokens of an aggregated rewrite of a few facts,
# three minutes on CPU for nothing, and its re-ask was allowed 3,072).
GENERATION_TOKENS_PER_INPUT_TOKEN = 2
GENERATION_FIXED_TOKENS = 256


def generation_budget(task: str, material_tokens: int) -> int:
    """``max_tokens`` of a ``generate`` call written from ``material_tokens`` of facts: the
    table's value, or less for little material."""
    return min(max_tokens_for(task), GENERATION_FIXED_TOKENS + GENERATION_TOKENS_PER_INPUT_TOKEN * material_tokens)


def grown_budget(budget: int) -> int:
    """The budget of the one re-ask after a truncated reply: twice as much, capped."""
    return min(budget * 2, max(MAX_TOKENS_CAP, budget))


def reask_temperature(reask: int, base: float) -> float:
    """Temperature of re-ask number ``reask`` (1, 2, …) of a call made at ``base``."""
    step = REASK_TEMPERATURES[min(reask, len(REASK_TEMPERATURES)) - 1]
    return max(base, step)
