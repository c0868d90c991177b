"""The seed walkthrough's example, run for real: 0.92 / 0.05 → low loss, 0.4 / 0.6 → high loss.

One relation, 刘备 —结义→ 关羽 ("刘备与关羽结义"), quizzed with ``quiz_samples: 1`` by the
scripted synthesizer: the description (true) and one negation (false). The scripted
trainee is then set to exactly the walkthrough's probabilities and judged twice, as
two trainee models, through the real ``quiz`` and ``judge`` stages against Neo4j:

* ``walkthrough-sure``: P(yes) = 0.92 on the true statement, 0.05 on the negation;
* ``walkthrough-unsure``: P(yes) = 0.40 on the true statement, 0.60 on the negation;

the rest of each answer's probability goes to "no". Printed: the statements, what each
trainee answered, the stored losses, and the checkpoint comparison query's rows.

    NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=… python bench/assess_seed_example.py [--reset]

It needs an empty database (``--reset`` empties it first: everything in it is deleted).
"""

from __future__ import annotations

import argparse
import asyncio
import math

from graphgen_neo4j.assess.judge import JudgeConfig, judge
from graphgen_neo4j.assess.quiz import QuizConfig, quiz
from graphgen_neo4j.db.graph import Graph
from graphgen_neo4j.ids import entity_id, normalize_key, relation_id
from graphgen_neo4j.llm import EndpointSettings, LLMClient, TokenLedger
from graphgen_neo4j.prompts import render
from graphgen_neo4j.testing import ScriptedLLMServer

CASES = {"walkthrough-sure": (0.92, 0.05), "walkthrough-unsure": (0.40, 0.60)}

SEED_GRAPH = """
MERGE (a:Entity {id: $a}) SET a.name = '刘备', a.type = 'PERSON', a.description = '刘备，字玄德。'
MERGE (b:Entity {id: $b}) SET b.name = '关羽', b.type = 'PERSON', b.description = '关羽，字云长。'
MERGE (a)-[r:RELATED {id: $r}]->(b) SET r.description = '刘备与关羽结义', r.keywords = ['结义']
"""


def prepare(graph: Graph, reset: bool) -> str:
    if reset:
        while graph.query("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
            pass
    elif graph.query("MATCH (n) RETURN count(n) > 0 AS used")[0]["used"]:
        raise SystemExit("the database is not empty: pass --reset to delete everything in it first")
    graph.init_schema()
    a, b = entity_id(normalize_key("刘备")), entity_id(normalize_key("关羽"))
    rid = relation_id(a, b)
    graph.query(SEED_GRAPH, {"a": a, "b": b, "r": rid})
    return rid


async def main(reset: bool) -> None:
    with Graph.connect() as graph, ScriptedLLMServer() as server:
        rid = prepare(graph, reset)
        ledger = TokenLedger()

        def client(role: str, model: str) -> LLMClient:
            return LLMClient(EndpointSettings(role=role, base_url=server.base_url, model=model), ledger=ledger)

        async with client("synthesizer", "scripted-synthesizer") as synthesizer:
            await quiz(graph=graph, synthesizer=synthesizer, config=QuizConfig(quiz_samples=1))
        row = graph.query("MATCH ()-[r:RELATED {id: $id}]->() RETURN r.quiz_statements AS s, r.quiz_labels AS l", {"id": rid})[0]
        true_statement, negation = row["s"]
        print("statements:")
        for statement, label in zip(row["s"], row["l"]):
            print(f"  {'true ' if label else 'false'}  {statement}")

        for model, (p_true, p_negation) in CASES.items():
            server.set_judgement(true_statement, yes=p_true)  # no = 1 − yes
            server.set_judgement(negation, yes=p_negation)
            async with client("trainee", model) as trainee:
                report = await judge(graph=graph, trainee=trainee, config=JudgeConfig())
                # the same request once more, to show the raw candidates the loss was computed from
                top = await trainee.judge_yes_no(render("judge", "zh", statement=true_statement), stage="show")
            stored = graph.query(
                "MATCH ()-[r:RELATED {id: $id}]->() RETURN r.loss AS loss, r.loss_confidence AS confidence,"
                " r.loss_p_yes AS p_yes, r.loss_p_no AS p_no",
                {"id": rid},
)[0]
            print(f"\n{model}: {report.llm_calls} judge calls")
            print("  top candidates for the true statement: " + ", ".join(f"{c.token!r} {c.prob:.3f}" for c in top))
            for statement, label, p_yes, p_no in zip(row["s"], row["l"], stored["p_yes"], stored["p_no"]):
                p_correct = p_yes if label else p_no
                print(f"  P(yes)={p_yes:.2f} P(no)={p_no:.2f}  truth={'yes' if label else 'no '}"
                      f"  −log P(correct) = {-math.log(p_correct):.4f}   {statement}")
            print(f"  loss = {stored['loss']:.4f}   mean P(correct) = {stored['confidence']:.3f}")

        print("\ncypher/assess/compare_models.cypher, old = walkthrough-sure, new = walkthrough-unsure:")
        for change in graph.run("assess/compare_models", {"old": "walkthrough-sure", "new": "walkthrough-unsure",
                                                          "limit": 10}):
            print(f"  {change['source']} → {change['target']}: {change['old_loss']:.4f} → {change['new_loss']:.4f}"
                  f" (change {change['change']:+.4f})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reset", action="store_true", help="delete everything in the database first")
    asyncio.run(main(parser.parse_args().reset))
