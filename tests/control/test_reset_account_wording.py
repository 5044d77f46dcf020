"""`POST /_mockown/reset {"account": ...}` for an account the server does not have answers the control plane's
404 (`{"error": "not_found", "message": "no such account: ..."}`) as every other control-plane 404 does; it
answered the Own API's own wording (`{"error": "Not Found"}`), which comes from the Own service's reset hook."""

from __future__ import annotations

import httpx


def test_an_unknown_account_is_the_control_planes_404(client: httpx.Client) -> None:
    before = client.get("/_mockown/snapshot").json()["store"]
    response = client.post("/_mockown/reset", json={"account": "999"})
    assert response.status_code == 404, response.text
    assert response.json() == {"error": "not_found", "message": "no such account: 999"}
    assert client.get("/_mockown/snapshot").json()["store"] == before
    assert client.post("/_mockown/reset", json={"account": "1001"}).status_code == 200
