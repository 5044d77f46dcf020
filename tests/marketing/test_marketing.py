"""Marketing Cloud Engagement OAuth over HTTP on the frozen clock: every grant, rule and documented error."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.security import b64url_sha256

SUB = "mcmockowndemo000000000000000"
BASE = f"/mc/{SUB}"
HOST_BASE = f"http://{SUB}.auth.marketingcloudapis.com"
SERVER = {"client_id": "mockowndemoserver0000000a", "client_secret": "MockownMcServerSecret000"}
WEB = {"client_id": "mockowndemoweb00000000000", "client_secret": "MockownMcWebSecret0000000"}
PUBLIC = {"client_id": "mockowndemopublic00000000"}
LEGACY = {"clientId": "mockowndemolegacy0000000", "clientSecret": "MockownMcLegacySecret000"}
CALLBACK = "http://localhost:8080/callback"
INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": "Client authentication failed. Make sure that the client ID and client secret are valid "
    "and that the package is installed and enabled.",
    "error_uri": "https://developer.salesforce.com/docs",
}
ALL_SCOPES = (
    "offline email_read email_write email_send data_extensions_read data_extensions_write list_and_subscribers_read "
    "list_and_subscribers_write journeys_read saved_content_read saved_content_write"
)


def cc(client: httpx.Client, **extra: Any) -> httpx.Response:
    return client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER, **extra})


def code_for(client: httpx.Client, app: dict[str, str], **extra: str) -> str:
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": CALLBACK, **extra}
    response = client.get(f"{BASE}/v2/authorize", params=query)
    assert response.status_code == 302, response.text
    found = parse_qs(urlsplit(response.headers["location"]).query)
    return found["code"][0]


def exchange(client: httpx.Client, app: dict[str, str], code: str, **extra: str) -> httpx.Response:
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, **app, **extra}
    return client.post(f"{BASE}/v2/token", json=body)


# -- client_credentials -----------------------------------------------------------------------------------
def test_client_credentials_json_has_the_captured_shape(client: httpx.Client) -> None:
    response = cc(client)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["access_token", "token_type", "expires_in", "scope", "soap_instance_url", "rest_instance_url"]
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1079
    assert body["scope"] == ALL_SCOPES  # scope omitted: everything the integration has
    assert body["soap_instance_url"] == f"https://{SUB}.soap.marketingcloudapis.com/"
    assert body["rest_instance_url"] == f"https://{SUB}.rest.marketingcloudapis.com/"
    assert "refresh_token" not in body
    segments = body["access_token"].split(".")
    assert len(segments) == 4
    header = json.loads(base64.urlsafe_b64decode(segments[0] + "=="))
    payload = json.loads(base64.urlsafe_b64decode(segments[1] + "=" * (-len(segments[1]) % 4)))
    assert header == {"alg": "HS256", "kid": "4", "ver": "1", "typ": "JWT"}
    assert payload["client_type"] == "ServerToServer" and payload["eid"] == 10123456


def test_form_body_is_accepted_and_host_routing_works(client: httpx.Client) -> None:
    response = client.post(f"{HOST_BASE}/v2/token", data={"grant_type": "client_credentials", **SERVER})
    assert response.status_code == 200
    assert response.json()["expires_in"] == 1079


def test_other_content_types_are_refused(client: httpx.Client) -> None:
    response = client.post(
        f"{BASE}/v2/token", content=b"grant_type=client_credentials", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_form_bodies_can_be_switched_off(clock: FrozenClock) -> None:
    app = create_app(Config().replace(marketing={"accept_form": False}), clock=clock)
    with in_process_client(app) as c:
        assert c.post(f"{BASE}/v2/token", data={"grant_type": "client_credentials", **SERVER}).status_code == 400
        assert cc(c).status_code == 200


def test_empty_scope_gives_no_scopes_and_a_subset_is_kept(client: httpx.Client) -> None:
    assert cc(client, scope="").json()["scope"] == ""
    assert cc(client, scope="email_read email_write").json()["scope"] == "email_read email_write"


def test_scope_outside_the_integration_is_invalid_scope(client: httpx.Client) -> None:
    response = cc(client, scope="email_read automations_execute")
    assert response.status_code == 400
    assert set(response.json()) == {"error", "error_description", "error_uri"}
    assert response.json()["error"] == "invalid_scope"


def test_account_id_switches_business_unit(client: httpx.Client, runtime: Runtime) -> None:
    token = cc(client, account_id="10123457").json()["access_token"]
    info = client.get(f"{BASE}/v2/userinfo", headers={"Authorization": f"Bearer {token}"}).json()
    assert info["organization"]["member_id"] == 10123457
    assert cc(client, account_id=10123457).status_code == 200  # a JSON number works too
    default = cc(client).json()["access_token"]
    info = client.get(f"{BASE}/v2/userinfo", headers={"Authorization": f"Bearer {default}"}).json()
    assert info["organization"]["member_id"] == 10123456


@pytest.mark.parametrize("account", ["10123458", "99999999", "abc"])
def test_inaccessible_or_malformed_account_id_is_refused(client: httpx.Client, account: str) -> None:
    response = cc(client, account_id=account)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized_client"


@pytest.mark.parametrize(
    "change",
    [
        {"client_secret": "wrong"},
        {"client_secret": ""},
        {"client_id": "nobody000000000000000000"},
    ],
)
def test_bad_credentials_give_the_exact_invalid_client(client: httpx.Client, change: dict[str, str]) -> None:
    response = client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **SERVER, **change})
    assert response.status_code == 401
    assert response.json() == INVALID_CLIENT


@pytest.mark.parametrize("flag", ["installed", "enabled"])
def test_uninstalled_or_disabled_package_is_invalid_client(client: httpx.Client, runtime: Runtime, flag: str) -> None:
    runtime.marketing.update_integration(SERVER["client_id"], **{flag: False})
    assert cc(client).json() == INVALID_CLIENT


def test_wrong_tenant_subdomain_is_invalid_client(client: httpx.Client) -> None:
    other = "mc" + "z" * 26
    response = client.post(f"/mc/{other}/v2/token", json={"grant_type": "client_credentials", **SERVER})
    assert response.status_code == 401 and response.json() == INVALID_CLIENT


@pytest.mark.parametrize("grant", ["password", "", "implicit"])
def test_unsupported_grant_type_has_the_exact_body(client: httpx.Client, grant: str) -> None:
    response = client.post(f"{BASE}/v2/token", json={"grant_type": grant, **SERVER})
    assert response.status_code == 400
    assert response.json() == {
        "error": "unsupported_grant_type",
        "error_description": 'Use "authorization_code" or "refresh_token" or "client_credentials" or '
        '"urn:ietf:params:oauth:grant-type:jwt-bearer" as the grant_type.',
        "error_uri": "https://developer.salesforce.com/docs",
    }


def test_grant_not_allowed_for_the_integration_type(client: httpx.Client) -> None:
    response = client.post(f"{BASE}/v2/token", json={"grant_type": "client_credentials", **WEB})
    assert response.status_code == 400 and response.json()["error"] == "unauthorized_client"
    response = client.post(f"{BASE}/v2/token", json={"grant_type": "authorization_code", "code": "x", **SERVER})
    assert response.status_code == 400 and response.json()["error"] == "unauthorized_client"


def test_access_token_expires_on_the_clock(client: httpx.Client, clock: FrozenClock) -> None:
    token = cc(client).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    clock.advance(1078)
    assert client.get(f"{BASE}/v2/userinfo", headers=auth).status_code == 200
    clock.advance(1)
    response = client.get(f"{BASE}/v2/userinfo", headers=auth)
    assert response.status_code == 401
    assert response.json()["message"] == "Not Authorized" and response.json()["errorcode"] == 0


def test_several_access_tokens_are_valid_at_once(client: httpx.Client) -> None:
    first, second = cc(client).json()["access_token"], cc(client).json()["access_token"]
    assert first != second
    for token in (first, second):
        assert client.get(f"{BASE}/v2/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_propagation_delay_hides_changes_until_it_passes(clock: FrozenClock) -> None:
    app = create_app(Config().replace(marketing={"propagation_delay": 300}), clock=clock)
    with in_process_client(app) as c:
        app.state.runtime.marketing.update_integration(SERVER["client_id"], enabled=False)
        assert cc(c).status_code == 200
        clock.advance(300)
        assert cc(c).json() == INVALID_CLIENT


# -- authorization code, web and public ---------------------------------------------------------------------
def test_authorize_redirects_with_code_state_and_tssd(client: httpx.Client) -> None:
    query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": CALLBACK, "state": "xyz"}
    response = client.get(f"{HOST_BASE}/v2/authorize", params=query)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    found = parse_qs(location.query)
    assert found["state"] == ["xyz"] and found["tssd"] == [SUB] and len(found["code"][0]) >= 20


def test_authorize_refuses_unregistered_redirect_without_redirecting(client: httpx.Client) -> None:
    query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": CALLBACK + "/other"}
    response = client.get(f"{BASE}/v2/authorize", params=query)
    assert response.status_code == 400 and "location" not in response.headers
    assert response.json()["error"] == "invalid_request"


def test_authorize_errors_that_can_redirect_do(client: httpx.Client) -> None:
    query = {"response_type": "token", "client_id": WEB["client_id"], "redirect_uri": CALLBACK, "state": "s"}
    response = client.get(f"{BASE}/v2/authorize", params=query)
    assert parse_qs(urlsplit(response.headers["location"]).query)["error"] == ["unsupported_response_type"]
    query = {**query, "response_type": "code", "scope": "not_a_scope"}
    found = parse_qs(urlsplit(client.get(f"{BASE}/v2/authorize", params=query).headers["location"]).query)
    assert found["error"] == ["invalid_scope"] and found["state"] == ["s"]


def test_authorize_refuses_a_server_integration(client: httpx.Client) -> None:
    query = {"response_type": "code", "client_id": SERVER["client_id"], "redirect_uri": CALLBACK}
    assert client.get(f"{BASE}/v2/authorize", params=query).status_code == 400


def test_web_app_code_exchange_returns_a_refresh_token(client: httpx.Client) -> None:
    response = exchange(client, WEB, code_for(client, WEB))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "expires_in",
        "scope",
        "soap_instance_url",
        "rest_instance_url",
        "refresh_token",
    }


def test_web_app_needs_its_secret(client: httpx.Client) -> None:
    code = code_for(client, WEB)
    response = exchange(client, {"client_id": WEB["client_id"]}, code)
    assert response.status_code == 401 and response.json() == INVALID_CLIENT


def test_public_app_needs_no_secret(client: httpx.Client) -> None:
    response = exchange(client, PUBLIC, code_for(client, PUBLIC))
    assert response.status_code == 200 and "refresh_token" in response.json()


def test_code_is_single_use(client: httpx.Client) -> None:
    code = code_for(client, WEB)
    assert exchange(client, WEB, code).status_code == 200
    again = exchange(client, WEB, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_code_expires(client: httpx.Client, clock: FrozenClock) -> None:
    code = code_for(client, WEB)
    clock.advance(300)
    assert exchange(client, WEB, code).json()["error"] == "invalid_grant"


def test_code_needs_the_same_redirect_uri(client: httpx.Client) -> None:
    code = code_for(client, WEB)
    response = exchange(client, WEB, code, redirect_uri="https://app.example.com/mc/callback")
    assert response.json()["error"] == "invalid_grant"


def test_code_scope_must_be_a_subset(client: httpx.Client) -> None:
    code = code_for(client, WEB, scope="email_read offline")
    response = exchange(client, WEB, code, scope="email_write")
    assert response.json()["error"] == "invalid_scope"
    code = code_for(client, WEB, scope="email_read offline")
    assert exchange(client, WEB, code, scope="email_read").json()["scope"] == "email_read"


def test_code_of_another_integration_is_invalid_grant(client: httpx.Client) -> None:
    code = code_for(client, PUBLIC)
    assert exchange(client, WEB, code).json()["error"] == "invalid_grant"


def test_pkce_is_checked_when_a_challenge_was_given(client: httpx.Client) -> None:
    verifier = "v" * 50
    code = code_for(client, PUBLIC, code_challenge=b64url_sha256(verifier), code_challenge_method="S256")
    assert exchange(client, PUBLIC, code, code_verifier="w" * 50).json()["error"] == "invalid_grant"
    code = code_for(client, PUBLIC, code_challenge=b64url_sha256(verifier), code_challenge_method="S256")
    assert exchange(client, PUBLIC, code, code_verifier=verifier).status_code == 200


@pytest.mark.parametrize("wrong", ["é" * 50, "v" * 49 + "€"], ids=["accents", "euro-last"])
def test_a_non_ascii_verifier_is_a_wrong_verifier(client: httpx.Client, wrong: str) -> None:
    """A verifier outside RFC 7636's ASCII alphabet is refused as any wrong one (it was a 500), the code kept."""
    verifier = "v" * 50
    code = code_for(client, PUBLIC, code_challenge=b64url_sha256(verifier), code_challenge_method="S256")
    response = exchange(client, PUBLIC, code, code_verifier=wrong)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert exchange(client, PUBLIC, code, code_verifier=verifier).status_code == 200


@pytest.mark.parametrize(
    "refusal",
    [
        {"redirect_uri": "https://app.example.com/mc/callback"},
        {"code_verifier": "w" * 50},
        {"scope": "email_write"},
        {"account_id": "999"},
    ],
)
def test_a_refused_exchange_leaves_the_code_usable(client: httpx.Client, refusal: dict[str, str]) -> None:
    """As Salesforce's (`redeem_code(check=)`, a mock choice): the exchange's own checks (redirect_uri, PKCE
    verifier, scope, business unit) run before the code is marked used, so a refused exchange, by a confused or
    malicious caller, does not spend the legitimate client's code; a code from another integration is refused
    without being spent either. Only a success spends it."""
    verifier = "v" * 50
    challenge = {"code_challenge": b64url_sha256(verifier), "code_challenge_method": "S256"}
    code = code_for(client, PUBLIC, scope="email_read offline", **challenge)
    refused = exchange(client, PUBLIC, code, **{"code_verifier": verifier, **refusal})
    assert refused.status_code in (400, 401, 403) and "access_token" not in refused.json()
    assert exchange(client, WEB, code, code_verifier=verifier).json()["error"] == "invalid_grant"
    assert exchange(client, PUBLIC, code, code_verifier=verifier).status_code == 200
    assert exchange(client, PUBLIC, code, code_verifier=verifier).json()["error"] == "invalid_grant"


def test_an_empty_code_challenge_is_no_challenge(client: httpx.Client) -> None:
    # PKCE optional (the default): `code_challenge=` is as if it were left out, not a challenge no verifier matches
    code = code_for(client, PUBLIC, code_challenge="")
    assert exchange(client, PUBLIC, code).status_code == 200


def test_pkce_method_other_than_s256_is_refused_at_authorize(client: httpx.Client) -> None:
    # RFC 7636 4.4.1: a transformation the server does not support is an invalid_request at /authorize; the
    # mock checks S256 only, so a `plain` challenge used to be accepted here and then fail at /v2/token
    query = {
        "response_type": "code",
        "client_id": PUBLIC["client_id"],
        "redirect_uri": CALLBACK,
        "code_challenge": "p" * 50,
        "code_challenge_method": "plain",
        "state": "s",
    }
    found = parse_qs(urlsplit(client.get(f"{BASE}/v2/authorize", params=query).headers["location"]).query)
    assert found["error"] == ["invalid_request"] and found["state"] == ["s"] and "code" not in found


def test_pkce_can_be_required_for_public_apps(clock: FrozenClock) -> None:
    app = create_app(Config().replace(marketing={"pkce": "required"}), clock=clock)
    with in_process_client(app) as c:
        query = {"response_type": "code", "client_id": PUBLIC["client_id"], "redirect_uri": CALLBACK}
        location = c.get(f"{BASE}/v2/authorize", params=query).headers["location"]
        assert parse_qs(urlsplit(location).query)["error"] == ["invalid_request"]


def test_authorize_account_id_sets_the_mid_of_the_code(client: httpx.Client) -> None:
    token = exchange(client, WEB, code_for(client, WEB, account_id="10123458")).json()["access_token"]
    info = client.get(f"{BASE}/v2/userinfo", headers={"Authorization": f"Bearer {token}"}).json()
    assert info["organization"]["member_id"] == 10123458


def test_login_page_when_auto_consent_is_off(clock: FrozenClock) -> None:
    app = create_app(Config().replace(marketing={"auto_consent": False}), clock=clock)
    with in_process_client(app) as c:
        query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": CALLBACK}
        page = c.get(f"{BASE}/v2/authorize", params=query)
        assert page.status_code == 200 and "<form" in page.text
        csrf = page.text.split('name="_csrf" value="', 1)[1].split('"', 1)[0]  # the anti-CSRF token of the page
        form = {"username": "mc-admin@mockown.test", "_csrf": csrf}
        bad = c.post(f"{BASE}/v2/authorize", params=query, data={**form, "password": "x"})
        assert parse_qs(urlsplit(bad.headers["location"]).query)["error"] == ["access_denied"]
        good = c.post(f"{BASE}/v2/authorize", params=query, data={**form, "password": "McPassw0rd!"})
        assert "code" in parse_qs(urlsplit(good.headers["location"]).query)


# -- refresh ------------------------------------------------------------------------------------------------
def refresh(client: httpx.Client, app: dict[str, str], token: str, **extra: str) -> httpx.Response:
    return client.post(f"{BASE}/v2/token", data={"grant_type": "refresh_token", "refresh_token": token, **app, **extra})


def test_refresh_rotates_and_voids_the_old_token(client: httpx.Client) -> None:
    first = exchange(client, WEB, code_for(client, WEB)).json()["refresh_token"]
    response = refresh(client, WEB, first)
    assert response.status_code == 200
    second = response.json()["refresh_token"]
    assert second != first
    assert refresh(client, WEB, first).json()["error"] == "invalid_grant"
    assert refresh(client, WEB, second).status_code == 200


def test_refresh_grace_window(clock: FrozenClock) -> None:
    app = create_app(Config().replace(marketing={"refresh_grace": 300}), clock=clock)
    with in_process_client(app) as c:
        first = exchange(c, WEB, code_for(c, WEB)).json()["refresh_token"]
        assert refresh(c, WEB, first).status_code == 200
        clock.advance(299)
        assert refresh(c, WEB, first).status_code == 200
        clock.advance(1)
        assert refresh(c, WEB, first).status_code == 400


def test_refresh_without_rotation_returns_the_same_token(clock: FrozenClock) -> None:
    app = create_app(Config().replace(marketing={"refresh_rotation": False}), clock=clock)
    with in_process_client(app) as c:
        first = exchange(c, WEB, code_for(c, WEB)).json()["refresh_token"]
        assert refresh(c, WEB, first).json()["refresh_token"] == first
        assert refresh(c, WEB, first).status_code == 200


def test_refresh_token_lifetime(clock: FrozenClock) -> None:
    app = create_app(Config().replace(marketing={"refresh_token_ttl": 3600}), clock=clock)
    with in_process_client(app) as c:
        token = exchange(c, PUBLIC, code_for(c, PUBLIC)).json()["refresh_token"]
        clock.advance(3600)
        assert refresh(c, PUBLIC, token).json()["error"] == "invalid_grant"


def test_refresh_by_another_client_or_missing_token(client: httpx.Client) -> None:
    token = exchange(client, WEB, code_for(client, WEB)).json()["refresh_token"]
    assert refresh(client, PUBLIC, token).json()["error"] == "invalid_grant"
    assert refresh(client, WEB, "").json()["error"] == "invalid_request"


def test_narrower_refresh_keeps_the_wider_grant(client: httpx.Client) -> None:
    token = exchange(client, WEB, code_for(client, WEB, scope="email_read offline")).json()["refresh_token"]
    narrow = refresh(client, WEB, token, scope="email_read").json()
    assert narrow["scope"] == "email_read"
    assert refresh(client, WEB, narrow["refresh_token"]).json()["scope"] == "email_read offline"


def test_sign_out_revokes_tokens_without_offline(client: httpx.Client, runtime: Runtime) -> None:
    online = exchange(client, WEB, code_for(client, WEB, scope="email_read")).json()
    offline = exchange(client, WEB, code_for(client, WEB, scope="email_read offline")).json()
    runtime.marketing.sign_out("700123456")
    assert refresh(client, WEB, online["refresh_token"]).json()["error"] == "invalid_grant"
    auth = {"Authorization": f"Bearer {online['access_token']}"}
    assert client.get(f"{BASE}/v2/userinfo", headers=auth).status_code == 401
    assert refresh(client, WEB, offline["refresh_token"]).status_code == 200


# -- userinfo ------------------------------------------------------------------------------------------------
def test_userinfo_documented_structure_and_oidc_view(client: httpx.Client, clock: FrozenClock) -> None:
    token = exchange(client, WEB, code_for(client, WEB)).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    info = client.get(f"{BASE}/v2/userinfo", headers=auth).json()
    assert info["exp"] == int(clock.now()) + 1079 and info["iss"] == "https://mc.exacttarget.com"
    assert info["user"]["sub"] == "700123456" and info["user"]["email"] == "mc-admin@mockown.test"
    assert info["user"]["timezone"]["shortName"] == "GMT+0"
    org = info["organization"]
    assert org["enterprise_id"] == 10123456 and org["member_id"] == 10123456 and org["stack_key"] == "S7"
    oidc = client.get(f"{BASE}/v2/userinfo", params={"view": "oidc"}, headers=auth).json()
    assert oidc["user"]["sub"] == "https://mc.auth.marketingcloudapis.com/uid/700123456"


def test_userinfo_without_token_and_oauth_error_setting(clock: FrozenClock) -> None:
    app = create_app(Config().replace(marketing={"userinfo_error": "oauth"}), clock=clock)
    with in_process_client(app) as c:
        response = c.get(f"{BASE}/v2/userinfo")
        assert response.status_code == 401 and response.json()["error"] == "invalid_token"


# -- legacy v1/requestToken ------------------------------------------------------------------------------
def test_v1_refuses_enhanced_packages(client: httpx.Client) -> None:
    body = {"clientId": SERVER["client_id"], "clientSecret": SERVER["client_secret"]}
    response = client.post(f"{BASE}/v1/requestToken", json=body)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized", "errorcode": 1, "documentation": ""}


def test_v1_serves_legacy_packages_with_single_use_refresh(client: httpx.Client, clock: FrozenClock) -> None:
    response = client.post(
        "http://auth.exacttargetapis.com/v1/requestToken?legacy=1", json={**LEGACY, "accessType": "offline"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"accessToken", "expiresIn", "refreshToken", "legacyToken"} and body["expiresIn"] == 3600
    again = client.post(f"{BASE}/v1/requestToken", json={**LEGACY, "refreshToken": body["refreshToken"]})
    assert again.status_code == 200 and "legacyToken" not in again.json()
    clock.advance(300)  # the 5-minute revocation period after use is over
    late = client.post(f"{BASE}/v1/requestToken", json={**LEGACY, "refreshToken": body["refreshToken"]})
    assert late.status_code == 401


def test_v1_bad_secret(client: httpx.Client) -> None:
    response = client.post(f"{BASE}/v1/requestToken", json={**LEGACY, "clientSecret": "nope"})
    assert response.status_code == 401


# -- routing and generic errors --------------------------------------------------------------------------
def test_unknown_path_and_method_answer_in_the_mc_dialect(client: httpx.Client) -> None:
    assert client.get(f"{BASE}/v2/token").status_code == 405
    response = client.get(f"{BASE}/v2/nothing")
    assert response.status_code == 404 and set(response.json()) == {"error", "error_description", "error_uri"}


def test_root_v2_paths_only_answer_on_marketing_cloud_hosts(client: httpx.Client) -> None:
    assert client.post("/v2/token", json={"grant_type": "client_credentials", **SERVER}).status_code == 404


@settings(max_examples=40, deadline=None)
@given(
    body=st.dictionaries(
        st.sampled_from(
            ["grant_type", "client_id", "client_secret", "scope", "account_id", "code", "redirect_uri", "refresh_token"]
        ),
        st.one_of(st.text(max_size=30), st.integers(), st.none(), st.booleans()),
    )
)
def test_token_never_crashes_and_always_answers_in_dialect(body: dict[str, Any]) -> None:
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"), seed=True)
    with in_process_client(app) as c:
        response = c.post(f"{BASE}/v2/token", json=body)
    assert response.status_code in (200, 400, 401)
    if response.status_code != 200:
        assert set(response.json()) == {"error", "error_description", "error_uri"}
