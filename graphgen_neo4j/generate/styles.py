"""The question styles beside atomic / aggregated / multi_hop: their reply models, the pure
functions that check a reply and turn it into a QA (``Styled``), and the options of a
multiple-choice question.

* ``cot`` — a question and a reasoning chain over the batch's relations (stored as
  ``reasoning``), then the conclusion; the exported answer is the chain and the conclusion.
* ``multi_choice`` — the answer is one endpoint of a relation; the other options are
  entities of the same type drawn by ``generate/distractors.cypher``, shuffled by a hash
  of the unit (the same unit always gets the same order); the model writes the stem and
  names the correct option, and a reply naming another or none is re-asked.
* ``multi_answer`` — the model gives the stem, the correct statements (two or more) and
  wrong ones; options are shuffled the same way, the answer is the correct letters.
* ``fill_in_blank`` — the relation's fact as a sentence with a term (entity or value)
  replaced by ``____``; the hidden term must be in the material and not in the sentence.
* ``true_false`` — one of the statements ``quiz`` stored on the relation, with its truth
  label: no model call.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from graphgen_neo4j.language import Language

LETTERS = "ABCDEFGH"
BLANK = "____"
MIN_DISTRACTORS = 2
MAX_DISTRACTORS = 3
_OPTIONS_LABEL = {"en": "Options:", "zh": "选项："}
_TF_PREFIX = {"en": "True or false: ", "zh": "判断正误："}
_TF_ANSWER = {"en": ("True", "False"), "zh": ("正确", "错误")}
_FILL_PREFIX = {"en": "Fill in the blank: ", "zh": "填空："}
_FINAL = {"en": "Answer: ", "zh": "答案："}
_BLANKS = re.compile(r"_{2,}|\[\s*(?:blank|BLANK|MASK|mask)\s*\]|<\s*(?:blank|mask)\s*>|（\s*）|\(\s*\)|【\s*】")


@dataclass
class Styled:
    """A checked reply of a new style: the QA text and what is stored beside it."""

    question: str
    answer: str
    options: list[str] | None = None
    answer_key: list[str] | None = None
    reasoning: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _strip(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().strip("\"'“”").strip()


def _as_list(value: Any) -> list[str]:
    """A JSON list, or a string of lines / numbered items, as clean non-empty items."""
    if isinstance(value, str):
        value = re.split(r"\n+|(?:^|\s)(?=\d+[.)、]\s)", value)
    if not isinstance(value, list):
        return []
    items = [re.sub(r"^\s*(?:\d+[.)、]|[-*•]|step\s*\d+\s*[:：.]|步骤\s*\d+\s*[:：.])\s*", "", _strip(v), flags=re.I)
             for v in value]
    return [i for i in items if i]


def shuffle_seed(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def lettered(options: Sequence[str]) -> list[str]:
    return [f"{LETTERS[i]}. {text}" for i, text in enumerate(options)]


def with_options(stem: str, options: Sequence[str], language: Language) -> str:
    """The question as the trainee sees it: the stem, then one lettered option a line."""
    return "\n".join([stem, _OPTIONS_LABEL[language], *lettered(options)])


# -- multi_choice -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question's options (shuffled) and the correct one."""

    options: tuple[str, ...]
    correct: int  # index into options
    answer_id: str  # the entity the correct option names

    @property
    def letter(self) -> str:
        return LETTERS[self.correct]


def build_choice(key: str, answer_id: str, answer: str, distractors: Sequence[str]) -> Choice | None:
    """The answer and up to ``MAX_DISTRACTORS`` distractors (distinct names), shuffled by ``key``;
    None with fewer than ``MIN_DISTRACTORS``."""
    answer = _strip(answer)
    seen = {answer.casefold()}
    wrong: list[str] = []
    for name in map(_strip, distractors):
        if name.casefold() not in seen:
            seen.add(name.casefold())
            wrong.append(name)
    wrong = wrong[:MAX_DISTRACTORS]
    if len(wrong) < MIN_DISTRACTORS:
        return None
    options = [answer, *wrong]
    random.Random(shuffle_seed(key)).shuffle(options)
    return Choice(options=tuple(options), correct=options.index(answer), answer_id=answer_id)


def option_letter(value: str, options: Sequence[str]) -> str | None:
    """Which option a reply's answer names: ``B``, ``(B)``, ``B. text``, ``选B`` or the option's text."""
    text = _strip(value)
    exact = {o.casefold(): LETTERS[i] for i, o in enumerate(options)}
    if text.casefold() in exact:
        return exact[text.casefold()]
    match = re.match(r"^(?:(?i:option|answer)|选项|答案|选)?\s*[:：]?\s*[(（\[]?([A-H])(?:[)）\].:、,，\s]|$)", text)
    if match and match.group(1).upper() in LETTERS[: len(options)]:
        return match.group(1).upper()
    named = [letter for name, letter in exact.items() if name and name in text.casefold()]
    return named[0] if len(named) == 1 else None


class ChoiceReply(BaseModel):
    """``{"question": …, "answer": "B"}``: the stem of a multiple-choice question and its answer."""

    model_config = ConfigDict(str_strip_whitespace=True)

    question: str = Field(min_length=1, validation_alias=AliasChoices("question", "Question", "stem", "问题", "题干"))
    answer: str = Field(min_length=1, validation_alias=AliasChoices("answer", "Answer", "correct", "答案"))


def choice_reply_model(choice: Choice) -> type[ChoiceReply]:
    """``ChoiceReply`` that rejects (so the client re-asks, saying why) an answer that is not
    among the options or not the correct one."""

    class MultiChoiceReply(ChoiceReply):
        @field_validator("answer", mode="before")
        @classmethod
        def _among_options(cls, value: Any) -> str:
            letter = option_letter(str(value), choice.options)
            allowed = ", ".join(lettered(choice.options))
            if letter is None:
                raise ValueError(f"the answer {value!r} is not one of the options ({allowed}); answer with its letter")
            if letter != choice.letter:
                raise ValueError(f"the answer {letter} is wrong: the fact supports {choice.letter} "
                                 f"({choice.options[choice.correct]})")
            return letter

        @field_validator("question")
        @classmethod
        def _no_giveaway(cls, value: str) -> str:
            # A small model often writes the fact itself ("X consists of A, B and C"): the
            # answer's place becomes a blank, so the options complete the sentence.
            answer = choice.options[choice.correct]
            masked = re.sub(re.escape(answer), BLANK, value, flags=re.IGNORECASE)
            if masked != value and len(re.sub(r"[\W_]+", "", masked)) < 4:
                raise ValueError(f"the question names the answer {answer!r}: ask without naming it")
            return masked

    return MultiChoiceReply


def styled_choice(reply: ChoiceReply, choice: Choice, language: Language) -> Styled:
    stem = _strip(reply.question)
    return Styled(question=with_options(stem, choice.options, language), answer=choice.letter,
                  options=list(choice.options), answer_key=[choice.letter])


# -- multi_answer ----------------------------------------------------------------------------


class MultiAnswerReply(BaseModel):
    """``{"question": …, "correct": [two or more], "wrong": [one or more]}``."""

    model_config = ConfigDict(str_strip_whitespace=True)

    question: str = Field(min_length=1, validation_alias=AliasChoices("question", "Question", "stem", "问题"))
    correct: list[str] = Field(validation_alias=AliasChoices("correct", "correct_options", "answers", "正确", "正确选项"))
    wrong: list[str] = Field(validation_alias=AliasChoices("wrong", "wrong_options", "distractors", "错误", "错误选项"))

    @field_validator("correct", "wrong", mode="before")
    @classmethod
    def _items(cls, value: Any) -> list[str]:
        return _as_list(value)

    @field_validator("wrong")
    @classmethod
    def _shape(cls, wrong: list[str], info: Any) -> list[str]:
        correct = info.data.get("correct") or []
        if len(correct) < 2:
            raise ValueError(f"give at least two correct options (got {len(correct)})")
        if not wrong:
            raise ValueError("give at least one wrong option")
        both = {c.casefold() for c in correct} & {w.casefold() for w in wrong}
        if both:
            raise ValueError(f"an option cannot be both correct and wrong: {sorted(both)[0]!r}")
        if len(correct) + len(wrong) > len(LETTERS):
            raise ValueError(f"at most {len(LETTERS)} options in all")
        return wrong


def styled_multi_answer(reply: MultiAnswerReply, key: str, language: Language) -> Styled:
    correct = list(dict.fromkeys(reply.correct))
    options = correct + [w for w in dict.fromkeys(reply.wrong)]
    random.Random(shuffle_seed(key)).shuffle(options)
    letters = [LETTERS[i] for i, o in enumerate(options) if o in correct]
    return Styled(question=with_options(_strip(reply.question), options, language), answer=", ".join(letters),
                  options=options, answer_key=letters)


# -- cot -------------------------------------------------------------------------------------


class CotReply(BaseModel):
    """``{"question": …, "reasoning": [steps], "answer": …}``; the steps may come as one text."""

    model_config = ConfigDict(str_strip_whitespace=True)

    question: str = Field(min_length=1, validation_alias=AliasChoices("question", "Question", "问题"))
    reasoning: list[str] = Field(validation_alias=AliasChoices(
        "reasoning", "steps", "reasoning_path", "chain", "reasoning_steps", "推理", "推理步骤"))
    answer: str = Field(min_length=1, validation_alias=AliasChoices("answer", "Answer", "conclusion", "答案", "结论"))

    @field_validator("reasoning", mode="before")
    @classmethod
    def _steps(cls, value: Any) -> list[str]:
        steps = _as_list(value)
        if not steps:
            raise ValueError("give the reasoning as a list of steps, one fact each")
        return steps


def styled_cot(reply: CotReply, language: Language) -> Styled:
    steps = [_strip(s) for s in reply.reasoning]
    answer = _strip(reply.answer)
    text = "\n".join([*(f"{i}. {s}" for i, s in enumerate(steps, 1)), _FINAL[language] + answer])
    return Styled(question=_strip(reply.question), answer=text, reasoning=steps)


# -- fill_in_blank ---------------------------------------------------------------------------


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


class BlankReply(BaseModel):
    """``{"sentence": "… ____ …", "answer": …}``."""

    model_config = ConfigDict(str_strip_whitespace=True)

    sentence: str = Field(min_length=1, validation_alias=AliasChoices("sentence", "question", "statement", "句子", "问题"))
    answer: str = Field(min_length=1, validation_alias=AliasChoices("answer", "blank", "missing", "答案"))


_BLANK_KEYS = (("sentence", "question", "statement", "句子", "问题"), ("answer", "blank", "missing", "答案"))


def blank_reply_model(material_text: str, names: Sequence[str] = ()) -> type[BlankReply]:
    """``BlankReply`` that rejects a sentence without a blank, a blank whose term is still in
    the sentence, and a term the material does not contain. ``names``: the fact's entities,
    target first, one of which is masked when the model hid the whole sentence."""
    source = _plain(material_text)

    class FillInBlankReply(BlankReply):
        @model_validator(mode="before")
        @classmethod
        def _blank_it(cls, data: Any) -> Any:
            """A small model often writes the whole sentence: the answer found once in it becomes
            the blank; an answer that is the sentence itself gives way to an entity of the fact."""
            if not isinstance(data, dict):
                return data
            sentence, answer = (next((str(data[k]) for k in keys if data.get(k)), "") for keys in _BLANK_KEYS)
            if not sentence or _BLANKS.search(sentence):
                return data
            if len(_plain(answer)) * 2 > len(_plain(sentence)):
                answer = ""
            for term in [answer.strip()] if answer.strip() else names:
                found = list(re.finditer(re.escape(term), sentence, re.IGNORECASE)) if term else []
                if len(found) == 1:
                    rest = {k: v for k, v in data.items() if k not in _BLANK_KEYS[0] + _BLANK_KEYS[1]}
                    blanked = sentence[: found[0].start()] + BLANK + sentence[found[0].end():]
                    return {**rest, "sentence": blanked, "answer": found[0].group(0)}
            return data

        @field_validator("sentence")
        @classmethod
        def _has_blank(cls, value: str) -> str:
            value = _BLANKS.sub(BLANK, value)
            if value.count(BLANK) != 1:
                raise ValueError(f"the sentence must hold exactly one blank written {BLANK}")
            return value

        @field_validator("answer")
        @classmethod
        def _in_material(cls, value: str, info: Any) -> str:
            value = _strip(value)
            sentence = info.data.get("sentence") or ""
            if not _plain(value):
                raise ValueError("the answer is empty")
            if _plain(value) in _plain(sentence.replace(BLANK, " ")):
                raise ValueError(f"the sentence still contains the hidden term {value!r}")
            rest = _plain(sentence.replace(BLANK, " "))
            if len(rest) < len(_plain(value)):
                raise ValueError(f"the hidden term {value!r} is most of the sentence: hide one name or value only")
            if _plain(value) not in source:
                raise ValueError(f"the hidden term {value!r} is not in the material: hide a name or value it states")
            return value

    return FillInBlankReply


def styled_blank(reply: BlankReply, language: Language) -> Styled:
    return Styled(question=_FILL_PREFIX[language] + _strip(reply.sentence), answer=_strip(reply.answer),
                  answer_key=[_strip(reply.answer)])


# -- true_false ------------------------------------------------------------------------------


def true_false(key: str, statements: Sequence[str], labels: Sequence[bool], language: Language) -> Styled | None:
    """One of a relation's quiz statements (picked by a hash of ``key``: about as many true as
    false over a dataset) with its truth label; None when the relation has none."""
    pairs = [(_strip(s), bool(label)) for s, label in zip(statements, labels) if _strip(s)]
    if not pairs:
        return None
    wanted = shuffle_seed(key) % 2 == 0
    same = [p for p in pairs if p[1] == wanted] or pairs
    statement, label = same[shuffle_seed(key + "#") % len(same)]
    answer = _TF_ANSWER[language][0 if label else 1]
    return Styled(question=_TF_PREFIX[language] + statement, answer=answer,
                  answer_key=["true" if label else "false"])
