from __future__ import annotations

from pathlib import Path

import pytest

from mockown import create_app
from mockown.config import Config, ConfigError
from mockown.store.sqlite import StateFileError


def test_defaults() -> None:
    config = Config.load(env={})
    assert (config.host, config.port, config.seed_defaults) == ("127.0.0.1", 8080, True)
    assert config.loopback_only


def test_precedence_file_env_overrides(tmp_path: Path) -> None:
    path = tmp_path / "mockown.yaml"
    path.write_text("port: 9000\nlog_level: debug\nsalesforce:\n  daily_api_limit: 10\n")
    env = {"MOCKOWN_PORT": "9100", "MOCKOWN_SALESFORCE__DAILY_API_LIMIT": "20", "MOCKOWN_SEED_DEFAULTS": "false"}
    config = Config.load(file=path, env=env, overrides={"port": 9200})
    assert config.port == 9200
    assert config.log_level == "debug"
    assert config.salesforce.daily_api_limit == 20
    assert config.seed_defaults is False


def test_config_file_from_env(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("host: 0.0.0.0\n")
    config = Config.load(env={"MOCKOWN_CONFIG": str(path)})
    assert config.host == "0.0.0.0" and not config.loopback_only


def test_a_relative_seed_in_a_config_file_is_beside_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # started from another directory than the file's
    path = tmp_path / "conf" / "mock.yaml"
    path.write_text("seed: seeds/my-seed.yaml\n")
    assert Config.load(file=path, env={}).seed == str(tmp_path / "conf" / "seeds" / "my-seed.yaml")
    assert Config.load(file=Path("../conf/mock.yaml"), env={}).seed == "../conf/seeds/my-seed.yaml"
    assert Config.load(env={"MOCKOWN_CONFIG": str(path)}).seed == str(tmp_path / "conf" / "seeds" / "my-seed.yaml")
    path.write_text(f"seed: {tmp_path / 'abs.yaml'}\n")
    assert Config.load(file=path, env={}).seed == str(tmp_path / "abs.yaml")
    # the variable's and the command line's (an override) are the working directory's, as before
    assert Config.load(file=path, env={"MOCKOWN_SEED": "mine.yaml"}).seed == "mine.yaml"
    assert Config.load(file=path, env={}, overrides={"seed": "mine.yaml"}).seed == "mine.yaml"


@pytest.mark.parametrize("name", ["state_file", "tls_cert", "tls_key", "tls_dir"])
def test_every_relative_path_in_a_config_file_is_beside_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """As `seed`: a state file or TLS file named in `conf/mock.yaml` does not move with the working directory."""
    (tmp_path / "conf").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    path = tmp_path / "conf" / "mock.yaml"
    path.write_text(f"{name}: files/thing\n")
    assert getattr(Config.load(file=path, env={}), name) == str(tmp_path / "conf" / "files" / "thing")
    path.write_text(f"{name}: {tmp_path / 'abs'}\n")
    assert getattr(Config.load(file=path, env={}), name) == str(tmp_path / "abs")
    variable = "MOCKOWN_" + name.upper()
    assert getattr(Config.load(file=path, env={variable: "mine"}), name) == "mine"
    assert getattr(Config.load(file=path, env={}, overrides={name: "mine"}), name) == "mine"


def test_a_memory_state_file_in_a_config_file_stays_refused(tmp_path: Path) -> None:
    """`state_file: ":memory:"` is refused (README); placed beside the config file it was a path, and made a file."""
    path = tmp_path / "mock.yaml"
    path.write_text('state_file: ":memory:"\n')
    config = Config.load(file=path, env={})
    assert config.state_file == ":memory:"
    with pytest.raises(StateFileError, match="in-memory database"):
        create_app(config)
    assert not (tmp_path / ":memory:").exists()


def test_a_state_file_named_in_a_config_file_is_made_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    (tmp_path / "conf" / "mock.yaml").write_text("state_file: state.db\n")
    app = create_app(Config.load(file=tmp_path / "conf" / "mock.yaml", env={}))
    app.state.runtime.store.close()
    assert (tmp_path / "conf" / "state.db").is_file()
    assert not (tmp_path / "elsewhere" / "state.db").exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [({"MOCKOWN_PORTT": "1"}, "unknown setting portt"), ({"MOCKOWN_PORT": "eighty"}, "port"),
     ({"MOCKOWN_SEED_DEFAULTS": "maybe"}, "seed_defaults"), ({"MOCKOWN_SALESFORCE__NOPE": "1"}, "salesforce.nope")],
)  # fmt: skip
def test_bad_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.load(env=env)


def test_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("- a list\n")
    with pytest.raises(ConfigError, match="mapping"):
        Config.load(file=path, env={})
    with pytest.raises(ConfigError, match="cannot read"):
        Config.load(file=tmp_path / "missing.yaml", env={})


def test_frozen_and_replace() -> None:
    config = Config()
    with pytest.raises(AttributeError):
        config.port = 1  # type: ignore[misc]
    assert config.replace(port=1).port == 1 and config.port == 8080


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"port": 70000}, "port must be from 0 to 65535"),
        ({"log_level": "bogus"}, "log_level must be one of"),
        ({"host": ""}, "host must not be empty"),
        ({"base_url": "not a url"}, "base_url must be an http"),
        ({"max_body_bytes": -1}, "max_body_bytes must not be negative"),
        ({"workers": 2}, "--workers needs --state-file"),
    ],
)
def test_values_are_checked_however_a_config_is_made(settings: dict[str, object], message: str) -> None:
    """In code and in the environment alike (the pytest plugin and `create_app()` read no command line)."""
    with pytest.raises(ConfigError, match=message):
        Config(**settings)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=message):
        Config().replace(**settings)
    with pytest.raises(ConfigError, match=message):
        Config.load(env={f"MOCKOWN_{k.upper()}": str(v) for k, v in settings.items()})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOCKOWN_SALESFORCE__INVALID_CLIENT_STATUS": "200"}, "salesforce.invalid_client_status must be an error"),
        ({"MOCKOWN_OWN__HIDDEN_SERVICE_STATUS": "0"}, "own.hidden_service_status must be an error"),
        ({"MOCKOWN_MARKETING__AUTHORIZE_STATUS": "200"}, "marketing.authorize_status must be a redirect status"),
        ({"MOCKOWN_B2C__SLAS_REDIRECT_STATUS": "404"}, "b2c.slas_redirect_status must be a redirect status"),
    ],
)
def test_every_status_setting_is_checked_by_its_kind(env: dict[str, str], message: str) -> None:
    """Every `*_status` setting, in any section, is an HTTP status of its kind (found by name, not listed)."""
    with pytest.raises(ConfigError, match=f"^{message}"):
        Config.load(env=env)


def test_other_statuses_of_the_right_kind_are_accepted() -> None:
    config = Config.load(env={"MOCKOWN_MARKETING__AUTHORIZE_STATUS": "303", "MOCKOWN_B2C__SLAS_REDIRECT_STATUS": "302"})
    assert (config.marketing.authorize_status, config.b2c.slas_redirect_status) == (303, 302)


CHOICES = {
    "salesforce.revoke_error_format": ("json", "urlencoded"),
    "salesforce.user_agent_refresh": ("custom_scheme", "always", "never"),
    "marketing.pkce": ("off", "optional", "required"),
    "marketing.userinfo_error": ("rest", "oauth"),
    "b2c.slas_channel_id": ("required", "warn"),
}


def _env(name: str, value: str) -> dict[str, str]:
    return {"MOCKOWN_" + name.upper().replace(".", "__"): value}


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_a_setting_of_fixed_choices_refuses_any_other_value(name: str) -> None:
    """README, "Configuration": a malformed setting stops the start with a message naming it; nothing is ignored
    (an unknown value was read as one of the choices: `pkce: Required` behaved as `optional`)."""
    for bad in ("bogus", CHOICES[name][0].upper(), ""):
        with pytest.raises(ConfigError, match=rf"^{name} must be one of {', '.join(CHOICES[name])}, not "):
            Config.load(env=_env(name, bad))


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_every_choice_of_such_a_setting_is_accepted(name: str) -> None:
    section, field = name.split(".")
    for value in CHOICES[name]:
        assert getattr(getattr(Config.load(env=_env(name, value)), section), field) == value


def test_an_unquoted_off_in_a_config_file_is_the_off_choice(tmp_path: Path) -> None:
    """README's `marketing.pkce` `off`, written unquoted in a YAML file, is YAML 1.1's boolean False: it is the
    `off` choice (it was refused as 'False', and before that silently acted as `optional`)."""
    file = tmp_path / "mockown.yaml"
    file.write_text("marketing:\n  pkce: off\n", encoding="utf-8")
    assert Config.load(file=file, env={}).marketing.pkce == "off"
    file.write_text("b2c:\n  slas_channel_id: yes\n", encoding="utf-8")  # no boolean word is a choice: as written
    with pytest.raises(ConfigError, match=r"^b2c.slas_channel_id must be one of required, warn, not 'yes'"):
        Config.load(file=file, env={})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("own.token_conflict", "merge", r"^own.token_conflict must be one of refuse, replace, not 'merge'"),
        ("own.hidden_service_status", "401", r"^own.hidden_service_status must be one of 403, 404, not 401"),
        ("own.default_region", "mars1", r"^own.default_region must be one of app1, "),
        ("own.api_token_ttl", "forever", r"^own.api_token_ttl: "),
        ("own.job_mode", "soon", r"^own.job_mode: "),
        ("own.seed_mode", "polls:-1", r"^own.seed_mode: "),
    ],
)
def test_own_settings_are_checked_at_load_not_at_the_first_own_request(name: str, value: str, message: str) -> None:
    """The Own service checked these when it was first made: with the default seed off (no Own account made at
    start), `mockown serve` started and the first Own request was a 500."""
    with pytest.raises(ConfigError, match=message):
        Config.load(env=_env(name, value))


def test_a_server_without_seed_and_a_bad_own_setting_does_not_start() -> None:
    from mockown import create_app

    with pytest.raises(ConfigError, match=r"^own\.token_conflict"):
        create_app(Config.load(env={"MOCKOWN_OWN__TOKEN_CONFLICT": "merge", "MOCKOWN_SEED_DEFAULTS": "false"}))
