"""The token endpoint answers a method other than POST in its own words: `400 invalid_request` `must use HTTP POST`
(spec 1.5, [INF/OBS] wording), with `Cache-Control: no-store`, on every host it is served on (login, test, an
org's My Domain, the mock's own address), with or without the trailing slash. It answered `405` with
`GET is not allowed here`."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime
from mockown.salesforce.seed import seed_org

from .helpers import TOKEN, password_token

MY_DOMAIN = "acme-method.my.salesforce.com"
HOSTS = ["login.salesforce.com", "test.salesforce.com", MY_DOMAIN, "127.0.0.1"]
METHODS = ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO"]
REFUSAL = {"error": "invalid_request", "error_description": "must use HTTP POST"}


@pytest.fixture
def my_domain(runtime: Runtime) -> None:
    seed_org(runtime, {"my_domain": MY_DOMAIN, "users": [{"username": "m@method.test", "password": "Secret-1"}]})


@pytest.mark.usefixtures("my_domain")
@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("path", [TOKEN, TOKEN + "/"])
def test_a_method_other_than_post_is_invalid_request(client: httpx.Client, host: str, path: str) -> None:
    for method in METHODS:
        r = client.request(method, path, headers={"Host": host}, params={"grant_type": "password"})
        assert (r.status_code, r.json()) == (400, REFUSAL), (method, r.text)
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["content-type"].startswith("application/json")


def test_head_gets_the_same_answer_without_a_body(client: httpx.Client) -> None:
    got = client.get(TOKEN)
    head = client.head(TOKEN)
    assert (head.status_code, head.content) == (400, b"")
    assert head.headers["cache-control"] == got.headers["cache-control"] == "no-store"
    assert head.headers["content-type"] == got.headers["content-type"]


def test_post_is_still_the_token_endpoint(client: httpx.Client) -> None:
    assert password_token(client).status_code == 200
