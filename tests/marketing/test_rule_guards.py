"""Marketing Cloud token rules that a hand-driven mutation audit showed no test would miss if broken (each test
names the mutant it kills)."""

from __future__ import annotations

import httpx

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.marketing.seed import seed_tenant
from mockown.runtime import Runtime

from .test_marketing import BASE, INVALID_CLIENT, SERVER, WEB, code_for, exchange


def test_an_integration_is_refused_at_another_tenants_subdomain(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `integration.tenant_id != tenant.id` dropped (marketing/service._client): the demo tenant's server
    integration, with its right secret, at the token endpoint of another existing tenant is invalid_client."""
    other = seed_tenant(runtime, {})
    body = {"grant_type": "client_credentials", **SERVER}
    assert client.post(f"{BASE}/v2/token", json=body).status_code == 200
    r = client.post(f"/mc/{other['subdomain']}/v2/token", json=body)
    assert r.status_code == 401
    assert r.json() == INVALID_CLIENT


def test_a_signed_out_refresh_token_gets_the_invalid_description(clock: FrozenClock) -> None:
    """Kills `rt.revoked` dropped from the first refresh check (marketing/service._refresh): a signed-out token
    is an invalid one (`refresh_invalid_description`), not a used one (`refresh_used_description`). The two
    are equal ("") by default, so the settings tell them apart here."""
    config = Config().replace(
        marketing={"refresh_invalid_description": "invalid-one", "refresh_used_description": "used-one"}
    )
    app = create_app(config, clock=clock)
    runtime: Runtime = app.state.runtime
    with in_process_client(app) as c:
        online = exchange(c, WEB, code_for(c, WEB, scope="email_read")).json()
        runtime.marketing.sign_out("700123456")
        r = c.post(f"{BASE}/v2/token", json={"grant_type": "refresh_token", "refresh_token": online["refresh_token"],
                                             **WEB})  # fmt: skip
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_grant"
        assert r.json()["error_description"] == "invalid-one"


def test_authorize_refuses_an_integration_of_another_tenant(client: httpx.Client, runtime: Runtime) -> None:
    """Kills `integration.tenant_id != tenant.id` dropped at authorize (marketing/service.authorize): the demo
    web integration on another existing tenant's authorize endpoint is a 400, never a redirect with a code."""
    other = seed_tenant(runtime, {})
    query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": "http://localhost:8080/callback"}
    assert client.get(f"{BASE}/v2/authorize", params=query).status_code == 302
    r = client.get(f"/mc/{other['subdomain']}/v2/authorize", params=query)
    assert r.status_code == 400
    assert "location" not in r.headers
    assert r.json()["error"] == "invalid_client"
