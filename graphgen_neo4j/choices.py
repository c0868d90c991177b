"""The allowed values of every enumerated setting, defined once.

``config.py``, the stage configs and the command-line options all import these; the
tuples (``*_VALUES``) are for help texts and messages. ``parse_mode`` and ``parse_mix``
read the QA modes and their shares wherever they come from (config file, ``--mode``,
``--mix``).
"""

from __future__ import annotations

import math
from typing import Any, Literal, cast, get_args

from pydantic import ValidationError

from graphgen_neo4j.errors import ConfigError

DataType = Literal["auto", "raw", "chunked", "text"]
LossStrategy = Literal["only_edge", "both"]
EdgeSampling = Literal["max_loss", "min_loss", "random"]
ExpandMethod = Literal["max_width", "max_tokens"]
IsolatedNodeStrategy = Literal["ignore", "add"]
Mode = Literal["atomic", "aggregated", "multi_hop", "cot", "multi_choice", "multi_answer", "fill_in_blank", "true_false"]
QAForm = Literal["atomic", "aggregated", "multi_hop", "cot", "multi_choice", "multi_answer", "fill_in_blank", "true_false", "open"]  # upstream's qa_form; "open" is aggregated
ExportFormat = Literal["alpaca", "sharegpt", "messages", "prompt-completion"]  # named after what loads them
Unjudged = Literal["judge", "keep", "drop"]  # filter.min_faithfulness: what happens to a QA with no faithfulness yet
PartitionMethod = Literal["traverse", "ece", "bfs", "dfs", "community", "anchor_bfs", "triple", "quintuple"]
UnitSampling = Literal["max_loss", "min_loss", "random"]

DATA_TYPES: tuple[DataType, ...] = get_args(DataType)
LOSS_STRATEGIES: tuple[LossStrategy, ...] = get_args(LossStrategy)
EDGE_SAMPLINGS: tuple[EdgeSampling, ...] = get_args(EdgeSampling)
EXPAND_METHODS: tuple[ExpandMethod, ...] = get_args(ExpandMethod)
ISOLATED_NODE_STRATEGIES: tuple[IsolatedNodeStrategy, ...] = get_args(IsolatedNodeStrategy)
MODES: tuple[Mode, ...] = ("atomic", "aggregated", "multi_hop", "cot", "multi_choice", "multi_answer", "fill_in_blank",
                           "true_false")
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
UNJUDGED_VALUES: tuple[Unjudged, ...] = get_args(Unjudged)
PARTITION_METHODS: tuple[PartitionMethod, ...] = get_args(PartitionMethod)
UNIT_SAMPLINGS: tuple[UnitSampling, ...] = get_args(UnitSampling)
# Upstream's name of its community partitioner (Leiden there; label propagation here: docs/partition.md).
PARTITION_METHOD_ALIASES = {"leiden": "community"}
# Other names for the export formats: upstream's ChatML, and what OpenAI calls the chat format.
EXPORT_FORMAT_ALIASES: dict[str, ExportFormat] = {
    "alpaca": "alpaca", "sharegpt": "sharegpt", "messages": "messages", "chatml": "messages",
    "openai": "messages", "promptcompletion": "prompt-completion",
}
OUTPUT_SUFFIXES = (".jsonl", ".json")

# Upstream's names: ``open`` was renamed ``aggregated`` (May 2025).
MODE_ALIASES = {"open": "aggregated", "multi-hop": "multi_hop", "multihop": "multi_hop",
                # upstream 2026 method names
                "multi-choice": "multi_choice", "mcq": "multi_choice", "multi-answer": "multi_answer", "maq": "multi_answer",
                "fill-in-blank": "fill_in_blank", "fill_in_the_blank": "fill_in_blank", "true-false": "true_false",
                "tf": "true_false", "chain_of_thought": "cot"}



def parse_format(value: str) -> ExportFormat:
    """An export format by its name or an alias (``chatml`` = ``messages``), any case, - or _ ignored."""
    name = EXPORT_FORMAT_ALIASES.get(value.strip().lower().replace("-", "").replace("_", ""))
    if name is None:
        raise ConfigError(f"unknown export format {value!r}: use one of {', '.join(EXPORT_FORMATS)} (chatml = messages)")
    return name


def parse_mode(value: str) -> Mode:
    """``atomic`` / ``aggregated`` (or upstream's ``open``) / ``multi_hop``; anything else is a ConfigError."""
    name = value.strip().lower()
    name = MODE_ALIASES.get(name, name)
    if name not in MODES:
        raise ConfigError(f"unknown generation mode {value!r}: use one of {', '.join(MODES)} (or upstream's 'open')")
    return cast(Mode, name)


def _mix_items(value: str | dict[str, Any]) -> list[tuple[str, Any]]:
    if not isinstance(value, str):
        return list(value.items())
    items: list[tuple[str, Any]] = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        name, sep, share = part.partition("=")
        if not sep:
            raise ConfigError(f"mix entry {part!r} is not mode=share (e.g. aggregated=0.5)")
        items.append((name, share))
    return items


def parse_mix(value: str | dict[str, Any]) -> dict[Mode, float]:
    """``"aggregated=0.5,multi_hop=0.3,atomic=0.2"`` (or a mapping) → shares by mode.

    Every share must be a finite positive number (a negative, zero, NaN or infinite share is a ConfigError).
    """
    mix: dict[Mode, float] = {}
    for name, share in _mix_items(value):
        mode = parse_mode(str(name))
        try:
            number = float(share)
        except (TypeError, ValueError):
            raise ConfigError(f"mix share for {mode} is not a number: {share!r}") from None
        if not number > 0 or math.isinf(number):
            raise ConfigError(f"mix share for {mode} must be a positive number, got {share!r}")
        mix[mode] = mix.get(mode, 0.0) + number
    if not mix:
        raise ConfigError("mix is empty: give shares such as aggregated=0.5,multi_hop=0.3,atomic=0.2")
    return mix


# -- validation errors as one line ---------------------------------------------------------


def describe_error(error: Any, section_fields: dict[str, list[str]] | None = None) -> str:
    """One pydantic error as ``key: value is invalid: why`` (or the unknown key and the allowed ones)."""
    loc = error["loc"]
    key = ".".join(str(p) for p in loc) or "(top level)"
    value = error.get("input")
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = ".".join(str(p) for p in loc[:-1])
        allowed = (section_fields or {}).get(parent, [])
        where = f" in {parent}" if parent else ""
        return f"unknown key {loc[-1]!r}{where}" + (f"; allowed keys: {', '.join(allowed)}" if allowed else "")
    if kind == "missing":
        return f"{key}: required key is missing"
    if kind == "literal_error":
        return f"{key}: {value!r} is not allowed; allowed values: {error['ctx']['expected']}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{key}: {value!r} is invalid: {message}"


def model_fields_by_section(model: type[Any]) -> dict[str, list[str]]:
    """Dotted section → its keys, for naming the allowed keys of an unknown one."""
    from pydantic import BaseModel

    fields: dict[str, list[str]] = {}

    def walk(current: type[BaseModel], prefix: str) -> None:
        fields[prefix] = [n for n, f in current.model_fields.items() if not f.exclude]
        for name, info in current.model_fields.items():
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}.{name}" if prefix else name)

    walk(model, "")
    return fields


def config_error(exc: ValidationError, source: str, model: type[Any] | None = None) -> ConfigError:
    """The one way a ``ValidationError`` becomes a ``ConfigError``: ``source: key: value … allowed``."""
    fields = model_fields_by_section(model) if model is not None else None
    return ConfigError(f"{source}: " + "; ".join(describe_error(e, fields) for e in exc.errors()))
