"""The Salesforce OAuth and identity endpoints with one trailing slash (`/services/oauth2/token/`,
`/id/<org>/<user>/`, `/.well-known/openid-configuration/`) are the same resource, as the REST API's and the SOAP
endpoints already were, never Starlette's empty 307: a client that follows it may re-send without its
Authorization header or its body."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.routing import Route

from mockown.salesforce import flow_routes, routes
from mockown.ui import paths as pages
from tests.conftest import ADMIN_ID, ORG
from tests.salesforce.helpers import code_tokens, password_token

_FILLED = {"org_id": ORG, "user_id": ADMIN_ID, "brand": "acme", "client_id": "3MVG9NoSuchClient"}
_OAUTH_PREFIXES = ("/services/oauth2", "/services/auth", "/id/", "/.well-known/")


def _oauth_routes() -> list[tuple[str, str]]:
    """(path, method) of every OAuth / identity route (without its trailing slash), its parameters filled."""
    found = set()
    for route in [*routes.ROUTES, *flow_routes.ROUTES]:
        if not isinstance(route, Route) or route.path.endswith("/") or not route.path.startswith(_OAUTH_PREFIXES):
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: _FILLED[m.group(1)], route.path)
        found.update((path, method) for method in route.methods or () if method != "HEAD")
    return sorted(found)


OAUTH_ROUTES = _oauth_routes()


def test_the_table_covers_the_oauth_endpoints() -> None:
    paths = {path for path, _ in OAUTH_ROUTES}
    for path in ("/services/oauth2/token", "/services/oauth2/authorize", "/services/oauth2/revoke",
                 "/services/oauth2/introspect", "/services/oauth2/userinfo", "/services/oauth2/register",
                 "/services/oauth2/singleaccess", "/id/keys", f"/id/{ORG}/{ADMIN_ID}",
                 "/.well-known/openid-configuration", "/services/auth/idp/oidc/logout",
                 pages.LOGIN_ACTION, pages.CONSENT_ACTION):  # fmt: skip
        assert path in paths, path


@pytest.mark.parametrize(("path", "method"), OAUTH_ROUTES)
def test_a_trailing_slash_answers_as_without_it(client: httpx.Client, path: str, method: str) -> None:
    plain = client.request(method, path, follow_redirects=False)
    slashed = client.request(method, path + "/", follow_redirects=False)
    assert slashed.status_code != 307, (method, path)
    assert (slashed.status_code, slashed.headers.get("content-type")) == (
        plain.status_code,
        plain.headers.get("content-type"),
    ), (method, path, slashed.text[:200])


def test_a_token_userinfo_and_identity_with_a_trailing_slash(client: httpx.Client) -> None:
    r = password_token(client)
    form = dict(httpx.QueryParams(r.request.content.decode()))
    slashed = client.post("/services/oauth2/token/", data=form, follow_redirects=False)
    assert slashed.status_code == 200 and set(slashed.json()) == set(r.json()), slashed.text
    tokens = code_tokens(client)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    for url in ("/services/oauth2/userinfo", tokens["id"]):
        plain = client.get(url, headers=bearer)
        r = client.get(url + "/", headers=bearer, follow_redirects=False)
        assert (r.status_code, r.json()) == (200, plain.json()), url
    discovery = client.get("/.well-known/openid-configuration/", follow_redirects=False)
    assert discovery.status_code == 200 and discovery.json()["issuer"] == "http://testserver"
