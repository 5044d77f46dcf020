"""The revoke endpoint's 400 body, as jsforce reads it.

jsforce's `OAuth2.revokeToken` parses a failed revocation's body with Node's `querystring.parse` and raises an
Error named after its `error` (else `ERROR_HTTP_400` with the raw body): Salesforce answers the revoke endpoint's
errors urlencoded, `error=unsupported_token_type&error_description=this%20token%20type%20is%20not%20supported`
as observed on test.salesforce.com (omniphx/forrest#213), unlike the token endpoint's JSON. The default is that;
`revoke_error_format: json` keeps the JSON body for whoever wants it. The JSONP answer is unchanged.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx

from mockown import Config, FrozenClock, create_app
from mockown.config import SalesforceSettings
from mockown.http.inprocess import in_process_client

REVOKE = "/services/oauth2/revoke"


def querystring_parse(body: str) -> dict[str, str]:
    """What jsforce's `querystring.parse(response.body)` makes of a body (the last value of each key)."""
    return {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}


def test_an_unknown_token_is_refused_with_a_urlencoded_invalid_token(client: httpx.Client) -> None:
    r = client.post(REVOKE, data={"token": "not-a-token"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert querystring_parse(r.text) == {"error": "invalid_token", "error_description": "invalid token"}


def test_the_blind_get_and_a_missing_token_answer_the_same(client: httpx.Client) -> None:
    for r in (client.get(REVOKE, params={"token": "nope"}), client.post(REVOKE, data={})):
        assert r.status_code == 400
        assert querystring_parse(r.text)["error"] == "invalid_token"


def test_jsonp_is_unchanged(client: httpx.Client) -> None:
    r = client.get(REVOKE, params={"token": "nope", "callback": "done"})
    assert r.text == 'done({"error": "invalid_token"})'


def test_the_json_body_on_request() -> None:
    app = create_app(Config(salesforce=SalesforceSettings(revoke_error_format="json")), clock=FrozenClock())
    with in_process_client(app) as c:
        r = c.post(REVOKE, data={"token": "nope"})
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_token", "error_description": "invalid token"}
