"""Saved key/value states, so prompts of different kinds each keep their evaluated prefix.

The engine's context holds the previous request's prompt and reply, and a new prompt that
starts the same way (a stage's instructions and worked example) evaluates only its own
tail. Work that alternates between kinds of prompt — Chinese and English extraction, the
quiz and the judge, an extraction and its gleaning turn a few requests later — would lose
that every time. Before the context is given to a prompt of another kind, its sequence
state is copied out (``llama_state_seq_get_data``: ~12 KB a token for the 0.5B model, so
16 states of ~800 tokens hold ~150 MB); a
later prompt that shares more with a saved state than with the live context gets that
state copied back in (``llama_state_seq_set_data``) and evaluates from where it diverges.

:class:`SavedStates` is the pure part (which state to keep, which to restore); the engine
does the copying.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_SLOTS = 16  # kinds of prompt kept besides the live one (GRAPHGEN_LLM_KV_SLOTS): a run has ~14 (7 tasks × 2 languages)
SAME_KIND = 64  # prompts that share this many leading tokens are of one kind: the later replaces the earlier
MIN_GAIN = 32  # a restore must spare at least this many evaluated tokens (a copy costs a few ms)


def slots_from_env() -> int:
    """``GRAPHGEN_LLM_KV_SLOTS`` (0 turns saving off), else :data:`DEFAULT_SLOTS`."""
    raw = os.environ.get("GRAPHGEN_LLM_KV_SLOTS", "").strip()
    if not raw:
        return DEFAULT_SLOTS
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"GRAPHGEN_LLM_KV_SLOTS={raw!r} is not a whole number: use 0 (off) to 64") from None
    if not 0 <= value <= 64:
        raise ValueError(f"GRAPHGEN_LLM_KV_SLOTS={value} is out of range: use 0 (off) to 64")
    return value


def shared_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens ``a`` and ``b`` have in common."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


@dataclass
class Saved:
    tokens: list[int]  # the positions the state holds, in order
    data: bytes  # llama.cpp's sequence state for them


class SavedStates:
    """At most ``slots`` saved states, most recently used last."""

    def __init__(self, slots: int = DEFAULT_SLOTS) -> None:
        self.slots = slots
        self._saved: list[Saved] = []

    def __len__(self) -> int:
        return len(self._saved)

    def worth_saving(self, live: Sequence[int], prompt: Sequence[int]) -> bool:
        """Whether the live context, about to serve ``prompt``, is of another kind and long enough to keep."""
        return self.slots > 0 and len(live) >= SAME_KIND and shared_prefix(live, prompt) < SAME_KIND

    def save(self, tokens: Sequence[int], data: bytes) -> None:
        """Keep a state; it replaces a saved one of the same kind, and the least recently used goes past ``slots``."""
        if self.slots <= 0:
            return
        self._saved = [s for s in self._saved if shared_prefix(s.tokens, tokens) < SAME_KIND]
        self._saved.append(Saved(list(tokens), data))
        del self._saved[:-self.slots]

    def take(self, prompt: Sequence[int], live_shared: int) -> Saved | None:
        """The saved state sharing most with ``prompt``, removed from the store, when it spares at
        least :data:`MIN_GAIN` more evaluations than the live context's ``live_shared`` tokens."""
        best, best_shared = None, live_shared + MIN_GAIN - 1
        for saved in self._saved:
            shared = shared_prefix(saved.tokens, prompt)
            if shared > best_shared:
                best, best_shared = saved, shared
        if best is not None:
            self._saved.remove(best)
        return best
