"""B2C's URLs under a root path (`uvicorn --root-path /x`, a `Mount("/x", app)`): the root path once, as in every
other API's (`base_url` carries it; the route path follows): SLAS's discovery document and JWKS, and the Account
Manager token URL a client assertion may name as its audience."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.routing import Mount

from mockown import Config, create_app
from mockown.http.inprocess import InProcessTransport
from mockown.seed import seed_document

from .test_slas import BASE

HOST = "http://127.0.0.1:8080"


def _client(app: Starlette, mount: bool) -> httpx.Client:
    if mount:
        return httpx.Client(transport=InProcessTransport(Starlette(routes=[Mount("/x", app=app)])), base_url=HOST)
    return httpx.Client(transport=InProcessTransport(app, root_path="/x"), base_url=HOST)


@pytest.mark.parametrize("mount", [False, True])
def test_slas_discovery_names_the_root_path_once(mount: bool) -> None:
    with _client(create_app(Config()), mount) as client:
        doc = client.get("/x" + BASE + "/.well-known/openid-configuration").json()
        assert doc["issuer"] == f"{HOST}/x{BASE}"
        assert doc["jwks_uri"].startswith(f"{HOST}/x{BASE}/")
        keys = client.get(doc["jwks_uri"])
        assert keys.status_code == 200 and keys.json()["keys"]


@pytest.mark.parametrize("mount", [False, True])
def test_an_account_manager_assertion_may_name_the_called_url_under_the_root_path(mount: bool) -> None:
    app = create_app(Config())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    client_doc = {"client_id": "jwt-client", "auth_method": "private_key_jwt", "jwt_public_key": pem.decode()}
    seed_document(app.state.runtime, {"b2c": {"account_manager": {"clients": [client_doc]}}})
    url = f"{HOST}/x/b2c/am/dwsso/oauth2/access_token"
    now = int(app.state.runtime.clock.now()) or int(time.time())
    claims = {"iss": "jwt-client", "sub": "jwt-client", "aud": url, "exp": now + 60}
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": jwt.encode(claims, key, algorithm="RS256"),
    }
    with _client(app, mount) as client:
        answer = client.post(url, data=form)
    assert answer.status_code == 200, answer.text
