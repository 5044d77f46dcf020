"""The suite against a target it cannot use: one clear line and exit code 2, not a traceback per check.

An unreachable backend, a server that is no mockown (HTML pages) under `--profile mock`, a mock whose control plane
needs an admin token the suite was not given: each stops the run before any check, naming the cause and the fix,
so a CI log never reads as forty non-conforming checks (exit code 1 means the backend does not conform).
"""

from __future__ import annotations

import socket
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mockown import Config, create_app

from .support import SuiteRun, run_suite, threaded_server


def _html_site() -> Starlette:
    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse("<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>", status_code=200)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(routes=[Route("/{path:path}", page, methods=methods)])


def _assert_stopped_early(run: SuiteRun, *needles: str) -> None:
    output = run.output
    for needle in needles:
        assert needle in output, f"{needle!r} not in the output:\n{output[-3000:]}"
    assert not run.failed() and "Traceback" not in output and "EEE" not in output, output[-3000:]
    assert len(output.splitlines()) < 40, f"{len(output.splitlines())} lines for one cause:\n{output[-3000:]}"


def test_a_failed_rule_shows_the_rule_it_enforces(tmp_path: Path) -> None:
    """A failing check's report carries its docstring (the documented behaviour and where the spec says so), not
    only the assertion: a reader of a CI log sees which promise the backend broke."""
    from .test_broken_variants import swallow_revoke

    with threaded_server(swallow_revoke(create_app(Config()))) as url:
        run = run_suite(url, ["-k", "test_revoked_access_token_is_dead"], tmp_path / "junit.xml")
    assert run.returncode == 1, run.output[-3000:]
    assert "the rule test_revoked_access_token_is_dead checks" in run.output, run.output[-3000:]
    assert "Revoke → 200 empty; introspection then says inactive" in run.output, run.output[-3000:]


def _html_401_on_rest(app: ASGIApp) -> ASGIApp:
    """The REST API answers a bad session with an HTML page (as a proxy or a login page would)."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/services/data/"):
            await HTMLResponse("<html><body>Session expired</body></html>", status_code=401)(scope, receive, send)
            return
        await app(scope, receive, send)

    return wrapper


def test_an_answer_that_is_not_json_is_named_in_the_failure(tmp_path: Path) -> None:
    """A check that wanted JSON and got an HTML page says which request got what, not only a JSONDecodeError."""
    with threaded_server(_html_401_on_rest(create_app(Config()))) as url:
        run = run_suite(url, ["-k", "test_rest_answers_a_bad_session_with_an_array"], tmp_path / "junit.xml")
    assert run.returncode == 1, run.output[-3000:]
    assert "the answer that was not JSON" in run.output, run.output[-3000:]
    assert f"GET {url}/services/data/v62.0/limits → 401 text/html: <html><body>Session expired" in run.output


def test_an_unreachable_target_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a free port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    run = run_suite(url, ["--api", "own"], tmp_path / "junit.xml")
    assert run.returncode == 2, run.output[-3000:]
    _assert_stopped_early(run, f"cannot reach --target {url}", "is the backend running")


def test_an_unreachable_real_salesforce_target_is_one_line_too(tmp_path: Path) -> None:
    """The real profile has no control plane to ask; with Salesforce checks (which call --target) it asks `/`."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = ["--profile", "real", "--api", "salesforce"]
    creds = {"SF_CLIENT_ID": "3MVG9contract", "SF_USERNAME": "u@x.test", "SF_PASSWORD": "p"}  # a complete way in
    run = run_suite(url, env, tmp_path / "junit.xml", extra_env={f"MOCKOWN_CONTRACT_{k}": v for k, v in creds.items()})
    assert run.returncode == 2, run.output[-3000:]
    _assert_stopped_early(run, f"cannot reach --target {url}", "is the backend running")


def test_a_target_that_is_no_mockown_under_the_mock_profile_says_use_the_real_profile(tmp_path: Path) -> None:
    with threaded_server(_html_site()) as url:
        run = run_suite(url, ["--api", "own"], tmp_path / "junit.xml")
    assert run.returncode == 2, run.output[-3000:]
    _assert_stopped_early(run, f"no mockown control plane at {url}", "text/html", "--profile real")


def test_a_locked_control_plane_names_the_admin_token_variable(tmp_path: Path) -> None:
    app = create_app(Config().replace(admin_token="contract-locked-secret"))
    with threaded_server(app) as url:
        run = run_suite(url, ["--api", "own"], tmp_path / "junit.xml")
    assert run.returncode == 2, run.output[-3000:]
    _assert_stopped_early(run, "MOCKOWN_CONTRACT_ADMIN_TOKEN", "401")


def test_a_control_plane_locked_by_its_host_is_named_as_locked(tmp_path: Path) -> None:
    """A mock configured for a public host and no admin token answers 403 (not 401): mockown, locked, with the way
    out in its message, not "no mockown control plane ... --profile real"."""
    app = create_app(Config().replace(host="0.0.0.0"))
    with threaded_server(app) as url:
        run = run_suite(url, ["--api", "own"], tmp_path / "junit.xml")
    assert run.returncode == 2, run.output[-3000:]
    _assert_stopped_early(run, "answered 403, locked", "set an admin token")
    assert "--profile real" not in run.output, run.output[-3000:]


def test_a_refused_admin_token_is_named_as_refused(tmp_path: Path) -> None:
    """A token was given but is not the mock's: the message says it was refused (not "give it as ..."), and does
    not print it."""
    app = create_app(Config().replace(admin_token="contract-locked-secret"))
    with threaded_server(app) as url:
        env = {"MOCKOWN_CONTRACT_ADMIN_TOKEN": "contract-wrong-token"}
        run = run_suite(url, ["--api", "own"], tmp_path / "junit.xml", extra_env=env)
    assert run.returncode == 2, run.output[-3000:]
    _assert_stopped_early(run, "refused the admin token given in MOCKOWN_CONTRACT_ADMIN_TOKEN", "401")
    assert "give it as" not in run.output and "contract-wrong-token" not in run.output, run.output[-3000:]


def test_every_behaviour_rule_says_what_it_checks() -> None:
    """Each rule's docstring is what a failure report shows (above): none may be without one."""
    import ast

    from .support import CONTRACTS

    bare = [
        f"{path.name}::{node.name}"
        for path in sorted((CONTRACTS / "suite").glob("test_*_rules.py"))
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and not ast.get_docstring(node)
    ]
    assert bare == [], f"rules without a docstring: {bare}"
