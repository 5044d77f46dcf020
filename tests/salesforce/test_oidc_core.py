"""OpenID Connect Core 1.0 rules that Salesforce follows, as clients rely on them (spec 7.1-7.3, 2.2-2.4).

Every hash is computed here independently of the mock: `at_hash` (OIDC Core 3.1.3.6 / 3.2.2.9) is the base64url
of the left half of the SHA-256 (RS256's hash) of the ASCII access token. `c_hash` (3.3.2.11) applies only to an
ID token returned from the authorization endpoint together with a code: Salesforce advertises no such response
type (`code id_token` is refused, tests/salesforce/test_discovery_truth.py), so no ID token carries it.

Where Salesforce's notes are silent (prompt=none, spec 2.2 lists only login/consent/select_account), the mock
follows OIDC Core (DESIGN.md: unknown behaviour -> the documented RFC behaviour)."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET, T0
from tests.reliability.support import examples  # make soak: MOCKOWN_SOAK=1

from .helpers import authorize, exchange, location_params, new_org, refresh

AUTHORIZE = "/services/oauth2/authorize"
ALG_HASH = {"RS256": hashlib.sha256, "RS384": hashlib.sha384, "RS512": hashlib.sha512}


def left_half_hash(value: str, alg: str) -> str:
    digest = ALG_HASH[alg](value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def verified(client: httpx.Client, id_token: str, issuer: str = "http://testserver") -> dict[str, Any]:
    """The ID token's claims, its signature checked with the `jwks_uri` key its `kid` names (OIDC Core 10.1)."""
    header = jwt.get_unverified_header(id_token)
    keys = {k["kid"]: k for k in client.get(f"{issuer}/id/keys").json()["keys"]}
    assert header["kid"] in keys
    key = jwt.PyJWK(keys[header["kid"]]).key
    claims: dict[str, Any] = jwt.decode(
        id_token, key, algorithms=["RS256"], audience=CID, issuer=issuer, options={"verify_exp": False}
    )  # the frozen clock is in 2026
    return claims


def code_flow(client: httpx.Client, **params: str) -> dict[str, Any]:
    code = location_params(authorize(client, scope="openid api refresh_token", **params))["code"]
    response = exchange(client, code)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def fragment_flow(client: httpx.Client, response_type: str = "token id_token", **params: str) -> dict[str, str]:
    response = authorize(client, response_type=response_type, scope="openid api", **params)
    assert "#" in response.headers["location"]
    return location_params(response)


# -- nonce, at_hash, aud/azp, sub ------------------------------------------------------------------------
def test_code_flow_id_token_echoes_nonce_and_hashes_the_access_token(client: httpx.Client) -> None:
    body = code_flow(client, nonce="n-0S6_WzA2Mj")
    claims = verified(client, body["id_token"])
    assert claims["nonce"] == "n-0S6_WzA2Mj"  # OIDC Core 3.1.2.1 / spec 2.2 "copied into id_token"
    alg = jwt.get_unverified_header(body["id_token"])["alg"]
    assert claims["at_hash"] == left_half_hash(body["access_token"], alg)
    assert "c_hash" not in claims


def test_user_agent_id_token_echoes_nonce_and_hashes_the_access_token(client: httpx.Client) -> None:
    fragment = fragment_flow(client, nonce="awesome")  # the postman "User Agent Flow" example's nonce
    claims = verified(client, fragment["id_token"])
    assert claims["nonce"] == "awesome"
    assert claims["at_hash"] == left_half_hash(fragment["access_token"], "RS256")  # OIDC Core 3.2.2.10


def test_without_nonce_there_is_no_nonce_claim(client: httpx.Client) -> None:
    assert "nonce" not in verified(client, code_flow(client)["id_token"])


def test_refreshed_id_token_keeps_iss_sub_aud_and_hashes_the_new_access_token(client: httpx.Client) -> None:
    """OIDC Core 12.2: the refreshed ID token has the original `iss`, `sub` and `aud`, a new `iat`; its `at_hash`
    is the new access token's. It carries no `nonce` (none was sent to the token endpoint)."""
    first = code_flow(client, nonce="n-1")
    original = verified(client, first["id_token"])
    response = refresh(client, first["refresh_token"])
    assert response.status_code == 200, response.text
    body = response.json()
    claims = verified(client, body["id_token"])  # spec 3.2: id_token on refresh with `openid`
    assert {k: claims[k] for k in ("iss", "sub", "aud")} == {k: original[k] for k in ("iss", "sub", "aud")}
    assert claims["at_hash"] == left_half_hash(body["access_token"], "RS256")
    assert "nonce" not in claims


def test_aud_is_the_client_id_without_azp(client: httpx.Client) -> None:
    claims = verified(client, code_flow(client)["id_token"])
    assert claims["aud"] == CID and "azp" not in claims  # OIDC Core 2: azp needed only with several audiences
    assert claims["exp"] > claims["iat"]


def test_sub_is_the_identity_url_and_matches_userinfo(client: httpx.Client) -> None:
    """Spec 7.3 / 6.1: `sub` is the identity URL (`id` of the token response); OIDC Core 5.3.2: the userinfo
    `sub` MUST equal the ID token's."""
    body = code_flow(client)
    claims = verified(client, body["id_token"])
    assert claims["sub"] == body["id"]
    info = client.get("/services/oauth2/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.json()["sub"] == claims["sub"]


@pytest.mark.parametrize("response_type", ["code", "token id_token"])
def test_no_openid_scope_no_id_token(client: httpx.Client, response_type: str) -> None:
    """Spec 1.4: an `id_token` only when `openid` is granted (OIDC Core 3.1.2.1 leaves the rest unspecified)."""
    response = authorize(client, response_type=response_type, scope="api refresh_token")
    params = location_params(response)
    if response_type == "code":
        params = exchange(client, params["code"]).json()
        assert "id_token" not in refresh(client, params["refresh_token"]).json()
    assert "access_token" in params and "id_token" not in params


def test_plain_token_response_type_has_no_id_token(client: httpx.Client) -> None:
    """`response_type=token` names no `id_token` (OAuth Multiple Response Types §3), even with `openid`: the spec
    notes (1.4) make `openid` necessary for an ID token, not sufficient, and Salesforce advertises `token id_token`
    for it (7.1); what real Salesforce does for `token` + `openid` is not recorded, so the RFC rule holds here."""
    assert "id_token" not in fragment_flow(client, response_type="token")


# -- JWKS ----------------------------------------------------------------------------------------------
def test_jwks_members(client: httpx.Client) -> None:
    """Spec 7.2: every key has kty, n, e, alg, use, kid; RSA public only (no private member)."""
    response = client.get("/id/keys")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    keys = response.json()["keys"]
    assert keys
    for key in keys:
        assert {"kty", "n", "e", "alg", "use", "kid"} <= set(key)
        assert (key["kty"], key["alg"], key["use"], key["e"]) == ("RSA", "RS256", "sig", "AQAB")
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
        assert len(base64.urlsafe_b64decode(key["n"] + "==")) >= 256  # at least 2048 bits
    assert len({k["kid"] for k in keys}) == len(keys)


# -- state in every response mode, errors included -----------------------------------------------------
@pytest.mark.parametrize(
    ("response_type", "where"), [("code", "query"), ("token", "fragment"), ("token id_token", "fragment")]
)
@pytest.mark.parametrize("cause", ["success", "invalid_scope"])
def test_state_round_trips(client: httpx.Client, response_type: str, where: str, cause: str) -> None:
    state = "st/é +&=x"
    scope = "openid api" if cause == "success" else "no_such_scope"
    response = authorize(client, response_type=response_type, scope=scope, state=state)
    location = urlsplit(response.headers["location"])
    assert bool(location.fragment) == (where == "fragment") and bool(location.query) == (where == "query")
    params = location_params(response)
    assert params["state"] == state
    assert ("error" in params) == (cause != "success")


# -- prompt ----------------------------------------------------------------------------------------------
def _no_user(**params: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "state": "st-9", **params}


@pytest.mark.parametrize(("response_type", "where"), [("code", "query"), ("token id_token", "fragment")])
def test_prompt_none_without_a_session_is_login_required(client: httpx.Client, response_type: str, where: str) -> None:
    """OIDC Core 3.1.2.1: with `prompt=none` the server MUST NOT display a login page; 3.1.2.6: it redirects with
    `login_required` (state kept, in the response type's mode)."""
    response = client.get(AUTHORIZE, params=_no_user(response_type=response_type, prompt="none", scope="openid"))
    assert response.status_code == 302, response.text[:200]
    assert ("#" in response.headers["location"]) == (where == "fragment")
    params = location_params(response)
    assert (params["error"], params["state"]) == ("login_required", "st-9")


def test_prompt_none_with_other_values_is_invalid_request(client: httpx.Client) -> None:
    """OIDC Core 3.1.2.1: "If this parameter contains none with any other value, an error is returned"."""
    params = location_params(client.get(AUTHORIZE, params=_no_user(prompt="none login", login_hint=ADMIN)))
    assert (params["error"], params["state"]) == ("invalid_request", "st-9")


def _hidden(page: str) -> dict[str, str]:
    """The hidden fields of a login or consent form."""
    return {html.unescape(n): html.unescape(v) for n, v in re.findall(r"name='([^']*)' value='([^']*)'", page)}


def _login(client: httpx.Client) -> None:
    """A browser session: the login page's form, posted."""
    page = client.get(AUTHORIZE, params=_no_user())
    assert page.status_code == 200
    hidden = _hidden(page.text)
    done = client.post(f"{AUTHORIZE}/login", data={**hidden, "username": ADMIN, "password": PASSWORD})
    assert done.status_code == 302 and "code" in location_params(done), done.text[:200]


def test_prompt_none_with_a_session_redirects_at_once(client: httpx.Client) -> None:
    _login(client)
    params = location_params(client.get(AUTHORIZE, params=_no_user(prompt="none")))
    assert "code" in params and params["state"] == "st-9"


def test_prompt_login_forces_reauthentication_despite_a_session(client: httpx.Client) -> None:
    """OIDC Core 3.1.2.1 `login` / spec 2.2: the login page again, although the session would approve at once."""
    _login(client)
    assert client.get(AUTHORIZE, params=_no_user()).status_code == 302
    again = client.get(AUTHORIZE, params=_no_user(prompt="login"))
    assert again.status_code == 200 and "id='login'" in again.text


def test_secret_and_code_are_bound(client: httpx.Client) -> None:
    """The ID token from the code flow is for the client that redeemed the code with its secret."""
    code = location_params(authorize(client, scope="openid"))["code"]
    wrong = client.post(
        "/services/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "client_id": CID, "client_secret": SECRET + "x",
              "redirect_uri": CALLBACK},
    )  # fmt: skip
    assert wrong.status_code in (400, 401) and "id_token" not in wrong.json()


def test_prompt_none_logged_in_but_not_approved_is_consent_required(client: httpx.Client, runtime: Runtime) -> None:
    """OIDC Core 3.1.2.6 `consent_required`: the user has a session, but the app (no auto-approval) would show the
    consent page."""
    org = new_org(runtime, auto_approve=False)
    query = {"response_type": "code", "client_id": org["client_id"], "redirect_uri": CALLBACK, "state": "st-c"}
    page = client.get(AUTHORIZE, params=query)
    hidden = _hidden(page.text)
    consent = client.post(f"{AUTHORIZE}/login", data={**hidden, "username": org["username"], "password": "Secret-1"})
    assert consent.status_code == 200 and "id='consent'" in consent.text
    params = location_params(client.get(AUTHORIZE, params={**query, "prompt": "none"}))
    assert (params["error"], params["state"]) == ("consent_required", "st-c")


@pytest.mark.parametrize("prompt", [None, "none"])
@pytest.mark.parametrize("state", ["no_session", "session_not_approved"])
def test_immediate_wins_over_prompt_none(
    client: httpx.Client, runtime: Runtime, prompt: str | None, state: str
) -> None:
    """Spec 'immediate' (Salesforce's own parameter, [DOC] web-server flow page): `immediate=true` and the user is
    not logged in or has not approved the app -> `error=immediate_unsuccessful`, with or without OIDC's
    `prompt=none` (which Salesforce does not document): Salesforce's documented answer wins."""
    org = new_org(runtime, auto_approve=False)
    client_id = org["client_id"] if state == "session_not_approved" else CID
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK, "state": "st-i"}
    if state == "session_not_approved":
        page = client.get(AUTHORIZE, params=query)
        creds = {"username": org["username"], "password": org["password"]}
        assert "id='consent'" in client.post(f"{AUTHORIZE}/login", data={**_hidden(page.text), **creds}).text
    params = location_params(client.get(AUTHORIZE, params={**query, "immediate": "true", **_opt(prompt=prompt)}))
    assert (params["error"], params["state"]) == ("immediate_unsuccessful", "st-i")


def _opt(**params: str | None) -> dict[str, str]:
    return {k: v for k, v in params.items() if v is not None}


# -- response_mode -------------------------------------------------------------------------------------
# The document has no `response_modes_supported`: OpenID Connect Discovery 1.0 §3 makes its default
# ["query", "fragment"], so both are advertised (by omission) and must work; `form_post` is not advertised.
@pytest.mark.parametrize(("mode", "where"), [("query", "query"), ("fragment", "fragment")])
def test_code_in_the_requested_response_mode(client: httpx.Client, mode: str, where: str) -> None:
    """OAuth 2.0 Multiple Response Type Encoding Practices §2.1: `response_mode` says where the response goes."""
    response = authorize(client, scope="openid api", state="st-m", response_mode=mode)
    location = urlsplit(response.headers["location"])
    assert bool(location.fragment) == (where == "fragment") and bool(location.query) == (where == "query")
    params = location_params(response)
    assert "code" in params and params["state"] == "st-m"
    assert exchange(client, params["code"]).status_code == 200


def test_errors_follow_the_requested_response_mode(client: httpx.Client) -> None:
    response = authorize(client, scope="no_such_scope", state="st-e", response_mode="fragment")
    location = urlsplit(response.headers["location"])
    assert location.fragment and not location.query
    assert location_params(response) == {
        "error": "invalid_scope",
        "error_description": "requested scope is invalid, unknown, or malformed",
        "state": "st-e",
    }


def test_response_mode_survives_the_login_page(client: httpx.Client) -> None:
    query = {**_no_user(), "response_mode": "fragment"}
    page = client.get(AUTHORIZE, params=query)
    assert page.status_code == 200 and "response_mode=fragment" in page.text
    done = client.post(f"{AUTHORIZE}/login", data={**_hidden(page.text), "username": ADMIN, "password": PASSWORD})
    location = urlsplit(done.headers["location"])  # after the login, the code goes where the client asked
    assert done.status_code == 302 and location.fragment and not location.query, done.headers["location"]
    assert "code" in location_params(done) and location_params(done)["state"] == "st-9"


@pytest.mark.parametrize("response_type", ["token", "token id_token"])
def test_tokens_are_never_put_in_the_query(client: httpx.Client, response_type: str) -> None:
    """Multiple Response Types §2.1: for `token` the query encoding MUST NOT be used; the refusal goes in the
    fragment with `state`, and no token is issued."""
    response = authorize(client, response_type=response_type, scope="openid api", state="st-q", response_mode="query")
    location = urlsplit(response.headers["location"])
    assert location.fragment and not location.query
    params = location_params(response)
    assert (params["error"], params["state"]) == ("invalid_request", "st-q")
    assert "access_token" not in params


# -- one host, one issuer -----------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["http://testserver", "https://acme.my.salesforce.com"])
def test_a_client_that_stays_on_the_discovered_host_sees_one_issuer_and_one_sub(
    client: httpx.Client, host: str
) -> None:
    """A client configured from one host's discovery document (code at its authorization endpoint, exchange and
    refresh at its token endpoint, userinfo at its userinfo endpoint) gets ID tokens whose `iss` is that document's
    `issuer` (OIDC Core 3.1.3.7) and one `sub` everywhere (5.3.2, 12.2), signed by a key of its `jwks_uri`."""
    doc = client.get(f"{host}/.well-known/openid-configuration").json()
    query = {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "login_hint": ADMIN}
    code = location_params(
        client.get(doc["authorization_endpoint"], params={**query, "scope": "openid api refresh_token"})
    )
    data = {"grant_type": "authorization_code", "code": code["code"], "redirect_uri": CALLBACK}
    first = client.post(doc["token_endpoint"], data=data, auth=(CID, SECRET)).json()
    again = client.post(
        doc["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(CID, SECRET),
    ).json()
    subs = set()
    for body in (first, again):
        claims = verified(client, body["id_token"], issuer=doc["issuer"])
        assert claims["at_hash"] == left_half_hash(body["access_token"], "RS256")
        info = client.get(doc["userinfo_endpoint"], headers={"Authorization": f"Bearer {body['access_token']}"}).json()
        subs |= {claims["sub"], info["sub"], body["id"]}
    assert subs == {f"{doc['issuer']}/id/00D5g000004MockEAC/005g000000Adm1NAAR"}


# -- id_token_hint -----------------------------------------------------------------------------------------
INTEGRATION = "integration@mockown.test"


def _id_token_of(client: httpx.Client, username: str) -> str:
    return fragment_flow(client, login_hint=username)["id_token"]


def test_id_token_hint_of_the_session_user_approves_silently(client: httpx.Client) -> None:
    """OIDC Core 3.1.2.1 `id_token_hint`: the hinted user is the one logged in -> a positive response."""
    hint = _id_token_of(client, ADMIN)
    _login(client)
    params = location_params(client.get(AUTHORIZE, params=_no_user(prompt="none", id_token_hint=hint)))
    assert "code" in params and params["state"] == "st-9"


@pytest.mark.parametrize("which", ["another_user", "garbage"])
def test_id_token_hint_of_someone_else_is_login_required_silently(client: httpx.Client, which: str) -> None:
    """3.1.2.1: the user the hint names is not the one logged in (or the hint names no one the server signed for)
    -> `login_required` with `prompt=none`, never a code for the session's user."""
    hint = _id_token_of(client, INTEGRATION) if which == "another_user" else "not.a.jwt"
    _login(client)
    params = location_params(client.get(AUTHORIZE, params=_no_user(prompt="none", id_token_hint=hint)))
    assert (params.get("error"), params["state"]) == ("login_required", "st-9")


def test_id_token_hint_of_someone_else_shows_the_login_page(client: httpx.Client) -> None:
    hint = _id_token_of(client, INTEGRATION)
    _login(client)
    page = client.get(AUTHORIZE, params=_no_user(id_token_hint=hint))
    assert page.status_code == 200 and "id='login'" in page.text


def test_id_token_hint_must_match_the_login_hint_user_too(client: httpx.Client) -> None:
    hint = _id_token_of(client, INTEGRATION)
    params = location_params(
        client.get(AUTHORIZE, params=_no_user(prompt="none", login_hint=ADMIN, id_token_hint=hint))
    )
    assert params.get("error") == "login_required"
    params = location_params(client.get(AUTHORIZE, params=_no_user(login_hint=INTEGRATION, id_token_hint=hint)))
    assert "code" in params


@pytest.mark.parametrize(("response_type", "where"), [("code", "query"), ("token id_token", "fragment")])
def test_id_token_hint_survives_the_login_page(client: httpx.Client, response_type: str, where: str) -> None:
    """OIDC Core 3.1.2.1 `id_token_hint`: "If the End-User identified by the ID Token is logged in or is logged in
    by the request, then the Authorization Server returns a positive response; otherwise, it SHOULD return an
    error, such as login_required". The hint names INTEGRATION: ADMIN logging in on the page gets no code or token
    but `login_required` (state kept, in the response type's mode); INTEGRATION logging in gets the answer."""
    hint = _id_token_of(client, INTEGRATION)
    query = _no_user(response_type=response_type, scope="openid api", id_token_hint=hint)
    page = client.get(AUTHORIZE, params=query)
    assert page.status_code == 200 and "id='login'" in page.text
    wrong = client.post(f"{AUTHORIZE}/login", data={**_hidden(page.text), "username": ADMIN, "password": PASSWORD})
    assert wrong.status_code == 302, wrong.text[:200]
    location = urlsplit(wrong.headers["location"])
    assert bool(location.fragment) == (where == "fragment") and bool(location.query) == (where == "query")
    params = location_params(wrong)
    assert (params.get("error"), params["state"]) == ("login_required", "st-9")
    assert not {"code", "access_token", "id_token"} & params.keys()
    page = client.get(AUTHORIZE, params=query)  # ADMIN's session is not the hint's user either: the page again
    assert page.status_code == 200 and "id='login'" in page.text
    right = client.post(
        f"{AUTHORIZE}/login", data={**_hidden(page.text), "username": INTEGRATION, "password": "Integrat10n!"}
    )
    params = location_params(right)
    assert ("code" in params or "access_token" in params) and params["state"] == "st-9", right.headers["location"]


def test_id_token_hint_of_someone_else_refuses_their_consent(client: httpx.Client, runtime: Runtime) -> None:
    """An app that is not auto-approved: the user who logs in on the page is not the hint's, so no consent page
    is offered (`login_required` at once), and a consent form posted anyway gets no code."""
    org = new_org(runtime, auto_approve=False)
    query = {"response_type": "code", "client_id": org["client_id"], "redirect_uri": CALLBACK, "state": "st-c"}
    hint = _id_token_of(client, INTEGRATION)  # signed by the mock, but names a user of another org
    page = client.get(AUTHORIZE, params={**query, "id_token_hint": hint})
    creds = {"username": org["username"], "password": org["password"]}
    done = client.post(f"{AUTHORIZE}/login", data={**_hidden(page.text), **creds})
    assert location_params(done).get("error") == "login_required", done.text[:300]
    # the login itself succeeded (the browser is now the org user's): a consent form posted anyway is refused too
    consent = client.post(f"{AUTHORIZE}/consent", data={**_hidden(page.text), "decision": "allow"})
    assert consent.status_code == 302, consent.text[:300]
    assert (location_params(consent).get("error"), location_params(consent)["state"]) == ("login_required", "st-c")


@pytest.mark.parametrize(("response_type", "where"), [("code", "query"), ("token id_token", "fragment")])
def test_a_denied_consent_keeps_state_in_the_response_mode(
    client: httpx.Client, runtime: Runtime, response_type: str, where: str
) -> None:
    """Spec 2.4: `access_denied` on the redirect with `state`, in the query (code) or the fragment (tokens)."""
    org = new_org(runtime, auto_approve=False)
    query = {"response_type": response_type, "client_id": org["client_id"], "redirect_uri": CALLBACK,
             "state": "st-d", "scope": "openid api"}  # fmt: skip
    page = client.get(AUTHORIZE, params=query)
    hidden = _hidden(page.text)
    consent = client.post(f"{AUTHORIZE}/login", data={**hidden, "username": org["username"], "password": "Secret-1"})
    denied = client.post(f"{AUTHORIZE}/consent", data={**_hidden(consent.text), "decision": "deny"})
    assert ("#" in denied.headers["location"]) == (where == "fragment")
    params = location_params(denied)
    assert (params["error"], params["state"]) == ("access_denied", "st-d") and "access_token" not in params


# -- any state, any nonce (property) ------------------------------------------------------------------------
_APP = create_app(Config(), clock=FrozenClock(T0))
_CLIENT = in_process_client(_APP)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=60)


@settings(max_examples=examples(60, 800), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    state=TEXT,
    nonce=TEXT,
    response_type=st.sampled_from(["code", "token id_token"]),
    scope=st.sampled_from(["openid api", "no_such_scope"]),
    mode=st.sampled_from([None, "query", "fragment"]),
)
def test_state_and_nonce_come_back_verbatim(
    state: str, nonce: str, response_type: str, scope: str, mode: str | None
) -> None:
    """Whatever the text, `state` comes back exactly on every redirect (success or error, query or fragment), and
    `nonce` exactly in the ID token (code exchange or fragment)."""
    params = {"state": state, "nonce": nonce, "scope": scope, "response_type": response_type}
    if mode is not None:
        params["response_mode"] = mode
    found = location_params(authorize(_CLIENT, **params))
    assert found["state"] == state
    if "error" in found:
        assert scope == "no_such_scope" or (mode == "query" and response_type != "code")
        return
    id_token = found["id_token"] if response_type != "code" else exchange(_CLIENT, found["code"]).json()["id_token"]
    assert jwt.decode(id_token, options={"verify_signature": False})["nonce"] == nonce
