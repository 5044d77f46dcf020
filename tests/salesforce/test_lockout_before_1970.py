"""The lockout before 1970. `User.locked_until` 0.0 is "never locked" (its default, and what every state file and
snapshot holds for such a user), but the logins tested `locked_until > now`: with the clock before 1970 (allowed
from 0001-01-02) every user was locked out, on the token endpoint, SOAP login(), the login page and the dashboard.
One rule now, `User.locked(now)`, asked everywhere; the lockout itself still works there."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET, T0

TOKEN = "SecTok3nAdmin"  # the demo admin's security token (fixtures/default.yaml)
FORM = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
AUTHORIZE = "/services/oauth2/authorize"
BEFORE_1970 = ["1969-12-31T23:59:59Z", "1900-06-01T12:00:00Z", "0001-01-02T00:00:00Z"]


def password_grant(client: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    return client.post("/services/oauth2/token", data={**FORM, "password": password})


def soap_login(client: httpx.Client, password: str) -> httpx.Response:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"'
        ' xmlns:n1="urn:partner.soap.sforce.com"><env:Body><n1:login>'
        f"<n1:username>{ADMIN}</n1:username><n1:password>{password}</n1:password></n1:login></env:Body></env:Envelope>"
    )
    headers = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "login"}
    return client.post("/services/Soap/u/59.0", content=body, headers=headers)


def login_page(client: httpx.Client, password: str) -> httpx.Response:
    """Sign in on the authorize flow's login page."""
    page = client.get(AUTHORIZE, params={"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK})
    hidden = {html.unescape(k): html.unescape(v) for k, v in re.findall(r"name='([^']*)' value='([^']*)'", page.text)}
    return client.post(f"{AUTHORIZE}/login", data={**hidden, "username": ADMIN, "password": password})


def dashboard_says_locked(client: httpx.Client) -> bool:
    row = re.search(rf"<tr><td>{re.escape(ADMIN)}</td>.*?</tr>", client.get("/_mockown/ui").text)
    assert row is not None
    return "<td>locked</td>" in row.group(0)


def signs_in_everywhere(client: httpx.Client) -> None:
    answer = password_grant(client)
    assert answer.status_code == 200, answer.text
    assert soap_login(client, PASSWORD + TOKEN).status_code == 200
    assert login_page(client, PASSWORD).is_redirect
    assert not dashboard_says_locked(client)


@pytest.mark.parametrize("now", BEFORE_1970)
def test_before_1970_a_user_never_locked_signs_in_everywhere(now: str) -> None:
    with in_process_client(create_app(Config(), clock=FrozenClock(now))) as client:
        signs_in_everywhere(client)


@pytest.mark.parametrize("now", [*BEFORE_1970[:2], "1969-12-31T23:45:00Z"])  # the last: a lockout ending at 0.0
def test_before_1970_ten_failures_lock_out_for_15_minutes(now: str) -> None:
    clock = FrozenClock(now)
    with in_process_client(create_app(Config(), clock=clock)) as client:
        for _ in range(10):
            assert password_grant(client, "wrong").json()["error_description"] == "authentication failure"
        assert password_grant(client).json()["error_description"] == "authentication failure"  # right, but locked
        assert "sf:INVALID_LOGIN" in soap_login(client, PASSWORD + TOKEN).text
        assert "locked" in login_page(client, PASSWORD).text
        assert dashboard_says_locked(client)
        clock.advance("15m")
        signs_in_everywhere(client)


def test_a_snapshot_and_a_state_file_of_users_never_locked_sign_in_before_1970(tmp_path: Path) -> None:
    """Rows written with 0.0 (every version's "never locked") restore, and mean unlocked, at a clock before 1970."""
    with in_process_client(create_app(Config(), clock=FrozenClock(T0))) as client:
        snapshot = client.get("/_mockown/snapshot").json()
    assert {row["locked_until"] for row in snapshot["store"]["sf_users"]} == {0.0}
    with in_process_client(create_app(Config(), clock=FrozenClock(T0))) as client:
        assert client.post("/_mockown/restore", json=snapshot).status_code == 200
        assert client.post("/_mockown/clock", json={"set": BEFORE_1970[0]}).status_code == 200
        signs_in_everywhere(client)
    config = Config(state_file=str(tmp_path / "state.db"))
    first = create_app(config, clock=FrozenClock(T0))
    with in_process_client(first) as client:
        assert password_grant(client).status_code == 200
    first.state.runtime.store.close()
    second = create_app(config, clock=FrozenClock(T0))
    with in_process_client(second) as client:
        assert client.post("/_mockown/clock", json={"set": BEFORE_1970[0]}).status_code == 200
        signs_in_everywhere(client)
    second.state.runtime.store.close()
