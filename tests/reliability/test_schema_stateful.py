"""Stateful schemathesis runs through the OpenAPI links, in-process: token → introspect / revoke / REST /
userinfo (Salesforce) and API token → access token → services → backups → objects / events (Own). Every
response must conform to the contract, and a token a scenario revoked must never introspect as active again.

The token operations are pinned to the seeded credentials (a random body would never get a token, and the
links would have nothing to carry). `make test`: a few scenarios; `make soak`: 200.
"""

from __future__ import annotations

import copy
from typing import Any

import hypothesis
import schemathesis

from mockown import Config, FrozenClock, create_app
from tests.conftest import ADMIN, CID, PASSWORD, SECRET

from .support import OWNER, SOAK, examples
from .test_schema_fuzz import CHECKS, spec


def pinned_form(values: dict[str, str]) -> dict[str, Any]:
    return {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "additionalProperties": False,
                "required": sorted(values),
                "properties": {k: {"const": v} for k, v in values.items()},
            }
        }
    }


def machine_settings() -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=examples(12, 200),
        stateful_step_count=6,
        deadline=None,
        database=None,
        derandomize=not SOAK,
        suppress_health_check=list(hypothesis.HealthCheck),
    )


def run(document: dict[str, Any], app: Any, operations: list[str], extra: Any = None) -> None:
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    base = schema.include(operation_id=operations).as_state_machine()

    class Machine(base):  # type: ignore[misc, valid-type]
        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            app.state.runtime.control.faults.clear()
            case.validate_response(response, checks=CHECKS)
            if extra is not None:
                extra(case, response)

    Machine.run(settings=machine_settings())


class RevocationSticks:
    def __init__(self) -> None:
        self.revoked: set[str] = set()
        self.introspected_revoked = 0

    def __call__(self, case: Any, response: Any) -> None:
        body = case.body if isinstance(case.body, dict) else {}
        token = body.get("token")
        if case.operation.path == "/services/oauth2/revoke" and response.status_code == 200 and token:
            self.revoked.add(token)
        if case.operation.path == "/services/oauth2/introspect" and token in self.revoked:
            self.introspected_revoked += 1
            assert response.json().get("active") is not True, "a revoked token introspects as active"


def test_salesforce_links() -> None:
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    document = copy.deepcopy(spec("salesforce"))
    token = document["paths"]["/services/oauth2/token"]["post"]
    login = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    token["requestBody"]["content"] = pinned_form({**login, "password": PASSWORD})
    token.pop("parameters", None)
    intro = document["paths"]["/services/oauth2/introspect"]["post"]
    schema = intro["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    schema.setdefault("properties", {}).update({"client_id": {"const": CID}, "client_secret": {"const": SECRET}})
    schema["required"] = sorted({*schema.get("required", []), "client_id", "client_secret"})
    check = RevocationSticks()
    run(document, app, ["token", "introspect", "revoke", "limits", "userinfo"], check)


def test_own_links() -> None:
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    api_token = app.state.runtime.own.generate_api_token(OWNER[2])
    document = copy.deepcopy(spec("own"))
    exchange = document["paths"]["/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"]["post"]
    form = {"grant_type": "refresh_token", "client_id": "0oa4c413eq8wwcEzP4h7", "refresh_token": api_token}
    exchange["requestBody"]["content"] = pinned_form(form)
    run(
        document,
        app,
        ["exchangeApiToken", "listServices", "getService", "listBackups", "getBackup", "listObjects",
         "downloadObject", "listEvents", "listJobs", "getJob"],
    )  # fmt: skip
