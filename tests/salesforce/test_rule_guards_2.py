"""Rules of the Salesforce authorize, browser-bridge, device, registration, token-exchange, identity and query-locator
code that the second hand-driven mutation audit showed no test would miss if broken (each test names the mutant it
kills: the rule dropped or its boundary moved, and the suite stayed green)."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives import serialization

from mockown.clock import FrozenClock
from mockown.runtime import Runtime
from tests.conftest import ADMIN, ADMIN_ID, CALLBACK, CID, SECRET

from .flows.support import JWT_KEY, NOW, TOKEN_EXCHANGE, URN, idp_token
from .helpers import authorize, code_tokens, new_org, org_tokens

AUTHORIZE = "/services/oauth2/authorize"
LOGOUT = "/services/auth/idp/oidc/logout"
SINGLE = "/services/oauth2/singleaccess"
APPROVE = "/_mockown/salesforce/device/approve"
TOKEN = "/services/oauth2/token"


def _set_active(runtime: Runtime, user_id: str, active: bool) -> None:
    user = runtime.salesforce.user(user_id)
    assert user is not None
    user.active = active
    runtime.salesforce.users.put(user)


def _hidden(page: str) -> dict[str, str]:
    return {html.unescape(n): html.unescape(v) for n, v in re.findall(r"name='([^']*)' value='([^']*)'", page)}


def _is_login_page(response: httpx.Response) -> bool:
    return response.status_code == 200 and "id='login'" in response.text


def _logged_in(client: httpx.Client) -> bool:
    return "You are logged in as" in client.get("/").text


# -- authorize: who may be approved without a page ----------------------------------------------------------
def test_login_hint_of_an_inactive_user_is_not_approved_headless(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `user.active` dropped from authorize's headless approval (authorize.py): an auto-approving app with the
    login_hint of a deactivated user shows the login page; it never redirects with a code."""
    assert authorize(client).status_code == 302  # the rule's other side: active, auto-approved at once
    _set_active(runtime, ADMIN_ID, False)
    response = authorize(client)
    assert _is_login_page(response), response.headers.get("location")


def test_login_hint_of_another_orgs_user_is_not_approved_headless(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `user.org_id == req.app.org_id` dropped from the headless approval (authorize.py)."""
    other = new_org(runtime)
    response = authorize(client, login_hint=other["username"])
    assert _is_login_page(response), response.headers.get("location")


def test_prompt_login_shows_the_page_despite_an_auto_approved_login_hint(client: httpx.Client) -> None:
    """Kills `not ({"login", "consent"} & req.prompt)` dropped from the headless approval (authorize.py; OIDC Core
    3.1.2.1: `login` MUST prompt for reauthentication, `consent` for consent)."""
    for prompt in ("login", "consent"):
        response = authorize(client, prompt=prompt)
        assert response.status_code == 200, (prompt, response.headers.get("location"))
        assert "code=" not in response.headers.get("location", "")


def test_a_session_of_another_org_is_not_approved_by_an_auto_approving_app(
    client: httpx.Client, runtime: Runtime
) -> None:
    """Kills `session_user.org_id == req.app.org_id` dropped from the session approval (authorize.py): a browser
    logged in as a user of org B, sent to org A's app, gets the login page, not a code for the B user."""
    other = new_org(runtime)
    query = {"response_type": "code", "client_id": other["client_id"], "redirect_uri": CALLBACK}
    page = client.get(AUTHORIZE, params=query)
    done = client.post(
        f"{AUTHORIZE}/login", data={**_hidden(page.text), "username": other["username"], "password": other["password"]}
    )
    assert done.status_code == 302 and "code=" in done.headers["location"]  # logged in as the org B user
    response = client.get(AUTHORIZE, params={**query, "client_id": CID})
    assert _is_login_page(response), response.headers.get("location")


# -- frontdoor.jsp and singleaccess: the session's user must be active -----------------------------------------
def test_frontdoor_refuses_the_session_id_of_a_deactivated_user(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `user.active` dropped from `web.session_user` (frontdoor.jsp?sid=)."""
    token = code_tokens(client, scope="api web")["access_token"]
    _set_active(runtime, ADMIN_ID, False)
    response = client.get("/secur/frontdoor.jsp", params={"sid": token, "retURL": "/home"})
    assert response.headers.get("location") != "/home"
    _set_active(runtime, ADMIN_ID, True)  # the browser got no session: the root page asks for a login
    assert not _logged_in(client)


def test_singleaccess_refuses_a_deactivated_user(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `user.active` dropped from `web.single_access` (403 Bad_OAuth_Token)."""
    token = code_tokens(client, scope="api web")["access_token"]
    _set_active(runtime, ADMIN_ID, False)
    response = client.post(SINGLE, headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.text) == (403, "Bad_OAuth_Token")


def test_a_one_time_frontdoor_link_of_a_user_deactivated_since_logs_no_one_in(
    client: httpx.Client, runtime: Runtime
) -> None:
    """Kills `user.active` dropped from `web.redeem_otp`: the otp was issued while the user was active."""
    token = code_tokens(client, scope="api web")["access_token"]
    uri = client.post(SINGLE, headers={"Authorization": f"Bearer {token}"}).json()["frontdoor_uri"]
    _set_active(runtime, ADMIN_ID, False)
    parts = urlsplit(uri)
    client.get(f"{parts.path}?{parts.query}")
    _set_active(runtime, ADMIN_ID, True)
    assert not _logged_in(client)


# -- OIDC logout: client_id and id_token_hint must agree ---------------------------------------------------------
def test_logout_does_not_redirect_when_client_id_and_hint_name_different_apps(
    client: httpx.Client, runtime: Runtime
) -> None:
    """Kills `if named and hinted and named != hinted: return None` dropped (web.logout_redirect): the other app
    registers the same callback, so only the disagreement rule stops the redirect."""
    other = new_org(runtime)  # its app's callback is CALLBACK too
    tokens = code_tokens(client, scope="api openid")
    hint = {"post_logout_redirect_uri": CALLBACK, "id_token_hint": tokens["id_token"]}
    assert client.get(LOGOUT, params={**hint, "client_id": CID}).headers["location"] == CALLBACK  # agree
    response = client.get(LOGOUT, params={**hint, "client_id": other["client_id"]})
    assert response.status_code == 200 and "location" not in response.headers


# -- device flow approval ------------------------------------------------------------------------------------------
def test_an_inactive_user_cannot_approve_a_device(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `if not user.active: raise DeviceError` dropped (device.decide): the refusal leaves the device pending."""
    body = client.post(TOKEN, data={"response_type": "device_code", "client_id": "PlatformCLI"}).json()
    _set_active(runtime, ADMIN_ID, False)
    r = client.post(APPROVE, json={"user_code": body["user_code"], "username": ADMIN})
    assert r.status_code == 404 and "inactive" in r.json()["message"]
    _set_active(runtime, ADMIN_ID, True)
    poll = client.post(TOKEN, data={"grant_type": "device", "client_id": "PlatformCLI", "code": body["device_code"]})
    assert poll.json()["error"] == "authorization_pending"


def test_logout_with_an_id_token_hint_the_mock_did_not_sign_never_redirects(client: httpx.Client) -> None:
    """Kills `if params.get("id_token_hint") and hinted is None: return None` dropped (web.logout_redirect): a forged
    hint is not made harmless by a `client_id` naming an app whose callback is the target."""
    tokens = code_tokens(client, scope="api openid")
    head, claims, _ = tokens["id_token"].split(".")
    query = {"post_logout_redirect_uri": CALLBACK, "client_id": CID}
    assert client.get(LOGOUT, params=query).headers["location"] == CALLBACK  # without the hint: redirected
    response = client.get(LOGOUT, params={**query, "id_token_hint": f"{head}.{claims}.AAAA"})
    assert response.status_code == 200 and "location" not in response.headers


# -- user-agent flow -----------------------------------------------------------------------------------------------
def test_user_agent_flow_gives_no_refresh_token_without_the_refresh_scope(
    client: httpx.Client, runtime: Runtime
) -> None:
    """Kills `wants_refresh(scopes) and` dropped (user_agent.token_redirect): even a custom-scheme callback (which
    may get one) gets no refresh token unless `refresh_token` / `offline_access` was granted (spec 2.3)."""
    org = new_org(runtime, callback_urls=["myapp://oauth/done"])
    query = {"response_type": "token", "client_id": org["client_id"], "redirect_uri": "myapp://oauth/done",
             "login_hint": org["username"]}  # fmt: skip
    with_scope = parse_qs(urlsplit(client.get(AUTHORIZE, params={**query, "scope": "api refresh_token"})
                                   .headers["location"]).fragment)  # fmt: skip
    assert "refresh_token" in with_scope
    without = parse_qs(urlsplit(client.get(AUTHORIZE, params={**query, "scope": "api"}).headers["location"]).fragment)
    assert "access_token" in without and "refresh_token" not in without


# -- dynamic client registration -----------------------------------------------------------------------------------
REGISTER = "/services/oauth2/register"
IAT = {"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"}


def _register(client: httpx.Client, **metadata: Any) -> dict[str, Any]:
    body = {"redirect_uris": ["http://localhost/cb"], **metadata}
    response = client.post(REGISTER, json=body, headers=IAT)
    assert response.status_code == 201, response.text
    registered: dict[str, Any] = response.json()
    return registered


def test_deleting_a_registration_revokes_its_refresh_tokens(client: httpx.Client) -> None:
    """RFC 7592 3: deleting a registration ends its grants; the registering org's introspecting app sees the deleted
    app's refresh token inactive. (The audit's mutant dropping the refresh-token revocation in `register.delete`
    is equivalent over HTTP: the app is gone, so introspection and refresh refuse its tokens anyway.)"""
    app = _register(client, scope="api refresh_token")
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": "http://localhost/cb",
             "login_hint": ADMIN}  # fmt: skip
    code = parse_qs(urlsplit(client.get(AUTHORIZE, params=query).headers["location"]).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "client_id": app["client_id"],
            "client_secret": app["client_secret"], "redirect_uri": "http://localhost/cb"}  # fmt: skip
    refresh = client.post(TOKEN, data=form).json()["refresh_token"]
    uri = app["registration_client_uri"].replace("http://testserver", "")
    seen = client.post("/services/oauth2/introspect", data={"token": refresh}, auth=(CID, SECRET)).json()
    assert seen["active"] is True
    owner = {"Authorization": f"Bearer {app['registration_access_token']}"}
    assert client.delete(uri, headers=owner).status_code == 204
    gone = client.post("/services/oauth2/introspect", data={"token": refresh}, auth=(CID, SECRET)).json()
    assert gone == {"active": False}


def test_logout_hint_with_several_audiences_names_its_azp_only_when_azp_is_one_of_them(
    client: httpx.Client, runtime: Runtime, clock: FrozenClock
) -> None:
    """Kills `azp in aud` dropped from `web._hinted_client` (OIDC Core 2: azp is the party the token was issued to,
    one of its audiences): a hint whose azp is not among its audiences names no client."""
    other = new_org(runtime)  # an app whose callback is CALLBACK too
    now = int(clock.now())
    base = {"iss": "http://testserver", "sub": "x", "iat": now, "exp": now + 300}
    query = {"post_logout_redirect_uri": CALLBACK}
    good = runtime.keys.rsa.sign({**base, "aud": [CID, "another"], "azp": CID})
    assert client.get(LOGOUT, params={**query, "id_token_hint": good}).headers["location"] == CALLBACK
    bad = runtime.keys.rsa.sign({**base, "aud": [CID, "another"], "azp": other["client_id"]})
    response = client.get(LOGOUT, params={**query, "id_token_hint": bad})
    assert response.status_code == 200 and "location" not in response.headers


def test_a_decided_device_code_cannot_be_decided_again(client: httpx.Client) -> None:
    """Kills `if device.user_id is not None or device.denied: raise DeviceError` dropped (device.pending): a denial
    is final (RFC 8628 3.5 `access_denied`); approving the same user code afterwards is refused."""
    body = client.post(TOKEN, data={"response_type": "device_code", "client_id": "PlatformCLI"}).json()
    denied = client.post(APPROVE, json={"user_code": body["user_code"], "username": ADMIN, "decision": "deny"})
    assert denied.json()["status"] == "denied"
    again = client.post(APPROVE, json={"user_code": body["user_code"], "username": ADMIN})
    assert again.status_code == 404 and "already been used" in again.json()["message"]
    poll = client.post(TOKEN, data={"grant_type": "device", "client_id": "PlatformCLI", "code": body["device_code"]})
    assert poll.json()["error"] == "access_denied"


def test_registration_refuses_a_web_redirect_uri_without_a_host(client: httpx.Client) -> None:
    """Kills `web_without_host` dropped (register._redirect_uris; RFC 7591 2: redirect URIs are absolute)."""
    for uri in ("https:///cb", "http:cb"):
        response = client.post(REGISTER, json={"redirect_uris": [uri]}, headers=IAT)
        assert response.status_code == 400 and response.json()["error"] == "invalid_redirect_uri", uri
    assert client.post(REGISTER, json={"redirect_uris": ["myapp:cb"]}, headers=IAT).status_code == 201


def test_registration_refuses_a_jwks_of_several_keys(client: httpx.Client) -> None:
    """Kills `len(keys) != 1` relaxed to `< 1` (register._jwks_pem): the JWT bearer flow checks one certificate."""
    private = serialization.load_pem_private_key(JWT_KEY.encode(), None)
    key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))  # type: ignore[arg-type]
    one = client.post(REGISTER, json={"redirect_uris": ["http://localhost/cb"], "jwks": {"keys": [key]}}, headers=IAT)
    assert one.status_code == 201, one.text
    two = client.post(REGISTER, json={"redirect_uris": ["http://localhost/cb"], "jwks": {"keys": [key, key]}},
                      headers=IAT)  # fmt: skip
    assert two.status_code == 400 and two.json()["error"] == "invalid_client_metadata"


# -- token exchange: the handler's rules ------------------------------------------------------------------------
def _exchange(client: httpx.Client, subject: str, subject_type: str = "jwt") -> httpx.Response:
    data = {"grant_type": TOKEN_EXCHANGE, "client_id": CID, "client_secret": SECRET, "subject_token": subject,
            "subject_token_type": URN + subject_type}  # fmt: skip
    return client.post(TOKEN, data=data)


def test_subject_token_expires_exactly_at_exp_plus_skew(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `now >= exp + skew` moved to `>` (exchange.map_subject; RFC 7519 4.1.4: not accepted on or after exp)."""
    skew = runtime.config.salesforce.jwt_skew
    assert _exchange(client, idp_token(exp=NOW - skew + 1)).status_code == 200
    refused = _exchange(client, idp_token(exp=NOW - skew))
    assert refused.status_code == 400
    assert refused.json() == {"error": "invalid_grant", "error_description": "expired subject token"}


def test_a_trusted_jwt_presented_as_a_refresh_token_or_saml_is_refused(client: httpx.Client) -> None:
    """Kills the `refresh_token` / `saml2` types dropped from the JWT-only rule (exchange.map_subject): only the
    mapping table answers for those types; a signed JWT is not read as one."""
    assert _exchange(client, idp_token(), "jwt").status_code == 200
    for kind in ("refresh_token", "saml2"):
        refused = _exchange(client, idp_token(), kind)
        assert refused.json() == {"error": "invalid_grant", "error_description": "invalid subject token"}, kind


def test_the_issuers_users_table_maps_a_claim_value_to_a_username(client: httpx.Client, runtime: Runtime) -> None:
    """Kills the `users` lookup dropped from exchange.map_subject (the claim value then taken as the username)."""
    app = runtime.salesforce.app_by_client_id(CID)
    assert app is not None and app.token_exchange is not None
    issuer = {**app.token_exchange["issuers"][0], "user_claim": "sub", "users": {"ext-77": ADMIN}}
    app.token_exchange = {**app.token_exchange, "issuers": [issuer]}
    runtime.salesforce.apps.put(app)
    body = _exchange(client, idp_token(sub="ext-77", email=None)).json()
    assert body["id"].endswith(f"/{ADMIN_ID}"), body


def test_asset_tokens_switched_off_in_the_handler(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `not handler.get("asset_tokens", True)` dropped (grants/token_exchange.py): with `asset_tokens: false` a
    Salesforce access token plus an actor JWT is refused."""
    from .helpers import password_token

    access = password_token(client).json()["access_token"]
    actor = jwt.encode({"did": "device-42", "aud": "https://iot.example"}, JWT_KEY, "RS256")
    form = {"grant_type": TOKEN_EXCHANGE, "client_id": CID, "client_secret": SECRET, "subject_token": access,
            "subject_token_type": URN + "access_token", "actor_token": actor,
            "actor_token_type": URN + "jwt"}  # fmt: skip
    assert client.post(TOKEN, data=form).status_code == 200
    app = runtime.salesforce.app_by_client_id(CID)
    assert app is not None and app.token_exchange is not None
    app.token_exchange = {**app.token_exchange, "asset_tokens": False}
    runtime.salesforce.apps.put(app)
    refused = client.post(TOKEN, data=form)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"
    # it says why: the request does send an actor JWT (it was told "needs an actor_token of type jwt")
    assert refused.json()["error_description"] == "asset tokens are not enabled for this app"


# -- device polling: a clock moved back is no fast poll ----------------------------------------------------------
def test_a_poll_dated_before_the_last_one_is_not_slow_down(client: httpx.Client, clock: FrozenClock) -> None:
    """Kills `0 <=` dropped from the slow_down rule (grants/device.py): after the clock was moved back the poll is
    answered `authorization_pending` and the interval does not grow."""
    body = client.post(TOKEN, data={"response_type": "device_code", "client_id": "PlatformCLI"}).json()
    form = {"grant_type": "device", "client_id": "PlatformCLI", "code": body["device_code"]}
    assert client.post(TOKEN, data=form).json()["error"] == "authorization_pending"
    clock.set(clock.now() - 30)
    assert client.post(TOKEN, data=form).json()["error"] == "authorization_pending"


# -- registration of a public client --------------------------------------------------------------------------------
def test_a_registered_public_client_must_send_a_code_challenge(client: httpx.Client) -> None:
    """Kills `pkce_required=public` dropped (register.register): a public client (no secret) is made to use PKCE."""
    app = _register(client, token_endpoint_auth_method="none")
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": "http://localhost/cb",
             "login_hint": ADMIN}  # fmt: skip
    refused = parse_qs(urlsplit(client.get(AUTHORIZE, params=query).headers["location"]).query)
    assert refused["error"] == ["invalid_request"]
    ok = client.get(AUTHORIZE, params={**query, "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"})
    assert "code" in parse_qs(urlsplit(ok.headers["location"]).query)


# -- query locators and SOSL -----------------------------------------------------------------------------------------
def test_a_locator_at_the_start_or_the_end_of_its_cursor_is_invalid(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `0 < offset < len(records)` relaxed to `0 <=` or `<= len` (cursors.next_batch): the first batch came
    with the query (a locator names the next record), and no batch starts at the end."""
    from mockown.salesforce.models import User
    from tests.conftest import ORG

    for i in range(2100):
        runtime.salesforce.users.put(
            User(id=f"005g{i:011d}AAA", org_id=ORG, username=f"bulk{i}@mockown.test", password_hash="", salt="")
        )
    token = code_tokens(client)["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    first = client.get("/services/data/v62.0/query?q=SELECT Id FROM User", headers=auth).json()
    total, locator = first["totalSize"], first["nextRecordsUrl"]
    assert client.get(locator, headers=auth).status_code == 200
    for offset in (0, total):
        response = client.get(locator.rsplit("-", 1)[0] + f"-{offset}", headers=auth)
        assert response.status_code == 400 and response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR", offset


def test_sosl_limit_above_2000_is_refused(client: httpx.Client) -> None:
    """Kills `int(digits) > _MAX_LIMIT` dropped (search.search; SOSL reference: LIMIT is at most 2000)."""
    auth = {"Authorization": f"Bearer {code_tokens(client)['access_token']}"}
    ok = client.get("/services/data/v62.0/search", params={"q": "FIND {admin} LIMIT 2000"}, headers=auth)
    assert ok.status_code == 200
    refused = client.get("/services/data/v62.0/search", params={"q": "FIND {admin} LIMIT 2001"}, headers=auth)
    assert refused.status_code == 400 and refused.json()[0]["errorCode"] == "MALFORMED_SEARCH"


def _bulk_users(runtime: Runtime, n: int) -> int:
    from mockown.salesforce.models import User
    from tests.conftest import ORG

    for i in range(n):
        runtime.salesforce.users.put(
            User(id=f"005g{i:011d}AAA", org_id=ORG, username=f"bulk{i}@mockown.test", password_hash="", salt="")
        )
    return len(runtime.salesforce.users.find("org_id", ORG))


def _query(client: httpx.Client, token: str, batch: int) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Sforce-Query-Options": f"batchSize={batch}"}
    return client.get("/services/data/v62.0/query?q=SELECT Id FROM User", headers=headers)


def test_a_result_that_fits_one_batch_opens_no_cursor(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `len(records) <= batch` moved to `<` (cursors.first_batch): a result of exactly one batch holds no
    cursor, so ten of them release none of the user's open cursors (at most 10 open: the oldest goes)."""
    total = _bulk_users(runtime, 250)
    token = code_tokens(client)["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    held = _query(client, token, 200).json()["nextRecordsUrl"]
    for _ in range(10):
        body = _query(client, token, total).json()
        assert body["done"] is True and "nextRecordsUrl" not in body and len(body["records"]) == total
    assert client.get(held, headers=auth).status_code == 200


def test_idle_cursors_do_not_count_toward_the_ten_open(
    client: httpx.Client, runtime: Runtime, clock: FrozenClock
) -> None:
    """Kills the release of idle cursors dropped from cursors._release_stale: a cursor unused for 15 minutes is
    released, so it does not push the user's oldest live cursor out when new ones open."""
    _bulk_users(runtime, 450)
    token = code_tokens(client)["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    live = _query(client, token, 200).json()["nextRecordsUrl"]  # the oldest, kept in use
    _query(client, token, 200)  # a newer one, left idle
    clock.advance(10 * 60)
    used = client.get(live, headers={**auth, "Sforce-Query-Options": "batchSize=200"})
    assert used.status_code == 200, used.text
    live = used.json()["nextRecordsUrl"]  # used: its 15 minutes start again
    clock.advance(6 * 60)  # the idle one is now past 15 minutes
    for _ in range(9):  # the live one and 9 new ones: 10 open
        _query(client, token, 200)
    assert client.get(live, headers=auth).status_code == 200


def test_sosl_searches_only_the_callers_org(client: httpx.Client, runtime: Runtime) -> None:
    """Kills the org filter dropped from search.search: another org's users are never found."""
    other = new_org(runtime)
    auth = {"Authorization": f"Bearer {code_tokens(client)['access_token']}"}
    mine = client.get("/services/data/v62.0/search", params={"q": "FIND {admin}"}, headers=auth).json()
    assert len(mine["searchRecords"]) >= 1
    word = other["username"].split("@")[0].split("-")[1]  # u-<hex>@policy.test
    theirs = client.get("/services/data/v62.0/search", params={"q": f"FIND {{{word}}}"}, headers=auth).json()
    assert theirs == {"searchRecords": []}
    own_token = org_tokens(client, other)["access_token"]
    found = client.get("/services/data/v62.0/search", params={"q": f"FIND {{{word}}}"},
                       headers={"Authorization": f"Bearer {own_token}"}).json()  # fmt: skip
    assert len(found["searchRecords"]) == 1


# -- JWT-based access tokens ---------------------------------------------------------------------------------------
def test_a_jwt_access_tokens_sub_names_the_user_by_its_18_character_id(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `ids.to18(user.id)` shortened in jwt_access.claims_of: `sub` is `uid:<user id>` (spec 7.4), the same
    18-character id as the token response's identity URL."""
    from .helpers import password_token

    app = runtime.salesforce.app_by_client_id(CID)
    assert app is not None
    app.jwt_access_tokens = True
    runtime.salesforce.apps.put(app)
    body = password_token(client).json()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == f"uid:{ADMIN_ID}" and body["id"].endswith(f"/{ADMIN_ID}")
