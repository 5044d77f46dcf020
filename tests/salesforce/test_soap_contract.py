"""The SOAP operations of contracts/salesforce.yaml (`x-soap-faults`): their HTTP 500 faults pass the contract
suite's server-error check only as client-side SOAP faults; the plain `not_a_server_error` would refuse them."""

from __future__ import annotations

from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from starlette.applications import Starlette

from contracts.suite.schema_runs import CHECKS, soap_client_fault
from tests.salesforce.test_soap_fuzz import SOAPENV


def _run(app: Starlette, operation_id: str, checks: list[Any]) -> tuple[set[int], list[str]]:
    schema = schemathesis.openapi.from_asgi("/_mockown/openapi/salesforce.yaml", app)
    operation = schema.find_operation_by_id(operation_id)
    statuses: set[int] = set()
    failures: list[str] = []

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(max_examples=10, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(hypothesis.HealthCheck))  # fmt: skip
    def check(case: Any) -> None:
        response = case.call()
        statuses.add(response.status_code)
        try:
            case.validate_response(response, checks=checks)
        except BaseException as exc:  # schemathesis raises an exception group
            failures.append(type(exc).__name__)

    check()
    return statuses, failures


@pytest.mark.parametrize("operation_id", ["soapPartner", "soapEnterprise"])
def test_soap_operations_conform_with_their_faults(app: Starlette, operation_id: str) -> None:
    statuses, failures = _run(app, operation_id, CHECKS)
    assert 500 in statuses and not failures
    _, plain = _run(app, operation_id, [not_a_server_error])
    assert plain  # without the SOAP rule, the same answers are server errors


def _response(body: str, status: int = 500) -> httpx.Response:
    return httpx.Response(status, content=body.encode(), headers={"Content-Type": "text/xml"})


def _fault(code: str) -> str:
    return (f'<e:Envelope xmlns:e="{SOAPENV}"><e:Body><e:Fault><faultcode>{code}</faultcode>'
            "<faultstring>x</faultstring></e:Fault></e:Body></e:Envelope>")  # fmt: skip


@pytest.mark.parametrize(
    ("body", "ok"),
    [
        (_fault("sf:INVALID_LOGIN"), True),
        (_fault("soapenv:Client"), True),
        (_fault("UNKNOWN_EXCEPTION"), True),  # XML the parser refuses (Salesforce's code, unprefixed)
        (_fault("UNKNOWN_EXCEPTION_X"), False),
        (_fault("soapenv:VersionMismatch"), True),
        (_fault("soapenv:Server"), False),  # the crash render
        (_fault(""), False),
        ('{"error": "server_error"}', False),
        ("<not-closed>", False),
        (f'<e:Envelope xmlns:e="{SOAPENV}"><e:Body/></e:Envelope>', False),
    ],
)
def test_soap_client_fault(body: str, ok: bool) -> None:
    assert soap_client_fault(_response(body)) is ok
