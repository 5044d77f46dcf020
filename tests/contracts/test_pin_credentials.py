"""The stateful revocation check pins introspection's client authentication to the body's credentials: the
operation's `security` let schemathesis add a made-up `Authorization: Basic` beside them, a second client
authentication the server refuses (400) before it reads the token, so the check never saw an answer to judge."""

from __future__ import annotations

from contracts.suite.pinning import pin_credentials
from contracts.suite.support import SfApp, SfCreds, load_spec


def _creds(secret: str | None) -> SfCreds:
    return SfCreds(app=SfApp(client_id="cid", client_secret=secret), username="u@example.test", password="pw")


def test_introspection_sends_no_generated_authorization() -> None:
    spec = pin_credentials(load_spec("salesforce"), _creds("s3cret"))
    intro = spec["paths"]["/services/oauth2/introspect"]["post"]
    assert intro["security"] == [{}]  # no security scheme: no Authorization header is generated
    schema = intro["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert schema["properties"]["client_id"] == {"const": "cid"}
    assert schema["properties"]["client_secret"] == {"const": "s3cret"}


def test_the_token_operation_sends_only_the_login() -> None:
    spec = pin_credentials(load_spec("salesforce"), _creds("s3cret"))
    token = spec["paths"]["/services/oauth2/token"]["post"]
    schema = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["username"] == {"const": "u@example.test"}
