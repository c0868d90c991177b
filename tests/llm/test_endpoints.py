"""A role's endpoints: one, a comma list in the environment or a list in the config file;
errors name the variable or key and the value; keys never shown; a trainee pool is one model."""

from __future__ import annotations

import pytest

from graphgen_neo4j.config import parse_config
from graphgen_neo4j.context import load_context
from graphgen_neo4j.errors import ConfigError
from graphgen_neo4j.llm.endpoints import pool_identity, role_endpoints
from graphgen_neo4j.settings import mask_secrets

A, B, C = "http://a:8000/v1", "http://b:8000/v1", "http://c:8000/v1"


def test_one_url_is_one_endpoint_as_before():
    [only] = role_endpoints("synthesizer", {"SYNTHESIZER_BASE_URL": A + "/", "SYNTHESIZER_MODEL": "m"})
    assert only.base_url == A and only.model == "m" and only.max_concurrency == 16


def test_a_comma_list_makes_a_pool_with_shared_or_per_endpoint_values():
    env = {"SYNTHESIZER_BASE_URL": f"{A}, {B},{C}", "SYNTHESIZER_MODEL": "qwen,qwen,llama",
           "SYNTHESIZER_MAX_CONCURRENCY": "32", "SYNTHESIZER_RPM": "10,20,30", "SYNTHESIZER_API_KEY": "k-one,k-two,k-three",
           "SYNTHESIZER_TIMEOUT": "7"}
    pool = role_endpoints("synthesizer", env)
    assert [e.base_url for e in pool] == [A, B, C]
    assert [e.model for e in pool] == ["qwen", "qwen", "llama"]  # a synthesizer pool may mix
    assert [e.max_concurrency for e in pool] == [32, 32, 32] and [e.rpm for e in pool] == [10, 20, 30]
    assert [e.api_key.get_secret_value() for e in pool] == ["k-one", "k-two", "k-three"]
    assert {e.timeout for e in pool} == {7.0}


def test_a_list_of_the_wrong_length_names_the_variable_and_the_value():
    env = {"SYNTHESIZER_BASE_URL": f"{A},{B}", "SYNTHESIZER_MODEL": "m", "SYNTHESIZER_RPM": "1,2,3"}
    with pytest.raises(ConfigError, match=r"SYNTHESIZER_RPM: 2 endpoints in SYNTHESIZER_BASE_URL but .*'1,2,3'"):
        role_endpoints("synthesizer", env)
    with pytest.raises(ConfigError, match=r"SYNTHESIZER_MAX_CONCURRENCY: .*got '0'"):
        role_endpoints("synthesizer", {**env, "SYNTHESIZER_RPM": "", "SYNTHESIZER_MAX_CONCURRENCY": "4,0"})
    with pytest.raises(ConfigError, match=r"SYNTHESIZER_BASE_URL: an empty entry .*'http://a:8000/v1,,"):
        role_endpoints("synthesizer", {**env, "SYNTHESIZER_BASE_URL": f"{A},,{B}", "SYNTHESIZER_RPM": ""})
    with pytest.raises(ConfigError, match="listed twice"):
        role_endpoints("synthesizer", {**env, "SYNTHESIZER_BASE_URL": f"{A},{A}", "SYNTHESIZER_RPM": ""})


def test_a_key_list_of_the_wrong_length_is_refused_without_showing_the_keys():
    env = {"TRAINEE_BASE_URL": f"{A},{B},{C}", "TRAINEE_MODEL": "m", "TRAINEE_API_KEY": "sk-first-secret,sk-second-secret"}
    with pytest.raises(ConfigError) as caught:
        role_endpoints("trainee", env)
    assert "TRAINEE_API_KEY" in str(caught.value) and "2 values" in str(caught.value)
    assert "sk-first" not in str(caught.value) and "sk-second" not in str(caught.value)


def test_mask_secrets_hides_each_key_of_a_list_and_a_pool_entry_key():
    env = {"SYNTHESIZER_API_KEY": "sk-first-secret,sk-second-secret", "PROVIDER_KEY": "pk-entry-secret"}
    masked = mask_secrets("sent sk-second-secret and pk-entry-secret", env)
    assert "sk-second" not in masked and "pk-entry" not in masked


def test_a_trainee_pool_with_different_models_is_refused_in_one_line():
    env = {"TRAINEE_BASE_URL": f"{A},{B}", "TRAINEE_MODEL": "qwen-0.5b,qwen-7b"}
    with pytest.raises(ConfigError) as caught:
        role_endpoints("trainee", env)
    line = str(caught.value)
    assert "\n" not in line and "qwen-0.5b" in line and "qwen-7b" in line and "not comparable" in line
    assert len(role_endpoints("trainee", {**env, "TRAINEE_MODEL": "qwen-7b"})) == 2


POOL_CONFIG = {"llm": {"synthesizer": {"max_concurrency": 8, "endpoints": [
    {"base_url": A, "model": "qwen", "max_concurrency": 32},
    {"base_url": B, "model": "gpt-4o-mini", "api_key_env": "PROVIDER_API_KEY", "rpm": 500},
]}}}


def test_the_config_file_lists_endpoints_each_with_its_model_key_variable_and_limits(tmp_path):
    context = load_context(environ={"PROVIDER_API_KEY": "pk-secret", "SYNTHESIZER_MODEL": "fallback"})
    context.config = parse_config(POOL_CONFIG)
    first, second = context.endpoints("synthesizer")
    assert (first.base_url, first.model, first.max_concurrency, first.api_key.get_secret_value()) == (A, "qwen", 32, "EMPTY")
    assert (second.model, second.rpm, second.max_concurrency) == ("gpt-4o-mini", 500, 8)
    assert second.api_key.get_secret_value() == "pk-secret" and second.key_var == "PROVIDER_API_KEY"
    # the environment's list wins over the file's
    context.environ = {"SYNTHESIZER_BASE_URL": f"{B},{C}", "SYNTHESIZER_MODEL": "m"}
    assert [e.base_url for e in context.endpoints("synthesizer")] == [B, C]


def test_config_errors_name_the_key_and_the_value():
    bad = {"llm": {"synthesizer": {"endpoints": [{"base_url": A, "max_concurrency": 0}]}}}
    with pytest.raises(ConfigError, match=r"llm.synthesizer.endpoints.0.max_concurrency.*0"):
        parse_config(bad)
    with pytest.raises(ConfigError, match=r"api_key_env.*'PLAIN_VAR'"):
        parse_config({"llm": {"trainee": {"endpoints": [{"base_url": A, "api_key_env": "PLAIN_VAR"}]}}})
    context = load_context(environ={})
    context.config = parse_config(POOL_CONFIG)
    with pytest.raises(ConfigError, match=r"llm.synthesizer.endpoints\[1\].api_key_env: the variable PROVIDER_API_KEY is not set"):
        context.endpoints("synthesizer")


def test_the_cache_identity_of_a_pool_ignores_its_endpoints():
    one = role_endpoints("synthesizer", {"SYNTHESIZER_BASE_URL": A, "SYNTHESIZER_MODEL": "m"})
    assert pool_identity(one) == (A, "m")  # one endpoint: as before, so existing caches stay valid
    two = role_endpoints("synthesizer", {"SYNTHESIZER_BASE_URL": f"{A},{B}", "SYNTHESIZER_MODEL": "m"})
    three = role_endpoints("synthesizer", {"SYNTHESIZER_BASE_URL": f"{C},{B},{A}", "SYNTHESIZER_MODEL": "m"})
    assert pool_identity(two) == pool_identity(three) == ("pool", "m")
