"""The plugin as a user's suite sees it (pytester): isolation between tests, markers and overridable session
fixtures, pytest-xdist with two workers, the external mode against a `mockown serve` subprocess (with an
admin token), and an app error on the real socket failing its test with the traceback.

Few runs, each doing a lot: the same suite runs in-process and then, unchanged, against the external server.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.server_support import mockown_server

CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def mockown_defaults():
    return {"rotation": True}

@pytest.fixture(scope="session")
def mockown_config():
    return {"own": {"token_conflict": "replace"}}
"""

SUITE = """
import time

import httpx
import pytest

seen = []


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_first(mockown, sf_token):
    seen.append((mockown.org_id, mockown.user["username"], sf_token["access_token"], mockown.own_api_token))
    mockown.clock.advance("30d")
    mockown.faults.add(path="/services/data/*", status=503)


def test_second_sees_nothing_of_the_first(mockown):
    org, username, token, api_token = seen[0]
    assert mockown.org_id != org and mockown.user["username"] != username
    assert mockown.client.get(mockown.urls.rest("limits"), headers=bearer(token)).status_code == 401
    assert mockown.own_token(api_token, check=False)["_status"] == 400
    assert abs(mockown.clock.now() - time.time()) < 600  # the first test's clock move ended with it
    assert mockown.faults.rules() == [] and mockown.control.get("faults")["count"] == 0
    assert mockown.client.get(mockown.urls.rest("limits"), headers=bearer(mockown.access_token())).status_code == 200


def test_session_fixtures_were_overridden(mockown):
    first = mockown.issue_token("authorization_code")
    assert mockown.refresh(first["refresh_token"])["refresh_token"] != first["refresh_token"]  # rotation
    if mockown.mode == "in-process":
        config = mockown.runtime.config
        assert config.own.token_conflict == "replace"  # the mockown_config fixture ...
        assert config.salesforce.daily_api_limit == 1234  # ... over the ini option's config file


@pytest.mark.mockown(session_timeout="5m")
class TestMarkers:
    def test_class_marker(self, mockown):
        token = mockown.access_token()
        mockown.clock.advance("6m")
        assert mockown.client.get(mockown.urls.rest("limits"), headers=bearer(token)).status_code == 401

    @pytest.mark.mockown(session_timeout="1h", rotation=False)
    def test_closest_marker_wins(self, mockown):
        token = mockown.access_token()
        mockown.clock.advance("6m")
        assert mockown.client.get(mockown.urls.rest("limits"), headers=bearer(token)).status_code == 200
        first = mockown.issue_token("authorization_code")
        assert "refresh_token" not in mockown.refresh(first["refresh_token"])


@pytest.mark.mockown(config={"salesforce": {"daily_api_limit": 7}}, org={"api_limit": 7})
def test_private_server(mockown):
    limits = mockown.client.get(mockown.urls.rest("limits"), headers=bearer(mockown.access_token())).json()
    assert limits["DailyApiRequests"]["Max"] == 7


@pytest.mark.mockown(own=False)
def test_without_own(mockown, own_user):
    pass


@pytest.mark.mockown(sesion_timeout="5m")
def test_typo_in_marker(mockown):
    pass


def test_crash_on_the_socket(mockown, monkeypatch):
    def boom(*args):
        raise ZeroDivisionError("boom inside the app")

    monkeypatch.setattr(mockown.runtime.salesforce, "login", boom)
    data = {"grant_type": "password", "username": "u", "password": "p",
            "client_id": mockown.app["client_id"], "client_secret": mockown.app["client_secret"]}
    answer = httpx.post(mockown.live_urls.token, data=data)
    assert answer.status_code == 500
"""

PARALLEL = """
import json
import os

import pytest


@pytest.mark.parametrize("n", range(4))
def test_record(mockown, sf_token, own_access_token, n):
    record = {"worker": os.environ.get("PYTEST_XDIST_WORKER"), "org": mockown.org_id,
              "username": mockown.user["username"], "own_user": mockown.own_user["email"],
              "account": mockown.own_account_id, "url": mockown.base_url}
    with open(os.environ["RECORDS"], "a") as out:
        out.write(json.dumps(record) + "\\n")
"""


@pytest.fixture
def suite(pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_suite=SUITE, test_parallel=PARALLEL)
    pytester.makeini("[pytest]\nmockown_config = mockown.yaml\n")
    (pytester.path / "mockown.yaml").write_text(
        "salesforce:\n  daily_api_limit: 1234\nown:\n  token_conflict: refuse\n"
    )
    records = tmp_path / "records.jsonl"
    monkeypatch.setenv("RECORDS", str(records))
    monkeypatch.delenv("MOCKOWN_URL", raising=False)
    monkeypatch.delenv("MOCKOWN_ADMIN_TOKEN", raising=False)
    return records


# Plugins of this environment that a user's suite would not need here: they only slow each run down.
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:schemathesis", "-p", "no:faker")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*QUIET, *args, timeout=120)


def _records(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _check_parallel(records: list[dict[str, str]]) -> None:
    assert len(records) == 4
    for key in ("org", "username", "own_user"):
        assert len({r[key] for r in records}) == 4, key  # every test its own, on any worker


def test_in_process_with_two_xdist_workers(pytester: pytest.Pytester, suite: Path) -> None:
    result = run(pytester, "-n", "2", "--dist", "loadfile", "-rs")
    result.assert_outcomes(passed=11, skipped=1, errors=2)
    result.stdout.fnmatch_lines(["*no Own account: this test asked for no Own account (own=False)*"])
    result.stdout.fnmatch_lines(["*unknown mockown option 'sesion_timeout'*"])
    # the app's exception on the real socket fails its test, with the traceback of the app's code
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_crash_on_the_socket*"])
    result.stdout.fnmatch_lines(['*raise ZeroDivisionError("boom inside the app")*', "*ZeroDivisionError: boom*"])
    records = _records(suite)
    _check_parallel(records)
    assert {r["url"] for r in records} == {"http://testserver"}


def test_external_server_runs_the_same_suite(
    pytester: pytest.Pytester, suite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mockown_server(["--admin-token", "s3cret-admin"]) as url:
        refused = run(pytester, "--mockown-url", url, "--mockown-admin-token", "wrong")
        assert refused.ret == 3
        refused.stdout.fnmatch_lines(["*control plane of http://127.0.0.1:*refused us*401*"])

        monkeypatch.setenv("MOCKOWN_URL", url)
        monkeypatch.setenv("MOCKOWN_ADMIN_TOKEN", "s3cret-admin")
        result = run(pytester, "-n", "2", "--dist", "loadfile", "-rs")
    result.stdout.fnmatch_lines([f"*mockown: external server {url}*"])
    # the same tests, unchanged: only the private-server marker and the app patch are skipped
    result.assert_outcomes(passed=9, skipped=3, errors=1)
    result.stdout.fnmatch_lines(["*config=...) needs an in-process server*"])
    result.stdout.fnmatch_lines(["*mockown.runtime needs an in-process server*"])
    records = _records(suite)
    _check_parallel(records)
    assert {r["url"] for r in records} == {url}
    assert len({r["worker"] for r in records}) == 1  # loadfile: one file, one worker; the suite ran on the other


def test_unreachable_external_server_stops_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(mockown):\n    pass\n")
    pytester.makeini("[pytest]\nmockown_url = http://127.0.0.1:9\n")  # the ini option this time
    result = run(pytester)
    assert result.ret == 3
    result.stdout.fnmatch_lines(["*no mockown server answers at http://127.0.0.1:9*"])


def test_unreachable_external_server_stops_an_xdist_run_too(pytester: pytest.Pytester) -> None:
    # pytest.exit in a worker crashed it: the controller's INTERNALERROR hid the message, the status was xdist's
    pytester.makepyfile("def test_x(mockown):\n    pass\n\ndef test_y(mockown):\n    pass\n")
    result = run(pytester, "-n", "2", "--mockown-url", "http://127.0.0.1:9")
    assert result.ret == 3
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["mockown: no mockown server answers at http://127.0.0.1:9: ConnectError*"])
    result.stdout.fnmatch_lines(["*Interrupted: mockown: no mockown server answers at http://127.0.0.1:9*"])


def test_the_plugin_is_light_to_import() -> None:
    import subprocess

    code = (
        "import sys, mockown.pytest_plugin, mockown.testing; "
        "heavy = [m for m in ('starlette', 'uvicorn', 'hypothesis', 'httpx', 'requests', 'cryptography', 'jwt', "
        "'faker', 'schemathesis') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
