"""Authlib (a maintained OAuth 2 / OpenID Connect client library) against the Salesforce endpoints, unmodified:
its own authorization URL, PKCE, state and nonce handling, token, refresh, revocation and introspection helpers,
client authentication methods and RFC 7523 assertions; ID tokens checked with its OIDC claim classes against the
JWKS from the discovery document.

What Authlib must be configured around, because Salesforce behaves so (README, "Real clients: Authlib"):
- Salesforce sends no `expires_in`, so Authlib takes every token as never expiring and never refreshes on its
  own: refresh on a 401 `INVALID_SESSION_ID` (test_no_expires_in_so_refresh_on_401).
- A refresh answers no `refresh_token` (unless rotation is on); Authlib keeps the one it had.
- Userinfo, identity URL and REST calls go out with the token; the authorize step is the browser's, so it is
  not made with the OAuth client (which insists on a token for every request it sends itself).
- JWT-based access tokens are Salesforce's own format (`typ: JWT`, `scp`, no `jti`), not RFC 9068's
  `at+jwt`: check them as plain JWTs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import InvalidClaimError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter

from mockown import FrozenClock
from mockown.http.inprocess import InProcessTransport
from mockown.runtime import Runtime
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET
from tests.salesforce.flows.support import new_org
from tests.salesforce.flows.test_login_page import consent, login

from .authlib_support import (
    AssertionClient,
    ClientSecretJWT,
    CodeIDToken,
    OAuth2Client,
    OAuthError,
    PrivateKeyJWT,
    UserInfo,
    generate_token,
)
from .conftest import BASE

KEYS = Path(__file__).resolve().parents[2] / "fixtures" / "keys"
LIMITS = f"{BASE}/services/data/v62.0/limits"


@pytest.fixture
def oauth(transport: InProcessTransport) -> Iterator[Any]:
    """A factory of Authlib clients on the in-process transport (closed when the test ends)."""
    made: list[OAuth2Client] = []

    def make(client_id: str = CID, client_secret: Any = SECRET, **kwargs: Any) -> OAuth2Client:
        client = OAuth2Client(client_id, client_secret, transport=transport, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def keyset(client: OAuth2Client, meta: dict[str, Any]) -> KeySet:
    return KeySet.import_key_set(client.request("GET", meta["jwks_uri"], withhold_token=True).json())


def id_token_claims(token: dict[str, Any], keys: KeySet, meta: dict[str, Any], nonce: str | None = None) -> CodeIDToken:
    """Authlib's OIDC Core claims for the ID token of `token` (signature checked with `keys`)."""
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    options = {"iss": {"essential": True, "value": meta["issuer"]}, "aud": {"essential": True, "value": CID}}
    params = {"nonce": nonce, "access_token": token["access_token"], "client_id": CID}
    return CodeIDToken(decoded.claims, decoded.header, options, params)


def browser_login(browser: httpx.Client, url: str) -> str:
    """The user's part: the login page, then Allow; returns the callback URL the browser lands on."""
    page = browser.get(url)
    assert page.status_code == 200 and "<form" in page.text  # no session yet: the login page
    allow = login(browser, page, ADMIN, PASSWORD)
    assert "Allow Access?" in allow.text  # prompt=consent: the consent page even for an auto-approved app
    done = consent(browser, allow, "allow")
    assert done.status_code == 302
    return done.headers["location"]


def test_oidc_web_server_flow_pkce_nonce_state(
    oauth: Any, browser: httpx.Client, discovery: dict[str, Any], live_clock: FrozenClock
) -> None:
    meta = discovery
    assert meta["issuer"] == BASE and {"client_secret_basic", "client_secret_post"} <= set(
        meta["token_endpoint_auth_methods_supported"]
    )
    client = oauth(scope="openid api refresh_token id", redirect_uri=CALLBACK, code_challenge_method="S256")
    verifier, nonce = generate_token(64), generate_token(20)
    url, state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce, prompt="consent"
    )
    assert "code_challenge=" in url and "code_challenge_method=S256" in url
    callback = browser_login(browser, url)
    assert callback.startswith(CALLBACK) and parse_qs(urlsplit(callback).query)["state"] == [state]

    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=callback, state=state, code_verifier=verifier
    )
    assert {"access_token", "refresh_token", "id_token", "signature", "instance_url", "id"} <= set(token)
    assert token.get("expires_at") is None  # no expires_in from Salesforce (spec 1.3)

    keys = keyset(client, meta)
    claims = id_token_claims(token, keys, meta, nonce)
    claims.validate(now=int(live_clock.now()))  # iss, aud, exp, iat, nonce, azp, at_hash
    assert claims["sub"] == token["id"] and claims["preferred_username"] == ADMIN
    with pytest.raises(InvalidClaimError, match="nonce"):  # the same checks refuse a replayed token
        id_token_claims(token, keys, meta, "another-nonce").validate(now=int(live_clock.now()))
    with pytest.raises(InvalidClaimError, match="at_hash"):
        id_token_claims({**token, "access_token": "00Dforged"}, keys, meta, nonce).validate(now=int(live_clock.now()))
    with pytest.raises(Exception, match="expired"):
        id_token_claims(token, keys, meta, nonce).validate(now=int(live_clock.now()) + 3600)

    info = UserInfo(client.get(meta["userinfo_endpoint"]).json())
    assert info["sub"] == claims["sub"] and info["preferred_username"] == ADMIN
    assert client.get(LIMITS).status_code == 200

    first = dict(token)
    fresh = client.refresh_token(meta["token_endpoint"])
    assert fresh["access_token"] != first["access_token"]
    assert fresh["refresh_token"] == first["refresh_token"]  # none answered: Authlib kept the one it had
    id_token_claims(fresh, keys, meta).validate(now=int(live_clock.now()))  # refresh brings a new ID token

    active = client.introspect_token(meta["introspection_endpoint"], token=fresh["access_token"]).json()
    assert active["active"] is True and active["token_type"] == "access_token" and active["client_id"] == CID

    revoked = client.revoke_token(
        meta["revocation_endpoint"], token=fresh["refresh_token"], token_type_hint="refresh_token"
    )
    assert revoked.status_code == 200
    gone = client.introspect_token(meta["introspection_endpoint"], token=fresh["access_token"]).json()
    assert gone == {"active": False}
    rest = client.get(LIMITS)
    assert rest.status_code == 401 and rest.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    with pytest.raises(OAuthError) as refused:
        client.refresh_token(meta["token_endpoint"])
    assert refused.value.error == "invalid_grant" and refused.value.description == "expired access/refresh token"


def test_auto_approved_app_skips_the_pages_with_login_hint(
    oauth: Any, browser: httpx.Client, discovery: dict[str, Any]
) -> None:
    client = oauth(scope="api id", redirect_uri=CALLBACK, code_challenge_method="S256")
    verifier = generate_token(48)
    url, _ = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, login_hint=ADMIN
    )
    landed = browser.get(url)
    assert landed.status_code == 302  # the README's headless shortcut: no page at all
    token = client.fetch_token(
        discovery["token_endpoint"], authorization_response=landed.headers["location"], code_verifier=verifier
    )
    assert token["scope"] == "api id" and "refresh_token" not in token and "id_token" not in token


@pytest.mark.parametrize(
    ("verifier", "error"),
    [("wrong-" + "v" * 50, "invalid_request"), (None, "invalid_grant")],  # spec 2.5: mismatch / missing
)
def test_pkce_failures_reach_authlib_as_salesforce_errors(
    oauth: Any, browser: httpx.Client, discovery: dict[str, Any], verifier: str | None, error: str
) -> None:
    client = oauth(redirect_uri=CALLBACK, code_challenge_method="S256")
    url, _ = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=generate_token(48), login_hint=ADMIN
    )
    callback = browser.get(url).headers["location"]
    extra = {} if verifier is None else {"code_verifier": verifier}
    with pytest.raises(OAuthError) as refused:
        client.fetch_token(discovery["token_endpoint"], authorization_response=callback, **extra)
    assert refused.value.error == error


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_token_endpoint_auth_methods(oauth: Any, discovery: dict[str, Any], method: str) -> None:
    sent: list[httpx.Request] = []
    client = oauth(token_endpoint_auth_method=method, event_hooks={"request": [sent.append]})
    token = client.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    body = sent[-1].read().decode()
    if method == "client_secret_basic":
        assert sent[-1].headers["authorization"].startswith("Basic ") and "client_secret" not in body
    else:
        assert "authorization" not in sent[-1].headers and "client_secret=" in body
    assert "refresh_token" not in token and token["api_instance_url"]  # spec 3.4
    assert client.get(LIMITS).status_code == 200
    # introspection and revocation authenticate the same way (Authlib's default for both)
    seen = client.introspect_token(discovery["introspection_endpoint"], token=token["access_token"]).json()
    assert seen["active"] is True and seen["username"] == "integration@mockown.test"
    assert client.revoke_token(discovery["revocation_endpoint"], token=token["access_token"]).status_code == 200
    assert client.get(LIMITS).status_code == 401

    wrong = oauth(client_secret="not-the-secret", token_endpoint_auth_method=method)
    with pytest.raises(OAuthError) as refused:
        wrong.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    assert refused.value.error == "invalid_client"


def test_password_grant_errors_are_authlib_errors(oauth: Any, discovery: dict[str, Any]) -> None:
    client = oauth(token_endpoint_auth_method="client_secret_post")
    token = client.fetch_token(discovery["token_endpoint"], username=ADMIN, password=PASSWORD)
    assert "refresh_token" not in token  # never with the password grant (spec 3.3)
    with pytest.raises(OAuthError) as refused:
        client.fetch_token(discovery["token_endpoint"], username=ADMIN, password="wrong")
    assert (refused.value.error, refused.value.description) == ("invalid_grant", "authentication failure")


def test_no_expires_in_so_refresh_on_401(
    oauth: Any, browser: httpx.Client, discovery: dict[str, Any], live_runtime: Runtime, live_clock: FrozenClock
) -> None:
    """Salesforce discloses no lifetime: Authlib's `ensure_active_token` never fires, the API answers 401 once
    the session times out, and the client refreshes then (what simple-salesforce and jsforce do too)."""
    org = new_org(live_runtime, session_timeout="15m", callback_urls=[CALLBACK])
    app = org["app"]
    client = oauth(app["client_id"], app["client_secret"], scope="api refresh_token", redirect_uri=CALLBACK)
    url, _ = client.create_authorization_url(discovery["authorization_endpoint"], login_hint=org["username"])
    client.fetch_token(discovery["token_endpoint"], authorization_response=browser.get(url).headers["location"])
    live_clock.advance(16 * 60)
    assert client.ensure_active_token() is True  # Authlib sees nothing to do
    expired = client.get(LIMITS)
    assert expired.status_code == 401 and expired.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    client.refresh_token(discovery["token_endpoint"])
    assert client.get(LIMITS).status_code == 200


def test_jwt_bearer_grant_with_authlib_assertion_client(
    transport: InProcessTransport, discovery: dict[str, Any]
) -> None:
    key = RSAKey.import_key((KEYS / "jwt-bearer.key").read_text())
    client = AssertionClient(
        discovery["token_endpoint"],
        issuer=CID,
        subject=ADMIN,
        audience="https://login.salesforce.com",  # Salesforce's audience, not the token endpoint (spec 3.5)
        key=key,
        header={"alg": "RS256"},
        transport=transport,
    )
    with client:
        assert client.get(LIMITS).status_code == 200  # the assertion is made and exchanged on first use
        assert {"access_token", "instance_url", "id", "scope"} <= set(client.token)
        assert "refresh_token" not in client.token and "signature" not in client.token
        wrong = AssertionClient(
            discovery["token_endpoint"], issuer=CID, subject=ADMIN, audience=discovery["token_endpoint"] + "/x",
            key=key, header={"alg": "RS256"}, transport=transport,
        )  # fmt: skip
        with pytest.raises(OAuthError) as refused:
            wrong.refresh_token()
        assert (refused.value.error, refused.value.description) == ("invalid_grant", "audience is invalid")


def test_jwt_access_tokens_validate_as_plain_jwts(
    oauth: Any, discovery: dict[str, Any], live_runtime: Runtime, live_clock: FrozenClock
) -> None:
    org = new_org(live_runtime, jwt_access_tokens=True, scopes=["api", "id"])
    app = org["app"]
    client = oauth(app["client_id"], app["client_secret"], token_endpoint_auth_method="client_secret_post")
    token = client.fetch_token(discovery["token_endpoint"], username=org["username"], password="Alice-Passw0rd")
    assert token["token_format"] == "jwt"
    # Salesforce's own header members (tty, tnk, ver) are not in joserfc's registry: declare them
    sfdc = {name: HeaderParameter(name, "str") for name in ("tty", "tnk", "ver")}
    registry = JWSRegistry(header_registry=sfdc, algorithms=["RS256"])
    decoded = jwt.decode(token["access_token"], keyset(client, discovery), registry=registry)
    assert decoded.header["typ"] == "JWT" and "jti" not in decoded.claims  # not RFC 9068's at+jwt
    claims = jwt.JWTClaimsRegistry(
        now=int(live_clock.now()),
        iss={"essential": True, "value": token["instance_url"]},
        aud={"essential": True, "value": token["instance_url"]},
        client_id={"essential": True, "value": app["client_id"]},
    )
    claims.validate(decoded.claims)
    assert decoded.claims["scp"] == "api id"
    assert client.get(LIMITS).status_code == 200
    client.revoke_token(discovery["revocation_endpoint"], token=token["access_token"])
    assert client.get(LIMITS).status_code == 401  # still live state: revoked although its signature is valid


def test_client_secret_jwt_is_not_a_salesforce_method(oauth: Any, discovery: dict[str, Any]) -> None:
    assert "client_secret_jwt" not in discovery["token_endpoint_auth_methods_supported"]
    client = oauth(token_endpoint_auth_method=ClientSecretJWT(discovery["token_endpoint"]))
    with pytest.raises(OAuthError):
        client.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")


def test_private_key_jwt_client_authentication(oauth: Any, discovery: dict[str, Any]) -> None:
    """Discovery advertises `private_key_jwt`: a client assertion signed with the key of the app's certificate
    stands in for the consumer secret."""
    assert "private_key_jwt" in discovery["token_endpoint_auth_methods_supported"]
    key = RSAKey.import_key((KEYS / "jwt-bearer.key").read_text())
    client = oauth(client_secret=key, token_endpoint_auth_method=PrivateKeyJWT(discovery["token_endpoint"]))
    token = client.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    assert client.get(LIMITS).status_code == 200
    seen = client.introspect_token(discovery["introspection_endpoint"], token=token["access_token"]).json()
    assert seen["active"] is True
