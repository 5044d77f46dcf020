"""Proof that the contract suite can fail: deliberately broken variants of the mock, each breaking one rule,
must make the suite fail on the check that guards that rule (and only there: a neighbouring check passes).

Each variant runs a handful of targeted checks (`-k`), so the whole file stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockown import Config, create_app

from .support import run_suite, threaded_server


# -- breakages ------------------------------------------------------------------------------------------------
def swallow_revoke(app: ASGIApp, path: str = "/services/oauth2/revoke") -> ASGIApp:
    """Revocation that does not stick: the revoke endpoint (Salesforce's unless `path` says) says 200 and does
    nothing."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == path:
            while (await receive()).get("more_body"):
                pass
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)

    return wrapper


def _path_matcher(path: str) -> Callable[[str], bool]:
    """`path` exactly, or with `*/x` every path ending in `/x`."""

    def matches(request_path: str) -> bool:
        return request_path.endswith(path[1:]) if path.startswith("*") else request_path == path

    return matches


async def whole_body(receive: Receive) -> bytes:
    """A request's whole body, read from its `receive` (for a wrapper that looks at it, then `replayed`)."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def replayed(body: bytes) -> Receive:
    """A `receive` that gives the app `body` again, whole."""

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def swallow_revoke_if(app: ASGIApp, path: str, when: Callable[[str, dict[str, str]], bool]) -> ASGIApp:
    """A revoke endpoint (`*/x`: every path ending in `/x`) that says 200 and does nothing for the requests `when`
    picks by method and form, and passes the others through (their body replayed)."""
    from urllib.parse import parse_qsl

    matches = _path_matcher(path)

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not matches(scope["path"]):
            await app(scope, receive, send)
            return
        body = await whole_body(receive)
        if when(scope["method"], dict(parse_qsl(body.decode("latin-1")))):
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return

        await app(scope, replayed(body), send)

    return wrapper


def rewrite_token_json(
    app: ASGIApp, change: Callable[[int, dict[str, Any]], None], path: str = "/services/oauth2/token"
) -> ASGIApp:
    """Let `change(status, body)` edit every JSON answer of a token endpoint (Salesforce's unless `path` says
    otherwise; `*/x` matches every path ending in `/x`, e.g. SLAS under any prefix)."""

    matches = _path_matcher(path)

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not matches(scope["path"]):
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if isinstance(data, dict):
                change(start["status"], data)
                body = json.dumps(data).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return wrapper


def wrong_error_code(app: ASGIApp) -> ASGIApp:
    def change(status: int, body: dict[str, Any]) -> None:
        if status == 400 and body.get("error") == "invalid_grant":
            body["error"] = "invalid_request"

    return rewrite_token_json(app, change)


def missing_issued_at(app: ASGIApp) -> ASGIApp:
    def change(status: int, body: dict[str, Any]) -> None:
        if status == 200:
            body.pop("issued_at", None)

    return rewrite_token_json(app, change)


def slas_token_without_enc_user_id(app: ASGIApp) -> ASGIApp:
    """SLAS token responses miss one of the ten required fields."""

    def change(status: int, body: dict[str, Any]) -> None:
        if status == 200:
            body.pop("enc_user_id", None)

    return rewrite_token_json(app, change, path="*/oauth2/token")


def rotation_that_leaks(app: Starlette) -> ASGIApp:
    """A rotated-out refresh token keeps working: rotation hands out a new token but never retires the old."""
    service = app.state.runtime.salesforce
    original = service.use_refresh

    def use_refresh(raw: str | None, connected_app: Any, base: str) -> Any:
        rt, family = original(raw, connected_app, base)
        rt.rotated = False
        service.refresh_tokens.put(rt)
        return rt, family

    service.use_refresh = use_refresh
    return app


def refresh_revocation_spares_access_tokens(app: Starlette) -> ASGIApp:
    """Revoking a refresh token revokes the refresh-token family only: the access tokens issued from it live on
    (they forget the refresh token they came from, so a session check that looks at it does not see it revoked)."""
    service = app.state.runtime.salesforce

    def revoke_family(family_id: str) -> None:
        for rt in service.refresh_tokens.find("family_id", family_id):
            if not rt.revoked:
                rt.revoked = True
                service.refresh_tokens.put(rt)
            for at in service.access_tokens.find("refresh_id", rt.id):
                at.refresh_id = None
                service.access_tokens.put(at)

    service.revoke_family = revoke_family
    return app


def second_live_api_token(app: Starlette) -> ASGIApp:
    """Generating an Own API token ignores the user's live one: a second token is issued and both work."""
    own = app.state.runtime.own
    original = own.generate_api_token

    def generate_api_token(user_id: Any, password: str | None = None, **kwargs: Any) -> str:
        with own.store.atomic():
            hidden = list(own.api_tokens.find("user_id", user_id))
            for token in hidden:  # out of sight of the "one per user" rule while the new one is made
                own.api_tokens.delete(token.id)
            try:
                raw: str = original(user_id, password, **kwargs)
            finally:
                for token in hidden:
                    own.api_tokens.put(token)
        return raw

    own.generate_api_token = generate_api_token
    return app


def slas_logout_keeps_the_tokens(app: Starlette) -> ASGIApp:
    """SLAS `/logout` checks the Bearer token and answers the documented body but revokes nothing."""
    slas = app.state.runtime.b2c.slas

    def logout(tenant: Any, params: Any, authorization: str | None) -> dict[str, Any]:
        slas.bearer(tenant, authorization)
        return {"access_token": "", "id_token": "null", "refresh_token": "", "expires_in": 0,
                "refresh_token_expires_in": 0, "token_type": "Bearer", "usid": "null", "customer_id": "null",
                "enc_user_id": "null", "idp_access_token": "", "idp_refresh_token": "null", "dnt": "null"}  # fmt: skip

    slas.logout = logout
    return app


def authorize_errors_redirect(app: ASGIApp) -> ASGIApp:
    """An open redirect: /authorize sends its errors to whatever `redirect_uri` was given, registered or not."""
    from urllib.parse import parse_qs

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/services/oauth2/authorize":
            await app(scope, receive, send)
            return
        query = parse_qs(scope["query_string"].decode())
        start: dict[str, Any] = {}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if start["status"] == 400 and "redirect_uri" in query:
                location = f"{query['redirect_uri'][0]}?{message.get('body', b'').decode()}"
                await send({"type": "http.response.start", "status": 302,
                            "headers": [(b"location", location.encode()), (b"content-length", b"0")]})  # fmt: skip
                await send({"type": "http.response.body", "body": b""})
                return
            await send(start)
            await send(message)

        await app(scope, receive, capture)

    return wrapper


def slas_codes_reusable(app: Starlette) -> ASGIApp:
    """A SLAS code is never spent: each exchange leaves it redeemable."""
    slas = app.state.runtime.b2c.slas

    def spend(code: Any) -> None:
        pass

    slas._spend = spend
    return app


def am_bad_user_worded_otherwise(app: ASGIApp) -> ASGIApp:
    """Account Manager words a failed resource-owner sign-in its own way (not the captured body)."""

    def change(status: int, body: dict[str, Any]) -> None:
        if status == 400 and body.get("error") == "invalid_grant":
            body["error_description"] = "Invalid username or password"

    return rewrite_token_json(app, change, path="*/dwsso/oauth2/access_token")


VARIANTS: dict[str, tuple[dict[str, Any], Callable[[Any], ASGIApp], str, str]] = {
    # name: (config changes, breakage, the check that must fail, a neighbour that must pass)
    "revocation-does-not-stick": (
        {},
        swallow_revoke,
        "test_revoked_access_token_is_dead",
        "test_introspection_of_a_live_access_token",
    ),
    "stateful-revocation-does-not-stick": (  # it passed: no introspection after a revoke, a random Basic header
        {},
        swallow_revoke,
        "test_stateful_token_introspect_revoke",
        "test_introspection_of_a_live_access_token",
    ),
    "wrong-error-code": (
        {},
        wrong_error_code,
        "test_documented_errors[bad-password]",
        "test_documented_errors[unknown-client]",
    ),
    "missing-response-field": (
        {},
        missing_issued_at,
        "test_token_response_fields",
        "test_password_flow_issues_no_refresh_token",
    ),
    "rotated-refresh-token-still-works": (
        {},
        rotation_that_leaks,
        "test_refresh_rotation",
        "test_refresh_without_rotation",
    ),
    "refresh-revocation-spares-access-tokens": (
        {},
        refresh_revocation_spares_access_tokens,
        "test_revoking_a_refresh_token_kills_its_access_tokens",
        "test_revoked_access_token_is_dead",
    ),
    "second-own-api-token": (
        {},
        second_live_api_token,
        "test_one_api_token_per_user",
        "test_api_token_expires_after_180_days",
    ),
    "mc-wrong-expires-in": (
        {"marketing": {"access_token_ttl": 3600}},
        lambda app: app,
        "test_mc_client_credentials_token_fields",
        "test_mc_invalid_client_exact_body",
    ),
    "slas-token-missing-field": (
        {},
        slas_token_without_enc_user_id,
        "test_slas_guest_flow_token_fields",
        "test_slas_private_refresh_keeps_the_token",
    ),
    "own-revocation-does-not-stick": (
        {},
        lambda app: swallow_revoke(app, "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"),
        "test_revoked_own_access_token_is_dead",
        "test_exchange_yields_a_working_bearer_token",
    ),
    "own-api-token-revocation-does-not-stick": (  # /v1/revoke took only access tokens (before 0e55c4e)
        {},
        lambda app: swallow_revoke_if(
            app, "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke", lambda _, form: form.get("token_type_hint") != "access_token"
        ),
        "test_api_token_revoked_at_okta_revoke_is_dead_in_every_region",
        "test_revoked_own_access_token_is_dead",
    ),
    "slas-revocation-does-not-stick": (
        {},
        lambda app: swallow_revoke_if(app, "*/oauth2/revoke", lambda *_: True),
        "test_slas_revoked_refresh_token_is_dead",
        "test_slas_private_refresh_keeps_the_token",
    ),
    "salesforce-blind-get-revoke-does-not-stick": (
        {},
        lambda app: swallow_revoke_if(app, "/services/oauth2/revoke", lambda method, _: method == "GET"),
        "test_revoke_by_get_kills_the_token",
        "test_revoked_access_token_is_dead",
    ),
    "salesforce-six-approvals": (
        {"salesforce": {"max_approvals": 6}},
        lambda app: app,
        "test_a_sixth_approval_revokes_the_oldest",
        "test_revoking_a_refresh_token_kills_its_access_tokens",
    ),
    "slas-logout-keeps-the-tokens": (
        {},
        slas_logout_keeps_the_tokens,
        "test_slas_logout_ends_a_registered_session",
        "test_slas_public_refresh_rotates",
    ),
    "salesforce-authorize-errors-redirect": (
        {},
        authorize_errors_redirect,
        "test_authorize_errors_that_cannot_be_redirected_are_a_page",
        "test_authorization_code_is_single_use",
    ),
    "slas-code-reusable": (
        {},
        slas_codes_reusable,
        "test_slas_authorization_code_is_single_use",
        "test_slas_guest_flow_token_fields",
    ),
    "am-bad-user-worded-otherwise": (
        {},
        am_bad_user_worded_otherwise,
        "test_am_password_grant_bad_user_exact_body",
        "test_am_client_credentials_token_fields",
    ),
    "own-token-outlives-180-days": (
        {"own": {"api_token_ttl": "200d"}},
        lambda app: app,
        "test_api_token_expires_after_180_days",
        "test_exchange_yields_a_working_bearer_token",
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_suite_fails_on_the_right_check(variant: str, tmp_path: Path) -> None:
    changes, breakage, must_fail, must_pass = VARIANTS[variant]
    app = create_app(Config().replace(**changes) if changes else Config())
    with threaded_server(breakage(app)) as url:
        run = run_suite(url, ["-k", f"{_k(must_fail)} or {_k(must_pass)}"], tmp_path / "junit.xml")
    assert run.returncode == 1, f"{variant}: the suite did not fail\n{run.output[-3000:]}"
    assert run.outcomes.get(must_pass) == "passed", f"{variant}: {must_pass} did not pass\n{run.output[-3000:]}"
    assert run.failed() == {must_fail}, f"{variant}: failed {run.failed()}, expected {must_fail}\n{run.output[-3000:]}"


def test_the_unbroken_mock_passes_the_same_checks(tmp_path: Path) -> None:
    """The control: every check the variants target passes against the mock as it is."""
    names = {name for _, _, a, b in VARIANTS.values() for name in (a, b)}
    with threaded_server(create_app(Config())) as url:
        run = run_suite(url, ["-k", " or ".join(_k(n) for n in sorted(names))], tmp_path / "junit.xml")
    assert run.returncode == 0, run.output[-3000:]
    assert names <= {n for n, o in run.outcomes.items() if o == "passed"}, run.outcomes


def _k(name: str) -> str:
    """A `-k` term for one test id (pytest's -k matches the name; brackets select the parameter)."""
    base, _, param = name.partition("[")
    return f"({base} and {param.rstrip(']')})" if param else base
