"""The comprehension loss: how far the trainee's yes/no answers are from the truth.

The trainee answers each quiz statement with one token; the server returns the
top-k candidates for that token with their log-probabilities. From them::

    P(yes) = Σ p(c) over candidates c that mean yes      (after normalizing c)
    P(no)  = Σ p(c) over candidates c that mean no
    P(correct) = P(yes) if the statement is true else P(no)
    loss(statement) = −log(clamp(P(correct), ε, 1 − ε))      ε = 1e-6
    loss(item) = mean over its statements;  confidence(item) = mean P(correct)

Mass on candidates that mean neither (``The``, ``**``, ``<think>``), and mass
outside the top k, is simply not on the right answer: it counts against the truth.
Nothing is renormalized, so a trainee that rambles instead of answering is
penalized like one that is unsure.

A candidate is normalized before it is classified: Unicode NFKC, case-folded, the
tokenizer's word-start markers (``Ġ``, ``▁``) and surrounding whitespace and
punctuation stripped. So ``Yes``, `` yes``, ``YES``, ``yes.``, ``ĠYes`` and
``"是"`` all mean yes. The word lists (``YES_WORDS``, ``NO_WORDS``) leave out
tokens that often begin an answer of the opposite sense or none at all: ``没``
(没有 = no, but 没错 = right), ``非`` (非常正确 = quite right), single letters and
digits (``Y``, ``t``, ``1``: prefixes of too many words).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

Answer = Literal["yes", "no", "other"]

# Whole-answer words; each is compared with the normalized first token.
YES_WORDS = frozenset({
    "yes", "yeah", "yep", "yup", "true", "correct", "right", "affirmative",
    "是", "是的", "对", "对的", "正确", "没错", "真", "确实", "准确", "成立",
})
NO_WORDS = frozenset({
    "no", "nope", "nah", "not", "false", "incorrect", "wrong",
    "否", "不", "不是", "不对", "不正确", "错", "错误", "错的", "假", "没有",
})

# Clamp for P(correct): keeps −log finite (max loss −log 1e-6 ≈ 13.8).
EPSILON = 1e-6

# Word-start markers some servers leave in raw tokens (GPT-2 byte BPE, SentencePiece).
_TOKEN_MARKERS = "Ġ▁Ċ"
_PUNCTUATION = " \t\r\n.,!?;:'\"`*_()[]{}<>。，！？；：、“”‘’「」『』（）【】《》"


class Candidate(Protocol):
    """A top-k candidate: ``graphgen_neo4j.llm.TokenCandidate`` fits (read-only, as its fields are frozen)."""

    @property
    def token(self) -> str: ...

    @property
    def logprob(self) -> float: ...


def normalize_token(token: str) -> str:
    """The token as compared with the word lists (see module docstring)."""
    text = unicodedata.normalize("NFKC", token).lstrip(_TOKEN_MARKERS + " \t\r\n")
    return text.casefold().strip(_PUNCTUATION)


def classify_token(token: str) -> Answer:
    """``yes``, ``no`` or ``other``."""
    word = normalize_token(token)
    if word in YES_WORDS:
        return "yes"
    if word in NO_WORDS:
        return "no"
    return "other"


class YesNo(BaseModel):
    """Probability mass the trainee put on yes and on no; the rest is ``other``."""

    model_config = ConfigDict(frozen=True)

    p_yes: float
    p_no: float

    @property
    def p_other(self) -> float:
        return max(0.0, 1.0 - self.p_yes - self.p_no)

    def p_correct(self, truth: bool) -> float:
        return self.p_yes if truth else self.p_no


def yes_no_mass(candidates: Iterable[Candidate]) -> YesNo:
    """Sum the probability of the yes and the no candidates.

    Servers sometimes return the same token text twice (different token ids that
    decode alike); both count. Should rounding push the total past 1, both sums are
    scaled back so that P(yes) + P(no) ≤ 1.
    """
    p_yes = p_no = 0.0
    for candidate in candidates:
        p = math.exp(candidate.logprob) if candidate.logprob > -745 else 0.0
        answer = classify_token(candidate.token)
        if answer == "yes":
            p_yes += p
        elif answer == "no":
            p_no += p
    total = p_yes + p_no
    if total > 1.0:
        p_yes, p_no = p_yes / total, p_no / total
    return YesNo(p_yes=p_yes, p_no=p_no)


def statement_loss(p_correct: float) -> float:
    """−log P(correct), with P clamped to [ε, 1 − ε]."""
    return -math.log(min(max(p_correct, EPSILON), 1.0 - EPSILON))


class ItemLoss(BaseModel):
    """The loss of one relation or entity over its quiz statements."""

    model_config = ConfigDict(frozen=True)

    loss: float
    confidence: float  # mean P(correct)
    statements: int
    p_yes: list[float]
    p_no: list[float]


def item_loss(answers: Sequence[YesNo], labels: Sequence[bool]) -> ItemLoss:
    """Mean cross-entropy and mean P(correct) of the answers to an item's statements."""
    if len(answers) != len(labels):
        raise ValueError(f"{len(answers)} answers for {len(labels)} labelled statements")
    if not answers:
        raise ValueError("an item needs at least one judged statement")
    p_correct = [a.p_correct(truth) for a, truth in zip(answers, labels)]
    return ItemLoss(
        loss=sum(statement_loss(p) for p in p_correct) / len(p_correct),
        confidence=sum(p_correct) / len(p_correct),
        statements=len(answers),
        p_yes=[a.p_yes for a in answers],
        p_no=[a.p_no for a in answers],
    )


# Upper edges of the loss histogram's bins (the last bin is open-ended).
# −log 0.5 ≈ 0.69 is where a coin-flip trainee lands.
HISTOGRAM_EDGES: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)


def histogram_labels(edges: Sequence[float] = HISTOGRAM_EDGES) -> list[str]:
    """``['< 0.1', '0.1–0.25', …, '≥ 5']`` for bins numbered 0 … len(edges)."""
    labels = [f"< {edges[0]:g}"]
    labels += [f"{lo:g}–{hi:g}" for lo, hi in zip(edges, edges[1:])]
    labels.append(f"≥ {edges[-1]:g}")
    return labels


def histogram_bin(loss: float, edges: Sequence[float] = HISTOGRAM_EDGES) -> int:
    """Index of the bin holding ``loss`` (the Cypher summary computes the same)."""
    return sum(1 for edge in edges if loss >= edge)
