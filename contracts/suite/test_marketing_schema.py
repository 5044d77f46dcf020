"""Schema conformance of Marketing Cloud Engagement (`contracts/marketing.yaml`), one schemathesis run per operation.

The spec has no links, so there is no stateful run; instead `v2/token` also runs with the integration's credentials
pinned, so that generated scopes and account ids reach the success and scope errors, not only `invalid_client`.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .support import McCreds, Target, operation_ids

pytestmark = [pytest.mark.marketing, pytest.mark.schema]


@pytest.fixture(scope="module")
def bearer(mc: McCreds) -> dict[str, str]:
    with httpx.Client(timeout=30.0) as http:
        response = http.post(f"{mc.base}/v2/token", json=mc.cc_body())
    assert response.status_code == 200, f"client_credentials failed: {response.text[:300]}"
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize("operation_id", operation_ids("marketing"))
def test_operation_conforms(target: Target, mc: McCreds, bearer: dict[str, str], operation_id: str) -> None:
    from .schema_runs import assert_conforms, spec_for  # schemathesis loads only when a run needs it

    assert_conforms("marketing", spec_for("marketing", target), operation_id, target, lambda _: mc.base, bearer)


def pin_integration(spec: dict[str, Any], mc: McCreds) -> dict[str, Any]:
    """`v2/token` as the target's server integration sends it: its id and secret, any scope or account id."""
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["grant_type", "client_id", "client_secret"],
        "properties": {
            "grant_type": {"const": "client_credentials"},
            "client_id": {"const": mc.client_id},
            "client_secret": {"const": mc.client_secret},
            "scope": {"type": "string"},
            "account_id": {"type": "string", "pattern": "^[0-9]{1,10}$"},
        },
    }
    content = spec["paths"]["/v2/token"]["post"]["requestBody"]["content"]
    for media in content:
        content[media] = {"schema": schema}
    return spec


def test_token_with_the_integration_conforms(target: Target, mc: McCreds) -> None:
    from .schema_runs import load, run_operation, spec_for

    spec = pin_integration(spec_for("marketing", target), mc)
    failures = run_operation(load(spec, mc.base), "mcToken", target, mc.base)
    assert not failures, "mcToken (pinned credentials) does not conform to marketing.yaml:\n" + "\n".join(failures)
