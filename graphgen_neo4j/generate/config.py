"""The generate stage's settings and report: ``GenerateConfig`` (the pipeline file's
``generation`` section plus the modes, the partition run and the sampling), its task
names, and ``GenerateReport`` (what a run did, per mode).
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from graphgen_neo4j.choices import Mode, config_error, parse_mode
from graphgen_neo4j.config import Generation
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.llm.pool import PoolOutcome

STAGE = "generate"


NO_MATERIAL = "no material"  # pool failure reason: the unit's batch lost its material since planning


NO_MATERIAL_REASON = "material excluded or removed since planning"


TASK_ATOMIC = "qa_atomic"


TASK_REWRITE = "qa_aggregated_rewrite"


TASK_QUESTION = "qa_aggregated_question"


TASK_MULTI_HOP = "qa_multi_hop"


TASK_COT = "qa_cot"


TASK_MULTI_CHOICE = "qa_multi_choice"


TASK_MULTI_ANSWER = "qa_multi_answer"


TASK_FILL_IN_BLANK = "qa_fill_in_blank"


class GenerateConfig(Generation):
    """How many QA of which kind, from which batches: the pipeline file's ``generation`` section
    (``config.Generation``: max_qa, min_loss, mix, max_concurrency) plus the modes (upstream key
    ``qa_form`` accepted), the partition run and the sampling."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    modes: list[Mode] = Field(
        default_factory=lambda: list[Mode](["aggregated"]), validation_alias=AliasChoices("modes", "qa_form", "mode")
    )
    partition_run_id: str | None = Field(None, description="batches of this partition run; default the latest")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    write_every: int = Field(32, ge=1, description="store QA in groups of about this many")

    @field_validator("modes", mode="before")
    @classmethod
    def _modes(cls, value: Any) -> list[str]:
        names = value.split(",") if isinstance(value, str) else list(value)
        modes: list[str] = []
        for name in names:
            if str(name).strip():
                try:
                    mode = parse_mode(str(name))
                except ConfigError as exc:
                    raise ValueError(str(exc)) from None
                if mode not in modes:
                    modes.append(mode)
        if not modes:
            raise ValueError("no generation mode given")
        return modes

    @model_validator(mode="after")
    def _mix_names_the_modes(self) -> GenerateConfig:
        if self.mix is None:
            return self
        if "modes" not in self.model_fields_set:
            self.modes = list(self.mix)
        elif set(self.modes) != set(self.mix):
            # A ConfigError passes through pydantic as is: one clear line wherever the config is built.
            raise ConfigError(
                f"mix gives shares for {', '.join(self.mix)} but the modes (qa_form) are {', '.join(self.modes)}: "
                "name the same modes in both (or leave the modes out)"
            )
        return self


def load_config(**values: Any) -> GenerateConfig:
    """``GenerateConfig(**values)`` with validation errors as one ``ConfigError`` line."""
    try:
        return GenerateConfig(**values)
    except ValidationError as exc:
        raise config_error(exc, "generate config", GenerateConfig) from None


class ModeReport(BaseModel):
    candidates: int = 0  # units the batches offer (after curation)
    below_min_loss: int = 0
    unjudged: int = 0  # skipped by min_loss because they have no loss
    quota: int = 0
    selected: int = 0
    reused: int = 0  # already had a QA (an earlier, perhaps interrupted, run)
    generated: int = 0  # QA written by this run
    no_qa: int = 0  # replies that yielded no QA


class GenerateReport(BaseModel):
    run_id: str
    partition_run_id: str
    modes: dict[str, ModeReport]
    qa: int = 0  # distinct QA of this run (reused + generated)
    new_qa: int = 0  # QA nodes created
    duplicate_qa: int = 0  # generated QA identical to one stored already (same id)
    no_qa: int = 0
    no_qa_reasons: dict[str, int] = {}
    batches: int = 0
    batches_used: int = 0
    batches_skipped: int = 0  # none of their units chosen (cap, threshold, nothing usable)
    batches_failed: int = 0
    losses_available: bool = False
    notes: list[str] = []
    work: PoolOutcome | None = None  # the work pool's counts, failures by reason and verdict
