"""The device flow through the ASGI app: start, pending, slow_down, approval (control route and the
verification page), denial, expiry, reuse."""

from __future__ import annotations

import re

import httpx
import pytest

from mockown import FrozenClock
from mockown.runtime import Runtime
from tests.conftest import ADMIN, BASE, CID, PASSWORD

from .support import TOKEN, csrf, new_org

APPROVE = "/_mockown/salesforce/device/approve"


def start(client: httpx.Client, client_id: str = "PlatformCLI", **extra: str) -> httpx.Response:
    return client.post(TOKEN, data={"response_type": "device_code", "client_id": client_id, **extra})


def poll(client: httpx.Client, code: str, client_id: str = "PlatformCLI") -> httpx.Response:
    return client.post(TOKEN, data={"grant_type": "device", "client_id": client_id, "code": code})


def err(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]


def test_start_answers_salesforce_fields(client: httpx.Client) -> None:
    r = start(client, scope="refresh_token web api")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"device_code", "user_code", "verification_uri", "interval"}
    assert re.fullmatch(r"[A-Z0-9]{8}", body["user_code"])
    assert body["verification_uri"] == f"{BASE}/setup/connect" and body["interval"] == 5


def test_start_accepts_multipart_like_the_sf_cli(client: httpx.Client) -> None:
    files = {"response_type": (None, "device_code"), "client_id": (None, "PlatformCLI"), "scope": (None, "api")}
    assert client.post(TOKEN, files=files).status_code == 200


def test_start_failures(client: httpx.Client) -> None:
    assert err(start(client, client_id="nope")) == (400, "invalid_client_id")
    assert err(start(client, response_type="code_device")) == (400, "unsupported_response_type")
    assert err(start(client, scope="bogus")) == (400, "invalid_scope")
    assert err(start(client, client_id=CID, client_secret="wrong")) == (400, "invalid_client")


def test_full_flow_with_control_approval(client: httpx.Client, clock: FrozenClock) -> None:
    body = start(client, scope="refresh_token web api").json()
    assert err(poll(client, body["device_code"])) == (400, "authorization_pending")
    clock.advance(5)
    assert err(poll(client, body["device_code"])) == (400, "authorization_pending")
    approved = client.post(APPROVE, json={"user_code": body["user_code"].lower(), "username": ADMIN})
    assert approved.json() == {"user_code": body["user_code"], "username": ADMIN, "status": "approved"}
    clock.advance(5)
    tokens = poll(client, body["device_code"])
    assert tokens.status_code == 200, tokens.text
    assert {"access_token", "refresh_token", "signature", "scope", "instance_url", "id", "issued_at"} <= set(
        tokens.json()
    )
    assert err(poll(client, body["device_code"])) == (400, "invalid_grant")  # once only
    refreshed = client.post(
        TOKEN,
        data={
            "grant_type": "refresh_token",
            "client_id": "PlatformCLI",
            "refresh_token": tokens.json()["refresh_token"],
        },
    )
    assert refreshed.status_code == 200


def test_slow_down_grows_the_interval(client: httpx.Client, clock: FrozenClock) -> None:
    code = start(client).json()["device_code"]
    assert err(poll(client, code)) == (400, "authorization_pending")
    assert err(poll(client, code)) == (400, "slow_down")
    clock.advance(6)  # the interval is now 10 s
    assert err(poll(client, code)) == (400, "slow_down")  # and now 15 s (RFC 8628: +5 s each time)
    clock.advance(14)
    assert err(poll(client, code)) == (400, "slow_down")
    clock.advance(20)
    assert err(poll(client, code)) == (400, "authorization_pending")


def test_expiry(client: httpx.Client, clock: FrozenClock) -> None:
    body = start(client).json()
    clock.advance(600)
    assert poll(client, body["device_code"]).json() == {
        "error": "expired_token",
        "error_description": "device code expired",
    }
    assert client.post(APPROVE, json={"user_code": body["user_code"], "username": ADMIN}).status_code == 404


def test_denial(client: httpx.Client) -> None:
    body = start(client).json()
    r = client.post(APPROVE, data={"user_code": body["user_code"], "username": ADMIN, "decision": "deny"})
    assert r.json()["status"] == "denied"
    assert err(poll(client, body["device_code"])) == (400, "access_denied")
    assert err(poll(client, body["device_code"])) == (400, "invalid_grant")


def test_poll_failures(client: httpx.Client, runtime: Runtime) -> None:
    code = start(client).json()["device_code"]
    assert err(poll(client, "not-a-code")) == (400, "invalid_grant")
    assert err(client.post(TOKEN, data={"grant_type": "device", "client_id": "PlatformCLI"})) == (400, "invalid_grant")
    other = new_org(runtime)["app"]["client_id"]
    assert err(poll(client, code, client_id=other)) == (400, "invalid_grant")  # another app's code
    assert err(poll(client, code, client_id="nope")) == (400, "invalid_client_id")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"user_code": "ZZZZZZZZ", "username": ADMIN}, 404),
        ({"user_code": "x", "username": "nobody@x.test"}, 404),
        ({"user_code": "x", "username": ADMIN, "decision": "maybe"}, 400),
    ],
)
def test_control_approval_errors(client: httpx.Client, body: dict[str, str], status: int) -> None:
    r = client.post(APPROVE, json=body)
    assert r.status_code == status and set(r.json()) == {"error", "message"}


@pytest.mark.parametrize(
    ("body", "missing"),
    [({}, "user_code"), ({"user_code": "ZZZZZZZZ"}, "username"), ({"username": ADMIN}, "user_code"),
     ({"user_code": "", "username": ADMIN}, "user_code"), ({"user_code": "ZZZZZZZZ", "username": ""}, "username")],
)  # fmt: skip
def test_control_approval_names_a_missing_field(client: httpx.Client, body: dict[str, str], missing: str) -> None:
    """The contract's DeviceDecision requires user_code and username: without one, a 400 naming it (it was a 404
    "no such user", as if the user had been looked for)."""
    for answer in (client.post(APPROVE, json=body), client.post(APPROVE, data=body)):
        assert answer.status_code == 400, answer.text
        assert answer.json() == {"error": "invalid_request", "message": f"{missing} is required"}


def test_approval_by_a_user_of_another_org(client: httpx.Client, runtime: Runtime) -> None:
    other = new_org(runtime)
    body = start(client).json()
    r = client.post(APPROVE, json={"user_code": body["user_code"], "username": other["username"]})
    assert r.status_code == 404 and "another organization" in r.json()["message"]


def test_verification_page(client: httpx.Client, clock: FrozenClock) -> None:
    body = start(client, scope="api refresh_token").json()
    page = client.get("/setup/connect")
    assert page.status_code == 200 and "Log In" in page.text
    bad = client.post(
        "/setup/connect",
        data={"_csrf": csrf(page.text), "action": "login", "username": ADMIN, "password": "wrong", "user_code": ""},
    )
    assert "Please check your username and password" in bad.text
    logged = client.post(
        "/setup/connect",
        data={"_csrf": csrf(bad.text), "action": "login", "username": ADMIN, "password": PASSWORD, "user_code": ""},
    )
    assert "Enter the code" in logged.text and "sid" in client.cookies
    wrong = client.post("/setup/connect", data={"_csrf": csrf(logged.text), "action": "code", "user_code": "NOPE1234"})
    assert "Invalid or expired code" in wrong.text
    consent = client.post(
        "/setup/connect", data={"_csrf": csrf(wrong.text), "action": "code", "user_code": body["user_code"]}
    )
    assert "Allow Access?" in consent.text and "Salesforce CLI" in consent.text
    assert err(poll(client, body["device_code"])) == (400, "authorization_pending")
    done = client.post(
        "/setup/connect", data={"_csrf": csrf(consent.text), "user_code": body["user_code"], "decision": "allow"}
    )
    assert "Device Connected" in done.text
    clock.advance(5)
    assert poll(client, body["device_code"]).status_code == 200
    again = client.post(
        "/setup/connect", data={"_csrf": csrf(consent.text), "user_code": body["user_code"], "decision": "allow"}
    )
    assert "Invalid or expired code" in again.text


def test_verification_page_needs_csrf(client: httpx.Client) -> None:
    client.get("/setup/connect")
    r = client.post("/setup/connect", data={"action": "login", "username": ADMIN, "password": PASSWORD})
    assert r.status_code == 403 and "sid" not in client.cookies


@pytest.mark.parametrize("instant", [-10.0, 0.0, 1.0])  # 0.0: the last poll was taken for "never polled"
def test_slow_down_at_any_clock_instant(client: httpx.Client, clock: FrozenClock, instant: float) -> None:
    clock.set(instant)
    code = start(client).json()["device_code"]
    assert [err(poll(client, code))[1] for _ in range(3)] == ["authorization_pending", "slow_down", "slow_down"]


@pytest.mark.parametrize(("stored", "polled_at"), [(0.0, None), (1767225600.0, 1767225600.0)])
def test_an_older_rows_last_poll_is_read(stored: float, polled_at: float | None) -> None:
    """Older versions kept `last_poll`, 0.0 for never polled (a poll at the epoch read so too): their state files
    and snapshots restore with it as `polled_at`, never written again."""
    from mockown.salesforce.models import DeviceCode
    from mockown.store import from_dict, to_dict

    row = {"id": "h", "user_code": "ABCD-EFGH", "org_id": "00D5g000004MockEAC", "app_id": "a", "scopes": [],
           "issued_at": 0.0, "expires_at": 1.0, "interval": 5.0, "last_poll": stored}  # fmt: skip
    device = from_dict(DeviceCode, row)
    assert device.polled_at == polled_at
    assert to_dict(device)["last_poll"] == 0.0 and to_dict(from_dict(DeviceCode, to_dict(device))) == to_dict(device)
