"""Own settings for the spec's proposals that ask for a switch (own-api.md §10): U19 'Rate limits: none by default.
Optionally a configurable per-token limit returning HTTP 429 {"error":"Too Many Requests","message":"…"} with
Retry-After'."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mockown import Config, FrozenClock
from mockown.config import ConfigError
from mockown.own.service import OwnService
from tests.own.conftest import OWNER, TOKEN_URL, exchange_form

Configured = Callable[..., tuple[httpx.Client, OwnService]]


def _access(client: httpx.Client, raw: str) -> dict[str, str]:
    response = client.post(TOKEN_URL, data=exchange_form(raw))
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_rate_limit_per_access_token(configured: Configured, clock: FrozenClock) -> None:
    client, own = configured(rate_limit_per_minute=3)
    clock.advance(15)  # 45 s left in this minute's window
    raw = own.generate_api_token(OWNER)
    first = _access(client, raw)
    for _ in range(3):
        assert client.get("/api/v1/services", headers=first).status_code == 200
    refused = client.get("/api/v1/services", headers=first)
    assert refused.status_code == 429
    assert refused.json() == {"error": "Too Many Requests", "message": "Rate limit exceeded: 3 requests per minute"}
    assert refused.headers["retry-after"] == "45"
    assert client.get("/api/v1/services/300001/backups", headers=first).status_code == 429  # every resource
    second = _access(client, raw)  # another access token has its own count
    assert client.get("/api/v1/services", headers=second).status_code == 200
    clock.advance(45)  # a new window
    assert client.get("/api/v1/services", headers=first).status_code == 200


def test_no_rate_limit_by_default(client: httpx.Client, own: OwnService) -> None:
    auth = _access(client, own.generate_api_token(OWNER))
    assert all(client.get("/api/v1/services", headers=auth).status_code == 200 for _ in range(50))


def test_a_negative_rate_limit_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"own\.rate_limit_per_minute"):
        Config.load(env={"MOCKOWN_OWN__RATE_LIMIT_PER_MINUTE": "-1"})


def test_the_429_is_in_the_contract_of_every_counted_operation(clock: FrozenClock) -> None:
    """contracts/own.yaml declares the 429 (`TooManyRequests`, with `Retry-After`) on every `/api/v1/` operation,
    the ones `authenticate` counts; a real 429 of the mock conforms to it (schemathesis's own checks)."""
    import schemathesis

    from mockown.http.inprocess import in_process_client
    from tests.own.conftest import make_app

    app = make_app(clock, rate_limit_per_minute=1)
    schema = schemathesis.openapi.from_asgi("/_mockown/openapi/own.yaml", app)
    counted = [op for op in schema.get_all_operations() if op.ok().path.startswith("/api/v1/")]
    assert len(counted) >= 20
    assert all("429" in op.ok().definition.raw["responses"] for op in counted)
    own: OwnService = app.state.runtime.own
    with in_process_client(app) as client:
        auth = _access(client, own.generate_api_token(OWNER))
    operation = schema["/api/v1/services"]["GET"]
    case = operation.Case(headers=auth)
    assert case.call().status_code == 200
    refused = case.call()
    assert refused.status_code == 429
    case.validate_response(refused)
    assert refused.headers["retry-after"] == ["60"]
