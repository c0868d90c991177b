"""The pipeline configuration file (YAML).

It accepts upstream GraphGen's keys as they are — ``data_type``, ``input_file``,
``tokenizer``, ``quiz_samples``, ``re_judge``, ``web_search``, ``traverse_strategy``
— so an upstream user's file runs unchanged, plus our own sections (``chunking``,
``generation``, ``output``, ``judge``, ``llm``, ``neo4j``). Every key is checked: an
unknown key or a bad value is a ``ConfigError`` naming the key, the value and what is
allowed.

Precedence, highest first: command-line flags > environment / ``.env`` > this file >
defaults. Secrets (passwords, API keys) are never read from this file: only from the
environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from graphgen_neo4j.errors import ConfigError

ExportFormat = Literal["alpaca", "sharegpt", "messages", "prompt-completion", "chatml"]  # chatml = messages


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TraverseStrategy(_Section):
    """Upstream's ``traverse_strategy``: how batches are cut, and which QA form."""

    qa_form: list[Literal["atomic", "aggregated", "multi_hop", "open"]] = ["aggregated"]
    bidirectional: bool = True
    edge_sampling: Literal["max_loss", "min_loss", "random"] = "max_loss"
    expand_method: Literal["max_width", "max_tokens"] = "max_width"
    isolated_node_strategy: Literal["ignore", "add"] = "ignore"
    max_depth: int = Field(2, ge=1)
    max_extra_edges: int = Field(5, ge=0)
    max_tokens: int = Field(256, ge=1)
    loss_strategy: Literal["only_edge", "both"] = "only_edge"
    # Upstream's April 2025 file has it; upstream dropped the feature as unused. Accepted, ignored.
    difficulty_order: list[Literal["easy", "medium", "hard"]] | None = None

    @field_validator("qa_form", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value  # upstream gives one; we allow a list

    def modes(self) -> list[str]:
        # "open" is upstream's old name for aggregated
        return list(dict.fromkeys("aggregated" if f == "open" else f for f in self.qa_form))


class Chunking(_Section):
    chunk_size: int = Field(1024, ge=16, description="tokens per chunk")
    chunk_overlap: int = Field(100, ge=0, description="tokens shared by neighbouring chunks")

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Chunking:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size})")
        return self


class Generation(_Section):
    max_qa: int | None = Field(None, ge=1, description="cap on the number of QA")
    min_loss: float | None = Field(None, description="skip material whose loss is below this")
    mix: dict[Literal["atomic", "aggregated", "multi_hop"], float] | None = Field(
        None, description="share of each mode, e.g. {aggregated: 0.5, multi_hop: 0.3, atomic: 0.2}"
    )
    max_concurrency: int = Field(8, ge=1)


class Output(_Section):
    path: str = Field("output/qa.jsonl", description=".jsonl or .json")
    format: ExportFormat = "alpaca"
    with_metadata: bool = False
    system_prompt: str | None = Field(None, description="a system turn put before every question")
    overwrite: bool = Field(False, description="let an export replace a dataset with an empty or smaller one")

    @field_validator("format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value  # upstream writes Alpaca/Sharegpt/ChatML


class Judge(_Section):
    skip: bool = Field(False, description="judge nothing (relations get no loss); automatic when no trainee is set")
    top_logprobs: int = Field(5, ge=5, le=20)


class Endpoint(_Section):
    max_concurrency: int | None = Field(None, ge=1)
    rpm: int | None = Field(None, ge=1)
    tpm: int | None = Field(None, ge=1)
    timeout: float | None = Field(None, gt=0)
    max_retries: int | None = Field(None, ge=0)


class LLM(_Section):
    cache: bool = True
    cache_path: str = ".graphgen/llm_cache.sqlite"
    synthesizer: Endpoint = Endpoint()
    trainee: Endpoint = Endpoint()


class Neo4jSection(_Section):
    uri: str | None = None
    user: str | None = None
    database: str | None = None


class PipelineConfig(_Section):
    # -- upstream GraphGen keys ------------------------------------------------------------
    data_type: Literal["raw", "chunked"] | None = Field(
        None, description="raw: JSONL of {content}; chunked: JSON list of lists of {content}; "
        "unset: from the file name (.jsonl raw, .json chunked, .txt/.md text)"
    )
    input_file: str | list[str]
    tokenizer: str = "cl100k_base"
    quiz_samples: int = Field(2, ge=1, le=10)
    re_judge: bool = False
    web_search: bool = False
    traverse_strategy: TraverseStrategy = TraverseStrategy()
    # -- graphgen-neo4j ------------------------------------------------------------------------
    chunking: Chunking = Chunking()
    generation: Generation = Generation()
    output: Output = Output()
    judge: Judge = Judge()
    llm: LLM = LLM()
    neo4j: Neo4jSection = Neo4jSection()

    # Where relative input paths are looked up when not found from the working directory.
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    @field_validator("web_search")
    @classmethod
    def _no_web_search(cls, value: bool) -> bool:
        if value:
            raise ValueError("web search is not supported (upstream stored its results but never used them); set web_search: false")
        return value

    def input_paths(self) -> list[Path]:
        names = self.input_file if isinstance(self.input_file, list) else [self.input_file]
        paths = []
        for name in names:
            path = Path(name).expanduser()
            if not path.is_absolute() and not path.exists() and (self.base_dir / path).exists():
                path = self.base_dir / path
            paths.append(path)
        return paths

    def modes(self) -> list[str]:
        return self.traverse_strategy.modes()


# -- loading -------------------------------------------------------------------------------------


def _describe(error: dict[str, Any], section_fields: dict[str, list[str]]) -> str:
    loc = error["loc"]
    key = ".".join(str(p) for p in loc) or "(top level)"
    value = error.get("input")
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = ".".join(str(p) for p in loc[:-1])
        allowed = section_fields.get(parent, [])
        where = f" in {parent}" if parent else ""
        return f"unknown key {loc[-1]!r}{where}; allowed keys: {', '.join(allowed)}"
    if kind == "missing":
        return f"{key}: required key is missing"
    if kind == "literal_error":
        return f"{key}: {value!r} is not allowed; allowed values: {error['ctx']['expected']}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{key}: {value!r} is invalid: {message}"


def _section_fields() -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        fields[prefix] = [n for n, f in model.model_fields.items() if not f.exclude]
        for name, info in model.model_fields.items():
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}.{name}" if prefix else name)

    walk(PipelineConfig, "")
    return fields


def parse_config(data: Any, *, source: str = "config", base_dir: Path | None = None) -> PipelineConfig:
    """Validate a config mapping; errors name the key, the value and what is allowed."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys at the top level, got {type(data).__name__}")
    try:
        config = PipelineConfig.model_validate(data)
    except ValidationError as exc:
        fields = _section_fields()
        lines = [_describe(e, fields) for e in exc.errors()]
        raise ConfigError(f"{source}: " + "; ".join(lines)) from None
    if base_dir is not None:
        config.base_dir = base_dir
    return config


def load_config(path: str | Path) -> PipelineConfig:
    """Read and validate a YAML config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: invalid YAML ({getattr(exc, 'problem', exc)})") from None
    return parse_config(data or {}, source=str(path), base_dir=path.resolve().parent)


def apply_overrides(config: PipelineConfig, overrides: dict[str, Any]) -> PipelineConfig:
    """A copy with dotted-key overrides applied (``{"output.format": "chatml"}``); None values ignored."""
    data = config.model_dump(mode="python", exclude={"base_dir"})
    for dotted, value in overrides.items():
        if value is None:
            continue
        node = data
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return parse_config(data, source="command line", base_dir=config.base_dir)


def neo4j_env(config: PipelineConfig, environ: dict[str, str] | None = None) -> dict[str, str]:
    """NEO4J_* for ``Neo4jSettings.from_env``: the environment wins over the config file."""
    env = dict(os.environ if environ is None else environ)
    for key, value in (("NEO4J_URI", config.neo4j.uri), ("NEO4J_USER", config.neo4j.user),
                       ("NEO4J_DATABASE", config.neo4j.database)):
        if value and key not in env:
            env[key] = value
    return env
