"""Schema conformance of the Own API (`contracts/own.yaml`), stateless and stateful."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .support import OwnCreds, Target, operation_ids, own_exchange

pytestmark = [pytest.mark.own, pytest.mark.schema]


@pytest.fixture(scope="module")
def bearer(target: Target, own: OwnCreds) -> dict[str, str]:
    with target.client() as http:
        response = own_exchange(http, own)
    assert response.status_code == 200, f"the API token exchange failed: {response.text[:300]}"
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def base_for(path: str, own: OwnCreds) -> str:
    return own.auth_url if path.startswith("/oauth2/") else own.api_url


@pytest.mark.parametrize("operation_id", operation_ids("own"))
def test_operation_conforms(target: Target, own: OwnCreds, bearer: dict[str, str], operation_id: str) -> None:
    from .schema_runs import assert_conforms, spec_for  # schemathesis loads only when a run needs it

    assert_conforms("own", spec_for("own", target), operation_id, target, lambda path: base_for(path, own), bearer)


READ_ONLY_CHAIN = ["listServices", "getService", "listBackups", "getBackup", "listObjects", "downloadObject",
                   "listJobs", "getJob", "listEvents"]  # fmt: skip


def test_stateful_services_backups_objects(target: Target, own: OwnCreds, bearer: dict[str, str]) -> None:
    """exchange → services → backups → objects → download, through the spec's links (read-only)."""
    from .schema_runs import load, run_stateful, spec_for

    spec: dict[str, Any] = spec_for("own", target)
    schema = load(spec, own.api_url, bearer).include(operation_id=READ_ONLY_CHAIN)
    failures = run_stateful(schema, target)
    assert not failures, "stateful run through the links failed:\n" + "\n".join(failures)


def test_exchange_then_services(target: Target, own: OwnCreds) -> None:
    """The first links of the chain with a fresh exchange: the access token opens `/services`."""
    with httpx.Client(timeout=30.0) as http:
        token = own_exchange(http, own).json()["access_token"]
        response = http.get(f"{own.api_url}/api/v1/services", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text[:300]
    assert isinstance(response.json(), list)
