"""Token exchange through the ASGI app: the demo app's handler trusts https://idp.mockown.test (key in
fixtures/keys) and maps one opaque token; asset tokens wrap an actor JWT."""

from __future__ import annotations

import json

import httpx
import jwt
import pytest

from mockown.runtime import Runtime
from tests.conftest import ADMIN, BASE, CID, SECRET

from .support import IDP_KEY, JWT_KEY, NOW, TOKEN, TOKEN_EXCHANGE, URN, idp_token, new_org


def _swap_payload(signed: str, other: str) -> str:
    head, _, sig = signed.split(".")
    return f"{head}.{other.split('.')[1]}.{sig}"


def exchange(client: httpx.Client, subject: str, subject_type: str = "jwt", **extra: str) -> httpx.Response:
    data = {
        "grant_type": TOKEN_EXCHANGE,
        "client_id": CID,
        "client_secret": SECRET,
        "subject_token": subject,
        "subject_token_type": URN + subject_type,
    }
    data.update(extra)
    return client.post(TOKEN, data=data)


def err(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]


@pytest.mark.parametrize("kind", ["jwt", "JWT", "id_token", "access_token"])
def test_trusted_issuer_maps_the_email_claim(client: httpx.Client, kind: str) -> None:
    r = exchange(client, idp_token(), kind)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["issued_token_type"] == URN + "access_token"
    assert body["id"].endswith("/005g000000Adm1NAAR") and body["token_type"] == "Bearer"
    assert "refresh_token" in body  # the app's scopes include refresh_token
    rest = client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert rest.status_code == 200


def test_requested_jwt_gives_a_jwt_based_access_token(client: httpx.Client) -> None:
    r = exchange(client, idp_token(), requested_token_type=URN + "jwt", scope="api")
    body = r.json()
    assert body["issued_token_type"] == URN + "jwt" and body["token_format"] == "jwt"
    assert jwt.get_unverified_header(body["access_token"])["tty"] == "sfdc-core-token"
    assert "refresh_token" not in body  # scope api only


@pytest.mark.parametrize("kind", ["access_token", "refresh_token", "saml2"])
def test_mapping_table_for_opaque_tokens(client: httpx.Client, kind: str) -> None:
    r = exchange(client, "mockown-demo-external-token", kind)
    assert r.status_code == 200 and r.json()["id"].endswith("/005g000000Adm1NAAR")


@pytest.mark.parametrize(
    ("token", "description"),
    [
        (lambda: idp_token(iss="https://other.example.com"), "untrusted issuer"),
        (lambda: idp_token(key=JWT_KEY), "invalid subject token signature"),
        (lambda: idp_token(exp=NOW - 181), "expired subject token"),
        (lambda: idp_token(nbf=NOW + 600), "subject token not yet valid"),
        (lambda: idp_token(email="nobody@mockown.test"), "no user for the subject token"),
        (lambda: idp_token(email=None), "no user for the subject token"),
        (
            lambda: _swap_payload(idp_token(), idp_token(email="integration@mockown.test")),
            "invalid subject token signature",
        ),
        (lambda: "unknown-opaque-token", "invalid subject token"),
        # RFC 7519 4.1.4/4.1.5: exp and nbf are NumericDates; one that is no date is no valid token (not "none")
        (lambda: idp_token(exp="soon"), "invalid subject token"),
        (lambda: idp_token(exp=True), "invalid subject token"),
        (lambda: idp_token(exp={"at": NOW + 300}), "invalid subject token"),
        (lambda: idp_token(nbf="later"), "invalid subject token"),
        (lambda: idp_token(exp=float("inf")), "invalid subject token"),  # Infinity: no date, not "never"
    ],
    ids=[
        "issuer",
        "signature",
        "expired",
        "nbf",
        "unknown-user",
        "no-claim",
        "tampered",
        "opaque",
        "exp-text",
        "exp-bool",
        "exp-object",
        "nbf-text",
        "exp-infinity",
    ],
)
def test_rejected_subject_tokens(client: httpx.Client, token: object, description: str) -> None:
    r = exchange(client, token())  # type: ignore[operator]
    assert r.status_code == 400 and r.json() == {"error": "invalid_grant", "error_description": description}


def test_inactive_user(client: httpx.Client) -> None:
    assert err(exchange(client, idp_token(email="inactive@mockown.test"))) == (400, "inactive_user")


@pytest.mark.parametrize(
    "data",
    [
        {"subject_token": ""},
        {"subject_token_type": ""},
        {"subject_token_type": "urn:ietf:params:oauth:token-type:magic"},
        {"subject_token_type": "jwt"},
        {"requested_token_type": URN + "saml2"},
        {"actor_token_type": URN + "jwt"},
        {"actor_token": "x", "actor_token_type": "bogus"},
    ],
)
def test_bad_parameters_are_invalid_request(client: httpx.Client, data: dict[str, str]) -> None:
    form = {"grant_type": TOKEN_EXCHANGE, "client_id": CID, "client_secret": SECRET}
    form.update({"subject_token": idp_token(), "subject_token_type": URN + "jwt"})
    form.update(data)
    assert err(client.post(TOKEN, data=form)) == (400, "invalid_request")


def test_client_authentication(client: httpx.Client) -> None:
    assert err(exchange(client, idp_token(), client_secret="wrong")) == (400, "invalid_client")
    assert err(exchange(client, idp_token(), client_id="nope")) == (400, "invalid_client_id")


def test_app_without_handler(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime)
    form = {"grant_type": TOKEN_EXCHANGE, "client_id": org["app"]["client_id"]}
    form.update({"client_secret": org["app"]["client_secret"], "subject_token": "x", "subject_token_type": URN + "jwt"})
    r = client.post(TOKEN, data=form)
    assert r.json() == {"error": "unsupported_grant_type", "error_description": "grant type not supported"}


def test_user_of_another_org_is_not_mapped(client: httpx.Client, runtime: Runtime) -> None:
    other = new_org(runtime)
    r = exchange(client, idp_token(email=other["username"]))
    assert r.json()["error_description"] == "no user for the subject token"


def test_jwks_issuer_with_user_table(client: httpx.Client, runtime: Runtime) -> None:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(IDP_KEY.encode(), None)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))  # type: ignore[arg-type, union-attr]
    jwk["kid"] = "k1"
    handler = {
        "issuers": [
            {"issuer": "https://jwks.example", "jwks": {"keys": [jwk]}, "audience": "sf", "users": {"ext-9": "X"}}
        ]
    }
    org = new_org(runtime, token_exchange=handler)
    org_user = org["username"]
    handler["issuers"][0]["users"] = {"ext-9": org_user}
    org = new_org(runtime, token_exchange=handler)
    cid, secret = org["app"]["client_id"], org["app"]["client_secret"]

    def token(**claims: object) -> str:
        body = {"iss": "https://jwks.example", "sub": "ext-9", "aud": ["sf"], "exp": NOW + 60, **claims}
        return jwt.encode(body, IDP_KEY, algorithm="RS256", headers={"kid": "k1"})

    form = {"grant_type": TOKEN_EXCHANGE, "client_id": cid, "client_secret": secret, "subject_token_type": URN + "jwt"}
    assert client.post(TOKEN, data={**form, "subject_token": token()}).json()["error_description"] == (
        "no user for the subject token"  # ext-9 maps to a user of the first org
    )
    bad_aud = client.post(TOKEN, data={**form, "subject_token": token(aud="other")})
    assert bad_aud.json()["error_description"] == "invalid subject token audience"


def test_asset_token(client: httpx.Client) -> None:
    from tests.salesforce.helpers import password_token

    access = password_token(client).json()["access_token"]
    actor = jwt.encode({"did": "device-42", "Name": "Thermostat", "aud": "https://iot.example"}, JWT_KEY, "RS256")
    r = exchange(client, access, "access_token", actor_token=actor, actor_token_type=URN + "jwt")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"access_token", "issued_token_type", "token_type", "expires_in"}
    assert (body["issued_token_type"], body["token_type"], body["expires_in"]) == (URN + "jwt", "Bearer", 60)
    jwks = client.get("/id/keys").json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(body["access_token"], key, algorithms=["RS256"], audience="https://iot.example",
                        options={"verify_exp": False})  # fmt: skip
    assert claims["did"] == "device-42" and claims["iss"] == BASE and claims["exp"] - claims["iat"] == 60
    assert claims["sub"].endswith("/005g000000Adm1NAAR")


def test_asset_token_failures(client: httpx.Client) -> None:
    from tests.salesforce.helpers import password_token

    access = password_token(client).json()["access_token"]
    assert err(exchange(client, access, "access_token")) == (400, "invalid_request")  # no actor
    forged = jwt.encode({"did": "x"}, IDP_KEY, "RS256")  # signed, but not with the app's certificate
    r = exchange(client, access, "access_token", actor_token=forged, actor_token_type=URN + "jwt")
    assert r.json() == {"error": "invalid_grant", "error_description": "invalid actor token"}
    client.post("/services/oauth2/revoke", data={"token": access})  # a dead session is just an unknown token
    actor = jwt.encode({"did": "x"}, JWT_KEY, "RS256")
    r = exchange(client, access, "access_token", actor_token=actor, actor_token_type=URN + "jwt")
    assert r.json()["error_description"] == "invalid subject token"


def test_subject_user_claim_default_is_sub(client: httpx.Client, runtime: Runtime) -> None:
    handler = {"issuers": [{"issuer": "https://idp.mockown.test", "public_key": "keys/idp.pub"}]}
    org = new_org(runtime, token_exchange=handler)
    form = {"grant_type": TOKEN_EXCHANGE, "client_id": org["app"]["client_id"]}
    form.update({"client_secret": org["app"]["client_secret"], "subject_token_type": URN + "id_token"})
    r = client.post(TOKEN, data={**form, "subject_token": idp_token(sub=org["username"].upper(), email=ADMIN)})
    assert r.status_code == 200, r.text


def _ec_issuer_org(runtime: Runtime, **issuer: object) -> tuple[dict[str, str], object]:
    """An org whose app trusts https://ec.example by an EC (P-256) JWK with kid `ec1` (and `issuer` fields)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    jwk = {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())), "kid": "ec1"}
    handler = {"issuers": [{"issuer": "https://ec.example", "jwks": {"keys": [jwk]}, "user_claim": "email", **issuer}]}
    org = new_org(runtime, token_exchange=handler)
    form = {"grant_type": TOKEN_EXCHANGE, "client_id": org["app"]["client_id"]}
    form.update({"client_secret": org["app"]["client_secret"], "subject_token_type": URN + "jwt"})
    form["email"] = org["username"]
    return form, key


SIGNATURE = {"error": "invalid_grant", "error_description": "invalid subject token signature"}


def test_a_subject_token_of_another_key_family_is_a_bad_signature(client: httpx.Client, runtime: Runtime) -> None:
    """An algorithm the issuer allows but of another family than its key (ES256 for an RSA key, RS256 for an EC
    JWK, HS256 named in `algorithms:`) is a signature that does not check out, not PyJWT's TypeError (a 500)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    es256 = jwt.encode({"iss": "https://idp.mockown.test", "email": ADMIN, "exp": NOW + 300},
                       ec.generate_private_key(ec.SECP256R1()), algorithm="ES256")  # fmt: skip
    r = exchange(client, es256)  # the demo issuer: an RSA public_key
    assert (r.status_code, r.json()) == (400, SIGNATURE)

    form, ec_key = _ec_issuer_org(runtime)
    email = form.pop("email")
    claims = {"iss": "https://ec.example", "email": email, "exp": NOW + 300}
    rs256 = jwt.encode(claims, IDP_KEY, algorithm="RS256", headers={"kid": "ec1"})
    r = client.post(TOKEN, data={**form, "subject_token": rs256})
    assert (r.status_code, r.json()) == (400, SIGNATURE)
    good = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "ec1"})  # type: ignore[arg-type]
    assert client.post(TOKEN, data={**form, "subject_token": good}).status_code == 200

    form, _ = _ec_issuer_org(runtime, algorithms=["HS256", "ES256"])
    hs256 = jwt.encode({**claims, "email": form.pop("email")}, "s" * 32, algorithm="HS256", headers={"kid": "ec1"})
    r = client.post(TOKEN, data={**form, "subject_token": hs256})
    assert (r.status_code, r.json()) == (400, SIGNATURE)


def test_an_ec_public_key_pem_is_an_issuer_key(client: httpx.Client, runtime: Runtime) -> None:
    """ES256 is a default algorithm of an issuer, so its `public_key` may be an EC key in PEM as well as an RSA one
    (an EC JWK already worked); a connected app's `jwt_certificate` stays RSA (RS256 only), other keys no key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    from mockown.seed import SeedError

    def pem(key: object) -> str:
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        return key.public_key().public_bytes(serialization.Encoding.PEM, spki).decode()  # type: ignore[attr-defined]

    key = ec.generate_private_key(ec.SECP256R1())
    handler = {"issuers": [{"issuer": "https://ec.example", "public_key": pem(key), "user_claim": "email"}]}
    org = new_org(runtime, token_exchange=handler)
    form = {"grant_type": TOKEN_EXCHANGE, "client_id": org["app"]["client_id"], "subject_token_type": URN + "jwt"}
    form["client_secret"] = org["app"]["client_secret"]
    claims = {"iss": "https://ec.example", "email": org["username"], "exp": NOW + 300}
    good = jwt.encode(claims, key, algorithm="ES256")
    assert client.post(TOKEN, data={**form, "subject_token": good}).status_code == 200
    rs256 = jwt.encode(claims, IDP_KEY, algorithm="RS256")
    r = client.post(TOKEN, data={**form, "subject_token": rs256})
    assert (r.status_code, r.json()) == (400, SIGNATURE)

    with pytest.raises(SeedError, match="not an RSA key"):
        new_org(runtime, jwt_certificate=pem(key))
    other = {"issuers": [{"issuer": "https://ed.example", "public_key": pem(ed25519.Ed25519PrivateKey.generate())}]}
    with pytest.raises(SeedError, match="not an RSA or EC key"):
        new_org(runtime, token_exchange=other)


def test_subject_claims_the_handler_does_not_read_are_no_fault(client: httpx.Client, runtime: Runtime) -> None:
    """A subject token's `jti` (or `sub`, when the user claim is another) of any type is no bad signature (PyJWT
    checked the types of both); a user claim that is no text is no user."""
    assert exchange(client, idp_token(jti=5, sub=5)).status_code == 200  # the demo issuer: users by `email`
    handler = {"issuers": [{"issuer": "https://idp.mockown.test", "public_key": "keys/idp.pub"}]}
    org = new_org(runtime, token_exchange=handler)
    form = {"grant_type": TOKEN_EXCHANGE, "client_id": org["app"]["client_id"], "subject_token_type": URN + "jwt"}
    form["client_secret"] = org["app"]["client_secret"]
    r = client.post(TOKEN, data={**form, "subject_token": idp_token(sub=5)})
    assert r.json() == {"error": "invalid_grant", "error_description": "no user for the subject token"}
