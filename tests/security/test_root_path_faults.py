"""Under a root path (`uvicorn --root-path /x`, the app in a `Mount`) the journal and the fault rules read the path
the router routes, as the control plane's guard does (tests/security/test_root_path.py): a fault rule on
`/services/oauth2/token` (the documented way) fired for no request under `/x` (ASGI's `path` is
`/x/services/oauth2/token`), a journal filter on the path found nothing, and `/id/...` named no org."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from mockown import Config, create_app
from mockown.http.inprocess import InProcessTransport

from ..conftest import ADMIN_ID, ORG


def _clients() -> list[tuple[httpx.Client, str]]:
    under_root = create_app(Config())
    mounted = Starlette(routes=[Mount("/mock", app=create_app(Config()))])
    return [
        (httpx.Client(transport=InProcessTransport(under_root, root_path="/x"), base_url="http://127.0.0.1"), "/x"),
        (httpx.Client(transport=InProcessTransport(mounted), base_url="http://127.0.0.1"), "/mock"),
    ]


def test_a_fault_rule_fires_under_a_root_path() -> None:
    for client, prefix in _clients():
        with client:
            rule = {"path": "/services/oauth2/token", "status": 503}
            assert client.post(prefix + "/_mockown/faults", json=rule).status_code == 201
            r = client.post(prefix + "/services/oauth2/token", data={"grant_type": "password"})
            assert r.status_code == 503, (prefix, r.text)


def test_the_journal_records_the_routed_path_under_a_root_path() -> None:
    for client, prefix in _clients():
        with client:
            client.get(f"{prefix}/id/{ORG}/{ADMIN_ID}")
            entries = client.get(prefix + "/_mockown/journal", params={"path": f"/id/{ORG}/{ADMIN_ID}"}).json()
            assert [e["path"] for e in entries["entries"]] == [f"/id/{ORG}/{ADMIN_ID}"], prefix
            assert entries["entries"][0]["org"] == ORG
