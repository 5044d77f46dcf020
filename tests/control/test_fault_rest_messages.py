"""A fault rule's `error` without a `message` on the REST API answers with the text the API sends for that code,
in the REST dialect's content type. Before, the HTTP reason phrase stood beside the code:
`[{"message": "Not Found", "errorCode": "NOT_FOUND"}]`, where the API (and mockown's own 404) says "The requested
resource does not exist". A rule's own `message`, and a code mockown does not know, keep their text."""

from __future__ import annotations

import httpx
import pytest

from .helpers import access_token

REST = "/services/data/v62.0/limits"


def _answer(client: httpx.Client, rule: dict[str, object]) -> httpx.Response:
    token = access_token(client)
    added = client.post("/_mockown/faults", json={"path": "/services/data/*", **rule})
    assert added.status_code == 201, added.text
    return client.get(REST, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (404, "NOT_FOUND", "The requested resource does not exist"),
        (401, "INVALID_SESSION_ID", "Session expired or invalid"),
        (403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    ],
)
def test_an_error_alone_takes_the_codes_own_text(client: httpx.Client, status: int, code: str, message: str) -> None:
    response = _answer(client, {"status": status, "error": code})
    assert response.status_code == status
    assert response.json() == [{"message": message, "errorCode": code}]
    assert response.headers["content-type"] == "application/json;charset=UTF-8"


def test_the_same_as_the_apis_own_404(client: httpx.Client) -> None:
    token = access_token(client)
    own = client.get("/services/data/v62.0/sobjects/NoSuchThing__c", headers={"Authorization": f"Bearer {token}"})
    assert own.status_code == 404, own.text
    assert _answer(client, {"status": 404, "error": own.json()[0]["errorCode"]}).json() == own.json()


@pytest.mark.parametrize(
    ("rule", "body"),
    [
        ({"status": 404, "error": "NOT_FOUND", "message": "gone"}, [{"message": "gone", "errorCode": "NOT_FOUND"}]),
        ({"status": 409, "error": "CUSTOM_CODE"}, [{"message": "Conflict", "errorCode": "CUSTOM_CODE"}]),
    ],
)
def test_a_message_given_or_an_unknown_code_keeps_its_text(
    client: httpx.Client, rule: dict[str, object], body: list[dict[str, str]]
) -> None:
    response = _answer(client, rule)
    assert response.json() == body
    assert response.headers["content-type"] == "application/json;charset=UTF-8"


def test_a_body_of_the_rules_own_has_a_json_content_type(client: httpx.Client) -> None:
    response = _answer(client, {"status": 404, "body": [{"message": "x", "errorCode": "NOT_FOUND"}]})
    assert response.json() == [{"message": "x", "errorCode": "NOT_FOUND"}]
    assert response.headers["content-type"].split(";")[0] == "application/json"
