"""Served under a root path (`uvicorn --root-path /x` behind a proxy that strips the prefix, or the app in a
`Mount("/mock", app)`), the URLs the mock hands out carry that path, so a client that follows them (the discovery
document's endpoints, a token response's `instance_url` and `id`) reaches the mock again. `--base-url` still wins."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from mockown import Config, create_app
from mockown.http.inprocess import InProcessTransport

from ..conftest import CID, SECRET

HOST = "http://127.0.0.1:8080"


def _client(app: Starlette, root_path: str = "") -> httpx.Client:
    return httpx.Client(transport=InProcessTransport(app, root_path=root_path), base_url=HOST)


def _served(root: str, mount: bool) -> httpx.Client:
    if mount:
        return _client(Starlette(routes=[Mount(root, app=create_app(Config()))]))
    return _client(create_app(Config()), root_path=root)


@pytest.mark.parametrize(("root", "mount"), [("/x", False), ("/proxy/mock", False), ("/mock", True)])
def test_the_urls_handed_out_lead_back_to_the_mock(root: str, mount: bool) -> None:
    with _served(root, mount) as client:
        doc = client.get(root + "/.well-known/openid-configuration").json()
        assert doc["issuer"] == HOST + root
        assert doc["token_endpoint"] == f"{HOST}{root}/services/oauth2/token"
        token = client.post(doc["token_endpoint"], data={"grant_type": "client_credentials"}, auth=(CID, SECRET))
        assert token.status_code == 200, token.text
        body = token.json()
        assert body["instance_url"] == HOST + root
        assert body["id"].startswith(f"{HOST}{root}/id/")
        bearer = {"Authorization": f"Bearer {body['access_token']}"}
        assert client.get(body["instance_url"] + "/services/data/v62.0/limits", headers=bearer).status_code == 200
        identity = client.get(body["id"], headers=bearer)
        assert identity.status_code == 200 and identity.json()["user_id"] in body["id"]
        keys = client.get(doc["jwks_uri"])
        assert keys.status_code == 200 and keys.json()["keys"]


def test_without_a_root_path_the_urls_are_the_hosts() -> None:
    with _client(create_app(Config())) as client:
        assert client.get("/.well-known/openid-configuration").json()["issuer"] == HOST


def test_a_configured_base_url_wins_over_the_root_path() -> None:
    app = create_app(Config(base_url="https://mock.example.com/"))
    with _client(app, root_path="/x") as client:
        assert client.get("/x/.well-known/openid-configuration").json()["issuer"] == "https://mock.example.com"
