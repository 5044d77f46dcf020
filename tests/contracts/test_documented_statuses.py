"""Answers the mock gives must be documented in its OpenAPI documents (status and content type): the schema fuzz
and a real-profile run read them, and a client author reads them for what can come back."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from contracts.suite.support import load_spec
from mockown import Config, create_app
from mockown.http.inprocess import in_process_client

SLAS = "/shopper/auth/v1/organizations/{organizationId}/oauth2"


def _assert_documented(spec_name: str, path: str, method: str, response: httpx.Response) -> None:
    op: dict[str, Any] = load_spec(spec_name)["paths"][path][method]
    status = str(response.status_code)
    assert status in op["responses"], f"{method.upper()} {path} answers {status}, documented: {sorted(op['responses'])}"
    documented = op["responses"][status]
    if "$ref" in documented:
        documented = load_spec(spec_name)["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    kind = response.headers.get("content-type", "").split(";")[0]
    assert any(k.split(";")[0] == kind for k in documented.get("content", {})), (path, status, kind, documented)


@pytest.mark.parametrize("path", [p for p in load_spec("b2c")["paths"] if p.startswith(SLAS)])
def test_slas_answers_an_unknown_tenant_with_a_documented_404(path: str) -> None:
    app = create_app(Config())
    short_code = next(iter(app.state.runtime.b2c.slas.tenants.all())).short_code
    with in_process_client(app, "http://127.0.0.1") as client:
        for method in load_spec("b2c")["paths"][path]:
            if method not in ("get", "post"):
                continue
            url = f"/b2c/{short_code}{path.replace('{organizationId}', 'f_ecom_zzzz_999')}"
            response = client.request(method.upper(), url, data={} if method == "post" else None)
            assert response.status_code == 404, response.text
            _assert_documented("b2c", path, method, response)


@pytest.mark.parametrize("path", ["/_mockown/clock", "/_mockown/faults", "/_mockown/reset", "/_mockown/keys/rotate"])
def test_control_bodies_over_the_limit_are_a_documented_413(path: str) -> None:
    app = create_app(Config().replace(max_body_bytes=1000))
    big = '{"x": "' + "a" * 5000 + '"}'
    with in_process_client(app, "http://127.0.0.1") as client:
        response = client.post(path, content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413, response.text
    _assert_documented("control", path, "post", response)


@pytest.mark.parametrize("path", ["/_mockown/seed", "/_mockown/restore"])
def test_seed_documents_and_snapshots_over_their_limit_are_a_documented_413(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their limit is 64 MiB (control.BIG_BODY), here made small."""
    from mockown.http import control

    monkeypatch.setattr(control, "BIG_BODY", 2000)
    with in_process_client(create_app(Config()), "http://127.0.0.1") as client:
        response = client.post(
            path, content='{"x": "' + "a" * 5000 + '"}', headers={"content-type": "application/json"}
        )
    assert response.status_code == 413, response.text
    _assert_documented("control", path, "post", response)


def test_the_control_document_documents_its_refusals() -> None:
    """`GET /_mockown/openapi.yaml` is behind the admin token and the host check like every control operation."""
    locked = create_app(Config().replace(admin_token="contract-secret"))
    with in_process_client(locked, "http://127.0.0.1") as client:
        response = client.get("/_mockown/openapi.yaml")
    assert response.status_code == 401
    _assert_documented("control", "/_mockown/openapi.yaml", "get", response)
    with in_process_client(create_app(Config()), "http://127.0.0.1") as client:
        response = client.get("/_mockown/openapi.yaml", headers={"Host": "evil.example"})
    assert response.status_code == 403
    _assert_documented("control", "/_mockown/openapi.yaml", "get", response)


REST_ARGS = {"version": "v62.0", "sobject": "User", "recordId": "005g000000Adm1NAAR", "appId": "0H45g000000DemoCAC",
             "userId": "005g000000Adm1NAAR", "locator": "01g5g00000AbCdEAAA-2000", "tokenId": "x"}  # fmt: skip


@pytest.mark.parametrize("path", [p for p in load_spec("salesforce")["paths"] if p.startswith("/services/data/{")])
def test_rest_calls_over_the_api_limit_are_a_documented_403(path: str) -> None:
    from tests.conftest import ADMIN, CID, ORG, PASSWORD, SECRET

    app = create_app(Config())
    service = app.state.runtime.salesforce
    org = service.orgs.get(ORG)
    org.api_limit = 0
    service.orgs.put(org)
    login = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    with in_process_client(app, "http://127.0.0.1") as client:
        token = client.post("/services/oauth2/token", data={**login, "password": PASSWORD}).json()["access_token"]
        for method in load_spec("salesforce")["paths"][path]:
            response = client.request(
                method.upper(), path.format(**REST_ARGS), headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 403, response.text
            assert response.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
            _assert_documented("salesforce", path, method, response)
