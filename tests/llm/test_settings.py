from __future__ import annotations

import pytest

from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.llm import EndpointSettings

ENV = {"SYNTHESIZER_BASE_URL": "http://127.0.0.1:8000/v1/", "SYNTHESIZER_MODEL": "Qwen/Qwen2.5-7B-Instruct"}


def test_reads_role_variables():
    env = {**ENV, "SYNTHESIZER_API_KEY": "sk-local", "SYNTHESIZER_MAX_CONCURRENCY": "4", "SYNTHESIZER_RPM": "60", "SYNTHESIZER_TPM": "10000"}
    s = EndpointSettings.from_env("synthesizer", env)
    assert (s.base_url, s.model, s.max_concurrency, s.rpm, s.tpm) == ("http://127.0.0.1:8000/v1", "Qwen/Qwen2.5-7B-Instruct", 4, 60, 10000)
    assert s.api_key.get_secret_value() == "sk-local"
    assert "sk-local" not in repr(s)


def test_missing_key_is_allowed_for_local_servers():
    assert EndpointSettings.from_env("synthesizer", ENV).api_key.get_secret_value() == "EMPTY"


@pytest.mark.parametrize("missing", ["SYNTHESIZER_BASE_URL", "SYNTHESIZER_MODEL"])
def test_missing_url_or_model_names_the_variable(missing):
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        EndpointSettings.from_env("synthesizer", env)


def test_malformed_number_names_the_variable():
    with pytest.raises(ConfigError, match="SYNTHESIZER_RPM"):
        EndpointSettings.from_env("synthesizer", {**ENV, "SYNTHESIZER_RPM": "many"})
    with pytest.raises(ConfigError, match="SYNTHESIZER_MAX_CONCURRENCY"):
        EndpointSettings.from_env("synthesizer", {**ENV, "SYNTHESIZER_MAX_CONCURRENCY": "0"})


def test_overrides_win_and_none_is_ignored():
    s = EndpointSettings.from_env("synthesizer", {**ENV, "SYNTHESIZER_RPM": "60"}, rpm=None, max_concurrency=2, structured_output="off")
    assert (s.rpm, s.max_concurrency, s.structured_output) == (60, 2, "off")


def test_trainee_is_optional():
    assert not EndpointSettings.trainee_configured(ENV)
    env = {**ENV, "TRAINEE_BASE_URL": "http://127.0.0.1:8001/v1", "TRAINEE_MODEL": "Qwen/Qwen2.5-0.5B-Instruct"}
    assert EndpointSettings.trainee_configured(env)
    trainee = EndpointSettings.from_env("trainee", env)
    assert trainee.role == "trainee" and trainee.describe() == "TRAINEE endpoint http://127.0.0.1:8001/v1 (model Qwen/Qwen2.5-0.5B-Instruct)"
    with pytest.raises(ConfigError, match="TRAINEE_BASE_URL"):
        EndpointSettings.from_env("trainee", ENV)
