"""The batch token counter agrees with ``count_tokens`` (no database needed)."""

from __future__ import annotations

from graphgen_neo4j.partition.stage import PartitionConfig, count_many
from graphgen_neo4j.tokens import count_tokens


def test_count_many_is_count_tokens_of_each_text():
    texts = ["", "Magnaporthe oryzae causes rice blast.", "稻瘟病由稻瘟病菌引起，危害水稻。",
             "a special-token string <|endoftext|> counts as text", "  spaces\n\tand lines  "]
    assert count_many(texts) == [count_tokens(text) for text in texts]


def test_settings_that_do_not_change_the_batches_do_not_change_the_hash():
    base = PartitionConfig()
    assert PartitionConfig(wave_size=7).semantic_hash() == base.semantic_hash()
    assert PartitionConfig(seed=3).semantic_hash() == base.semantic_hash()  # seed only matters for random
    assert PartitionConfig(max_tokens=99).semantic_hash() == base.semantic_hash()  # max_width ignores it
    assert PartitionConfig(edge_sampling="random", seed=3).semantic_hash() != \
        PartitionConfig(edge_sampling="random", seed=4).semantic_hash()
    assert PartitionConfig(max_extra_edges=4).semantic_hash() != base.semantic_hash()
