"""A token helper that fails shows the test's line and the error, never a secret: its frames are hidden from
pytest's traceback (their locals hold the app's secret, the user's password, the Own API token, which ``-l``
would print), and so are the frames under its request when the request itself raises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.plugin.test_pytester import run

FAILING = """
import json
import os


def note(mockown):  # the secrets the failure must not show (written aside, for the outer test to look for)
    with open(os.environ["SECRETS"], "a") as out:
        out.write(json.dumps([mockown.app["client_secret"], mockown.user["password"], mockown.users[1]["password"],
                              mockown.own_api_token]) + "\\n")


def test_own_token(mockown):
    note(mockown)
    mockown.faults.add(path="/oauth2/*", status=503, times=1)
    mockown.own_token()


def test_password_flow(mockown):
    note(mockown)
    mockown.faults.add(path="/services/oauth2/token", status=503, times=1)
    mockown.issue_token()


def test_client_credentials(mockown):
    note(mockown)
    mockown.issue_token("client_credentials", scope="bogus_scope")


def test_code_flow(mockown):
    note(mockown)
    mockown.faults.add(path="/services/oauth2/token", status=503, times=1)
    mockown.issue_token("authorization_code")


def test_dropped_connection(mockown):
    note(mockown)
    mockown.faults.add(path="/services/oauth2/token", close=True, times=1)
    mockown.access_token()
"""


def test_a_failing_token_helper_shows_no_secret(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets_file = tmp_path / "secrets.jsonl"
    monkeypatch.setenv("SECRETS", str(secrets_file))
    monkeypatch.delenv("MOCKOWN_URL", raising=False)
    pytester.makepyfile(test_failing=FAILING)
    result = run(pytester, "--tb=long", "--showlocals", "-p", "no:randomly")
    result.assert_outcomes(failed=5)
    output = result.stdout.str() + result.stderr.str()
    secrets = {secret for line in secrets_file.read_text().splitlines() for secret in json.loads(line)}
    assert len(secrets) == 5 * 4
    shown = sum(secret[:10] in output or secret[-10:] in output for secret in secrets)  # saferepr shows both ends
    assert shown == 0, f"{shown} secret(s) in the output"
    result.stdout.fnmatch_lines(
        [
            "E   *MockownTokenError: own token request answered 503*",
            "E   *MockownTokenError: password token request answered 503*",
            "E   *MockownTokenError: client_credentials token request answered 400*invalid_scope*",
            "E   *MockownTokenError: authorization_code token request answered 503*",
            "E   *(mockown: raised by a token helper's request; the frames below it hold the request's secrets*",
        ],
        consecutive=False,
    )
