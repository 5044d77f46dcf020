"""Schema conformance of B2C Commerce (`contracts/b2c.yaml`), one schemathesis run per operation.

The document spans three hosts: Account Manager (`/dwsso/...`), SLAS (`/shopper/...`) and an instance (BM grant,
OCAPI). The SLAS organization and the OCAPI site, version and client id are pinned to the target's, so generated
requests reach the endpoints' own rules rather than only the unknown-tenant answers.
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import B2cCreds, Target, operation_ids

pytestmark = [pytest.mark.b2c, pytest.mark.schema]


def base_for(path: str, b2c: B2cCreds) -> tuple[str | None, tuple[str, ...]]:
    """The base URL an operation is called on, and the credentials fields it needs."""
    if path.startswith("/dwsso/"):
        return b2c.am_url, ("am_client_id",)
    if path.startswith("/shopper/"):
        return b2c.slas_url, ("slas_url", "org_id")
    return b2c.instance_url, ("instance_url", "site", "ocapi_client_id")


def pin_target(spec: dict[str, Any], b2c: B2cCreds) -> dict[str, Any]:
    org = spec["components"]["parameters"]["org"]
    org["schema"] = {"const": b2c.org_id or "f_ecom_zzzz_000"}
    for path, item in spec["paths"].items():
        if not path.startswith("/s/"):
            continue
        for param in item.get("parameters", []):
            if param["name"] == "site":
                param["schema"] = {"const": b2c.site or "SiteGenesis"}
            elif param["name"] == "version":
                param["schema"] = {"const": b2c.ocapi_version}
            elif param["name"] == "x-dw-client-id":
                param["schema"] = {"const": b2c.ocapi_client_id or ""}
                param["required"] = True
            elif param["name"] == "client_id":
                param["schema"] = {"const": b2c.ocapi_client_id or ""}
    return spec


@pytest.mark.parametrize("operation_id", operation_ids("b2c"))
def test_operation_conforms(target: Target, b2c: B2cCreds, operation_id: str) -> None:
    from .schema_runs import assert_conforms, spec_for  # schemathesis loads only when a run needs it

    def base(path: str) -> str:
        url, needs = base_for(path, b2c)
        b2c.need(operation_id, *needs)
        assert url is not None
        return url

    assert_conforms("b2c", pin_target(spec_for("b2c", target), b2c), operation_id, target, base)
