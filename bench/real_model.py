"""What a real model does to the pipeline: per-stage calls, parse rates, failures, losses, QA.

Runs ``graphgen-neo4j run`` on a corpus against whatever endpoints the environment (or
.env) configures — the embedded model by default, vLLM/SGLang/Ollama/OpenAI as well —
on a fresh database and a fresh cache each round, then prints the figures (median of the
rounds where there are several):

    python bench/real_model.py                       # tests/real_model/corpus, 1 round
    python bench/real_model.py --input examples --rounds 3 --quiz-samples 2

It wipes the database NEO4J_URI points at: use a scratch instance. Figures for the
embedded model are in docs/real-models.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphgen_neo4j.db.graph import Graph  # noqa: E402
from graphgen_neo4j.settings import Neo4jSettings, load_dotenv_file  # noqa: E402

CONFIG = """\
input_file: {input}
quiz_samples: {quiz_samples}
traverse_strategy:
  qa_form: [atomic, aggregated, multi_hop]
output:
  path: {output}
llm:
  cache_path: {cache}
"""

GRAPH_FIGURES = {
    "entities": "MATCH (e:Entity) RETURN count(e) AS n",
    "relations": "MATCH ()-[r:RELATED]->() RETURN count(r) AS n",
    "aliases": "MATCH (a:Alias) RETURN count(a) AS n",
    "chunks": "MATCH (c:Chunk) RETURN count(c) AS n",
    "relations judged": "MATCH ()-[r:RELATED]->() WHERE r.loss IS NOT NULL RETURN count(r) AS n",
    "template negations": "MATCH ()-[r:RELATED]->() UNWIND coalesce(r.quiz_sources, []) AS s WITH s WHERE s = 'template' RETURN count(*) AS n",
    "negations asked alone": "MATCH ()-[r:RELATED]->() UNWIND coalesce(r.quiz_sources, []) AS s WITH s WHERE s = 'negate' RETURN count(*) AS n",
}


def wipe(graph: Graph) -> None:
    while graph.query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS d")[0]["d"]:
        pass


def one_round(args: argparse.Namespace, graph: Graph) -> dict[str, Any]:
    wipe(graph)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        config = work / "bench.yaml"
        config.write_text(CONFIG.format(input=Path(args.input).resolve(), quiz_samples=args.quiz_samples,
                                        output=work / "qa.jsonl", cache=work / "cache.sqlite"), encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "graphgen_neo4j", "run", "--config", str(config), "--json"],
                              capture_output=True, text=True, cwd=work)
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        print(f"round failed (exit {done.returncode}): {tail}", file=sys.stderr)
    report = json.loads(done.stdout[done.stdout.index("{"):]) if "{" in done.stdout else {}
    figures: dict[str, Any] = {"exit code": done.returncode, "seconds": round(seconds, 1)}
    figures |= {name: graph.query(query)[0]["n"] for name, query in GRAPH_FIGURES.items()}
    ingest = report.get("ingest") or {}
    if ingest.get("chunks_total"):
        figures["extraction parse rate"] = round(ingest["chunks_extracted"] / ingest["chunks_total"], 3)
    if figures["chunks"]:
        figures["entities per chunk"] = round(figures["entities"] / figures["chunks"], 2)
        figures["relations per chunk"] = round(figures["relations"] / figures["chunks"], 2)
    if figures["entities"]:
        figures["alias rate"] = round(figures["aliases"] / figures["entities"], 3)
    losses = [r["loss"] for r in graph.query("MATCH ()-[r:RELATED]->() WHERE r.loss IS NOT NULL RETURN r.loss AS loss")]
    if losses:
        figures["loss mean"] = round(statistics.fmean(losses), 4)
        figures["loss spread (stdev)"] = round(statistics.pstdev(losses), 4)
    for row in graph.query("MATCH (q:QA) RETURN q.mode AS mode, count(q) AS n ORDER BY mode"):
        figures[f"QA {row['mode']}"] = row["n"]
    for stage, outcome in (report.get("work") or {}).items():
        figures[f"{stage}: done / failed"] = f"{outcome['done']} / {outcome['failed']}"
        if outcome.get("reasons"):
            figures[f"{stage}: failures by reason"] = ", ".join(f"{k} {v}" for k, v in outcome["reasons"].items())
    for row in (report.get("ledger") or {}).get("rows", []):
        key = f"{row['stage']} ({row['role']})"
        figures[f"{key}: requests / re-asks / failed"] = f"{row.get('requests', row['calls'])} / {row.get('reasks', 0)} / {row['failures']}"
    return figures


def median(values: list[Any]) -> Any:
    numbers = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(numbers) if len(numbers) == len(values) else values[len(values) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=str(ROOT / "tests" / "real_model" / "corpus"))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--quiz-samples", type=int, default=1)
    args = parser.parse_args()
    load_dotenv_file()
    print(f"synthesizer {os.environ.get('SYNTHESIZER_MODEL')} at {os.environ.get('SYNTHESIZER_BASE_URL')}; "
          f"trainee {os.environ.get('TRAINEE_MODEL')} at {os.environ.get('TRAINEE_BASE_URL')}; input {args.input}")
    with Graph.connect(Neo4jSettings.from_env()) as graph:
        rounds = [one_round(args, graph) for _ in range(args.rounds)]
    keys = list(dict.fromkeys(k for r in rounds for k in r))
    width = max(len(k) for k in keys)
    print(f"{'figure':{width}}  median of {len(rounds)} round(s)")
    for key in keys:
        print(f"{key:{width}}  {median([r[key] for r in rounds if key in r])}")


if __name__ == "__main__":
    main()
