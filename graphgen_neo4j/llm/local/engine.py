"""Chat completions, token log-probabilities, JSON-constrained output and embeddings
from one GGUF model, through ``llama_cpp_py_sync`` (CFFI bindings to llama.cpp).

The package's own ``Llama.create_chat_completion`` returns neither a finish reason,
token counts nor logprobs, so :class:`LocalEngine` runs the decode loop itself on the
public llama.cpp C API the package exposes (``lib``):

1. the model's chat template renders the OpenAI ``messages`` (``Llama._format_chat_prompt``
   calls ``llama_chat_apply_template``), and the prompt is tokenised *with* special tokens
   parsed, so ``<|im_start|>`` is one token as the model was trained;
2. the prompt is decoded in ``n_batch`` chunks — all but the leading tokens it shares
   with what the context already holds (the previous request's prompt and reply: the
   same system prompt and worked example are not evaluated again); then, per generated token, the raw
   logits of the last position are read (for logprobs), a sampler chain
   ``[grammar] → [penalties] → top_p → temperature → dist(seed)`` picks the token, and
   the token is decoded;
3. generation ends on an end-of-generation token or a stop string (``finish_reason
   "stop"``) or after ``max_tokens`` (``"length"``) — or, as ``"length"``, when the reply
   has fallen into a loop (``loops.py``).

Log-probabilities are ``log_softmax`` of the raw logits over the whole vocabulary: the
model's own distribution (temperature 1, before grammar or top_p), as vLLM reports them.

One :class:`LocalEngine` holds one llama.cpp context: calls must be serialised (the
server does that with a lock).
"""

from __future__ import annotations

import codecs
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from graphgen_neo4j.errors import LocalServerError
from graphgen_neo4j.llm.local.decoding import find_stop, log_softmax, logprob_entry, top_k_indices
from graphgen_neo4j.llm.local.grammar import grammar_for
from graphgen_neo4j.llm.local.kvslots import SavedStates, shared_prefix, slots_from_env
from graphgen_neo4j.llm.local.loops import CHECK_EVERY as LOOP_CHECK_EVERY
from graphgen_neo4j.llm.local.loops import looping

DEFAULT_CTX = 8192
EMBED_CTX = 2048


CANCEL_CHECK_EVERY = 16  # generated tokens between two looks at whether the client is still there


class Cancelled(Exception):
    """Generation stopped because nobody waits for the reply any more."""


def default_threads() -> int:
    """Threads for one request: ``$GRAPHGEN_LLM_THREADS``, else 1.

    Measured on the 2-core machine (docs/real-models.md): 1 thread generated 12-13
    tokens/s, 2 threads 4-5 tokens/s (they contend with each other and with any other
    busy process); two engines of 1 thread each gave only 13 tokens/s together.
    """
    env = os.environ.get("GRAPHGEN_LLM_THREADS", "").strip()
    return max(1, int(env)) if env.isdigit() else 1


@dataclass
class Completion:
    """What one chat completion produced, in OpenAI's terms."""

    text: str
    finish_reason: str  # "stop" | "length"
    prompt_tokens: int
    completion_tokens: int
    logprobs: list[dict[str, Any]] | None = None
    prompt_seconds: float = 0.0
    generation_seconds: float = 0.0
    cached_tokens: int = 0  # prompt tokens whose keys/values the previous request left
    timings: dict[str, float] = field(default_factory=dict)


# -- pure helpers (tested without a model) -------------------------------------------------


_LOG_CALLBACK: Any = None


def _quiet_llama_log() -> None:
    """Drop llama.cpp's info/debug log lines (it prints hundreds per model load); keep warnings and errors."""
    global _LOG_CALLBACK
    if _LOG_CALLBACK is not None or os.environ.get("GRAPHGEN_LLM_VERBOSE"):
        return
    from llama_cpp_py_sync._cffi_bindings import get_ffi, get_lib

    ffi = get_ffi()

    def log(level: int, text: Any, _data: Any) -> None:
        if level in (3, 4) and text != ffi.NULL:  # GGML_LOG_LEVEL_WARN, _ERROR
            os.write(2, ffi.string(text))

    _LOG_CALLBACK = ffi.callback("ggml_log_callback", log)
    get_lib().llama_log_set(_LOG_CALLBACK, ffi.NULL)


def load_llama() -> Any:
    """``llama_cpp_py_sync.Llama``, with the glibc < 2.38 workaround applied first (see ``glibc_compat``)."""
    try:
        from llama_cpp_py_sync import Llama
    except ImportError:
        raise LocalServerError("the local model engine is not installed: pip install 'graphgen-neo4j[local]'") from None
    from graphgen_neo4j.llm.local.glibc_compat import install
    from graphgen_neo4j.llm.local.models import default_cache_dir

    try:
        install(default_cache_dir())
    except (OSError, ValueError) as exc:
        raise LocalServerError(f"cannot prepare llama.cpp's libraries for this glibc ({exc}): "
                               "set GRAPHGEN_MODEL_CACHE to a writable folder") from None
    _quiet_llama_log()
    return Llama


# -- the engine ------------------------------------------------------------------------------


class LocalEngine:
    """One GGUF model loaded in llama.cpp, answering chat and embedding requests."""

    def __init__(self, model_path: Path, *, model_id: str, n_ctx: int = DEFAULT_CTX,
                 n_threads: int | None = None, kv_slots: int | None = None) -> None:
        Llama = load_llama()
        self.model_path = Path(model_path)
        self.model_id = model_id
        self.n_threads = n_threads or default_threads()
        started = time.perf_counter()
        try:
            self._llama = Llama(str(model_path), n_ctx=n_ctx, n_batch=512, n_threads=self.n_threads)
        except (RuntimeError, ValueError, OSError) as exc:
            raise LocalServerError(f"llama.cpp could not load {model_path} ({exc}): is it a complete GGUF file?") from None
        self.load_seconds = time.perf_counter() - started
        self._lib = self._llama._lib
        self._ffi = self._llama._ffi
        self._vocab = self._llama._vocab
        self.n_ctx = int(self._llama.n_ctx)
        self.n_vocab = int(self._llama.n_vocab)
        self._embedder: Any = None
        self._piece_cache: dict[int, bytes] = {}
        # The tokens whose keys and values the context holds, position by position: a
        # prompt that starts the same way (system prompt, worked example) reuses them.
        self._kv_tokens: list[int] = []
        try:
            self._saved = SavedStates(slots_from_env() if kv_slots is None else kv_slots)  # other kinds of prompt
        except ValueError as exc:
            raise LocalServerError(str(exc)) from None
        self.reused_tokens = 0  # prompt tokens not evaluated again, since start

    # -- chat ---------------------------------------------------------------------------------

    def render(self, messages: Sequence[Mapping[str, Any]]) -> list[int]:
        """The prompt tokens for ``messages`` after the model's chat template."""
        prompt, _ = self._llama._format_chat_prompt(messages)
        return self._llama.tokenize(prompt, add_special=True, parse_special=True)

    def chat(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        temperature: float = 1.0,
        top_p: float = 1.0,
        max_tokens: int | None = None,
        seed: int | None = None,
        stop: Sequence[str] = (),
        logprobs: bool = False,
        top_logprobs: int = 0,
        response_format: Mapping[str, Any] | None = None,
        frequency_penalty: float = 0.0,
        presence_penalty: float = 0.0,
        cancelled: Callable[[], bool] | None = None,
        cache_prompt: bool = True,
    ) -> Completion:
        """Generate one assistant reply (see the module docstring for the steps).

        ``cancelled`` is asked every few tokens; when it says True (the client has gone)
        generation stops with ``Cancelled`` instead of using the CPU for nobody. ``cache_prompt``
        False (llama.cpp server's name) evaluates the whole prompt afresh."""
        tokens = self.render(messages)
        room = self.n_ctx - len(tokens) - 1
        if not cache_prompt:
            self._forget()  # the saved states stay for later requests
        if room < 1:
            raise ValueError(f"messages: the prompt has {len(tokens)} tokens, the context holds {self.n_ctx}")
        budget = room if max_tokens is None else min(max_tokens, room)
        grammar, _ = grammar_for(response_format)
        sampler = self._sampler(temperature, top_p, seed, grammar, frequency_penalty, presence_penalty)
        try:
            return self._generate(tokens, budget, sampler, list(stop), logprobs, top_logprobs, cancelled,
                                  reuse=cache_prompt)
        finally:
            self._lib.llama_sampler_free(sampler)

    def _sampler(self, temperature: float, top_p: float, seed: int | None, grammar: str | None,
                 frequency_penalty: float, presence_penalty: float) -> Any:
        lib, ffi = self._lib, self._ffi
        chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        if grammar is not None:
            sampler = lib.llama_sampler_init_grammar(self._vocab, ffi.new("char[]", grammar.encode()),
                                                     ffi.new("char[]", b"root"))
            if sampler == ffi.NULL:
                lib.llama_sampler_free(chain)
                raise ValueError("response_format: the JSON grammar could not be parsed by llama.cpp")
            lib.llama_sampler_chain_add(chain, sampler)
        if frequency_penalty or presence_penalty:
            lib.llama_sampler_chain_add(
                chain, lib.llama_sampler_init_penalties(self.n_vocab, 256, 1.0, frequency_penalty, presence_penalty))
        if top_p < 1.0:
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_p(top_p, 1))
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_temp(temperature))  # <= 0: greedy
        dist_seed = int.from_bytes(os.urandom(4), "little") if seed is None else int(seed) & 0xFFFFFFFF
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_dist(dist_seed))
        return chain

    def _piece(self, token: int) -> bytes:
        piece = self._piece_cache.get(token)
        if piece is None:
            piece = self._piece_cache[token] = self._llama._token_to_bytes(token)
        return piece

    def _forget(self) -> None:
        self._llama._clear_context_state()
        self._kv_tokens = []

    def _switch_state(self, tokens: list[int]) -> None:
        """Before a prompt of another kind takes the context: save the live state, and bring
        back a saved one that shares more with ``tokens`` (``kvslots``)."""
        live_shared = shared_prefix(self._kv_tokens, tokens)
        saved = self._saved.take(tokens, live_shared)
        keep_live = self._saved.worth_saving(self._kv_tokens, tokens)
        if saved is None and not keep_live:
            return
        lib, ctx, ffi = self._lib, self._llama._ctx, self._ffi
        if keep_live:
            size = lib.llama_state_seq_get_size(ctx, 0)
            buffer = ffi.new("uint8_t[]", size)
            written = lib.llama_state_seq_get_data(ctx, buffer, size, 0)
            if written:
                self._saved.save(self._kv_tokens, bytes(ffi.buffer(buffer, written)))
        if saved is not None:
            self._forget()
            if lib.llama_state_seq_set_data(ctx, ffi.from_buffer(saved.data), len(saved.data), 0):
                self._kv_tokens = list(saved.tokens)
            else:
                self._forget()  # not loadable: evaluate from the start

    def _keep_prefix(self, tokens: list[int]) -> int:
        """Drop the cached positions that ``tokens`` does not share; return how many stay.

        At least one prompt token is always evaluated again: the sampler needs its logits."""
        self._switch_state(tokens)
        keep = min(shared_prefix(self._kv_tokens, tokens), len(tokens) - 1)
        if keep <= 0:
            self._forget()
            return 0
        lib = self._lib
        memory = lib.llama_get_memory(self._llama._ctx)
        if memory == self._ffi.NULL or not lib.llama_memory_seq_rm(memory, 0, keep, -1):
            self._forget()  # this model's memory cannot drop a tail: start over
            return 0
        del self._kv_tokens[keep:]
        return keep

    def _evaluate(self, tokens: list[int], n_past: int) -> int:
        self._kv_tokens.extend(tokens)
        return int(self._llama._eval_tokens(tokens, n_past))

    def _generate(self, tokens: list[int], budget: int, sampler: Any, stops: list[str],
                  want_logprobs: bool, top_n: int, cancelled: Callable[[], bool] | None = None,
                  reuse: bool = True) -> Completion:
        try:
            return self._decode(tokens, budget, sampler, stops, want_logprobs, top_n, cancelled, reuse)
        except BaseException:
            self._forget()  # the cache may hold half an evaluation
            raise

    def _decode(self, tokens: list[int], budget: int, sampler: Any, stops: list[str],
                want_logprobs: bool, top_n: int, cancelled: Callable[[], bool] | None, reuse: bool) -> Completion:
        llama, lib = self._llama, self._lib
        started = time.perf_counter()
        reused = self._keep_prefix(tokens) if reuse else 0
        self.reused_tokens += reused
        n_past = self._evaluate(tokens[reused:], reused)
        prompt_seconds = time.perf_counter() - started
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = ""
        entries: list[dict[str, Any]] = []
        starts: list[int] = []  # text offset where each generated token begins
        finish = "length"
        generated = 0
        cut = -1
        gen_started = time.perf_counter()
        while generated < budget:
            if cancelled is not None and generated % CANCEL_CHECK_EVERY == 0 and cancelled():
                raise Cancelled(f"the client left after {generated} generated tokens")
            lp: np.ndarray | None = None
            if want_logprobs:
                pointer = lib.llama_get_logits_ith(llama._ctx, -1)
                lp = log_softmax(np.frombuffer(self._ffi.buffer(pointer, self.n_vocab * 4), dtype=np.float32))
            token = int(lib.llama_sampler_sample(sampler, llama._ctx, -1))
            if lib.llama_vocab_is_eog(self._vocab, token):
                finish = "stop"
                break
            generated += 1
            piece = self._piece(token)
            if lp is not None:
                top = [(self._piece(i), float(lp[i])) for i in top_k_indices(lp, top_n)]
                entries.append(logprob_entry(piece, float(lp[token]), top))
            starts.append(len(text))
            before = len(text)
            text += decoder.decode(piece)
            if stops:
                cut = find_stop(text, stops, before)
                if cut != -1:
                    finish = "stop"
                    break
            if generated >= budget:
                break
            if generated % LOOP_CHECK_EVERY == 0 and looping([*self._kv_tokens[len(tokens):], token]):
                break  # finish stays "length": the client asks again, with a penalty (loops.py)
            n_past = self._evaluate([token], n_past)
        text += decoder.decode(b"", final=True)
        if cut != -1:
            text = text[:cut]
            kept = sum(1 for s in starts if s < cut)
            entries = entries[:kept]
        generation_seconds = time.perf_counter() - gen_started
        return Completion(
            text=text, finish_reason=finish, prompt_tokens=len(tokens), completion_tokens=generated,
            cached_tokens=reused,
            logprobs=entries if want_logprobs else None,
            prompt_seconds=prompt_seconds, generation_seconds=generation_seconds,
        )

    # -- embeddings ---------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised, mean-pooled vector of the model's last hidden layer per text.

        A second llama.cpp context over the same (memory-mapped) weights does this, made on
        first use, with embeddings on and mean pooling: deterministic for the same text.
        """
        if self._embedder is None:
            self._embedder = load_llama()(str(self.model_path), n_ctx=EMBED_CTX, n_batch=EMBED_CTX,
                                   n_threads=self.n_threads, embedding=True, pooling_type="mean")
        vectors: list[list[float]] = []
        for text in texts:
            if len(self._embedder.tokenize(text, add_special=True)) >= EMBED_CTX:
                raise ValueError(f"input: a text is longer than the embedding context ({EMBED_CTX} tokens)")
            raw = np.asarray(self._embedder.get_embeddings(text), dtype=np.float64)
            norm = float(np.linalg.norm(raw))
            vectors.append((raw / norm if norm > 0 else raw).tolist())
        return vectors

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` (for the embeddings usage field)."""
        return len(self._llama.tokenize(text, add_special=False))

    def close(self) -> None:
        """Free the llama.cpp contexts and model."""
        if self._embedder is not None:
            self._embedder.close()
            self._embedder = None
        self._llama.close()
