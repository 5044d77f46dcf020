"""A failing check's report shows the repr of its fixtures (the target, the credentials) and what schemathesis found:
no secret may be in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hypothesis
from hypothesis import strategies as st
from starlette.types import ASGIApp, Receive, Scope, Send

from contracts.suite.failure_text import describe
from contracts.suite.support import B2cCreds, McCreds, OwnCreds, SfApp, SfCreds, Target
from mockown import Config, create_app

from .support import run_suite, threaded_server
from .test_broken_variants import replayed, rewrite_token_json, whole_body

SECRET = "s3cr3t-do-not-print"


def _secret(n: int) -> str:
    return f"{SECRET}-{n}"


def test_no_secret_is_in_a_repr() -> None:
    app = SfApp("3MVG9client", _secret(1), "http://localhost/cb")
    shown = [
        SfCreds(app=app, username="u@x.test", password=_secret(2), refresh_token=_secret(3), apps={"a": app}),
        OwnCreds(
            api_token=_secret(4),
            auth_url="https://a",
            api_url="https://b",
            password=_secret(5),
            spare_password=_secret(6),
        ),
        McCreds(base="https://mc", client_id="mc-client", client_secret=_secret(7)),
        B2cCreds(
            am_client_id="am",
            am_client_secret=_secret(8),
            private_client_id="p",
            private_client_secret=_secret(9),
            shopper_login="s@x.test",
            shopper_password=_secret(10),
        ),
        Target(url="http://t", profile="real", api="all", allow_writes=False, max_examples=5, admin_token=_secret(11)),
    ]
    leaks = [repr(value) for value in shown if SECRET in repr(value)]
    assert leaks == []
    # what is not secret still is shown (the report stays useful)
    assert "3MVG9client" in repr(shown[0]) and "u@x.test" in repr(shown[0]) and "mc-client" in repr(shown[2])


def record_credentials(app: ASGIApp, seen: set[str]) -> ASGIApp:
    """Add to `seen` every credential a token request sends (form or JSON body), passing the request through."""
    from urllib.parse import parse_qsl

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/token"):
            await app(scope, receive, send)
            return
        body = await whole_body(receive)
        try:
            fields = json.loads(body)
        except ValueError:
            fields = dict(parse_qsl(body.decode("latin-1")))
        if isinstance(fields, dict):
            seen.update(str(fields[k]) for k in ("password", "client_secret", "refresh_token") if fields.get(k))

        await app(scope, replayed(body), send)

    return wrapper


def test_a_failing_schema_check_shows_no_credential_nor_token(tmp_path: Path) -> None:
    """Token answers break their schema (`token_type` a number); the failing checks' report, in the terminal and the
    JUnit XML, names the failure but shows neither what the suite logged in with nor the tokens it got."""
    seen: set[str] = set()

    def change(status: int, body: dict[str, Any]) -> None:
        if status == 200 and "access_token" in body:
            seen.update(str(body[k]) for k in ("access_token", "refresh_token") if k in body)
            body["token_type"] = 42

    app: ASGIApp = create_app(Config())
    for path in ("/services/oauth2/token", "*/v2/token"):  # Salesforce's, Marketing Cloud's
        app = rewrite_token_json(app, change, path)
    junit = tmp_path / "junit.xml"
    checks = ["test_stateful_token_introspect_revoke", "test_token_with_the_integration_conforms"]
    with threaded_server(record_credentials(app, seen)) as url:
        run = run_suite(url, ["-k", " or ".join(checks)], junit)

    assert {run.outcomes.get(name) for name in checks} == {"failed"}, run.output[-3000:]
    assert "ST108 Response violates schema: at /token_type" in run.output  # the report still says what broke
    assert len(seen) >= 4  # the login's password and secret, MC's secret, a token: there was something to leak
    shown = run.output + junit.read_text()
    assert [secret for secret in seen if secret in shown] == []
    assert "Reproduce with" not in shown and "curl" not in shown


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@hypothesis.given(body=st.dictionaries(st.text(max_size=8), JSON, max_size=4), key=st.sampled_from(
    ["access_token", "refresh_token", "client_secret", "password", "signature", "sessionId", "code", "id_token"]
))  # fmt: skip
def test_a_schema_failure_line_never_shows_a_credential(body: dict[str, Any], key: str) -> None:
    """Whatever the body and wherever the schema breaks, the line shows no string held under a credential's key."""
    import jsonschema_rs
    from schemathesis.core.failures import FailureGroup
    from schemathesis.openapi.checks import JsonSchemaError

    body = {**body, key: SECRET, "nested": {key: SECRET}}
    schema = {"type": "object", "properties": {k: {"type": "null"} for k in body}, "required": ["missing"]}
    errors = list(jsonschema_rs.validator_for(schema).iter_errors(body))
    failures = [JsonSchemaError.from_exception(operation="op", exc=exc, root_schema=schema) for exc in errors]
    lines = describe(FailureGroup(failures))
    assert len(lines) == len(errors) and all(line.startswith("ST108 Response violates schema: at ") for line in lines)
    assert [line for line in lines if SECRET in line] == []
