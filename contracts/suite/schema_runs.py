"""Schemathesis runs over the OpenAPI documents: stateless per operation, stateful through the links.

The checks are the conformance ones (no 5xx, documented status, content type, response schema). The
token operation of a stateful run is pinned (`const`) to the target's credentials, so every scenario
starts with a real token that the links then carry to introspection, revocation and the REST API; a
stateful check asserts that a token the run revoked never introspects as active again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .failure_text import describe
from .support import Target, for_profile, load_spec, operations

SOAP_ENV = "{http://schemas.xmlsoap.org/soap/envelope/}"


def soap_client_fault(response: Any) -> bool:
    """A well-formed SOAP 1.1 fault the client caused (`sf:*`, `UNKNOWN_EXCEPTION`: XML the parser refuses,
    `soapenv:Client`, `soapenv:VersionMismatch`), not a `soapenv:Server` one (the mock's crash render): the SOAP
    dialect's answer to bad input, with HTTP 500."""
    import xml.etree.ElementTree as ET

    try:
        fault = ET.fromstring(response.content).find(f"{SOAP_ENV}Body/{SOAP_ENV}Fault")
    except ET.ParseError:
        return False
    code = fault.findtext("faultcode") if fault is not None else None
    return bool(code) and (
        str(code).startswith(("sf:", "soapenv:Client", "soapenv:VersionMismatch")) or code == "UNKNOWN_EXCEPTION"
    )


def not_a_server_error_but_soap_faults(ctx: Any, response: Any, case: Any) -> bool | None:
    """`not_a_server_error`, except that an operation marked `x-soap-faults` may answer a SOAP client fault."""
    soap = case.operation.definition.raw.get("x-soap-faults")
    if soap and response.status_code == 500 and soap_client_fault(response):
        return None
    result: bool | None = not_a_server_error(ctx, response, case)
    return result


CHECKS = [not_a_server_error_but_soap_faults, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip


def settings(target: Target, *, stateful: bool = False) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=target.max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        stateful_step_count=6 if stateful else 50,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )


def spec_for(name: str, target: Target) -> dict[str, Any]:
    return for_profile(load_spec(name), target.profile)


def allowed(op: dict[str, Any], target: Target) -> str | None:
    """Why an operation is not run against this target (None: it is)."""
    if op.get("x-mockown-only") and not target.mock:
        return "exists on the mock only"
    if op.get("x-destructive") and not (target.mock or target.allow_writes):
        return "changes state on the real account (--allow-writes runs it)"
    return None


def load(spec: dict[str, Any], base_url: str, headers: dict[str, str] | None = None) -> Any:
    schema = schemathesis.openapi.from_dict(spec)
    schema.config.update(base_url=base_url, headers=headers or {})
    return schema


def assert_conforms(
    name: str,
    spec: dict[str, Any],
    operation_id: str,
    target: Target,
    base_for: Callable[[str], str],
    headers: dict[str, str] | None = None,
) -> None:
    """One operation of `name`.yaml, called on `base_for(its path)`: skipped when this target does not run it,
    else every generated case must pass the checks."""
    path, op = next((p, o) for p, _, o in operations(spec) if o["operationId"] == operation_id)
    reason = allowed(op, target)
    if reason:
        pytest.skip(f"{operation_id}: {reason}")
    base = base_for(path)
    failures = run_operation(load(spec, base, headers), operation_id, target, base)
    assert not failures, f"{operation_id} does not conform to {name}.yaml:\n" + "\n".join(failures)


def run_operation(schema: Any, operation_id: str, target: Target, base_url: str) -> list[str]:
    """Generate cases for one operation; return the check failures (one line each, deduplicated)."""
    import requests

    operation = schema.find_operation_by_id(operation_id)
    failures: dict[str, None] = {}
    session = requests.Session()

    @hypothesis.given(case=operation.as_strategy())
    @settings(target)
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, session=session)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, FailureGroup) as exc:  # a FailureGroup is a BaseExceptionGroup, not an Exception
            failures.update(dict.fromkeys(_summary(exc, response)))

    try:
        run()
    finally:
        session.close()
    return list(failures)


def _summary(exc: BaseException, response: Any) -> list[str]:
    """The failures as lines that show no credential (see failure_text), each cut at 400 characters."""
    return [f"{response.status_code}: {line}"[:400] for line in describe(exc)]


def run_stateful(
    schema: Any,
    target: Target,
    extra_check: Callable[[Any, Any], None] | None = None,
) -> list[str]:
    import requests

    failures: dict[str, None] = {}
    base = schema.as_state_machine()
    session = requests.Session()

    class Machine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"session": session}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            checks = [lambda: case.validate_response(response, checks=CHECKS)]
            if extra_check is not None:
                checks.append(lambda: extra_check(case, response))
            for check in checks:
                try:
                    check()
                except (Exception, FailureGroup) as exc:  # collected: the run goes on to the next step
                    lines = _summary(exc, response)
                    failures.update(dict.fromkeys(f"{case.operation.label} → {line}" for line in lines))

    try:
        Machine.run(settings=settings(target, stateful=True))
    finally:
        session.close()
    return list(failures)
