"""``estimate`` counts the question styles: one call per unit, none for true_false (pure)."""

from __future__ import annotations

from graphgen_neo4j.config import PipelineConfig
from graphgen_neo4j.runs.estimate import _generation


def test_true_false_costs_no_call_and_the_other_styles_one_each() -> None:
    def calls(mode: str) -> int:
        config = PipelineConfig.model_validate({"traverse_strategy": {"qa_form": [mode]}, "generation": {"max_qa": 10}})
        return _generation(config, relations=40, batches=10, per_batch=4.0).calls

    assert calls("true_false") == 0
    assert {m: calls(m) for m in ("cot", "multi_choice", "multi_answer", "fill_in_blank")} == dict.fromkeys(
        ("cot", "multi_choice", "multi_answer", "fill_in_blank"), 10)
