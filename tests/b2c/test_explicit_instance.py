"""An explicit instance under `/b2c/instances/<host>/` names that one instance. An unseeded one answered as the
default instance (a typo in the host logged the shopper into the default instance's site, the BM grant too); it is
a 404 in the prefix's dialect now, as SLAS's unknown short code is: the OCAPI fault envelope for the OCAPI paths,
OAuth JSON for the BM grant. A real instance host in `Host` (README's "else the default instance") still falls back."""

from __future__ import annotations

import base64

import httpx
import pytest

from mockown.runtime import Runtime
from mockown.seed import seed_document

UNKNOWN = "no-such-instance.example"
SEEDED = "zzxy-001.dx.commercecloud.salesforce.com"
CLIENT = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
SHOPPER = ("shopper@mockown.test", "Sh0pper!")
BM_GRANT = "urn:demandware:params:oauth:grant-type:client-id:dwsid:dwsecuretoken"
BM_BASIC = "Basic " + base64.b64encode(f"bm-admin:BmPassw0rd!:{CLIENT}".encode()).decode()
MISSING = f"The instance '{UNKNOWN}' was not found."


def _ocapi(client: httpx.Client, instance: str, method: str = "POST", path: str = "customers/auth") -> httpx.Response:
    url = f"/b2c/instances/{instance}/s/RefArch/dw/shop/v24_5/{path}"
    body = {"type": "credentials"} if path == "customers/auth" and method == "POST" else None
    return client.request(method, url, headers={"x-dw-client-id": CLIENT}, json=body, auth=SHOPPER)


def _bm(client: httpx.Client, url: str) -> httpx.Response:
    return client.post(f"{url}?client_id={CLIENT}", data={"grant_type": BM_GRANT}, headers={"Authorization": BM_BASIC})


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "customers/auth"), ("DELETE", "customers/auth"), ("POST", "sessions")]
)
def test_an_unseeded_explicit_instance_is_an_ocapi_404(client: httpx.Client, method: str, path: str) -> None:
    r = _ocapi(client, UNKNOWN, method, path)
    assert r.status_code == 404, r.text
    assert r.json() == {"_v": "24.5", "fault": {"type": "ResourcePathNotFoundException", "message": MISSING}}
    assert "authorization" not in r.headers


def test_an_unseeded_explicit_instance_grants_no_bm_token(client: httpx.Client) -> None:
    r = _bm(client, f"/b2c/instances/{UNKNOWN}/dw/oauth2/access_token")
    assert r.status_code == 404, r.text
    assert r.json() == {"error_description": MISSING, "error": "invalid_request"}
    assert r.headers["content-type"] == "application/json;charset=UTF-8"


def test_the_seeded_instance_and_a_real_host_still_answer(client: httpx.Client, runtime: Runtime) -> None:
    assert _ocapi(client, SEEDED).status_code == 200
    assert _ocapi(client, SEEDED.upper()).status_code == 200  # a host name's case does not matter
    assert _bm(client, f"/b2c/instances/{SEEDED}/dw/oauth2/access_token").status_code == 200
    # another real instance host, not seeded: the default instance, as the README's routing table says
    other = "http://abcd-002.dx.commercecloud.salesforce.com"
    on_host = client.post(
        f"{other}/s/RefArch/dw/shop/v24_5/customers/auth", headers={"x-dw-client-id": CLIENT},
        json={"type": "credentials"}, auth=SHOPPER,
    )  # fmt: skip
    assert on_host.status_code == 200, on_host.text
    assert _bm(client, f"{other}/dw/oauth2/access_token").status_code == 200


def test_a_seeded_second_instance_answers_under_its_own_prefix(client: httpx.Client, runtime: Runtime) -> None:
    host = "other-002.dx.commercecloud.salesforce.com"
    customer = {"customer_id": "abothercustomer00000000001", "login": SHOPPER[0], "password": "Other1!"}
    site = {"id": "RefArch", "client_ids": [CLIENT], "customers": [customer]}
    seed_document(runtime, {"b2c": {"instances": [{"host": host, "sites": [site]}]}})
    mine = client.post(
        f"/b2c/instances/{host}/s/RefArch/dw/shop/v24_5/customers/auth", headers={"x-dw-client-id": CLIENT},
        json={"type": "credentials"}, auth=(SHOPPER[0], "Other1!"),
    )  # fmt: skip
    assert mine.status_code == 200 and mine.json()["customer_id"] == "abothercustomer00000000001", mine.text
