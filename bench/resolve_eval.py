"""Score alias proposals and merges against the labelled resolve benchmark (``bench/resolve_data``).

Pure functions, no database:

* ``load_labels`` / ``load_corpus`` read ``labels.jsonl``, ``documents.jsonl``, ``extractions.jsonl``;
* ``score_pairs(proposed, labels)`` scores proposed pairs (either orientation): recall of the
  true pairs, by kind; how many proposals are right (same true cluster), hard negatives
  (a labelled negative) or unlabelled; precision = right / all proposals;
* ``score_merges(groups, labels)`` scores merges given as groups of names that ended up as one
  entity: a true pair is recalled when both names are in one group, a hard negative is
  wrongly merged when both are;
* ``evidence_pairs(corpus)`` runs ``graphgen_neo4j.analyst.evidence`` alone over the corpus
  (document texts and entity descriptions) and returns the pairs its cues propose.

``python bench/resolve_eval.py`` prints the cue-only smoke check: how many true pairs the
cues find, how many hard negatives they wrongly propose, what else they propose, and how
many hard negatives carry a negative cue. Names are compared loosely (NFKC, case, spaces
and punctuation ignored), as the resolver does.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from graphgen_neo4j.analyst.evidence import description_aliases, find_identity_statements  # noqa: E402
from graphgen_neo4j.analyst.negative_cues import negative_evidence  # noqa: E402

DATA = Path(__file__).resolve().parent / "resolve_data"


@dataclass(frozen=True)
class Label:
    a: str
    b: str
    same: bool
    kind: str


@dataclass
class PairScore:
    """How a set of proposals (or merges) does against the labels."""

    true_pairs: int = 0
    recalled: int = 0
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind → (recalled, total)
    proposals: int = 0
    right: int = 0  # both names in one true cluster
    hard_negatives: list[tuple[str, str, str]] = field(default_factory=list)  # (a, b, kind) proposed or merged
    unlabelled: list[tuple[str, str]] = field(default_factory=list)
    missed: list[Label] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.recalled / self.true_pairs if self.true_pairs else 0.0

    @property
    def precision(self) -> float:
        return self.right / self.proposals if self.proposals else 0.0


def loose(name: str) -> str:
    """A name as compared: NFKC, case-folded, without spaces, punctuation and symbols."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZ")


def load_labels(path: Path = DATA / "labels.jsonl") -> list[Label]:
    with open(path, encoding="utf-8") as lines:
        return [Label(**json.loads(line)) for line in lines if line.strip()]


def load_corpus(data: Path = DATA) -> list[dict]:
    """Documents with their extraction replies: ``{"id", "text", "reply"}``."""
    with open(data / "documents.jsonl", encoding="utf-8") as lines:
        docs = {d["id"]: d for d in (json.loads(line) for line in lines if line.strip())}
    with open(data / "extractions.jsonl", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                docs[row["id"]]["reply"] = row["reply"]
    return list(docs.values())


def load_name_translations(data: Path = DATA) -> dict[str, str]:
    """``name_translations.tsv``: every extracted name → its name in the other language (what the scripted LLM "knows")."""
    table = {}
    for line in (data / "name_translations.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, other = line.split("\t")
            table[name] = other
    return table


def clusters(labels: Iterable[Label]) -> dict[str, str]:
    """Each name's true cluster (union of the true pairs), by loose key."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for label in labels:
        if label.same:
            parent[find(loose(label.a))] = find(loose(label.b))
    return {name: find(name) for name in list(parent)}


def _score(connected: callable, proposals: list[tuple[str, str]], labels: list[Label]) -> PairScore:
    cluster = clusters(labels)
    negatives = {frozenset((loose(lab.a), loose(lab.b))): lab.kind for lab in labels if not lab.same}
    score = PairScore()
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for label in labels:
        if label.same:
            score.true_pairs += 1
            kinds[label.kind][1] += 1
            if connected(loose(label.a), loose(label.b)):
                score.recalled += 1
                kinds[label.kind][0] += 1
            else:
                score.missed.append(label)
    score.by_kind = {kind: (found, total) for kind, (found, total) in sorted(kinds.items())}
    for a, b in proposals:
        ka, kb = loose(a), loose(b)
        score.proposals += 1
        if ka in cluster and cluster.get(ka) == cluster.get(kb):
            score.right += 1
        elif frozenset((ka, kb)) in negatives:
            score.hard_negatives.append((a, b, negatives[frozenset((ka, kb))]))
        else:
            score.unlabelled.append((a, b))
    return score


def score_pairs(proposed: Iterable[tuple[str, str]], labels: list[Label]) -> PairScore:
    """Score proposed pairs (orientation ignored, duplicates counted once) against the labels."""
    unique: dict[frozenset[str], tuple[str, str]] = {}
    for a, b in proposed:
        if loose(a) != loose(b):
            unique.setdefault(frozenset((loose(a), loose(b))), (a, b))
    keys = set(unique)
    return _score(lambda x, y: frozenset((x, y)) in keys, list(unique.values()), labels)


def score_merges(groups: Iterable[Iterable[str]], labels: list[Label]) -> PairScore:
    """Score merges: each group is the set of names that became one entity.

    Proposals here are the within-group pairs that the labels mention or that cross clusters:
    a group {A, B, C} counts A–B, A–C, B–C.
    """
    group_of: dict[str, int] = {}
    pairs: list[tuple[str, str]] = []
    for index, group in enumerate(groups):
        names = sorted({n for n in group}, key=loose)
        for name in names:
            group_of[loose(name)] = index
        pairs.extend((names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names)))
    return _score(lambda x, y: x in group_of and group_of.get(x) == group_of.get(y), pairs, labels)


def evidence_pairs(corpus: list[dict]) -> tuple[list[tuple[str, str]], Counter]:
    """Pairs the identity cues alone propose from document texts and descriptions, and the cue kinds used."""
    pairs: list[tuple[str, str]] = []
    kinds: Counter = Counter()
    for doc in corpus:
        entities = doc["reply"]["entities"]
        names = [e["name"] for e in entities] + [a for e in entities for a in e["aliases"]]
        statements = list(find_identity_statements(doc["text"], names=names))
        for entity in entities:
            statements.extend(description_aliases(entity["name"], entity["description"], names=names))
            statements.extend(find_identity_statements(entity["description"], names=names))
        for statement in statements:
            pairs.append((statement.name, statement.alias))
            kinds[statement.kind] += 1
    return pairs, kinds


def negative_cue_hits(corpus: list[dict], labels: list[Label]) -> tuple[int, int, list[Label]]:
    """(hard negatives with a negative cue somewhere, true pairs with a negative cue, those true pairs)."""
    texts: list[tuple[str, str | None]] = []
    for doc in corpus:
        texts.append((doc["text"], None))
        texts.extend((e["description"], e["name"]) for e in doc["reply"]["entities"])
    negatives_hit, true_hit, wrong = 0, 0, []
    for label in labels:
        found = any(negative_evidence(label.a, label.b, text, subject=subject) for text, subject in texts
                    if (label.a in text or subject == label.a) and (label.b in text or subject == label.b))
        if found and label.same:
            true_hit += 1
            wrong.append(label)
        elif found:
            negatives_hit += 1
    return negatives_hit, true_hit, wrong


def listed_pairs(corpus: list[dict]) -> list[tuple[str, str]]:
    """The (name, alias) pairs the extraction replies list in ``aliases``."""
    return [(e["name"], alias) for doc in corpus for e in doc["reply"]["entities"] for alias in e["aliases"]]


def _report(title: str, score: PairScore) -> None:
    print(f"{title}: recall {score.recalled}/{score.true_pairs} = {score.recall:.2f}; "
          f"precision {score.right}/{score.proposals} = {score.precision:.2f}; "
          f"hard negatives proposed {len(score.hard_negatives)}; unlabelled {len(score.unlabelled)}")


def main() -> int:
    labels = load_labels()
    corpus = load_corpus()
    true = sum(1 for label in labels if label.same)
    print(f"corpus: {len(corpus)} documents, {true} true pairs, {len(labels) - true} hard negatives")
    listed = score_pairs(listed_pairs(corpus), labels)
    _report("aliases listed by the extraction", listed)
    pairs, kinds = evidence_pairs(corpus)
    cues = score_pairs(pairs, labels)
    _report("identity cues alone (evidence.py)", cues)
    print("  by kind:", ", ".join(f"{kind} {found}/{total}" for kind, (found, total) in cues.by_kind.items()))
    print("  statement kinds:", dict(kinds))
    both = score_pairs(listed_pairs(corpus) + pairs, labels)
    _report("listed aliases + cues", both)
    for a, b, kind in cues.hard_negatives:
        print(f"  HARD NEGATIVE proposed: {a} ~ {b} ({kind})")
    for a, b in cues.unlabelled:
        print(f"  unlabelled proposal: {a} ~ {b}")
    hit, true_hit, wrong = negative_cue_hits(corpus, labels)
    print(f"negative cues: {hit}/{len(labels) - true} hard negatives carry one; {true_hit}/{true} true pairs wrongly do")
    for label in wrong:
        print(f"  negative cue on a true pair: {label.a} ~ {label.b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
