"""The JWT bearer flow through the ASGI app: the shipped test key signs, each failure has its error."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests.conftest import ADMIN, BASE, CID, SECRET

from .support import IDP_KEY, JWT_KEY, NOW, assertion, jwt_bearer, new_org


def error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body["error_description"]


def test_success_has_no_refresh_token_and_no_signature(client: httpx.Client) -> None:
    r = jwt_bearer(client, assertion())
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"access_token", "scope", "instance_url", "id", "token_type"} <= set(body)
    assert "refresh_token" not in body and "signature" not in body
    assert body["id"].endswith("/id/00D5g000004MockEAC/005g000000Adm1NAAR")
    rest = client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert rest.status_code == 200


@pytest.mark.parametrize(
    "exp",
    [NOW + 180, str(NOW + 180), (NOW + 300) * 1000, str((NOW + 300) * 1000), NOW, NOW - 170, float(NOW + 60)],
    ids=["seconds", "string", "millis", "millis-string", "now", "within-skew", "float"],
)
def test_exp_forms_real_clients_send(client: httpx.Client, exp: object) -> None:
    assert jwt_bearer(client, assertion(exp=exp)).status_code == 200


@pytest.mark.parametrize("exp", [NOW - 181, str(NOW - 3600), (NOW - 600) * 1000])
def test_expired_assertion(client: httpx.Client, exp: object) -> None:
    assert error(jwt_bearer(client, assertion(exp=exp))) == (400, "invalid_grant", "expired authorization code")


@pytest.mark.parametrize(
    "aud",
    ["https://login.salesforce.com", "https://login.salesforce.com/", BASE, BASE + "/"],
)
def test_accepted_audiences(client: httpx.Client, aud: str) -> None:
    """The demo org is a production org: its login host, login.salesforce.com (test.salesforce.com is sandboxes',
    `test_login_hosts.py`), or the mock's own URL."""
    assert jwt_bearer(client, assertion(aud=aud)).status_code == 200


@pytest.mark.parametrize(
    "aud",
    [
        ["https://login.salesforce.com"],
        "https://acme.my.salesforce.com",
        "https://evil.example.com",
        None,
        7,
        "https://test.salesforce.com",
    ],
    ids=["array", "my-domain", "other", "missing", "number", "sandboxes-login-host"],
)
def test_rejected_audiences(client: httpx.Client, aud: object) -> None:
    assert error(jwt_bearer(client, assertion(aud=aud))) == (400, "invalid_grant", "audience is invalid")


@pytest.mark.parametrize("host", ["acme.my.salesforce.com", "acme--dev.sandbox.my.salesforce.com", "seeded.example"])
def test_my_domain_audience_is_refused_when_the_mock_is_called_on_it(
    client: httpx.Client, runtime: Runtime, host: str
) -> None:
    """A My Domain is never an audience (spec 3.5), not even the one the token request was sent to (the mock
    accepts its own URL only when that is not a My Domain, e.g. http://127.0.0.1:8000)."""
    if host == "seeded.example":
        org = runtime.salesforce.orgs.get("00D5g000004MockEAC")
        assert org is not None
        org.my_domain = host
        runtime.salesforce.orgs.put(org)
    r = client.post(
        "/services/oauth2/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": assertion(aud=f"http://{host}"),
        },
        headers={"host": host},
    )
    assert error(r) == (400, "invalid_grant", "audience is invalid")
    ok = client.post(
        "/services/oauth2/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion()},
        headers={"host": host},
    )
    assert ok.status_code == 200, ok.text  # login.salesforce.com is still the audience there


def test_configured_community_audience(clock: FrozenClock) -> None:
    config = Config().replace(salesforce={"jwt_audiences": "https://acme.force.com/customers"})
    with in_process_client(create_app(config, clock=clock)) as c:
        assert jwt_bearer(c, assertion(aud="https://acme.force.com/customers")).status_code == 200
        assert jwt_bearer(c, assertion(aud="https://acme.force.com/other")).status_code == 400


def test_signature_from_another_key(client: httpx.Client) -> None:
    assert error(jwt_bearer(client, assertion(key=IDP_KEY))) == (400, "invalid_grant", "invalid assertion")


@pytest.mark.parametrize("bad", ["", "not-a-jwt", "a.b.c", "alg-none"])
def test_malformed_assertion(client: httpx.Client, bad: str) -> None:
    if bad == "alg-none":
        import base64

        bad = (
            "eyJhbGciOiJub25lIn0." + base64.urlsafe_b64encode(f'{{"iss":"{CID}"}}'.encode()).decode().rstrip("=") + "."
        )
    assert error(jwt_bearer(client, bad)) == (400, "invalid_grant", "invalid assertion")


def test_hs256_is_refused(client: httpx.Client) -> None:
    import jwt

    token = jwt.encode({"iss": CID, "sub": ADMIN, "aud": "https://login.salesforce.com", "exp": NOW}, SECRET * 2)
    assert error(jwt_bearer(client, token)) == (400, "invalid_grant", "invalid assertion")


def test_unknown_issuer(client: httpx.Client) -> None:
    r = jwt_bearer(client, assertion(iss="3MVG9NoSuchApp"))
    assert error(r) == (400, "invalid_client_id", "client identifier invalid")


def test_app_without_certificate(client: httpx.Client) -> None:
    assert error(jwt_bearer(client, assertion(iss="PlatformCLI"))) == (400, "invalid_grant", "invalid assertion")


def test_unknown_user(client: httpx.Client) -> None:
    r = jwt_bearer(client, assertion(sub="nobody@mockown.test"))
    assert error(r) == (400, "invalid_grant", "authentication failure")


@pytest.mark.parametrize("claims", [{"sub": 5}, {"sub": ["admin@mockown.test"]}, {"sub": None, "prn": 5}])
def test_a_subject_that_is_no_text_is_no_user(client: httpx.Client, claims: dict[str, object]) -> None:
    """`sub: 5` names no user, as `prn: 5` did: not an unreadable assertion (PyJWT checked the type of `sub`)."""
    assert error(jwt_bearer(client, assertion(**claims))) == (400, "invalid_grant", "authentication failure")


@pytest.mark.parametrize(
    "claims", [{"jti": 5}, {"jti": {"a": 1}}, {"nbf": "abc"}, {"iat": "abc"}, {"nbf": NOW + 10**6}, {"iat": True}]
)
def test_claims_salesforce_does_not_document_are_not_read(client: httpx.Client, claims: dict[str, object]) -> None:
    """Salesforce documents `iss`, `sub` (or `prn`), `aud` and `exp` for the assertion, nothing about `jti`,
    `nbf` or `iat`: the mock reads none of them, whatever their type (PyJWT refused a `jti` that is no text)."""
    r = jwt_bearer(client, assertion(**claims))
    assert r.status_code == 200, r.text


def test_prn_wins_over_sub(client: httpx.Client) -> None:
    r = jwt_bearer(client, assertion(sub="nobody@mockown.test", prn="integration@mockown.test"))
    assert r.status_code == 200 and r.json()["id"].endswith("/005g000000Int3GAAR")


def test_inactive_user(client: httpx.Client) -> None:
    r = jwt_bearer(client, assertion(sub="inactive@mockown.test"))
    assert error(r) == (400, "inactive_user", "user is inactive")


def test_user_of_another_org(client: httpx.Client, runtime: Runtime) -> None:
    other = new_org(runtime)
    r = jwt_bearer(client, assertion(sub=other["username"]))
    assert error(r) == (400, "invalid_grant", "authentication failure")


def test_user_must_be_approved(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(
        runtime, jwt_certificate="keys/jwt-bearer.crt", pre_approved_users=[], scopes=["api", "refresh_token"]
    )
    cid, user = org["app"]["client_id"], org["username"]
    r = jwt_bearer(client, assertion(iss=cid, sub=user))
    assert error(r) == (400, "invalid_grant", "user hasn't approved this consumer")
    app = runtime.salesforce.apps.get(org["app"]["id"])  # the admin pre-approves the user
    assert app is not None
    app.pre_approved_users.append(user)
    runtime.salesforce.apps.put(app)
    assert jwt_bearer(client, assertion(iss=cid, sub=user)).status_code == 200


def test_an_earlier_approval_counts(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, jwt_certificate="keys/jwt-bearer.crt", pre_approved_users=[], auto_approve=True)
    cid, secret, user = org["app"]["client_id"], org["app"]["client_secret"], org["username"]
    q = {"response_type": "code", "client_id": cid, "redirect_uri": "https://app.example.com/cb", "login_hint": user}
    code = client.get("/services/oauth2/authorize", params={**q, "scope": "api refresh_token"})
    raw = code.headers["location"].split("code=")[1].split("&")[0]
    from urllib.parse import unquote

    form = {"grant_type": "authorization_code", "code": unquote(raw), "client_id": cid, "client_secret": secret}
    tokens = client.post("/services/oauth2/token", data={**form, "redirect_uri": "https://app.example.com/cb"})
    assert "refresh_token" in tokens.json()
    assert jwt_bearer(client, assertion(iss=cid, sub=user)).status_code == 200
    client.post("/services/oauth2/revoke", data={"token": tokens.json()["refresh_token"]})
    assert jwt_bearer(client, assertion(iss=cid, sub=user)).status_code == 400


def test_shipped_certificate_matches_shipped_key() -> None:
    from cryptography import x509

    from .support import KEYS

    cert = x509.load_pem_x509_certificate((KEYS / "jwt-bearer.crt").read_bytes())
    key = serialization.load_pem_private_key(JWT_KEY.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()  # type: ignore[union-attr]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(min_value=-100_000, max_value=100_000), millis=st.booleans(), text=st.booleans())
@example(offset=-180, millis=False, text=False)
@example(offset=-179, millis=True, text=True)
def test_exp_rule_property(client: httpx.Client, offset: int, millis: bool, text: bool) -> None:
    """Accepted iff exp (seconds or milliseconds, number or string) is less than 180 s in the past: exp + skew
    itself is past (RFC 7519 4.1.4 "before exp", c1d9331)."""
    exp: object = (NOW + offset) * (1000 if millis else 1)
    if text:
        exp = str(exp)
    r = jwt_bearer(client, assertion(exp=exp))
    assert (r.status_code == 200) == (offset > -180), r.text
