"""Upstream GraphGen's 2026 config format read as ours: ``global_params`` and a list of
``nodes`` (``{id, op_name, type, dependencies, params, execution_params, save_output}``),
the operator DAG upstream runs on Ray.

``translate`` turns such a file into this project's keys where the concepts match — read →
``input_file`` / ``text_column``, chunk → ``chunking``, quiz → ``quiz_samples``, judge
(present or not) → ``judge.skip``, partition → ``partition``, generate → the modes
(``traverse_strategy.qa_form``) and ``output.format`` — and refuses the rest, one line per
key, each naming the key and what to do. What is ignored on purpose (storage back-ends,
Ray's ``execution_params``, ``save_output``, a node's ``type``) is harmless here: Neo4j
and the response cache stand in for upstream's storage, the work pool for Ray, and
``run`` always exports its QA. Our own sections (``output``, ``llm``, ``generation``…)
may sit beside ``nodes``; a key set both ways is an error. docs/upstream-features.md
lists the translation.
"""

from __future__ import annotations

from typing import Any

from graphgen_neo4j.errors import ConfigError

IGNORED_GLOBALS = ("working_dir", "graph_backend", "kv_backend")  # Neo4j and .graphgen/ stand in
IGNORED_NODE_KEYS = ("type", "execution_params", "save_output")  # Ray's scheduling; run always exports
NODE_KEYS = ("id", "op_name", "dependencies", "params", *IGNORED_NODE_KEYS)
_HF = "huggingface://"

# op → its params this project reads (key → dotted key of ours, or None: read by a handler below),
# and params harmless to ignore.
_PARAMS: dict[str, dict[str, str | None]] = {
    "read": {"input_path": "input_file", "text_column": "text_column"},
    "chunk": {"chunk_size": "chunking.chunk_size", "chunk_overlap": "chunking.chunk_overlap"},
    "build_kg": {},
    "quiz": {"quiz_samples": "quiz_samples"},
    "judge": {},
    "partition": {"method": "partition.method", "method_params": "partition.method_params"},
    "generate": {"method": None, "data_format": None},
}
_HARMLESS: dict[str, tuple[str, ...]] = {
    "read": ("parallelism", "recursive"),  # folders are always read recursively; concurrency is ours
    "quiz": ("concurrency_limit",),  # requests in flight: llm.synthesizer.max_concurrency
}
# What to do instead, for the ops and params this project does not have.
_INSTEAD: dict[str, str] = {
    "search": "web and database search is not supported here; remove the node",
    "rephrase": "the rephrase pipeline is not supported here; remove the node",
    "extract": "schema-guided extraction is not supported here; remove the node (build_kg extracts the graph)",
    "evaluate": "remove the node and run `graphgen-neo4j report DATASET` after the run (length, MTLD, "
                "coverage, graph structure; --judge-sample for accuracy)",
    "filter": "remove the node and put the rules in our filter: section (min_mtld, min_/max_answer_tokens, "
              "dedup…), which run applies before export",
    "read.allowed_suffix": "remove it: every supported extension in a folder is read",
    "read.read_nums": "remove it, or point input_path at a smaller file",
    "read.recursive": "folders are always read recursively here; remove it",
    "read.modalities": "only text is read here; remove it (images and VQA are not supported)",
    "build_kg.max_loop": "remove it: gleaning is `graphgen-neo4j ingest --max-gleaning N` (default 1)",
    "generate.num_of_questions": "remove it: here each relation (atomic, multi_choice, fill_in_blank…) or batch "
                                 "(aggregated, multi_answer…) gives one QA; generation.max_qa caps the total",
    "generate.vqa": "images are not read here; use another method (atomic, aggregated, multi_hop…)",
    "generate.masked_fill_in_blank": "use fill_in_blank (it masks an entity or value of a relation)",
    "generate.QA_pairs": "use Alpaca, Sharegpt, ChatML or prompt-completion (report reads QA_pairs files)",
}


def is_upstream_dag(data: Any) -> bool:
    """The file is upstream's 2026 format: a top-level ``nodes`` list."""
    return isinstance(data, dict) and isinstance(data.get("nodes"), list)


def translate(data: dict[str, Any], source: str = "config") -> dict[str, Any]:
    """Our config keys for an upstream ``global_params`` + ``nodes`` file; a ConfigError listing
    every unsupported key, one a line, when there is any."""
    problems: list[str] = []
    ours: dict[str, Any] = {}
    globals_ = data.get("global_params") or {}
    if not isinstance(globals_, dict):
        problems.append("global_params: expected a mapping of keys")
        globals_ = {}
    problems += [f"global_params.{key}: not used here; remove it (allowed, and ignored: {', '.join(IGNORED_GLOBALS)})"
                 for key in globals_ if key not in IGNORED_GLOBALS]
    nodes = _checked_nodes(data["nodes"], problems)
    ops = [node["op_name"] for node in nodes]
    modes: list[str] = []
    formats: list[str] = []
    for node in nodes:
        _translate_node(node, ours, modes, formats, problems)
    if modes:
        ours["traverse_strategy.qa_form"] = list(dict.fromkeys(modes))
    if len(set(formats)) > 1:
        problems.append(f"nodes: generate steps ask for different data_format values ({', '.join(formats)}); "
                        "use one (export writes one format per file; `graphgen-neo4j export` writes others)")
    elif formats:
        ours["output.format"] = formats[0]
    if "judge" not in ops and "true_false" not in modes:
        ours["judge.skip"] = True  # upstream's DAG without judge: relations get no loss
    if problems:
        lines = ";\n".join(f"  {p}" for p in problems)  # the CLI shows it on one line: the ; keeps keys apart
        raise ConfigError(f"{source}: upstream-format config: {len(problems)} setting(s) not supported here:\n{lines}")
    return _merge({k: v for k, v in data.items() if k not in ("global_params", "nodes")}, ours, source)


def _checked_nodes(nodes: list[Any], problems: list[str]) -> list[dict[str, Any]]:
    """Nodes with an id and a known op_name; dependencies must name other nodes."""
    out: list[dict[str, Any]] = []
    ids = [n.get("id") for n in nodes if isinstance(n, dict)]
    for position, node in enumerate(nodes):
        where = f"nodes[{position}]"
        if not isinstance(node, dict) or not node.get("id") or not node.get("op_name"):
            problems.append(f"{where}: each node needs an id and an op_name")
            continue
        where = f"nodes[{node['id']}]"
        problems += [f"{where}.{key}: unknown node key; allowed keys: {', '.join(NODE_KEYS)}"
                     for key in node if key not in NODE_KEYS]
        problems += [f"{where}.dependencies: {dep!r} is not the id of a node" for dep in node.get("dependencies") or []
                     if dep not in ids]
        op = node["op_name"]
        if op in _INSTEAD:
            problems.append(f"{where}: op {op!r}: {_INSTEAD[op]}")
        elif op not in _PARAMS:
            problems.append(f"{where}: unknown op {op!r}; ops read here: {', '.join(_PARAMS)}")
        else:
            out.append(node)
    seen = [n["op_name"] for n in out if n["op_name"] != "generate"]
    problems += [f"nodes: op {op!r} appears more than once; keep one" for op in dict.fromkeys(seen) if seen.count(op) > 1]
    return out


def _translate_node(node: dict[str, Any], ours: dict[str, Any], modes: list[str], formats: list[str],
                    problems: list[str]) -> None:
    op, params = node["op_name"], node.get("params") or {}
    where = f"nodes[{node['id']}].params"
    for key, value in params.items():
        target = _PARAMS[op].get(key)
        if key in _HARMLESS.get(op, ()) and not (key == "recursive" and value is False):
            continue
        if f"{op}.{key}" in _INSTEAD:
            problems.append(f"{where}.{key}: {_INSTEAD[f'{op}.{key}']}")
        elif key not in _PARAMS[op]:
            allowed = [*_PARAMS[op], *_HARMLESS.get(op, ())]
            problems.append(f"{where}.{key}: not supported here; remove it"
                            + (f" (keys read: {', '.join(allowed)})" if allowed else " (this op takes no params here)"))
        elif key == "input_path":
            ours["input_file"] = _input_paths(value, where, problems)
        elif key == "method" and op == "generate":
            if f"generate.{value}" in _INSTEAD:
                problems.append(f"{where}.method: {value!r}: {_INSTEAD[f'generate.{value}']}")
            else:
                modes.append(str(value))
        elif key == "data_format":
            if f"generate.{value}" in _INSTEAD:
                problems.append(f"{where}.data_format: {value!r}: {_INSTEAD[f'generate.{value}']}")
            else:
                formats.append(str(value))
        elif target:
            ours[target] = value


def _input_paths(value: Any, where: str, problems: list[str]) -> Any:
    """Upstream's ``huggingface://name:subset:split`` as our ``hf:name[:split]``; files unchanged."""
    paths = value if isinstance(value, list) else [value]
    out = []
    for path in paths:
        if isinstance(path, str) and path.startswith(_HF):
            name, _, rest = path[len(_HF):].partition(":")
            subset, _, split = rest.rpartition(":") if rest.count(":") else ("", "", rest)
            if subset:
                problems.append(f"{where}.input_path: {path!r}: dataset subsets are not read here; save the subset "
                                "with datasets' save_to_disk and give that folder")
                continue
            path = f"hf:{name}" + (f":{split}" if split else "")
        out.append(path)
    return out if isinstance(value, list) else (out[0] if out else value)


def _merge(base: dict[str, Any], dotted: dict[str, Any], source: str) -> dict[str, Any]:
    """``base`` (our own sections beside the nodes) with the translated dotted keys set; a key set both ways
    is a ConfigError."""
    merged: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for key, value in dotted.items():
        node = merged
        *parents, last = key.split(".")
        for part in parents:
            child = node.get(part)
            if child is not None and not isinstance(child, dict):
                raise ConfigError(f"{source}: {part} beside the nodes must be a mapping (the nodes set {key})")
            child = node[part] = dict(child or {})
            node = child
        if last in node:
            raise ConfigError(f"{source}: {key} is set both by the nodes and by the keys beside them; keep one")
        node[last] = value
    return merged
