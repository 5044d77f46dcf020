"""B2C Commerce rules of spec/marketing-cloud-and-b2c.md that a conformance audit found the mock did not follow.
Each test failed on the code before its fix."""

from __future__ import annotations

import base64

import httpx

AM_CID = "a" * 30
BM_GRANT = "urn:demandware:params:oauth:grant-type:client-id:dwsid:dwsecuretoken"
INSTANCE = "zzxy-001.dx.commercecloud.salesforce.com"
EXPLICIT_BM = f"/b2c/instances/{INSTANCE}/dw/oauth2/access_token?client_id={AM_CID}"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


BM_CREDS = basic("bm-admin", f"BmPassw0rd!:{AM_CID}")


# -- Business Manager user grant (spec 2a) ---------------------------------------------------------------------
def test_the_bm_grant_needs_its_grant_type_on_the_explicit_instance_route(client: httpx.Client) -> None:
    """Spec 2a: the BM user grant is `grant_type=urn:demandware:params:oauth:grant-type:client-id:dwsid:
    dwsecuretoken` (body or query). The explicit instance route issued a BM token for any grant_type, or none."""
    for data in ({"grant_type": "client_credentials"}, {"grant_type": "password"}, {}):
        response = client.post(EXPLICIT_BM, data=data, headers=BM_CREDS)
        assert response.status_code == 400, (data, response.text)
        assert response.json() == {
            "error": "unauthorized_client",
            "error_description": f"Client id '{AM_CID}' has invalid credentials to use grant type "
            f"'{data.get('grant_type', '')}'.",
        }
    assert client.post(EXPLICIT_BM, data={"grant_type": BM_GRANT}, headers=BM_CREDS).status_code == 200
    # on the instance's own host, too (a non-BM grant there is Account Manager's, as before)
    on_host = f"http://{INSTANCE}/dw/oauth2/access_token?client_id={AM_CID}"
    assert client.post(on_host, data={"grant_type": BM_GRANT}, headers=BM_CREDS).status_code == 200


def test_an_unreadable_body_on_the_explicit_bm_route_is_an_oauth_error(client: httpx.Client) -> None:
    """Spec 2a: the BM grant's errors are OAuth JSON (`{"error", "error_description"}`), as on the instance's host;
    an unreadable body on the explicit instance route was an OCAPI fault envelope (`{"_v", "fault"}`)."""
    on_host = f"http://{INSTANCE}/dw/oauth2/access_token?client_id={AM_CID}"
    for url in (EXPLICIT_BM, on_host):
        response = client.post(url, json={"grant_type": BM_GRANT}, headers=BM_CREDS)
        assert response.status_code == 400, (url, response.text)
        assert response.headers["content-type"] == "application/json;charset=UTF-8"
        body = response.json()
        assert set(body) == {"error", "error_description"} and body["error"] == "invalid_request", (url, body)
