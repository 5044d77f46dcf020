"""Schema conformance of the Salesforce endpoints (`contracts/salesforce.yaml`), stateless and stateful."""

from __future__ import annotations

from typing import Any

import pytest

from .pinning import pin_credentials
from .support import SfCreds, Target, operation_ids

pytestmark = [pytest.mark.salesforce, pytest.mark.schema]


@pytest.fixture(scope="module")
def bearer(target: Target, sf: SfCreds) -> dict[str, str]:
    """A live access token for the operations that need one (fetched once per module)."""
    import httpx

    with httpx.Client(base_url=target.url, timeout=30.0) as http:
        response = http.post("/services/oauth2/token", data=sf.login_form())
    assert response.status_code == 200, f"login failed: {response.text[:300]}"
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize("operation_id", operation_ids("salesforce"))
def test_operation_conforms(target: Target, bearer: dict[str, str], operation_id: str) -> None:
    from .schema_runs import assert_conforms, spec_for  # schemathesis loads only when a run needs it

    assert_conforms("salesforce", spec_for("salesforce", target), operation_id, target, lambda _: target.url, bearer)


class RevocationSticks:
    """Stateful check: once the run revoked a token (200), introspection must never call it active."""

    def __init__(self) -> None:
        self.revoked: set[str] = set()
        self.checked = 0  # introspections of a revoked token that answered 200 (the check saw an answer)

    def __call__(self, case: Any, response: Any) -> None:
        body = case.body if isinstance(case.body, dict) else {}
        token = body.get("token")
        if case.operation.path == "/services/oauth2/revoke" and response.status_code == 200 and token:
            self.revoked.add(token)
        introspected = case.operation.path == "/services/oauth2/introspect" and token in self.revoked
        if introspected and response.status_code == 200:
            self.checked += 1
            if response.json().get("active") is True:
                raise AssertionError(f"a revoked token introspects as active: {token[:12]}…")


def revoke_then_introspect(target: Target, sf: SfCreds) -> str | None:
    """The check's deterministic step (a generated run may never introspect after a revoke): a fresh access token,
    revoked, must introspect as inactive. Returns the failure, or None."""
    with target.client() as http:
        login = http.post("/services/oauth2/token", data=sf.login_form())
        assert login.status_code == 200, f"login failed: {login.text[:300]}"
        token = login.json()["access_token"]
        revoked = http.post("/services/oauth2/revoke", data={"token": token})
        if revoked.status_code != 200:
            return f"revoke of a live access token answered {revoked.status_code}: {revoked.text[:300]}"
        form = {"token": token, "client_id": sf.app.client_id, "client_secret": sf.app.client_secret or ""}
        answer = http.post("/services/oauth2/introspect", data=form)
    if answer.status_code != 200:
        return f"introspection of the revoked token answered {answer.status_code}: {answer.text[:300]}"
    if answer.json().get("active") is not False:
        return f"a revoked token introspects as active (revoke said 200): {answer.text[:300]}"
    return None


def test_stateful_token_introspect_revoke(target: Target, sf: SfCreds) -> None:
    """token → introspect → revoke → introspect (and token → REST, userinfo) through the spec's links; then, always,
    a revoked token introspects as inactive."""
    from .schema_runs import load, run_stateful, spec_for

    spec = pin_credentials(spec_for("salesforce", target), sf)
    schema = load(spec, target.url).include(operation_id=["token", "introspect", "revoke", "limits", "userinfo"])
    failures = run_stateful(schema, target, RevocationSticks())
    if sf.app.client_secret:  # introspection authenticates the app
        failures += [f"revoke → introspect: {problem}" for problem in [revoke_then_introspect(target, sf)] if problem]
    assert not failures, "stateful run through the links failed:\n" + "\n".join(failures)
