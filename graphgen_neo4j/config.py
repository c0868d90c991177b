"""The pipeline configuration file (YAML).

It accepts upstream GraphGen's keys as they are — ``data_type``, ``input_file``,
``tokenizer``, ``quiz_samples``, ``re_judge``, ``web_search``, ``traverse_strategy``, ``partition``
— so an upstream user's file runs unchanged (upstream's 2026 ``global_params`` + ``nodes`` format
is translated by ``upstream_config``), plus our own sections (``chunking``,
``generation``, ``output``, ``judge``, ``llm``, ``neo4j``). Every key is checked: an
unknown key or a bad value is a ``ConfigError`` naming the key, the value and what is
allowed.

Precedence, highest first: command-line flags > environment / ``.env`` > this file >
defaults. Secrets (passwords, API keys) are never read from this file: only from the
environment.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from graphgen_neo4j.choices import (
    EXPORT_FORMAT_ALIASES,
    OUTPUT_SUFFIXES,
    PARTITION_METHOD_ALIASES,
    DataType,
    EdgeSampling,
    ExpandMethod,
    ExportFormat,
    IsolatedNodeStrategy,
    LossStrategy,
    Mode,
    PartitionMethod,
    QAForm,
    Unjudged,
    config_error,
    parse_mix,
    parse_mode,
)
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.upstream_config import is_upstream_dag, translate

__all__ = ["ExportFormat", "PipelineConfig", "apply_overrides", "load_config", "neo4j_env", "parse_config"]

# Settings that a stage config and the pipeline file share: one type, one set of bounds.
QuizSamples = Annotated[int, Field(ge=1, le=10)]
TopLogprobs = Annotated[int, Field(ge=5, le=20)]
MaxGleaning = Annotated[int, Field(ge=0, le=5)]
DEFAULT_OVERLAP = 100


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Traversal(_Section):
    """How batches are cut: upstream ``traverse_strategy`` keys, shared by the file and ``PartitionConfig``."""

    bidirectional: bool = Field(True, description="true: grow from both entities of the seed, following relations "
                                "in either direction; false: grow from the seed's target along outgoing relations")
    edge_sampling: EdgeSampling = Field("max_loss", description="seed order and the order candidates are taken in")
    expand_method: ExpandMethod = Field("max_width", description="max_width: cap on extra relations; "
                                        "max_tokens: cap on description tokens")
    isolated_node_strategy: IsolatedNodeStrategy = Field(
        "ignore", description="add: one batch for each entity no batch covers")
    max_depth: int = Field(2, ge=1, description="levels a batch grows from its seed")
    max_extra_edges: int = Field(5, ge=0, description="max_width: relations added to the seed, in all levels")
    max_tokens: int = Field(256, ge=1, description="max_tokens: description tokens of a batch (the seed is always kept)")
    loss_strategy: LossStrategy = Field("only_edge", description="only_edge: order by relation loss; "
                                        "both: by relation loss + the losses of its two entities")


class TraverseStrategy(Traversal):
    """Upstream's ``traverse_strategy``: how batches are cut, and which QA form."""

    qa_form: list[QAForm] = ["aggregated"]
    # Upstream's April 2025 file has it; upstream dropped the feature as unused. Accepted, ignored.
    difficulty_order: list[Literal["easy", "medium", "hard"]] | None = None

    @field_validator("qa_form", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value  # upstream gives one; we allow a list

    def modes(self) -> list[Mode]:
        # "open" is upstream's old name for aggregated
        return list(dict.fromkeys("aggregated" if f == "open" else f for f in self.qa_form))


class PartitionSection(_Section):
    """Upstream 2026's partition operator: ``method`` and its ``method_params`` (the keys each method
    takes are checked when the partition stage's config is built: ``partition.config.method_values``)."""

    method: PartitionMethod = Field("traverse", description="traverse (the traverse_strategy section), ece, bfs, "
                                    "dfs or community (upstream's leiden)")
    method_params: dict[str, Any] = Field(default_factory=dict, description="the method's parameters")

    @field_validator("method", mode="before")
    @classmethod
    def _upstream_name(cls, value: Any) -> Any:
        return PARTITION_METHOD_ALIASES.get(value, value) if isinstance(value, str) else value

    @field_validator("method_params", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value


class Chunking(_Section):
    """Chunk sizes, shared by the file's ``chunking`` section and ``IngestConfig``."""

    chunk_size: int = Field(1024, ge=32, description="maximum tokens per chunk")
    chunk_overlap: int = Field(DEFAULT_OVERLAP, ge=0, description="tokens of whole sentences repeated between "
                               f"chunks (default {DEFAULT_OVERLAP}, or a tenth of a smaller chunk_size)")

    @model_validator(mode="before")
    @classmethod
    def _overlap_follows_a_small_size(cls, data: Any) -> Any:
        # A small chunk_size alone must not fail on the default overlap: a tenth of it then.
        if isinstance(data, dict) and data.get("chunk_overlap") is None and isinstance(data.get("chunk_size"), int):
            data = {**data, "chunk_overlap": min(DEFAULT_OVERLAP, data["chunk_size"] // 10)}
        return data

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Chunking:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size})")
        return self


class Generation(_Section):
    """How many QA of which mix: the file's ``generation`` section, shared by ``GenerateConfig``."""

    max_qa: int | None = Field(None, ge=1, description="cap on the number of QA (all modes)")
    min_loss: float | None = Field(None, description="skip material whose loss is below this (or unknown)")
    mix: dict[Mode, float] | None = Field(
        None, description="share of each mode, e.g. {aggregated: 0.5, multi_hop: 0.3, atomic: 0.2}"
    )
    max_concurrency: int = Field(8, ge=1, description="sizes the material read ahead (4 × this many units); LLM requests in flight are limited by the client (SYNTHESIZER_MAX_CONCURRENCY)")

    @field_validator("min_loss")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("mix", mode="before")
    @classmethod
    def _mix(cls, value: Any) -> dict[str, float] | None:
        if value is None:
            return None
        try:
            return {str(mode): share for mode, share in parse_mix(value).items()}
        except ConfigError as exc:
            raise ValueError(str(exc)) from None


def writable_file_problem(path: str | Path) -> str | None:
    """Why ``path`` could not be written (its folder cannot be created or written), or None."""
    target = Path(path).expanduser()
    if target.is_dir():
        return "is a folder"
    if target.exists():
        return None if os.access(target, os.W_OK) else "is not writable"
    folder = target.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"folder {folder} is not writable"
    return None


class Output(_Section):
    path: str = Field("output/qa.jsonl", description=".jsonl or .json")
    format: ExportFormat = "alpaca"
    with_metadata: bool = False
    system_prompt: str | None = Field(None, description="a system turn put before every question")
    overwrite: bool = Field(False, description="let an export replace a dataset with an empty or smaller one")

    @field_validator("format", mode="before")
    @classmethod
    def _known_name(cls, value: Any) -> Any:
        # upstream writes Alpaca/Sharegpt/ChatML; chatml is another name of messages
        if not isinstance(value, str):
            return value
        return EXPORT_FORMAT_ALIASES.get(value.strip().lower().replace("-", "").replace("_", ""), value)

    @field_validator("path")
    @classmethod
    def _writable_dataset(cls, value: str) -> str:
        if Path(value).suffix.lower() not in OUTPUT_SUFFIXES:
            raise ValueError("name the dataset .jsonl (one record a line) or .json (an array)")
        problem = writable_file_problem(value)
        if problem:
            raise ValueError(f"cannot write the dataset there: {problem}")
        return value


class Judge(_Section):
    skip: bool = Field(False, description="judge nothing (relations get no loss); automatic when no trainee is set")
    top_logprobs: TopLogprobs = 5


class Filter(_Section):
    """Which QA export leaves out (``graphgen-neo4j filter``; ``run`` applies it before export).
    Every rule is off unless set; a QA is excluded (marked, never deleted) when it fails any."""

    min_question_tokens: int | None = Field(None, ge=0, description="drop QA whose question has fewer tokens")
    max_question_tokens: int | None = Field(None, ge=1, description="drop QA whose question has more tokens")
    min_answer_tokens: int | None = Field(None, ge=0, description="drop QA whose answer has fewer tokens")
    max_answer_tokens: int | None = Field(None, ge=1, description="drop QA whose answer has more tokens")
    min_mtld: float | None = Field(None, ge=0, description="drop QA whose answer's MTLD (lexical diversity) is lower")
    dedup: bool = Field(False, description="near-duplicate questions: keep one QA of each cluster")
    dedup_threshold: float = Field(0.8, gt=0, le=1, description="character-3-gram Jaccard at which questions are near duplicates")
    min_faithfulness: float | None = Field(None, ge=0, le=1, description="drop QA judged less faithful (0-1) to their material")
    unjudged: Unjudged = Field("judge", description="with min_faithfulness, a QA not yet judged: judge it (LLM calls), keep it, or drop it")
    min_loss: float | None = Field(None, description="drop QA whose batch loss is below this (or unknown)")
    modes: list[Mode] | None = Field(None, description="keep only QA of these modes")

    @field_validator("min_loss", "min_mtld")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("modes", mode="before")
    @classmethod
    def _mode_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return value
        try:
            return [parse_mode(v) if isinstance(v, str) else v for v in value]
        except ConfigError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Filter:
        for what in ("question", "answer"):
            low, high = getattr(self, f"min_{what}_tokens"), getattr(self, f"max_{what}_tokens")
            if low is not None and high is not None and low > high:
                raise ValueError(f"min_{what}_tokens ({low}) is above max_{what}_tokens ({high})")
        return self

    def active(self) -> bool:
        """Some rule is set."""
        return any(getattr(self, name) is not None and getattr(self, name) is not False for name in type(self).model_fields
                   if name not in ("dedup_threshold", "unjudged"))


class PoolEndpoint(_Section):
    """One endpoint of a role's pool (``llm.<role>.endpoints``); the key comes from the variable ``api_key_env``."""

    base_url: str = Field(min_length=1)
    model: str | None = None
    # A name ending in KEY, TOKEN or SECRET: its value is masked in every message (settings.mask_secrets).
    api_key_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*(KEY|TOKEN|SECRET)$")
    max_concurrency: int | None = Field(None, ge=1)
    rpm: int | None = Field(None, ge=1)
    tpm: int | None = Field(None, ge=1)
    timeout: float | None = Field(None, gt=0)


class Endpoint(_Section):
    max_concurrency: int | None = Field(None, ge=1)
    rpm: int | None = Field(None, ge=1)
    tpm: int | None = Field(None, ge=1)
    timeout: float | None = Field(None, gt=0)
    max_retries: int | None = Field(None, ge=0)
    # Several endpoints behind the role (used when <ROLE>_BASE_URL is not set); see llm/endpoints.py.
    endpoints: list[PoolEndpoint] | None = Field(None, min_length=1)


class LLM(_Section):
    cache: bool = True
    cache_path: str = ".graphgen/llm_cache.sqlite"
    synthesizer: Endpoint = Endpoint()
    trainee: Endpoint = Endpoint()

    @field_validator("cache_path")
    @classmethod
    def _writable_cache(cls, value: str, info: ValidationInfo) -> str:
        problem = writable_file_problem(value) if info.data.get("cache", True) else None
        if problem:
            raise ValueError(f"cannot write the response cache there: {problem} (or set llm.cache: false)")
        return value


class Neo4jSection(_Section):
    uri: str | None = None
    user: str | None = None
    database: str | None = None


class PipelineConfig(_Section):
    # -- upstream GraphGen keys ------------------------------------------------------------
    data_type: DataType | None = Field(
        None, description="raw: JSONL of {content}; chunked: JSON list of lists of {content}; text: .txt/.md; "
        "unset or auto: from the file (.jsonl raw, .json chunked, .txt/.md text); PDF, HTML, DOCX, CSV, "
        "Parquet and datasets are always picked by extension"
    )
    input_file: str | list[str] | None = Field(None, description="file(s) or folder(s); needed by run and estimate")
    text_column: str | None = Field(None, description="CSV / Parquet / datasets: the column holding the text "
                                    "(default: content, else text); the other columns are kept as document metadata")
    tokenizer: str = "cl100k_base"
    quiz_samples: QuizSamples = 2
    re_judge: bool = False
    web_search: bool = False
    traverse_strategy: TraverseStrategy = TraverseStrategy()
    partition: PartitionSection = PartitionSection()  # upstream 2026: its partition operator's params
    # -- graphgen-neo4j ------------------------------------------------------------------------
    chunking: Chunking = Chunking()
    generation: Generation = Generation()
    output: Output = Output()
    judge: Judge = Judge()
    filter: Filter = Filter()
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
        if self.input_file is None:
            return []
        names = self.input_file if isinstance(self.input_file, list) else [self.input_file]
        paths = []
        for name in names:
            path = Path(name).expanduser()
            if not path.is_absolute() and not path.exists() and (self.base_dir / path).exists():
                path = self.base_dir / path
            paths.append(path)
        return paths

    def require_input(self, source: str = "config") -> list[Path]:
        """The input paths; a ConfigError when the file names none."""
        if self.input_file is None:
            raise ConfigError(f"{source}: input_file: required key is missing (the documents to read)")
        return self.input_paths()

    def modes(self) -> list[Mode]:
        return self.traverse_strategy.modes()


# -- loading -------------------------------------------------------------------------------------


def parse_config(data: Any, *, source: str = "config", base_dir: Path | None = None) -> PipelineConfig:
    """Validate a config mapping; errors name the key, the value and what is allowed."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys at the top level, got {type(data).__name__}")
    if is_upstream_dag(data):  # upstream's 2026 format
        data = translate(data, source)
    try:
        config = PipelineConfig.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, source, PipelineConfig) from None
    if base_dir is not None:
        config.base_dir = base_dir
    _check_stage_views(config, source)
    return config


def _check_stage_views(config: PipelineConfig, source: str) -> None:
    """Build every stage's config now, so a setting no stage accepts fails at load, before any work."""
    from graphgen_neo4j.runs.pipeline import stage_configs  # the stages import this module

    try:
        stage_configs(config)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


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
    data = config.model_dump(mode="python", exclude={"base_dir"}, exclude_unset=True)  # unset keys stay defaults
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
