"""`/v2/authorize` sends the browser to the registered redirect URL as written: one with an empty authority
(`myapp:///cb`, `x-app://`) came back from `urlunsplit` without its `//` (`myapp:/cb?code=...`)."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime
from mockown.seed import seed_document

SUB = "mc" + "e" * 26
APP = {"client_id": "pubint0000000000000000001"}
REDIRECTS = ["myapp:///cb", "x-app://"]


@pytest.mark.parametrize("redirect_uri", REDIRECTS)
def test_the_code_and_refusal_redirects_keep_the_registered_url(
    client: httpx.Client, runtime: Runtime, redirect_uri: str
) -> None:
    tenant = {"eid": 20000011, "subdomain": SUB, "business_units": [20000011],
              "users": [{"username": "e@x.test", "password": "P", "mid": 20000011}],
              "integrations": [{**APP, "type": "public", "redirect_urls": REDIRECTS}]}  # fmt: skip
    seed_document(runtime, {"marketing": {"tenants": [tenant]}})
    query = {"response_type": "code", "client_id": APP["client_id"], "redirect_uri": redirect_uri, "state": "s",
             "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}  # fmt: skip
    response = client.get(f"/mc/{SUB}/v2/authorize", params=query)
    assert response.status_code == 302, response.text
    assert response.headers["location"].startswith(f"{redirect_uri}?code=")
    refused = client.get(f"/mc/{SUB}/v2/authorize", params={**query, "response_type": "token"})
    assert refused.headers["location"].startswith(f"{redirect_uri}?error=unsupported_response_type&")
