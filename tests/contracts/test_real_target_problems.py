"""`--profile real` that cannot check anything stops before any check: one line, exit code 2.

No credentials for the chosen APIs (every check would skip and the run pass), or a host the chosen checks call
that does not answer (every check would fail with a traceback). The mock profile's equivalents are in
test_target_problems.py.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from contracts.suite.support import ENV, ENV_PREFIX
from mockown import Config, create_app

from .support import SuiteRun, run_suite, threaded_server

NO_CREDENTIALS = {ENV_PREFIX + name: "" for name in ENV} | {"MOCKOWN_ADMIN_TOKEN": ""}  # empty is unset


def _dead_url() -> str:
    with socket.socket() as sock:  # a free port nobody listens on
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _assert_one_line_exit_2(run: SuiteRun, *needles: str) -> None:
    assert run.returncode == 2, run.output[-3000:]
    for needle in needles:
        assert needle in run.output, f"{needle!r} not in the output:\n{run.output[-3000:]}"
    assert not run.failed() and "Traceback" not in run.output, run.output[-3000:]
    assert len(run.output.splitlines()) < 40, run.output[-3000:]


@pytest.mark.parametrize(
    ("api", "names"),
    [
        ("all", ["SF_CLIENT_ID", "OWN_API_TOKEN", "MC_AUTH_URL", "B2C_AM_CLIENT_ID"]),
        ("salesforce", ["MOCKOWN_CONTRACT_SF_CLIENT_ID", "SF_PASSWORD"]),
        ("own", ["MOCKOWN_CONTRACT_OWN_API_TOKEN"]),
        ("marketing", ["MOCKOWN_CONTRACT_MC_AUTH_URL", "MC_CLIENT_ID", "MC_CLIENT_SECRET"]),
        ("b2c", ["MOCKOWN_CONTRACT_B2C_AM_CLIENT_ID"]),
    ],
)
def test_no_credentials_for_the_chosen_apis_is_not_a_pass(api: str, names: list[str], tmp_path: Path) -> None:
    with threaded_server(create_app(Config())) as url:
        run = run_suite(url, ["--profile", "real", "--api", api], tmp_path / "j.xml", extra_env=NO_CREDENTIALS)
    _assert_one_line_exit_2(run, "has no credentials", *names)


@pytest.mark.parametrize(
    ("api", "variables", "named"),
    [
        # the Marketing Cloud checks need all three variables; two of them check nothing
        ("marketing", {"MC_CLIENT_ID": "id", "MC_CLIENT_SECRET": "secret"}, "MC_AUTH_URL"),
        # a B2C group is complete or logs in nowhere: a site alone, SLAS without a client, AM without its secret
        ("b2c", {"B2C_SITE": "RefArch"}, "B2C_INSTANCE_URL + B2C_SITE + B2C_OCAPI_CLIENT_ID"),
        ("b2c", {"B2C_SLAS_URL": "{live}", "B2C_SLAS_ORG_ID": "f_ecom_a_b", "B2C_SLAS_CHANNEL_ID": "RefArch"},
         "B2C_SLAS_PUBLIC_CLIENT_ID"),
        ("b2c", {"B2C_AM_CLIENT_ID": "am"}, "B2C_AM_CLIENT_SECRET"),
        # a connected app without a user to log in
        ("salesforce", {"SF_CLIENT_ID": "3MVG9id", "SF_CLIENT_SECRET": "secret"}, "SF_USERNAME"),
        ("salesforce", {"SF_CLIENT_ID": "3MVG9id", "SF_USERNAME": "u@x.test"}, "SF_PASSWORD or SF_JWT_KEY"),
    ],
)  # fmt: skip
def test_credentials_in_part_are_none(api: str, variables: dict[str, str], named: str, tmp_path: Path) -> None:
    with threaded_server(create_app(Config())) as url:
        env = NO_CREDENTIALS | {ENV_PREFIX + k: v.format(live=url) for k, v in variables.items()}
        run = run_suite(url, ["--profile", "real", "--api", api], tmp_path / "j.xml", extra_env=env)
    _assert_one_line_exit_2(run, "has no credentials", named)


def test_an_api_without_credentials_is_skipped_when_another_has_them(tmp_path: Path) -> None:
    """The README's Marketing Cloud example under `--api all`: the Salesforce checks that need no login (discovery,
    an unknown token's revocation, a bad session on REST) skip naming the variables, not run against the MC host."""
    sf_checks = ["test_revoke_of_an_unknown_token_is_invalid_token", "test_rest_answers_a_bad_session_with_an_array",
                 "test_discovery_points_at_the_host_called"]  # fmt: skip
    mc_check = "test_mc_invalid_client_exact_body"
    with threaded_server(create_app(Config())) as url:
        mc_url = f"{url}/mc/mcmockowndemo000000000000000"
        env = NO_CREDENTIALS | {
            ENV_PREFIX + "MC_AUTH_URL": mc_url,
            ENV_PREFIX + "MC_CLIENT_ID": "mockowndemoserver0000000a",
            ENV_PREFIX + "MC_CLIENT_SECRET": "MockownMcServerSecret000",
        }
        args = ["--profile", "real", "--api", "all", "-k", " or ".join([*sf_checks, mc_check])]
        run = run_suite(mc_url, args, tmp_path / "j.xml", extra_env=env)
    assert run.returncode == 0, run.output[-3000:]
    assert {name: run.outcomes.get(name) for name in [*sf_checks, mc_check]} == {
        **dict.fromkeys(sf_checks, "skipped"),
        mc_check: "passed",
    }, run.output[-3000:]
    assert "no salesforce credentials: set MOCKOWN_CONTRACT_SF_CLIENT_ID" in run.output


@pytest.mark.parametrize(
    ("api", "variables", "unreachable"),
    [
        (
            "own",
            {"OWN_API_TOKEN": "t0k3n-not-printed", "OWN_AUTH_URL": "{dead}", "OWN_API_URL": "{live}"},
            "OWN_AUTH_URL",
        ),
        (
            "own",
            {"OWN_API_TOKEN": "t0k3n-not-printed", "OWN_AUTH_URL": "{live}", "OWN_API_URL": "{dead}"},
            "OWN_API_URL",
        ),
        ("marketing", {"MC_AUTH_URL": "{dead}", "MC_CLIENT_ID": "i", "MC_CLIENT_SECRET": "s"}, "MC_AUTH_URL"),
        ("b2c", {"B2C_AM_CLIENT_ID": "am", "B2C_AM_CLIENT_SECRET": "s", "B2C_AM_URL": "{dead}"}, "B2C_AM_URL"),
        (
            "b2c",
            {
                "B2C_SLAS_URL": "{dead}",
                "B2C_SLAS_ORG_ID": "f_ecom_a_b",
                "B2C_SLAS_CHANNEL_ID": "RefArch",
                "B2C_SLAS_PRIVATE_CLIENT_ID": "p",
                "B2C_SLAS_PRIVATE_CLIENT_SECRET": "s",
            },
            "B2C_SLAS_URL",
        ),
        ("b2c", {"B2C_INSTANCE_URL": "{dead}", "B2C_SITE": "RefArch", "B2C_OCAPI_CLIENT_ID": "c"}, "B2C_INSTANCE_URL"),
        # an API with credentials is enough under `all` (the others skip), and its hosts are checked
        ("all", {"OWN_API_TOKEN": "t0k3n-not-printed", "OWN_AUTH_URL": "{dead}"}, "OWN_AUTH_URL"),
    ],
)
def test_an_unreachable_host_of_the_chosen_apis_is_one_line(
    api: str, variables: dict[str, str], unreachable: str, tmp_path: Path
) -> None:
    dead = _dead_url()
    with threaded_server(create_app(Config())) as live:
        env = NO_CREDENTIALS | {ENV_PREFIX + k: v.format(dead=dead, live=live) for k, v in variables.items()}
        run = run_suite(live, ["--profile", "real", "--api", api], tmp_path / "j.xml", extra_env=env)
    _assert_one_line_exit_2(run, f"cannot reach {dead}", ENV_PREFIX + unreachable, "is the backend running")
    assert "t0k3n-not-printed" not in run.output
