"""Telling a reply that has fallen into a loop: the same span of tokens over and over.

A small model at temperature 0 sometimes repeats one sentence or one list item until
``max_tokens`` (the 0.5B model wrote 1,536 tokens of an aggregated rewrite of a few facts
that way: three minutes on CPU). The engine checks the tail of what it generated every
few tokens and ends such a reply early with ``finish_reason "length"``, as if cut off:
the client already treats a cut-off reply as unusable and asks again once, with a
frequency penalty that breaks the loop.
"""

from __future__ import annotations

from collections.abc import Sequence

LOOP_SPAN = 96  # tokens of exact repetition that end a reply
MAX_PERIOD = 48  # longest repeated block looked for (a sentence of the 0.5B model's loops)
CHECK_EVERY = 16  # generated tokens between checks


def looping(tokens: Sequence[int], span: int = LOOP_SPAN, max_period: int = MAX_PERIOD) -> bool:
    """True when the last ``span`` tokens are one block of at most ``max_period`` tokens
    repeated (the block appears at least twice in the span)."""
    if len(tokens) < span:
        return False
    tail = tokens[-span:]
    for period in range(1, min(max_period, span // 2) + 1):
        if all(tail[i] == tail[i - period] for i in range(period, span)):
            return True
    return False
