"""The resolve benchmark corpus and its scorer (``bench/resolve_data``, ``bench/resolve_eval.py``); no database."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from graphgen_neo4j.ingest.extract import Extraction
from graphgen_neo4j.testing.scripts.extract import passage_key

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


resolve_eval = load(BENCH / "resolve_eval.py", "resolve_eval")
Label = resolve_eval.Label


def test_the_corpus_files_match_their_source_and_hold_enough_pairs() -> None:
    source = load(BENCH / "resolve_data" / "build_corpus.py", "build_corpus")
    assert source.check() == []
    labels = resolve_eval.load_labels()
    assert [(lab.a, lab.b, lab.same, lab.kind) for lab in labels] == [(lab["a"], lab["b"], lab["same"], lab["kind"]) for lab in source.LABELS]
    assert sum(lab.same for lab in labels) >= 60 and sum(not lab.same for lab in labels) >= 60
    corpus = resolve_eval.load_corpus()
    assert [d["text"] for d in corpus] == [d["text"] for d in source.DOCS]
    assert len({passage_key(d["text"]) for d in corpus}) == len(corpus)


def test_every_extraction_reply_parses_as_the_pipeline_reads_it() -> None:
    for doc in resolve_eval.load_corpus():
        extraction = Extraction.model_validate(json.loads(json.dumps(doc["reply"])))
        assert extraction.entities and extraction.dropped == 0, doc["id"]
        names = {e.name for e in extraction.entities}
        for relation in extraction.relations:
            assert {relation.source, relation.target} <= names, (doc["id"], relation)


LABELS = [
    Label("刘备", "玄德", True, "courtesy_name"),
    Label("Liu Bei", "刘备", True, "translation"),
    Label("刘备", "刘禅", False, "kinship"),
    Label("WHO", "World Health Organization", True, "abbreviation"),
]


def test_score_pairs_recall_precision_and_hard_negatives() -> None:
    score = resolve_eval.score_pairs(
        [("玄德", "刘备"), ("刘备", "玄德"), ("Liu Bei", "玄德"), ("刘禅", "刘备"), ("WHO", "WTO")], LABELS)
    assert (score.true_pairs, score.recalled) == (3, 1)  # Liu Bei ~ 玄德 is right but not a labelled pair
    assert score.proposals == 4 and score.right == 2  # duplicates counted once
    assert score.hard_negatives == [("刘禅", "刘备", "kinship")] and score.unlabelled == [("WHO", "WTO")]
    assert score.by_kind == {"abbreviation": (0, 1), "courtesy_name": (1, 1), "translation": (0, 1)}
    assert abs(score.precision - 0.5) < 1e-9 and abs(score.recall - 1 / 3) < 1e-9


def test_score_merges_counts_pairs_within_groups() -> None:
    score = resolve_eval.score_merges([{"刘备", "玄德", "Liu Bei"}, {"who", "World Health Organization"}], LABELS)
    assert score.recalled == 3 and score.hard_negatives == [] and score.right == 4
    score = resolve_eval.score_merges([{"刘备", "刘禅", "玄德"}], LABELS)
    assert score.recalled == 1 and [n[2] for n in score.hard_negatives] == ["kinship"]


def test_the_cue_smoke_check_finds_pairs_without_hard_negatives() -> None:
    corpus = resolve_eval.load_corpus()
    labels = resolve_eval.load_labels()
    pairs, kinds = resolve_eval.evidence_pairs(corpus)
    score = resolve_eval.score_pairs(pairs, labels)
    assert score.recalled > 0 and kinds["courtesy_name"] > 0
    assert score.hard_negatives == []
