"""Pure parts of the engine: log-softmax, top-k shaping, stop strings, JSON grammars, the glibc edit."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from graphgen_neo4j.llm.local.decoding import find_stop, log_softmax, logprob_entry, token_text, top_k_indices
from graphgen_neo4j.llm.local.grammar import inline_refs
from graphgen_neo4j.llm.local.kvslots import shared_prefix


def test_log_softmax_is_a_distribution_and_stable() -> None:
    logits = np.array([1000.0, 999.0, -5.0, 0.0], dtype=np.float32)
    lp = log_softmax(logits)
    assert math.isclose(float(np.exp(lp).sum()), 1.0, rel_tol=1e-9)
    assert np.all(np.isfinite(lp)) and np.all(lp <= 0)
    assert math.isclose(float(lp[0] - lp[1]), 1.0, rel_tol=1e-6)
    small = log_softmax(np.array([0.0, math.log(3.0)]))
    assert np.allclose(np.exp(small), [0.25, 0.75])


def test_shared_prefix() -> None:
    assert shared_prefix([1, 2, 3, 4], [1, 2, 9]) == 2
    assert shared_prefix([], [1, 2]) == 0
    assert shared_prefix([1, 2], [1, 2, 3]) == 2
    assert shared_prefix([5], [6]) == 0


def test_top_k_sorted_largest_first() -> None:
    lp = log_softmax(np.array([0.1, 3.0, -1.0, 2.0, 2.0, 0.5]))
    assert top_k_indices(lp, 3) == [1, 3, 4]  # tie broken by lower index
    assert top_k_indices(lp, 0) == []
    assert len(top_k_indices(lp, 50)) == 6


def test_logprob_entry_has_openai_shape() -> None:
    entry = logprob_entry(b"yes", -0.1, [(b"yes", -0.1), (b" no", -2.5)])
    assert entry == {
        "token": "yes", "logprob": -0.1, "bytes": [121, 101, 115],
        "top_logprobs": [{"token": "yes", "logprob": -0.1, "bytes": [121, 101, 115]},
                         {"token": " no", "logprob": -2.5, "bytes": [32, 110, 111]}],
    }


def test_token_text_of_a_split_character() -> None:
    whole = "稻".encode()
    assert token_text(whole) == "稻"
    assert token_text(whole[:2]) == "\\xe7\\xa8"  # half a character: bytes stay visible, nothing is lost


def test_find_stop_searches_only_the_new_tail() -> None:
    assert find_stop("hello END", ["END"], 6) == 6
    assert find_stop("hello EN", ["END"], 6) == -1
    assert find_stop("a。b", ["。", "b"], 0) == 1
    assert find_stop("END xx", ["END"], 5) == -1  # already seen before the tail


EXTRACTION = {
    "$defs": {
        "Entity": {"type": "object", "properties": {"name": {"type": "string"},
                                                     "aliases": {"type": "array", "items": {"type": "string"}}},
                   "required": ["name"], "title": "Entity"},
    },
    "type": "object",
    "properties": {"entities": {"type": "array", "items": {"$ref": "#/$defs/Entity"}}},
    "title": "Extraction",
}


def test_inline_refs() -> None:
    inlined = inline_refs(EXTRACTION)
    assert "$defs" not in inlined
    assert inlined["properties"]["entities"]["items"]["required"] == ["name"]
    recursive = {"$defs": {"N": {"type": "object", "properties": {"next": {"$ref": "#/$defs/N"}}}},
                 "$ref": "#/$defs/N"}
    with pytest.raises(RecursionError):
        inline_refs(recursive)


def test_grammar_for_each_response_format() -> None:
    pytest.importorskip("llama_cpp_py_sync")
    from graphgen_neo4j.llm.local.grammar import grammar_for

    assert grammar_for(None) == (None, "none")
    assert grammar_for({"type": "text"}) == (None, "none")
    grammar, how = grammar_for({"type": "json_object"})
    assert how == "json" and grammar and "root ::= object" in grammar
    grammar, how = grammar_for({"type": "json_schema", "json_schema": {"name": "E", "schema": EXTRACTION}})
    assert how == "schema" and '\\"entities\\"' in grammar and '\\"name\\"' in grammar
    # constraints the converter cannot express fall back to any JSON object
    for schema in ({"type": "string", "pattern": "^a"}, {"$ref": "#/$defs/N", "$defs": {"N": {"$ref": "#/$defs/N"}}}):
        grammar, how = grammar_for({"type": "json_schema", "json_schema": {"schema": schema}})
        assert how == "json-fallback" and "root ::= object" in grammar


def test_glibc_edit_renames_the_c23_imports(tmp_path: Path) -> None:
    bindings = pytest.importorskip("llama_cpp_py_sync._cffi_bindings")
    from graphgen_neo4j.llm.local.glibc_compat import patch_elf

    source = Path(bindings.__file__).parent / "libggml-base.so.0"
    data = bytearray(source.read_bytes())
    if b"__isoc23_" not in data:
        pytest.skip("this build of llama_cpp_py_sync imports no C23 symbols")
    assert patch_elf(data) > 0
    assert b"__isoc23_strtol\0" not in data and b"__isoc23_sscanf\0" not in data
    assert patch_elf(data) == 0  # idempotent
    assert len(data) == source.stat().st_size


def test_patch_elf_refuses_other_files() -> None:
    from graphgen_neo4j.llm.local.glibc_compat import patch_elf

    with pytest.raises(ValueError, match="ELF64"):
        patch_elf(bytearray(b"GGUF" + bytes(100)))
