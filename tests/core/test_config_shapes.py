"""Settings of the wrong shape stop the start with a ConfigError naming them, never a traceback or a value made up
from them: a list or mapping for a text setting (it was `str()`-ed: `jwt_audiences: [a, b]` became "['a', 'b']"),
a `base_url` with a query, fragment, user info or whitespace (it ended up in discovery URLs), a setting name that
is not text (`1: x` in a config file), and a section also given as a plain value in the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockown.config import Config, ConfigError


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("admin_token: {x: 1}\n", r"^admin_token must be text, not a mapping"),
        ("host: [a, b]\n", r"^host must be text, not a list"),
        ("log_level: [info]\n", r"^log_level must be text, not a list"),
        ("own:\n  api_token_ttl: {d: 1}\n", r"^own\.api_token_ttl must be text, not a mapping"),
        ("b2c:\n  ocapi_faults:\n    auth_failed_type: [x]\n", r"^b2c\.ocapi_faults\.auth_failed_type must be text"),
        ("salesforce:\n  jwt_audiences: [https://a.example, {x: 1}]\n", r"^salesforce\.jwt_audiences must be text"),
    ],
)
def test_a_list_or_mapping_for_a_text_setting_is_refused(tmp_path: Path, yaml: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml)
    with pytest.raises(ConfigError, match=message):
        Config.load(file=path, env={})


def test_jwt_audiences_may_be_a_list_of_urls(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("salesforce:\n  jwt_audiences: [https://a.example/s, https://b.example]\n")
    config = Config.load(file=path, env={})
    assert config.salesforce.jwt_audiences == "https://a.example/s https://b.example"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/base?x=1",
        "http://example.com/base?",
        "http://example.com/base#frag",
        "http://user:pw@example.com",
        "http://user@example.com",
        "http://example.com/a b",
        "http://example.com/\tb",
        " http://example.com",
    ],
)
def test_a_base_url_with_query_fragment_userinfo_or_space_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match=r"^base_url "):
        Config.load(env={"MOCKOWN_BASE_URL": url})


@pytest.mark.parametrize("url", ["http://example.com", "https://example.com:8443/base/", "http://[::1]:8080/x"])
def test_a_plain_base_url_is_accepted(url: str) -> None:
    assert Config.load(env={"MOCKOWN_BASE_URL": url}).base_url == url


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        # a file's keys are read as written (text): `1` is the unknown setting named 1
        ("1: x\n", r"^unknown setting 1 \(known:"),
        ("salesforce:\n  2: 3\n  foo: 1\n", r"^unknown setting salesforce\.2 \(known:"),
        ("own:\n  null: 1\n", r"^setting names are text: own\.None is not"),
    ],
)
def test_a_setting_name_that_is_not_text_is_refused(tmp_path: Path, yaml: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml)
    with pytest.raises(ConfigError, match=message):
        Config.load(file=path, env={})
    with pytest.raises(ConfigError, match=message):  # over a file that has the section already
        Config.load(file=path, env={"MOCKOWN_OWN__TOKEN_CONFLICT": "replace"}, overrides={"salesforce": {"x": {}}})


@pytest.mark.parametrize(
    "env",
    [
        {"MOCKOWN_SALESFORCE": "x", "MOCKOWN_SALESFORCE__DAILY_API_LIMIT": "1"},
        {"MOCKOWN_SALESFORCE__DAILY_API_LIMIT": "1", "MOCKOWN_SALESFORCE": "x"},
        {"MOCKOWN_B2C__OCAPI_FAULTS": "x", "MOCKOWN_B2C__OCAPI_FAULTS__AUTH_FAILED_STATUS": "401"},
    ],
)
def test_a_section_given_a_value_and_settings_in_the_environment_is_refused(env: dict[str, str]) -> None:
    section = "salesforce" if "MOCKOWN_SALESFORCE" in env else "b2c.ocapi_faults"
    with pytest.raises(ConfigError, match=f"^{section} is a section"):
        Config.load(env=env)
