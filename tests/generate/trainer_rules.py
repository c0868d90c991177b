"""What the trainers check of a record, written down from their source and docs (no dependency).

* ``llama_factory_convert(record, entry)``: LLaMA-Factory's converters
  (``src/llamafactory/data/converter.py``, ``AlpacaDatasetConverter`` and
  ``SharegptDatasetConverter``) with the columns and tags of a ``dataset_info.json`` entry
  (defaults as ``parser.DatasetAttr``), plus the supervised processor's drop rule (an odd
  number of prompt turns, exactly one response). Returns ``(system, prompt, response)``;
  raises ``ValueError`` where LLaMA-Factory would skip or drop the example, ``KeyError``
  where it would crash on a missing column.
* ``trl_dataset_type(record)``: how TRL's SFTTrainer reads a record (``trl/data_utils.py``
  ``is_conversational`` and the SFT dataset types): ``"conversational"``,
  ``"conversational prompt-completion"``, ``"prompt-completion"``, ``"language modeling"``, or
  None (``KeyError: 'text'`` in SFTTrainer).
* ``openai_format_errors(record)``: OpenAI's documented chat fine-tuning format checks
  (the cookbook's "Data preparation and analysis for chat model fine-tuning").
"""

from __future__ import annotations

from typing import Any

ALPACA_DEFAULTS = {"prompt": "instruction", "query": "input", "response": "output", "system": None}
SHAREGPT_DEFAULT_TAGS = {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
                         "observation_tag": "observation", "function_tag": "function_call", "system_tag": "system"}


def _alpaca(record: dict[str, Any], columns: dict[str, Any]) -> tuple[str, list[dict], list[dict]]:
    query = [record[columns[key]] for key in ("prompt", "query") if columns.get(key) and record[columns[key]]]
    prompt = [{"role": "user", "content": "\n".join(query)}]
    response_column = columns["response"]
    response = [{"role": "assistant", "content": record[response_column]}] if isinstance(record[response_column], str) else []
    system = record[columns["system"]] if columns.get("system") else ""
    return system, prompt, response


def _sharegpt(record: dict[str, Any], columns: dict[str, Any], tags: dict[str, Any]) -> tuple[str, list[dict], list[dict]]:
    role, content = tags["role_tag"], tags["content_tag"]
    mapping = {tags["user_tag"]: "user", tags["assistant_tag"]: "assistant", tags["observation_tag"]: "observation",
               tags["function_tag"]: "function", tags["system_tag"]: "system"}
    messages = record[columns.get("messages", "conversations")]
    if tags["system_tag"] and messages and messages[0][role] == tags["system_tag"]:
        system, messages = messages[0][content], messages[1:]
    else:
        system = record[columns["system"]] if columns.get("system") else ""
    accept = ((tags["user_tag"], tags["observation_tag"]), (tags["assistant_tag"], tags["function_tag"]))
    aligned = []
    for index, message in enumerate(messages):
        if message[role] not in accept[index % 2]:
            raise ValueError(f"invalid role tag {message[role]!r} at turn {index} (LLaMA-Factory skips the example)")
        aligned.append({"role": mapping[message[role]], "content": message[content]})
    if len(aligned) % 2 != 0:
        raise ValueError("invalid message count (LLaMA-Factory skips the example)")
    return system, aligned[:-1], aligned[-1:]


def llama_factory_convert(record: dict[str, Any], entry: dict[str, Any]) -> tuple[str, list[dict], list[dict]]:
    formatting = entry.get("formatting", "alpaca")
    columns = {**(ALPACA_DEFAULTS if formatting == "alpaca" else {"messages": "conversations", "system": None}),
               **entry.get("columns", {})}
    if formatting == "alpaca":
        system, prompt, response = _alpaca(record, columns)
    elif formatting == "sharegpt":
        system, prompt, response = _sharegpt(record, columns, {**SHAREGPT_DEFAULT_TAGS, **entry.get("tags", {})})
    else:
        raise ValueError(f"formatting {formatting!r} unknown to LLaMA-Factory")
    if len(prompt) % 2 != 1 or len(response) != 1:
        raise ValueError("dropped invalid example (supervised processor)")
    if not all(isinstance(turn["content"], str) and turn["content"] for turn in prompt + response):
        raise ValueError("empty turn")
    return system, prompt, response


def _is_conversational(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict) \
        and "role" in value[0] and "content" in value[0]


def trl_dataset_type(record: dict[str, Any]) -> str | None:
    keys = [key for key in ("prompt", "chosen", "rejected", "completion", "messages") if key in record]
    conversational = bool(keys) and _is_conversational(record[keys[0]])
    if "messages" in record and conversational:
        return "conversational"
    if "prompt" in record and "completion" in record:
        return "conversational prompt-completion" if conversational else "prompt-completion"
    if "text" in record:
        return "language modeling"
    return None


OPENAI_MESSAGE_KEYS = {"role", "content", "name", "function_call", "weight"}
OPENAI_ROLES = {"system", "user", "assistant", "function"}


def openai_format_errors(record: Any) -> list[str]:
    if not isinstance(record, dict):
        return ["data_type"]
    messages = record.get("messages")
    if not messages or not isinstance(messages, list):
        return ["missing_messages_list"]
    found = []
    for message in messages:
        if not isinstance(message, dict) or "role" not in message or "content" not in message:
            found.append("message_missing_key")
            continue
        if set(message) - OPENAI_MESSAGE_KEYS:
            found.append("message_unrecognized_key")
        if message["role"] not in OPENAI_ROLES:
            found.append("unrecognized_role")
        if not isinstance(message["content"], str) or not message["content"]:
            found.append("missing_content")
    if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
        found.append("example_missing_assistant_message")
    elif messages[-1].get("role") != "assistant":
        found.append("assistant_message_not_last")
    return found
