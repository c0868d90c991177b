"""An LLM endpoint pool: how well it keeps several servers busy, what a lost server costs, and
what a pool buys a whole ``run``.

Every server is the scripted one (canned replies), each in its own process with C slots
and L seconds per reply, so one server can answer at most C/L requests per second and a
pool of N at most N·C/L.

1. ``requests``: 5,000 mixed requests (plain replies, yes/no with logprobs, short and long
   prompts) through the real ``LLMClient`` over a pool of 4 servers (the client may keep
   2 × C in flight per server, as a vLLM batch should be kept full); utilisation per
   endpoint (its replies · L / (wall · C)) and overall. Then the same with one server
   killed (SIGKILL) once 1,500 replies are in: every request must still be answered,
   the other three absorb its share; utilisation is then over the capacity there was
   (4 servers until the kill, 3 after).
2. ``run``: ``graphgen-neo4j run`` on a generated corpus (400 documents) against the pool
   of 4 and against 1 server: wall-time ratio, and the ratio of the LLM stages alone
   (ingest, quiz, judge, generate; partition and export only talk to Neo4j), and each LLM
   stage's calls and wall time over its ideal (calls × L / (servers × C)). Needs the
   Neo4j of ./.env; it WIPES that database.

    python bench/llm_pool.py                          # both parts, 3 rounds of part 1, 1 of part 2
    python bench/llm_pool.py --part requests --rounds 5
    python bench/llm_pool.py --part run --docs 400 --rounds 2

Figures are medians over the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger

MODEL = "graphgen-scripted"
LLM_STAGES = ("ingest", "quiz", "judge", "generate")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far; 0.0 where /proc is not there."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> float:
    return os.getloadavg()[0]


class Server:
    """One scripted server in a child process."""

    def __init__(self, latency: float, slots: int):
        command = [sys.executable, "-m", "graphgen_neo4j.testing.llm_server", "--port", "0",
                   "--latency", str(latency), "--concurrency", str(slots)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().rsplit(" ", 1)[-1].strip()

    def kill(self) -> None:
        self.cpu_at_kill = process_cpu(self.process.pid)
        self.process.kill()
        self.process.wait()

    def cpu(self) -> float:
        return process_cpu(self.process.pid) if self.process.poll() is None else getattr(self, "cpu_at_kill", 0.0)


@contextmanager
def servers(count: int, latency: float, slots: int) -> Iterator[list[Server]]:
    started = [Server(latency, slots) for _ in range(count)]
    try:
        yield started
    finally:
        for server in started:
            if server.process.poll() is None:
                server.process.terminate()
                server.process.wait()


def endpoints(running: list[Server], role: str, slots: int) -> list[EndpointSettings]:
    return [EndpointSettings(role=role, base_url=s.base_url, model=MODEL, max_concurrency=slots,  # type: ignore[arg-type]
                             timeout=30, max_retries=3) for s in running]


def messages(i: int) -> list[dict[str, str]]:
    statement = f"Rice variety R-{i} is grown in Guangdong."
    if i % 4 == 3:  # a long prompt now and then
        statement += " " + " ".join(f"It was bred from line L-{i}-{k} in season {k}." for k in range(40))
    return [{"role": "user", "content": f"Is the following statement true?\n\nStatement: {statement}\nJudgement:"}]


async def one_request(client: LLMClient, i: int) -> None:
    if i % 3 == 0:
        await client.judge_yes_no(messages(i), stage="bench")
    else:
        await client.complete(messages(i), stage="bench", task="judge", max_tokens=8 if i % 3 == 1 else 64)


async def drive(client: LLMClient, requests: int, workers: int, kill: tuple[Server, int] | None) -> dict:
    """``requests`` through ``workers`` tasks; with ``kill``, that server is killed after that many replies."""
    queue = iter(range(requests))
    answered = 0
    killed_at: float | None = None
    at_kill: dict[str, int] = {}

    async def worker() -> None:
        nonlocal answered, killed_at
        for i in queue:
            await one_request(client, i)
            answered += 1
            if kill is not None and killed_at is None and answered >= kill[1]:
                killed_at = time.perf_counter()
                at_kill.update({row.base_url: row.calls for row in client.ledger.endpoint_rows()})
                kill[0].kill()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    wall = time.perf_counter() - began
    return {"wall": wall, "answered": answered, "killed_after": (killed_at - began) if killed_at else None,
            "at_kill": at_kill}


async def requests_round(n: int, latency: float, slots: int, count: int, kill_after: int | None, limit: int) -> dict:
    with servers(count, latency, slots) as running:
        ledger = TokenLedger()
        client = LLMClient(endpoints(running, "trainee", limit), cache=None, ledger=ledger)
        await asyncio.gather(*(client.complete(messages(-1 - i), stage="warmup", task="judge") for i in range(count * slots)))
        warm = {row.base_url: row.calls for row in ledger.endpoint_rows()}
        victim = (running[-1], kill_after) if kill_after else None
        servers_cpu, client_cpu, load_before = sum(s.cpu() for s in running), time.process_time(), load()
        result = await drive(client, n, 2 * count * limit, victim)
        client_cpu, servers_cpu = time.process_time() - client_cpu, sum(s.cpu() for s in running) - servers_cpu
        await client.aclose()
    bench = [row for row in ledger.rows() if row.stage == "bench"]
    assert result["answered"] == n and sum(r.calls for r in bench) == n and not sum(r.failures for r in bench), "lost requests"
    wall = result["wall"]
    calls = {row.base_url: row.calls - warm.get(row.base_url, 0) for row in ledger.endpoint_rows()}
    if result["killed_after"] is None:
        capacity = count * slots / latency * wall
    else:
        t = result["killed_after"]
        capacity = (count * t + (count - 1) * (wall - t)) * slots / latency
    per_endpoint = [calls[s.base_url] * latency / (wall * slots) for s in running]
    after_kill = None
    if result["at_kill"]:
        after_kill = [calls[s.base_url] + warm.get(s.base_url, 0) - result["at_kill"].get(s.base_url, 0) for s in running]
    return {"wall": wall, "overall": n / capacity, "per_endpoint": per_endpoint, "calls": [calls[s.base_url] for s in running],
            "after_kill": after_kill, "killed_after": result["killed_after"],
            "errors": sum(row.errors for row in ledger.endpoint_rows()),
            "client_ms": client_cpu / n * 1000, "server_ms": servers_cpu / n * 1000, "load": (load_before + load()) / 2}


def part_requests(args: argparse.Namespace) -> None:
    n, latency, slots, count = args.requests, args.latency, args.slots, args.endpoints
    rounds = n / (count * slots)
    print(f"part 1: {count} scripted servers × {slots} slots × {latency * 1000:.0f} ms per reply, {n} mixed requests "
          f"through one pooled LLMClient; ideal {count * slots / latency:.0f} req/s, {args.rounds} round(s), medians")
    print(f"  client max_concurrency {args.client_limit or 2 * slots} per endpoint (more than the server's slots, so its "
          f"batch never waits for the client); ceiling from whole rounds alone: {rounds / math.ceil(rounds):.3f}")
    for label, kill_after in (("all up", None), (f"one killed after {args.kill_after} replies", args.kill_after)):
        results = [asyncio.run(requests_round(n, latency, slots, count, kill_after, args.client_limit or 2 * slots))
                   for _ in range(args.rounds)]

        def med(key: str, results: list[dict] = results) -> float:
            return statistics.median(r[key] for r in results)

        per = [statistics.median(r["per_endpoint"][i] for r in results) for i in range(count)]
        calls = [int(statistics.median(r["calls"][i] for r in results)) for i in range(count)]
        print(f"  {label}: wall {med('wall'):.2f} s, {n / med('wall'):.0f} req/s, utilisation overall {med('overall'):.3f}"
              f" of ideal; lost requests 0; endpoint errors {int(med('errors'))}")
        print(f"    CPU per request: client {med('client_ms'):.2f} ms, servers {med('server_ms'):.2f} ms (all {count}); "
              f"load average {min(r['load'] for r in results):.1f}–{max(r['load'] for r in results):.1f}")
        print("    per endpoint: " + ", ".join(f"#{i + 1} {u:.3f} ({c} replies)" for i, (u, c) in enumerate(zip(per, calls))))
        if kill_after:
            after = [int(statistics.median(r["after_kill"][i] for r in results)) for i in range(count)]
            print(f"    killed #{count} at {med('killed_after'):.2f} s; replies after the kill: "
                  + ", ".join(f"#{i + 1} {a}" for i, a in enumerate(after)))


# ----------------------------------------------------------------------------------- part 2

PLACES = ["Guangdong", "Hunan", "Jiangxi", "Yunnan", "Sichuan", "Anhui", "Hubei", "Fujian", "Zhejiang", "Jiangsu"]
DISEASES = ["Rice Blast", "Sheath Blight", "Bacterial Leaf Blight", "Brown Spot", "False Smut", "Tungro Virus"]
PESTS = ["Brown Planthopper", "Stem Borer", "Leaf Folder", "Gall Midge"]


def corpus(count: int, seed: int = 7) -> list[dict[str, str]]:
    """``count`` short English documents about made-up rice varieties, each with its own names."""
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        variety, parent, other = f"Huanong {i}", f"Line HN{i}A", f"Yuzhen {rng.randint(1, 400)}"
        gene, lab = f"OsR{i}G", f"Institute of Crop Science {i % 40}"
        place, disease, pest = rng.choice(PLACES), rng.choice(DISEASES), rng.choice(PESTS)
        docs.append({"content": (
            f"{variety} is a rice variety bred by the {lab} in {place}. {variety} came from a cross between "
            f"{parent} and {other}. The gene {gene} gives {variety} resistance to {disease}. "
            f"{variety} is also tolerant of {pest}, which damages {other} in {place}. "
            f"Farmers in {place} grow {variety} on irrigated land, and the {lab} keeps seed of {parent}.")})
    return docs


CONFIG = """\
data_type: raw
input_file: {input}
quiz_samples: 2
traverse_strategy: {{qa_form: aggregated, max_depth: 2, max_extra_edges: 5, loss_strategy: only_edge}}
output: {{path: {output}}}
llm:
  cache: false
  synthesizer: {{max_concurrency: {slots}}}
  trainee: {{max_concurrency: {slots}}}
"""


def wipe_graph() -> None:
    from graphgen_neo4j.db.graph import Graph

    with Graph.connect() as graph:
        while graph.query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
            pass
        graph.init_schema()


# Ledger stages (``:Run.ledger_json``) behind each pipeline stage's wall time.
LEDGER_STAGES = {"ingest": ("extract", "merge", "summarize"), "quiz": ("quiz",), "judge": ("judge",),
                 "generate": ("generate",)}


def last_run() -> tuple[dict[str, float], dict[str, int]]:
    """The last ``run``'s wall time per stage, and its LLM calls per stage (answered by an endpoint)."""
    from graphgen_neo4j.db.graph import Graph

    with Graph.connect() as graph:
        row = graph.query("MATCH (r:Run {command: 'run'}) RETURN r.stage_timings_json AS t, r.ledger_json AS l "
                          "ORDER BY r.started_at DESC LIMIT 1")
    timings = json.loads(row[0]["t"]) if row and row[0]["t"] else {}
    ledger = json.loads(row[0]["l"]) if row and row[0]["l"] else {}
    calls = {stage: sum(int(r.get("calls", 0)) for r in ledger.get("rows", []) if r.get("stage") in names)
             for stage, names in LEDGER_STAGES.items()}
    return {name: float(entry.get("seconds", 0.0)) for name, entry in timings.items()}, calls


def one_run(workdir: Path, running: list[Server], slots: int) -> dict:
    wipe_graph()
    urls = [s.base_url for s in running]
    # The checkout this bench is in, not whichever graphgen_neo4j is installed (the run starts in a temp dir).
    path = os.pathsep.join(p for p in (str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path, "SYNTHESIZER_BASE_URL": ",".join(urls), "SYNTHESIZER_MODEL": MODEL,
           "TRAINEE_BASE_URL": ",".join(urls), "TRAINEE_MODEL": MODEL, "SYNTHESIZER_API_KEY": "", "TRAINEE_API_KEY": ""}
    for key in ("SYNTHESIZER_MAX_CONCURRENCY", "TRAINEE_MAX_CONCURRENCY", "SYNTHESIZER_TIMEOUT", "TRAINEE_TIMEOUT"):
        env.pop(key, None)
    began, children, load_before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN), load()
    servers_cpu = sum(s.cpu() for s in running)
    done = subprocess.run([sys.executable, "-m", "graphgen_neo4j", "run", "--config", str(workdir / "config.yaml"),
                           "--overwrite"], env=env, cwd=workdir, capture_output=True, text=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    servers_cpu = sum(s.cpu() for s in running) - servers_cpu
    if done.returncode != 0:
        raise SystemExit(f"run failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    stages, calls = last_run()
    return {"wall": wall, "llm": sum(stages.get(s, 0.0) for s in LLM_STAGES), "stages": stages, "calls": calls,
            "client_cpu": client_cpu, "servers_cpu": servers_cpu, "load": (load_before + load()) / 2}


def part_run(args: argparse.Namespace) -> None:
    slots, latency = args.slots, args.latency
    print(f"\npart 2: `run` on {args.docs} generated documents, scripted servers {slots} slots × "
          f"{latency * 1000:.0f} ms; pool of {args.endpoints} vs 1 server, {args.rounds} round(s), medians")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in corpus(args.docs)), encoding="utf-8")
        (workdir / "config.yaml").write_text(CONFIG.format(input=workdir / "docs.jsonl", output=workdir / "qa.jsonl",
                                                           slots=args.client_limit or 2 * slots), encoding="utf-8")
        results: dict[int, list[dict]] = {1: [], args.endpoints: []}
        for _ in range(args.rounds):
            for count in (1, args.endpoints):
                with servers(count, latency, slots) as running:
                    results[count].append(one_run(workdir, running, slots))
    for count, runs in results.items():
        stages = {s: statistics.median(r["stages"].get(s, 0.0) for r in runs) for s in runs[0]["stages"]}
        shown = ", ".join(f"{s} {v:.1f}" for s, v in stages.items())
        print(f"  {count} server(s): wall {statistics.median(r['wall'] for r in runs):.1f} s; "
              f"LLM stages {statistics.median(r['llm'] for r in runs):.1f} s ({shown})")
        ideal = {s: statistics.median(r["calls"].get(s, 0) for r in runs) * latency / (count * slots) for s in LLM_STAGES}
        print("    calls, and wall time over the ideal (calls × L / (servers × C)): " + ", ".join(
            f"{s} {int(statistics.median(r['calls'].get(s, 0) for r in runs))} calls {stages.get(s, 0.0) / ideal[s]:.2f}×"
            for s in LLM_STAGES if ideal[s]))
        print(f"    CPU: the run process {statistics.median(r['client_cpu'] for r in runs):.1f} s, the servers "
              f"{statistics.median(r['servers_cpu'] for r in runs):.1f} s; load average "
              f"{statistics.median(r['load'] for r in runs):.1f}")
    one, many = results[1], results[args.endpoints]
    wall_ratio = statistics.median(r["wall"] for r in one) / statistics.median(r["wall"] for r in many)
    llm_ratio = statistics.median(r["llm"] for r in one) / statistics.median(r["llm"] for r in many)
    print(f"  wall-time ratio 1 → {args.endpoints}: {wall_ratio:.2f}×; LLM-stage ratio: {llm_ratio:.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["requests", "run", "both"], default="both")
    parser.add_argument("--endpoints", type=int, default=4)
    parser.add_argument("--slots", type=int, default=16, help="slots per server (C)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per reply (L)")
    parser.add_argument("--requests", "-n", type=int, default=5000)
    parser.add_argument("--kill-after", type=int, default=1500, help="replies before one server is killed")
    parser.add_argument("--client-limit", type=int, default=None, help="client max_concurrency per endpoint (2 × slots)")
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=None, help="default: 3 for part 1, 1 for part 2")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if args.part in ("requests", "both"):
        part_requests(argparse.Namespace(**{**vars(args), "rounds": args.rounds or 3}))
    if args.part in ("run", "both"):
        part_run(argparse.Namespace(**{**vars(args), "rounds": args.rounds or 1}))


if __name__ == "__main__":
    main()
