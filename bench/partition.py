"""Benchmark: partition a synthetic graph with Neo4j, side by side with the in-memory reference.

    NEO4J_URI=bolt://127.0.0.1:7703 NEO4J_PASSWORD=… python bench/partition.py [--entities 100000 --relations 300000]

Builds a random graph (uniformly random endpoints, distinct directed pairs, random
losses and strengths, descriptions of 8–30 tokens) in an EMPTY database (``--wipe`` to
empty it first; ``--reuse`` keeps a bench graph loaded by an earlier run), then times,
each in its own process so its peak RSS is its own:

* ``neo4j``: ``graphgen_neo4j.partition.stage.partition`` (max_width, max_depth 2,
  max_extra_edges 5, max_loss, bidirectional) — seed order, waves, writing every
  :Batch and every relation's mark; description tokens were counted beforehand (timed
  separately: that is a one-off cost, later runs reuse the counts);
* ``neo4j-dry``: the same as a dry run — every read and the whole cut, nothing written;
* ``reference``: tests/partition/reference.py on the graph read into Python dicts
  (reading it is timed separately from the partition itself).

Each round runs the three once (``--repeat`` rounds, 3 by default); each is reported by
its median run, with the range. Every round checks that both cut the same batches,
batch for batch.

Then the other methods (``--methods``, default ``ece,bfs,dfs,community``; ``--no-traverse``
skips the three runs above), each in its own process, writes included, ``--repeat`` rounds,
reported by the median: ece (max_units_per_community 10, max_tokens_per_community 10240,
max_loss), bfs and dfs (max_units_per_community 10), community (max_size 20, at most 20
label propagation rounds in Neo4j); ``--methods triple,quintuple`` times those two too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphgen_neo4j.db.graph import Graph, batched  # noqa: E402
from graphgen_neo4j.ids import entity_id, relation_id  # noqa: E402
from graphgen_neo4j.partition.stage import PartitionConfig, partition, refresh_token_counts  # noqa: E402
from graphgen_neo4j.progress import NullProgress  # noqa: E402

CONFIG = PartitionConfig(expand_method="max_width", max_depth=2, max_extra_edges=5, edge_sampling="max_loss",
                         bidirectional=True, loss_strategy="only_edge", isolated_node_strategy="ignore")
WORDS = "rice blast fungus gene leaf root yield drought soil water nitrogen spore resistance protein".split()

LOAD_ENTITIES = """
UNWIND $rows AS row
CREATE (:Entity {id: row.id, name: row.name, type: 'THING', description: row.description, bench: 'partition'})
"""
LOAD_RELATIONS = """
UNWIND $rows AS row
MATCH (s:Entity {id: row.s}), (t:Entity {id: row.t})
CREATE (s)-[:RELATED {id: row.id, description: row.description, loss: row.loss, strength: row.strength}]->(t)
"""


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def description(rng: random.Random, head: str) -> str:
    return head + " " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 24))) + "."


def load(graph: Graph, entities: int, relations: int, seed: int) -> None:
    rng = random.Random(seed)
    ids = [entity_id(f"bench entity {i}") for i in range(entities)]
    started = time.monotonic()
    for chunk in batched(range(entities), 10_000):
        graph.query(LOAD_ENTITIES, {"rows": [
            {"id": ids[i], "name": f"E{i}", "description": description(rng, f"E{i} is")} for i in chunk]})
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < relations:
        s, t = rng.randrange(entities), rng.randrange(entities)
        if s != t:
            pairs.add((s, t))
    rows = [{"id": relation_id(ids[s], ids[t]), "s": ids[s], "t": ids[t],
             "description": description(rng, f"E{s} relates to E{t}:"),
             "loss": rng.random() * 4, "strength": float(rng.randint(1, 10))} for s, t in sorted(pairs)]
    for chunk in batched(rows, 10_000):
        graph.query(LOAD_RELATIONS, {"rows": chunk})
    print(f"loaded {entities} entities, {relations} relations in {time.monotonic() - started:.1f} s")


def run_neo4j(graph: Graph, dry_run: bool = False) -> dict:
    while graph.query("MATCH (b:Batch) WITH b LIMIT 10000 DETACH DELETE b RETURN count(*) AS n")[0]["n"]:
        pass  # batches of earlier bench runs
    graph.query("MATCH (r:Run) WHERE r.id STARTS WITH 'bench-' DELETE r")
    time.sleep(3)  # let the server finish the clean-up's background work: it is not the partition's
    run_id = f"bench-{int(time.time())}"
    graph.query("CREATE (:Run {id: $id, command: 'partition'})", {"id": run_id})  # as the CLI has: batches link to it
    started, cpu = time.monotonic(), time.process_time()
    report = partition(graph=graph, config=CONFIG, run_id=run_id, dry_run=dry_run)
    return {"seconds": time.monotonic() - started, "cpu": time.process_time() - cpu, "rss_mb": rss_mb(),
            "run_id": run_id, "batches": report.batches, "histogram": report.size_histogram}


METHOD_CONFIGS = {
    "ece": PartitionConfig(method="ece", max_units_per_community=10, max_tokens_per_community=10240,
                           unit_sampling="max_loss"),
    "bfs": PartitionConfig(method="bfs", max_units_per_community=10),
    "dfs": PartitionConfig(method="dfs", max_units_per_community=10),
    "community": PartitionConfig(method="community", max_size=20, max_iterations=20),
    "triple": PartitionConfig(method="triple"),
    "quintuple": PartitionConfig(method="quintuple"),
}


def run_method(graph: Graph, method: str) -> dict:
    while graph.query("MATCH (b:Batch) WITH b LIMIT 10000 DETACH DELETE b RETURN count(*) AS n")[0]["n"]:
        pass  # batches of earlier bench runs
    time.sleep(3)  # let the server finish the clean-up's background work
    run_id = f"bench-{method}-{int(time.time())}"
    started, cpu = time.monotonic(), time.process_time()
    report = partition(graph=graph, config=METHOD_CONFIGS[method], run_id=run_id)
    return {"seconds": time.monotonic() - started, "cpu": time.process_time() - cpu, "rss_mb": rss_mb(),
            "batches": report.batches, "relations_in_batches": report.relations_in_batches,
            "notes": report.notes}


def run_reference(graph: Graph) -> dict:
    sys.path.insert(0, str(ROOT / "tests" / "partition"))
    from reference import Entity, Relation, reference_partition

    started = time.monotonic()
    # one row of lists per query: the driver reads that far faster than one row per item
    rows = graph.query("MATCH (e:Entity) RETURN collect([e.id, e.description_tokens, e.loss]) AS rows",
                       write=False)[0]["rows"]
    entities = [Entity(i, tokens, loss) for i, tokens, loss in rows]
    rows = graph.query("MATCH (s:Entity)-[r:RELATED]->(t:Entity) RETURN collect([r.id, s.id, t.id, "
                       "r.description_tokens, r.loss, r.strength]) AS rows", write=False)[0]["rows"]
    relations = [Relation(*row) for row in rows]
    del rows
    read_seconds = time.monotonic() - started
    started, cpu = time.monotonic(), time.process_time()
    batches = reference_partition(entities, relations, CONFIG)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    out = Path("/tmp/partition-bench-reference.json")
    out.write_text(json.dumps([b.relation_ids for b in batches]))
    return {"seconds": seconds, "cpu": cpu, "read_seconds": read_seconds, "rss_mb": rss_mb(), "batches": len(batches)}


def server_cpu(pid: int | None) -> float | None:
    """CPU seconds the Neo4j server process has used so far (Linux /proc), if its pid is known."""
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median_run(runs: list[dict]) -> dict:
    """The run with the median seconds, with the range of all of them."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    return {**ordered[len(ordered) // 2], "range": (ordered[0]["seconds"], ordered[-1]["seconds"])}


def child(which: str, server_pid: int | None) -> dict:
    before = server_cpu(server_pid)
    result = subprocess.run([sys.executable, __file__, "--child", which], capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["server_cpu"] = None if before is None else server_cpu(server_pid) - before
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--relations", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the three runs (medians are reported)")
    parser.add_argument("--wipe", action="store_true", help="empty the database first")
    parser.add_argument("--reuse", action="store_true", help="keep the bench graph already loaded")
    parser.add_argument("--neo4j-dir", type=Path, help="folder of `graphgen-neo4j neo4j start --dir` (to report the "
                        "server's CPU seconds)")
    parser.add_argument("--methods", default="ece,bfs,dfs,community",
                        help="other partition methods to time, comma-separated ('' for none)")
    parser.add_argument("--no-traverse", action="store_true", help="time only --methods")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    with Graph.connect() as graph:
        if args.child:
            if args.child.startswith("method:"):
                result = run_method(graph, args.child.removeprefix("method:"))
            elif args.child == "reference":
                result = run_reference(graph)
            else:
                result = run_neo4j(graph, args.child == "neo4j-dry")
            print(json.dumps(result))
            return
        nodes = graph.query("MATCH (n) RETURN count(n) AS n")[0]["n"]
        bench_nodes = graph.query("MATCH (e:Entity {bench: 'partition'}) RETURN count(e) AS n")[0]["n"]
        if args.reuse and bench_nodes == args.entities:
            print(f"reusing the bench graph ({bench_nodes} entities)")
        else:
            if nodes and not args.wipe:
                sys.exit(f"the database holds {nodes} nodes: pass --wipe to empty it (or --reuse)")
            while graph.query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
                pass
            graph.init_schema()
            load(graph, args.entities, args.relations, args.seed)
        started = time.monotonic()
        counted = refresh_token_counts(graph, dry_run=False, progress=NullProgress())
        print(f"token counts: {len(counted)} descriptions counted and stored in {time.monotonic() - started:.1f} s "
              "(first run only)")

        pid_file = args.neo4j_dir / "run" / "neo4j.pid" if args.neo4j_dir else None
        server_pid = int(pid_file.read_text()) if pid_file and pid_file.is_file() else None
        methods = [m for m in args.methods.split(",") if m]
        unknown = [m for m in methods if m not in METHOD_CONFIGS]
        if unknown:
            sys.exit(f"--methods: unknown {', '.join(unknown)}; allowed: {', '.join(METHOD_CONFIGS)}")
        if args.no_traverse:
            time_methods(args, methods, server_pid)
            return
        # Rounds of the three, interleaved so that the machine's drift touches each alike;
        # each is reported by its median run (this machine's single runs vary by ±15 %).
        runs: dict[str, list[dict]] = {"neo4j-dry": [], "neo4j": [], "reference": []}
        same = True
        for _ in range(args.repeat):
            for which in runs:
                runs[which].append(child(which, server_pid))
            stored = [r["relation_ids"] for r in graph.query(
                "MATCH (b:Batch {run_id: $run_id}) RETURN b.relation_ids AS relation_ids ORDER BY b.index",
                {"run_id": runs["neo4j"][-1]["run_id"]},
                write=False,
)]
            same = same and stored == json.loads(Path("/tmp/partition-bench-reference.json").read_text())
    dry, neo, ref = (median_run(runs[which]) for which in ("neo4j-dry", "neo4j", "reference"))

    def cpu(figures: dict) -> str:
        server = "" if figures["server_cpu"] is None else f" + Neo4j {figures['server_cpu']:.1f}"
        return f"{figures['cpu']:.1f}{server}"

    print(f"graph: {args.entities} entities, {args.relations} relations; config: max_width, max_depth 2, "
          "max_extra_edges 5, max_loss, bidirectional")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work shares them)")

    def spread(figures: dict) -> str:
        low, high = figures["range"]
        return f"{low:.2f}–{high:.2f}"

    print(f"median of {args.repeat} runs each (range of the runs in the last column)")
    print(f"{'':34}{'seconds':>9}{'CPU s (Python + Neo4j)':>24}{'peak RSS MB':>13}{'batches':>9}{'range s':>13}")
    print(f"{'neo4j-driven, writes included':34}{neo['seconds']:9.2f}{cpu(neo):>24}{neo['rss_mb']:13.0f}"
          f"{neo['batches']:9d}{spread(neo):>13}")
    print(f"{'neo4j-driven, dry run (no writes)':34}{dry['seconds']:9.2f}{cpu(dry):>24}{dry['rss_mb']:13.0f}"
          f"{dry['batches']:9d}{spread(dry):>13}")
    print(f"{'in-memory reference':34}{ref['seconds']:9.2f}{ref['cpu']:24.1f}{ref['rss_mb']:13.0f}{ref['batches']:9d}"
          f"{spread(ref):>13}")
    print(f"{'  its read of the graph first':34}{ref['read_seconds']:9.2f}")
    print(f"ratio neo4j-driven / reference: {neo['seconds'] / ref['seconds']:.2f}x "
          f"(/ reference with its read: {neo['seconds'] / (ref['seconds'] + ref['read_seconds']):.2f}x); "
          f"dry run / reference: {dry['seconds'] / ref['seconds']:.2f}x")
    print(f"batch sizes (relations: batches): {neo['histogram']}")
    print(f"same batches, batch for batch, in every round: {same}")
    if methods:
        time_methods(args, methods, server_pid)


def time_methods(args: argparse.Namespace, methods: list[str], server_pid: int | None) -> None:
    """Each method in its own process, ``--repeat`` rounds interleaved; the median run of each."""
    runs: dict[str, list[dict]] = {m: [] for m in methods}
    for _ in range(args.repeat):
        for method in methods:
            runs[method].append(child(f"method:{method}", server_pid))
    print(f"other methods on the same graph, writes included: median of {args.repeat} runs each")
    print(f"{'':34}{'seconds':>9}{'CPU s (Python + Neo4j)':>24}{'peak RSS MB':>13}{'batches':>9}"
          f"{'relations in':>14}{'range s':>13}")
    for method in methods:
        figures = median_run(runs[method])
        server = "" if figures["server_cpu"] is None else f" + Neo4j {figures['server_cpu']:.1f}"
        cpu = f"{figures['cpu']:.1f}{server}"
        low, high = figures["range"]
        print(f"{method:34}{figures['seconds']:9.2f}{cpu:>24}{figures['rss_mb']:13.0f}{figures['batches']:9d}"
              f"{figures['relations_in_batches']:14d}{f'{low:.2f}–{high:.2f}':>13}")
        for note in figures["notes"]:
            print(f"{'':34}{note}")


if __name__ == "__main__":
    main()
