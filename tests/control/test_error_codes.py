"""The control plane's errors share one vocabulary: `{"error": <snake_case code>, "message": <text>}`, also for the
errors it did not raise itself. Before, the router's 404 and 405 and the pipeline's 408 and 413 put the HTTP reason
phrase there ("Not Found", "Request Timeout"), next to the endpoints' `not_found` and `invalid_request` and the
device approval's `bad_request`. A path no API owns keeps its answer; other APIs keep their own dialects."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from tests.reliability.test_body_watch import TIMEOUT, _app, _parts, _post

BROKEN = {"content": b"{", "headers": {"Content-Type": "application/json"}}  # malformed JSON
SNAKE = re.compile(r"[a-z]+(?:_[a-z]+)*")


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("GET", "/_mockown/nope", {}, 404, "not_found"),
        ("GET", "/_mockown/faults/77", {}, 404, "not_found"),
        ("DELETE", "/_mockown/clock", {}, 405, "method_not_allowed"),
        ("PUT", "/_mockown/salesforce/device/approve", {}, 405, "method_not_allowed"),
        ("POST", "/_mockown/clock", {"json": {"advance": "soon"}}, 400, "invalid_request"),
        ("POST", "/_mockown/clock", BROKEN, 400, "invalid_request"),
        ("POST", "/_mockown/salesforce/device/approve", {"json": {}}, 400, "invalid_request"),
        ("POST", "/_mockown/salesforce/device/approve", BROKEN, 400, "invalid_request"),
        ("POST", "/_mockown/salesforce/device/approve", {"json": {"user_code": "X", "username": "nobody@x.test"}},
         404, "not_found"),
        ("GET", "/_mockown/openapi/nope.yaml", {}, 404, "not_found"),
    ],
)  # fmt: skip
def test_control_errors_carry_a_snake_case_code(
    client: httpx.Client, method: str, path: str, kwargs: dict[str, object], status: int, code: str
) -> None:
    response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message"} and body["message"]
    assert SNAKE.fullmatch(body["error"]) and body["error"] == code


def test_a_body_that_stalls_is_a_request_timeout_in_the_control_dialect() -> None:
    status, body = asyncio.run(_post(_app(), "/_mockown/seed", _parts("/_mockown/seed"), pause=TIMEOUT * 2))
    assert status == 408, body
    assert httpx.Response(status, content=body).json()["error"] == "request_timeout"


def test_a_body_over_the_limit_is_payload_too_large(client: httpx.Client) -> None:
    response = client.post("/_mockown/clock", content=b"x", headers={"Content-Length": str(2**40)})
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "payload_too_large"


def test_other_apis_keep_their_dialects(client: httpx.Client) -> None:
    rest = client.get("/services/data/v62.0/nope")
    assert rest.status_code == 404 and rest.json()[0]["errorCode"] == "NOT_FOUND"
    own = client.get("/api/v1/nope")
    assert own.status_code == 404 and own.json()["error"] == "Not Found"
    nobody = client.get("/nobody-serves-this")
    assert nobody.status_code == 404 and nobody.json()["error"] == "Not Found"
