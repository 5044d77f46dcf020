"""Behavioural checks of the Salesforce contract: what the documentation promises beyond response shapes.

Every check names the rule it enforces. With `--profile real` the checks that need the clock or a browser
flow skip (saying so), and nothing the user keeps is revoked without `--allow-writes`.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from .support import (
    API_VERSION,
    SF_ID_URL,
    SF_TOKEN_PATH,
    ControlPlane,
    SfApp,
    SfCreds,
    Target,
    code_from,
    oauth_error,
    signature_ok,
)

pytestmark = [pytest.mark.salesforce, pytest.mark.rules]


def login(http: httpx.Client, sf: SfCreds) -> dict[str, Any]:
    response = http.post(SF_TOKEN_PATH, data=sf.login_form())
    assert response.status_code == 200, f"login failed: {response.status_code} {response.text[:300]}"
    body: dict[str, Any] = response.json()
    return body


def rest(http: httpx.Client, tokens: dict[str, Any], path: str = "/limits") -> httpx.Response:
    return http.get(
        f"{tokens['instance_url']}/services/data/{API_VERSION}{path}",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )


def introspect(http: httpx.Client, app: SfApp, token: str, hint: str | None = None) -> dict[str, Any]:
    if not app.client_secret:
        pytest.skip("introspection needs the app's client secret (SF_CLIENT_SECRET)")
    data = {"token": token, **({"token_type_hint": hint} if hint else {})}
    response = http.post("/services/oauth2/introspect", data=data, auth=(app.client_id, app.client_secret))
    assert response.status_code == 200, f"introspect answered {response.status_code}: {response.text[:300]}"
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("active"), bool), body
    return body


def assert_invalid_session(response: httpx.Response) -> None:
    assert response.status_code == 401, f"expected 401, got {response.status_code}: {response.text[:300]}"
    body = response.json()
    assert isinstance(body, list) and body, f"the REST error body must be a JSON array: {body!r}"
    assert body[0]["errorCode"] == "INVALID_SESSION_ID", body


def code_tokens(http: httpx.Client, target: Target, sf: SfCreds, app: SfApp, scope: str) -> dict[str, Any]:
    """Mock profile: the web-server flow (the mock signs the hinted user in without a page)."""
    target.need_mock("the web-server flow needs a browser on a real org")
    code = issue_code(http, sf, app, scope)
    return exchange_code(http, app, code)


def issue_code(http: httpx.Client, sf: SfCreds, app: SfApp, scope: str) -> str:
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.callback or "", "scope": scope}
    query["login_hint"] = sf.username or ""
    return code_from(http.get("/services/oauth2/authorize", params=query))


def exchange_code(http: httpx.Client, app: SfApp, code: str, expect: int = 200) -> dict[str, Any]:
    data = {"grant_type": "authorization_code", "code": code, "client_id": app.client_id}
    data.update(redirect_uri=app.callback or "", client_secret=app.client_secret or "")
    response = http.post(SF_TOKEN_PATH, data=data)
    assert response.status_code == expect, f"code exchange answered {response.status_code}: {response.text[:300]}"
    body: dict[str, Any] = response.json()
    return body


def refresh(http: httpx.Client, app: SfApp, token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token, "client_id": app.client_id}
    if app.client_secret:
        data["client_secret"] = app.client_secret
    return http.post(SF_TOKEN_PATH, data=data)


def assert_expired_refresh(response: httpx.Response) -> None:
    assert response.status_code == 400, f"expected 400, got {response.status_code}: {response.text[:300]}"
    body = oauth_error(response)
    assert body["error"] == "invalid_grant", body
    assert body["error_description"] == "expired access/refresh token", body


# -- token responses -----------------------------------------------------------------------------------------
def test_token_response_fields(http: httpx.Client, target: Target, sf: SfCreds, control: ControlPlane | None) -> None:
    """Fields Salesforce guarantees: `id` with 18-char ids, ms `issued_at`, Bearer, a valid HMAC `signature`."""
    response = http.post(SF_TOKEN_PATH, data=sf.login_form())
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    assert "no-store" in response.headers.get("cache-control", ""), "token responses must not be cached"
    body = response.json()
    for name in ("access_token", "instance_url", "id", "token_type", "issued_at"):
        assert isinstance(body.get(name), str), f"missing or non-string {name}: {body}"
    assert re.match(SF_ID_URL, body["id"]), f"id is not an identity URL with 18-character ids: {body['id']}"
    assert body["token_type"] == "Bearer"
    assert re.fullmatch(r"\d{13}", body["issued_at"]), f"issued_at must be milliseconds as a string: {body}"
    now = control.now() if control is not None else time.time()
    assert abs(int(body["issued_at"]) / 1000 - now) < 900, "issued_at is not the time of issue"
    assert "expires_in" not in body, "standard flows return no expires_in"
    if sf.login_form()["grant_type"] == "password":
        assert "signature" in body, "the username-password flow returns a signature"
    if "signature" in body and sf.app.client_secret:
        assert signature_ok(body, sf.app.client_secret), "signature is not base64(HMAC-SHA256(secret, id+issued_at))"


def test_password_flow_issues_no_refresh_token(http: httpx.Client, sf: SfCreds) -> None:
    """The username-password flow never returns a refresh token."""
    if not (sf.username and sf.password):
        pytest.skip("needs SF_USERNAME and SF_PASSWORD (username-password flow)")
    body = login(http, sf)
    assert "refresh_token" not in body


def test_introspection_of_a_live_access_token(http: httpx.Client, sf: SfCreds) -> None:
    """Introspection: `active`, the token kind (not "Bearer"), the app, the identity URL as `sub`, times in s."""
    tokens = login(http, sf)
    body = introspect(http, sf.app, tokens["access_token"], "access_token")
    assert body["active"] is True, body
    assert body["token_type"] == "access_token", body
    assert body["client_id"] == sf.app.client_id
    assert body["sub"] == tokens["id"]
    for name in ("exp", "iat"):
        assert isinstance(body.get(name), int) and body[name] < 10**11, f"{name} must be seconds: {body}"


def test_revoked_access_token_is_dead(http: httpx.Client, sf: SfCreds) -> None:
    """Revoke → 200 empty; introspection then says inactive and REST answers 401 INVALID_SESSION_ID."""
    tokens = login(http, sf)
    assert rest(http, tokens).status_code == 200
    response = http.post("/services/oauth2/revoke", data={"token": tokens["access_token"]})
    assert response.status_code == 200, response.text[:300]
    assert response.content == b""
    assert introspect(http, sf.app, tokens["access_token"])["active"] is False, "revocation did not stick"
    assert_invalid_session(rest(http, tokens))


def test_revoke_by_get_kills_the_token(http: httpx.Client, sf: SfCreds) -> None:
    """The "blind GET" `GET /services/oauth2/revoke?token=` (spec 5: 200 success, 400 failure) revokes like the
    POST: REST then answers 401 INVALID_SESSION_ID. It revokes only a token the check obtained itself."""
    tokens = login(http, sf)
    assert rest(http, tokens).status_code == 200
    response = http.get("/services/oauth2/revoke", params={"token": tokens["access_token"]})
    assert response.status_code == 200, f"GET revoke answered {response.status_code}: {response.text[:300]}"
    assert_invalid_session(rest(http, tokens))


def test_revoke_of_an_unknown_token_is_invalid_token(http: httpx.Client) -> None:
    """Revoking a token that is not one is 400 `invalid_token` (spec 5: "400 failure"; the body JSON or urlencoded,
    clients tolerate either)."""
    response = http.post("/services/oauth2/revoke", data={"token": "00Dnotatoken!garbage"})
    assert response.status_code == 400
    if response.headers.get("content-type", "").startswith("application/json"):
        assert response.json()["error"] in ("invalid_token", "unsupported_token_type")
    else:
        assert "error=invalid_token" in response.text or "error=unsupported_token_type" in response.text


def test_rest_answers_a_bad_session_with_an_array(http: httpx.Client, target: Target) -> None:
    """An invalid token on the REST API is 401 with a JSON array `[{"errorCode": "INVALID_SESSION_ID", ...}]` (spec
    9.1; clients such as simple-sf read `[0]['errorCode']` to decide to refresh)."""
    response = http.get(
        f"{target.url}/services/data/{API_VERSION}/limits", headers={"Authorization": "Bearer 00Dx!bogus"}
    )
    assert_invalid_session(response)


# -- documented errors ----------------------------------------------------------------------------------------
def _bad_password(sf: SfCreds) -> dict[str, str]:
    if not sf.username:
        pytest.skip("needs SF_USERNAME")
    return {**sf.password_form(), "password": "definitely-not-the-password"}


ERRORS: dict[str, tuple[Any, set[int], str, str | None]] = {
    # name: (form builder, statuses, error, error_description or None)
    "bad-password": (_bad_password, {400}, "invalid_grant", "authentication failure"),
    "unknown-client": (
        lambda sf: {
            "grant_type": "password",
            "client_id": "3MVG9unknownclient",
            "client_secret": "x",
            "username": "u@example.com",
            "password": "p",
        },
        {400},
        "invalid_client_id",
        "client identifier invalid",
    ),
    "unsupported-grant": (
        lambda sf: {"grant_type": "urn:example:nope", "client_id": sf.app.client_id},
        {400},
        "unsupported_grant_type",
        "grant type not supported",
    ),
    "unknown-refresh-token": (
        lambda sf: {
            "grant_type": "refresh_token",
            "refresh_token": "5Aep861notarefreshtoken",
            "client_id": sf.app.client_id,
            "client_secret": sf.app.client_secret or "",
        },
        {400},
        "invalid_grant",
        "expired access/refresh token",
    ),
    "wrong-secret": (
        lambda sf: {**sf.password_form(), "client_secret": "wrong-secret"},
        {400, 401},
        "invalid_client",
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_documented_errors(http: httpx.Client, sf: SfCreds, case: str) -> None:
    """Documented failures come with their documented code (and description, where documented)."""
    build, statuses, error, description = ERRORS[case]
    response = http.post(SF_TOKEN_PATH, data=build(sf))
    assert response.status_code in statuses, f"{case}: status {response.status_code}: {response.text[:300]}"
    body = oauth_error(response)
    assert body["error"] == error, f"{case}: expected error {error}, got {body}"
    if description is not None:
        assert body["error_description"] == description, f"{case}: {body}"
    assert "no-store" in response.headers.get("cache-control", ""), "OAuth errors must not be cached"


def test_the_token_endpoint_takes_post_only(http: httpx.Client, target: Target, sf: SfCreds) -> None:
    """A GET of the token endpoint issues nothing. The mock answers spec 1.5's `400 invalid_request`
    `must use HTTP POST` (wording and status inferred/observed, so a real org need only refuse it with a 4xx).
    Read-only, and no secret in a URL: safe against a real org."""
    response = http.get(SF_TOKEN_PATH, params={"grant_type": "password", "client_id": sf.app.client_id})
    assert 400 <= response.status_code < 500, f"status {response.status_code}: {response.text[:300]}"
    if target.mock:
        assert response.status_code == 400, response.text[:300]
        assert oauth_error(response) == {"error": "invalid_request", "error_description": "must use HTTP POST"}
        assert "no-store" in response.headers.get("cache-control", ""), "OAuth errors must not be cached"


def test_authorize_errors_that_cannot_be_redirected_are_a_page(http: httpx.Client, sf: SfCreds) -> None:
    """/authorize never redirects to a URI it cannot trust (spec 1.3, 2.4): an unknown `client_id` is 400
    `error=invalid_client_id`, a `redirect_uri` the app does not register is 400 `error=redirect_uri_mismatch`,
    both in the body, with no `Location`. Read-only: safe against a real org."""
    evil = "https://contract-check.invalid/callback"
    query = {"response_type": "code", "client_id": "3MVG9contractUnknownClient", "redirect_uri": evil}
    for client_id, error in [(query["client_id"], "invalid_client_id"), (sf.app.client_id, "redirect_uri_mismatch")]:
        response = http.get("/services/oauth2/authorize", params={**query, "client_id": client_id})
        assert "location" not in response.headers, f"{error}: redirected to {response.headers['location']}"
        assert response.status_code == 400, f"{error}: status {response.status_code}: {response.text[:300]}"
        assert f"error={error}" in response.text, f"expected error={error}: {response.text[:300]}"


# -- refresh tokens -------------------------------------------------------------------------------------------
def test_revoking_a_refresh_token_kills_its_access_tokens(http: httpx.Client, target: Target, sf: SfCreds) -> None:
    """Revoking a refresh token revokes it and every access token issued from it."""
    if target.mock:
        tokens = code_tokens(http, target, sf, sf.app, "api refresh_token")
        refresh_token = tokens["refresh_token"]
        later = refresh(http, sf.app, refresh_token).json()
    else:
        target.need_writes("revoking the SF_REFRESH_TOKEN you gave")
        if not sf.refresh_token:
            pytest.skip("needs SF_REFRESH_TOKEN")
        refresh_token = sf.refresh_token
        tokens = later = refresh(http, sf.app, refresh_token).json()
    assert rest(http, later).status_code == 200
    assert http.post("/services/oauth2/revoke", data={"token": refresh_token}).status_code == 200
    assert_expired_refresh(refresh(http, sf.app, refresh_token))
    assert_invalid_session(rest(http, tokens))
    assert_invalid_session(rest(http, later))
    assert introspect(http, sf.app, refresh_token, "refresh_token")["active"] is False


def test_a_sixth_approval_revokes_the_oldest(http: httpx.Client, target: Target, sf: SfCreds) -> None:
    """Salesforce: "Each connected app allows five unique approvals per user. After a fifth approval is made, the
    oldest approval is revoked" (spec 10; each refresh token is an approval): six refresh tokens in a row, and the
    first is dead with its access token while the second still works. Mock profile only: on a real org it would
    revoke the user's own approvals."""
    tokens = [code_tokens(http, target, sf, sf.app, "api refresh_token") for _ in range(6)]
    assert_expired_refresh(refresh(http, sf.app, tokens[0]["refresh_token"]))
    assert_invalid_session(rest(http, tokens[0]))
    second = refresh(http, sf.app, tokens[1]["refresh_token"])
    assert second.status_code == 200, f"the fifth-newest approval died too: {second.text[:300]}"
    assert rest(http, tokens[5]).status_code == 200


def test_refresh_without_rotation(http: httpx.Client, target: Target, sf: SfCreds) -> None:
    """Without rotation a refresh returns no refresh token and the old one keeps working."""
    if target.mock:
        token = code_tokens(http, target, sf, sf.app, "api refresh_token")["refresh_token"]
        app = sf.app
    else:
        if sf.rotation is not False or not sf.refresh_token:
            pytest.skip("needs SF_REFRESH_TOKEN of an app without rotation (SF_ROTATION=false)")
        token, app = sf.refresh_token, sf.app
    first = refresh(http, app, token)
    assert first.status_code == 200, first.text[:300]
    assert "refresh_token" not in first.json(), "an app without rotation returned a new refresh token"
    again = refresh(http, app, token)
    assert again.status_code == 200, f"the refresh token stopped working: {again.text[:300]}"


def test_refresh_rotation(http: httpx.Client, target: Target, sf: SfCreds) -> None:
    """With rotation each refresh returns a new refresh token; the old one is dead, and replaying it
    revokes the current one too (Salesforce: "invalidates the current refresh token and any associated
    access tokens")."""
    if target.mock:
        app = sf.apps["rotating"]
        token = code_tokens(http, target, sf, app, "api refresh_token")["refresh_token"]
    else:
        target.need_writes("replaying a rotated refresh token revokes SF_REFRESH_TOKEN's family")
        if sf.rotation is not True or not sf.refresh_token:
            pytest.skip("needs SF_REFRESH_TOKEN of an app with rotation (SF_ROTATION=true)")
        token, app = sf.refresh_token, sf.app
    first = refresh(http, app, token)
    assert first.status_code == 200, first.text[:300]
    rotated = first.json().get("refresh_token")
    assert rotated and rotated != token, "a rotating app must return a new refresh token"
    assert_expired_refresh(refresh(http, app, token))  # the rotated-out token is dead ...
    assert_expired_refresh(refresh(http, app, rotated))  # ... and its replay ended the family
    assert_invalid_session(rest(http, first.json()))


# -- time-based rules (mock profile: the control plane's clock) ------------------------------------------------
def test_authorization_code_lives_15_minutes(http: httpx.Client, sf: SfCreds, clock: ControlPlane) -> None:
    """Salesforce: "the authorization code expires after 15 minutes" (spec 2.3): exchanged at 14:59 it works, at
    15:01 it is `invalid_grant` (mock profile: the clock)."""
    early = issue_code(http, sf, sf.app, "api")
    late = issue_code(http, sf, sf.app, "api")
    clock.advance("14m59s")
    exchange_code(http, sf.app, early)
    clock.advance("2s")
    body = exchange_code(http, sf.app, late, expect=400)
    assert body["error"] == "invalid_grant", body


def test_authorization_code_is_single_use(http: httpx.Client, target: Target, sf: SfCreds) -> None:
    """A code is single use (spec 2.3, 3.1): its second exchange is `invalid_grant` (mock profile: the web-server
    flow needs a browser on a real org)."""
    target.need_mock("the web-server flow needs a browser on a real org")
    code = issue_code(http, sf, sf.app, "api")
    exchange_code(http, sf.app, code)
    assert exchange_code(http, sf.app, code, expect=400)["error"] == "invalid_grant"


def test_session_timeout(http: httpx.Client, sf: SfCreds, clock: ControlPlane) -> None:
    """An access token dies after the app's session timeout without activity (15 minutes here)."""
    app = sf.apps["short_session"]
    tokens = exchange_code(http, app, issue_code(http, sf, app, "api"))
    clock.advance("14m")
    assert introspect(http, sf.apps["standard"], tokens["access_token"])["active"] is True
    clock.advance("2m")
    assert_invalid_session(rest(http, tokens))
    assert introspect(http, sf.apps["standard"], tokens["access_token"])["active"] is False


def test_refresh_token_idle_expiry(http: httpx.Client, sf: SfCreds, clock: ControlPlane) -> None:
    """`Expire refresh token if not used for 1 hour`: each use restarts the window."""
    app = sf.apps["idle"]
    token = exchange_code(http, app, issue_code(http, sf, app, "api refresh_token"))["refresh_token"]
    clock.advance("50m")
    assert refresh(http, app, token).status_code == 200
    clock.advance("50m")
    assert refresh(http, app, token).status_code == 200
    clock.advance("61m")
    assert_expired_refresh(refresh(http, app, token))


def test_refresh_token_immediately_expired(http: httpx.Client, target: Target, sf: SfCreds) -> None:
    """`Immediately expire refresh token`: the refresh token is useless from the start."""
    target.need_mock("needs an app with the 'immediately expire' policy")
    app = sf.apps["immediately"]
    token = exchange_code(http, app, issue_code(http, sf, app, "api refresh_token")).get("refresh_token")
    if token is not None:
        assert_expired_refresh(refresh(http, app, token))


# -- discovery -------------------------------------------------------------------------------------------------
def test_discovery_points_at_the_host_called(http: httpx.Client, target: Target) -> None:
    """`/.well-known/openid-configuration` (spec 7.1): the token, revocation and introspection endpoints and the
    JWKS are on the issuer, and the JWKS holds RSA keys with a `kid`."""
    doc = http.get("/.well-known/openid-configuration").json()
    for name in ("token_endpoint", "revocation_endpoint", "introspection_endpoint", "jwks_uri"):
        assert doc[name].startswith(doc["issuer"]), f"{name} {doc[name]} is not on the issuer {doc['issuer']}"
    keys = http.get(doc["jwks_uri"]).json()["keys"]  # the issuer is the host called, so this is absolute
    assert keys and all(k["kty"] == "RSA" and k.get("kid") for k in keys)
