"""Quality report of a generated dataset.

What it measures, on an exported file (Alpaca, ShareGPT or ChatML; JSON or JSONL):

* counts by generation mode (when the file carries metadata);
* question and answer lengths in tokens, as distributions;
* lexical diversity of the answers: MTLD (McCarthy & Jarvis 2010), words cut with
  jieba for Chinese and a letters-and-digits rule for English;
* near-duplicate questions: MinHash over character 3-grams, banded (LSH) so it
  stays fast on tens of thousands of questions, then the exact Jaccard is checked;
* from Neo4j: the share of relations covered by at least one QA, and the mean loss
  of covered against uncovered relations (did generation go where the trainee is weak?);
  and the quality of the graph itself (``kg_quality.py``: isolated entities, largest
  connected component, degrees, relation description lengths).

``render_html`` writes one self-contained page with SVG histograms (no scripts,
no external files).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from graphgen_neo4j.errors import InputError
from graphgen_neo4j.language import detect_language
from graphgen_neo4j.runs.distributions import Distribution, distribution, text_histogram  # noqa: F401 (text_histogram: re-exported)
from graphgen_neo4j.runs.kg_accuracy import KGAccuracy
from graphgen_neo4j.runs.kg_quality import GraphQuality
from graphgen_neo4j.runs.qa_judge import QAFaithfulness, faithfulness_summary, worst_html
from graphgen_neo4j.tokens import count_tokens

# -- reading a dataset ---------------------------------------------------------------------


class QARecord(BaseModel):
    question: str
    answer: str
    mode: str | None = None
    loss: float | None = None
    relation_ids: list[str] = []


def _metadata(row: dict[str, Any]) -> dict[str, Any]:
    meta = row.get("metadata")
    return meta if isinstance(meta, dict) else row


def parse_record(row: Any) -> QARecord:
    """One exported record in any of the three formats; raises ValueError if it is none."""
    if not isinstance(row, dict):
        raise ValueError("expected a JSON object")
    question, answer = _question_answer(row)
    meta = _metadata(row)
    loss = meta.get("loss")
    return QARecord(
        question=question,
        answer=answer,
        mode=meta.get("mode"),
        loss=float(loss) if isinstance(loss, (int, float)) else None,
        relation_ids=list(meta.get("relation_ids") or []),
    )


def _question_answer(row: dict[str, Any]) -> tuple[Any, Any]:
    if "instruction" in row and "output" in row:  # alpaca
        return row["instruction"] + (("\n" + row["input"]) if row.get("input") else ""), row["output"]
    if "conversations" in row:  # sharegpt
        turns = row["conversations"]
        return _turn(turns, "from", "human", "value"), _turn(turns, "from", "gpt", "value")
    if "messages" in row:  # chatml
        return _turn(row["messages"], "role", "user"), _turn(row["messages"], "role", "assistant")
    if "prompt" in row and "completion" in row:  # prompt-completion (TRL, conversational)
        return _turn(row["prompt"], "role", "user"), _turn(row["completion"], "role", "assistant")
    if "question" in row and "answer" in row:
        return row["question"], row["answer"]
    raise ValueError("not an alpaca, sharegpt, messages or prompt-completion record")


def _turn(turns: list[dict[str, Any]], key: str, speaker: str, field: str = "content") -> Any:
    """The text of the first turn of ``speaker``."""
    return next(t[field] for t in turns if t.get(key) == speaker)


def load_dataset(path: str | Path) -> list[QARecord]:
    """Read an exported dataset; a bad record is an error naming the file and record."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", path=str(path)) from exc
    if not text.strip():
        raise InputError("empty file", path=str(path))
    rows: list[tuple[int, Any]] = []
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            rows = list(enumerate(json.loads(text), start=1))
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON ({exc.msg})", path=str(path), line=exc.lineno) from exc
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append((number, json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise InputError(f"invalid JSON ({exc.msg})", path=str(path), line=number) from exc
    records = []
    for number, row in rows:
        try:
            records.append(parse_record(row))
        except (ValueError, KeyError, StopIteration, TypeError) as exc:
            raise InputError(f"record is not a QA pair: {exc}", path=str(path), line=number) from exc
    return records


# -- lexical diversity ---------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
_jieba_ready = False


def words(text: str) -> list[str]:
    """Lower-cased words: jieba for Chinese text, letters-and-digits runs otherwise."""
    if detect_language(text) == "zh":
        global _jieba_ready
        import jieba

        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            _jieba_ready = True
        return [w.lower() for w in jieba.lcut(text) if w.strip() and (w.isalnum() or _WORD.fullmatch(w))]
    return [w.lower() for w in _WORD.findall(text)]


def _mtld_pass(tokens: list[str], threshold: float) -> float:
    factors = 0.0
    types: set[str] = set()
    count = 0
    for token in tokens:
        count += 1
        types.add(token)
        if len(types) / count <= threshold:
            factors += 1
            types, count = set(), 0
    if count:  # partial factor for the unfinished segment
        ttr = len(types) / count
        factors += (1 - ttr) / (1 - threshold)
    return len(tokens) / factors if factors else float(len(tokens))


def mtld(tokens: list[str], threshold: float = 0.72) -> float:
    """Measure of Textual Lexical Diversity: mean of the forward and backward passes."""
    if not tokens:
        return 0.0
    return (_mtld_pass(tokens, threshold) + _mtld_pass(tokens[::-1], threshold)) / 2


# -- near duplicates -------------------------------------------------------------------------

_NUM_HASHES = 64
_BANDS = 16  # 16 bands of 4 rows: pairs with Jaccard ≥ 0.8 collide with probability > 0.99


def _shingles(text: str, k: int = 3) -> set[str]:
    norm = re.sub(r"\s+", " ", text.lower()).strip()
    if len(norm) <= k:
        return {norm}
    return {norm[i : i + k] for i in range(len(norm) - k + 1)}


def _minhash(shingles: set[str]) -> list[int]:
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles]
    mask = (1 << 61) - 1
    # Cheap independent permutations: (a*h + b) mod a Mersenne prime, fixed a/b per slot.
    return [min(((2 * i + 1) * 0x9E3779B97F4A7C15 * h + i * 0x632BE59BD9B4E019) & mask for h in hashes) for i in range(_NUM_HASHES)]


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicates(texts: list[str], threshold: float = 0.8) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity) of texts whose character-3-gram Jaccard is ≥ threshold."""
    shingle_sets = [_shingles(t) for t in texts]
    rows = _NUM_HASHES // _BANDS
    buckets: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for index, shingles in enumerate(shingle_sets):
        signature = _minhash(shingles)
        for band in range(_BANDS):
            buckets[(band, tuple(signature[band * rows : (band + 1) * rows]))].append(index)
    candidates = {(a, b) for members in buckets.values() for i, a in enumerate(members) for b in members[i + 1 :]}
    pairs = []
    for a, b in sorted(candidates):
        similarity = jaccard(shingle_sets[a], shingle_sets[b])
        if similarity >= threshold:
            pairs.append((a, b, round(similarity, 3)))
    return pairs


# -- the report ------------------------------------------------------------------------------


class Coverage(BaseModel):
    relations: int
    covered: int
    share: float | None
    mean_loss_covered: float | None
    mean_loss_uncovered: float | None
    judged_relations: int


class QualityReport(BaseModel):
    source: str
    records: int
    by_mode: dict[str, int]
    question_tokens: Distribution
    answer_tokens: Distribution
    answer_mtld: Distribution
    corpus_mtld: float
    near_duplicate_pairs: int
    near_duplicate_examples: list[tuple[str, str, float]]
    coverage: Coverage | None = None
    graph_quality: GraphQuality | None = None
    kg_accuracy: KGAccuracy | None = None
    qa_faithfulness: QAFaithfulness | None = None


def build_report(
    records: list[QARecord], source: str, coverage: Coverage | None = None, graph_quality: GraphQuality | None = None,
    kg_accuracy: KGAccuracy | None = None, qa_faithfulness: QAFaithfulness | None = None,
) -> QualityReport:
    answer_words = [words(r.answer) for r in records]
    duplicates = near_duplicates([r.question for r in records])
    return QualityReport(
        source=source,
        records=len(records),
        by_mode=dict(Counter(r.mode or "unknown" for r in records).most_common()),
        question_tokens=distribution([count_tokens(r.question) for r in records]),
        answer_tokens=distribution([count_tokens(r.answer) for r in records]),
        answer_mtld=distribution([round(mtld(w), 2) for w in answer_words if w]),
        corpus_mtld=round(mtld([w for ws in answer_words for w in ws]), 2),
        near_duplicate_pairs=len(duplicates),
        near_duplicate_examples=[(records[a].question, records[b].question, s) for a, b, s in duplicates[:10]],
        coverage=coverage,
        graph_quality=graph_quality,
        kg_accuracy=kg_accuracy,
        qa_faithfulness=qa_faithfulness,
    )


def coverage_from_graph(graph: Any, run_id: str | None = None) -> Coverage:
    """Relations covered by at least one (non-stale) QA, and the loss of covered vs uncovered."""
    row = graph.run("report/coverage", {"run_id": run_id}, write=False)[0]
    relations = row["relations"]
    return Coverage(
        relations=relations,
        covered=row["covered"],
        share=round(row["covered"] / relations, 4) if relations else None,
        mean_loss_covered=_round(row["mean_loss_covered"]),
        mean_loss_uncovered=_round(row["mean_loss_uncovered"]),
        judged_relations=row["judged"],
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# -- HTML ----------------------------------------------------------------------------------------


def _svg_histogram(dist: Distribution, title: str, unit: str) -> str:
    if not dist.bins:
        return f"<figure><figcaption>{html.escape(title)}: no data</figcaption></figure>"
    width, height, pad = 520, 200, 30
    top = max(c for _, _, c in dist.bins) or 1
    bar_w = (width - 2 * pad) / len(dist.bins)
    bars = []
    for i, (low, high, count) in enumerate(dist.bins):
        h = (height - 2 * pad) * count / top
        x, y = pad + i * bar_w, height - pad - h
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="#4C8BF5">'
            f"<title>{low:g}–{high:g} {unit}: {count}</title></rect>"
        )
    first, last = dist.bins[0][0], dist.bins[-1][1]
    axis = (
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#333"/>'
        f'<text x="{pad}" y="{height - 8}" font-size="11">{first:g}</text>'
        f'<text x="{width - pad}" y="{height - 8}" font-size="11" text-anchor="end">{last:g} {html.escape(unit)}</text>'
        f'<text x="{pad}" y="{pad - 10}" font-size="11">max {top}</text>'
    )
    caption = f"{html.escape(title)} — n={dist.count}, median {dist.median:g}, mean {dist.mean:g}"
    return (
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
        f'{"".join(bars)}{axis}</svg><figcaption>{caption}</figcaption></figure>'
    )


def render_html(report: QualityReport) -> str:
    def row(label: str, value: object) -> str:
        shown = "—" if value is None else str(value)
        return f"<tr><th>{html.escape(label)}</th><td>{html.escape(shown)}</td></tr>"

    summary = [row("records", report.records), row("corpus MTLD (answers)", report.corpus_mtld),
               row("near-duplicate question pairs", report.near_duplicate_pairs)]
    summary += [row(f"mode: {mode}", n) for mode, n in report.by_mode.items()]
    if report.coverage:
        c = report.coverage
        summary += [
            row("relations covered by a QA", f"{c.covered} / {c.relations}" + (f" ({c.share:.1%})" if c.share is not None else "")),
            row("mean loss of covered relations", c.mean_loss_covered),
            row("mean loss of uncovered relations", c.mean_loss_uncovered),
        ]
    summary += _graph_rows(report.graph_quality, row)
    summary += [row(f"graph: {label}", value) for label, value in accuracy_summary(report.kg_accuracy)]
    summary += [row(label, value) for label, value in faithfulness_summary(report.qa_faithfulness)]
    dups = "".join(
        f"<li>{html.escape(a)}<br>{html.escape(b)} <small>({s})</small></li>" for a, b, s in report.near_duplicate_examples
    ) or "<li>none</li>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dataset report: {html.escape(report.source)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse}}th,td{{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}}
figure{{display:inline-block;margin:1em}}figcaption{{font-size:13px;color:#555}}</style></head>
<body><h1>Dataset report</h1><p>{html.escape(report.source)}</p>
<table>{"".join(summary)}</table>
<h2>Lengths</h2>
{_svg_histogram(report.question_tokens, "Question length", "tokens")}
{_svg_histogram(report.answer_tokens, "Answer length", "tokens")}
<h2>Lexical diversity</h2>
{_svg_histogram(report.answer_mtld, "MTLD per answer", "MTLD")}
<h2>Near-duplicate questions (first 10)</h2><ul>{dups}</ul>
{worst_html(report.qa_faithfulness)}
{_graph_figures(report.graph_quality)}
</body></html>
"""


def graph_summary(quality: GraphQuality) -> list[tuple[str, str]]:
    """The graph-quality figures as (label, value) lines, for the terminal and the page."""
    def share(value: float | None) -> str:
        return "" if value is None else f" ({value:.1%})"

    return [
        ("entities / relations", f"{quality.entities} / {quality.relations}"),
        ("isolated entities", f"{quality.isolated}{share(quality.isolated_share)}"),
        ("connected components", str(quality.components)),
        ("largest component (entities)", f"{quality.largest_component}{share(quality.largest_component_share)}"),
        ("average degree", "—" if quality.average_degree is None else f"{quality.average_degree:g}"),
        ("max degree", "—" if quality.degree.maximum is None else f"{quality.degree.maximum:g}"),
        ("relation description tokens (median / mean)",
         "—" if not quality.description_tokens.count
         else f"{quality.description_tokens.median:g} / {quality.description_tokens.mean:g}"),
    ]


def accuracy_summary(accuracy: KGAccuracy | None) -> list[tuple[str, str]]:
    """The LLM-judged sample as (label, value) lines; none without a sample."""
    if accuracy is None:
        return []
    lines = []
    for label, counts, share in (("entities", accuracy.entities, accuracy.entity_accuracy),
                                 ("relations", accuracy.relations, accuracy.relation_accuracy)):
        shown = "—" if share is None else f"{share:.1%}"
        lines.append((f"{label} supported by their chunk (LLM-judged)",
                      f"{counts.supported} / {counts.judged} ({shown}); sampled {counts.sampled}, "
                      f"no source {counts.no_source}, failed {counts.failed}"))
    return lines


def _graph_rows(quality: GraphQuality | None, row: Any) -> list[str]:
    return [] if quality is None else [row(f"graph: {label}", value) for label, value in graph_summary(quality)]


def _graph_figures(quality: GraphQuality | None) -> str:
    if quality is None:
        return ""
    return ("<h2>Knowledge graph</h2>"
            + _svg_histogram(quality.degree, "Entity degree (relations per entity)", "relations")
            + _svg_histogram(quality.description_tokens, "Relation description length", "tokens"))
