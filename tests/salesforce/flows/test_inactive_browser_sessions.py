"""A browser session of a user deactivated, or of an org locked, since the sign-in is no session: the home page,
the authorize pages (code and token), the consent form, the device verification page and a frontdoor one-time
password issued before all refuse it, as the password grant and a fresh login do (`inactive_user` /
`inactive_org`, spec 1.5). A locked org's session went on giving consent pages, codes, tokens and devices."""

from __future__ import annotations

import httpx
import pytest

from mockown import FrozenClock
from mockown.http.forms import Params
from mockown.runtime import Runtime
from mockown.salesforce import authorize as authz
from mockown.salesforce import device as dev
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET
from tests.salesforce.helpers import end_admin

from .support import TOKEN, csrf, hidden, location

CASES = ["deactivated-user", "locked-org"]
LOGGED_IN = f"You are logged in as {ADMIN}."


def _sign_in(client: httpx.Client) -> str:
    """Log the browser in on the login page; the page's anti-CSRF token."""
    token = csrf(client.get("/").text)
    r = client.post("/", data={"_csrf": token, "username": ADMIN, "password": PASSWORD})
    assert r.status_code == 302, r.text
    assert LOGGED_IN in client.get("/").text
    return token


def _authorize(client: httpx.Client, response_type: str, **extra: str) -> httpx.Response:
    query = {"response_type": response_type, "client_id": CID, "redirect_uri": CALLBACK, "state": "s", **extra}
    return client.get("/services/oauth2/authorize", params=query)


@pytest.mark.parametrize("case", CASES)
def test_the_home_and_authorize_pages_ask_for_a_login_again(client: httpx.Client, runtime: Runtime, case: str) -> None:
    _sign_in(client)
    assert _authorize(client, "code").status_code == 302  # the app is auto-approved: a code at once
    consent_pages = {rt: _authorize(client, rt, prompt="consent") for rt in ("code", "token")}
    assert all("Allow Access?" in page.text for page in consent_pages.values())
    end_admin(runtime, case)
    assert LOGGED_IN not in client.get("/").text
    for response_type, shown in consent_pages.items():
        for extra in ({}, {"prompt": "consent"}):
            page = _authorize(client, response_type, **extra)
            assert page.status_code == 200 and "Allow Access?" not in page.text
            assert "name='password'" in page.text  # the login page
        # the consent page shown before: allowing it now issues nothing
        form = {"_csrf": csrf(shown.text), "q": hidden(shown.text, "q"), "decision": "allow"}
        allowed = client.post("/services/oauth2/authorize/consent", data=form)
        assert allowed.status_code == 200 and "name='password'" in allowed.text, allowed.headers
        assert "location" not in allowed.headers


@pytest.mark.parametrize("case", CASES)
def test_the_device_page_connects_no_device(
    client: httpx.Client, runtime: Runtime, clock: FrozenClock, case: str
) -> None:
    token = _sign_in(client)
    started = client.post(TOKEN, data={"response_type": "device_code", "client_id": "PlatformCLI", "scope": "api"})
    user_code, device_code = started.json()["user_code"], started.json()["device_code"]
    end_admin(runtime, case)
    page = client.post("/setup/connect", data={"_csrf": token, "decision": "allow", "user_code": user_code})
    assert "Device Connected" not in page.text and "name='password'" in page.text
    clock.advance(10)
    poll = client.post(TOKEN, data={"grant_type": "device", "client_id": "PlatformCLI", "code": device_code})
    assert poll.status_code == 400 and "access_token" not in poll.json()


@pytest.mark.parametrize("case", CASES)
def test_a_frontdoor_password_issued_before_starts_no_session(
    client: httpx.Client, runtime: Runtime, case: str
) -> None:
    form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    tokens = client.post(TOKEN, data={**form, "password": PASSWORD, "scope": "api web"}).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    uri = client.post("/services/oauth2/singleaccess", headers=bearer).json()["frontdoor_uri"]
    end_admin(runtime, case)
    r = client.get(uri.replace("http://testserver", "") + "&retURL=/home")
    assert r.headers.get("location") != "/home"
    assert not any(h.startswith("sid=") and "Max-Age=0" not in h for h in r.headers.get_list("set-cookie"))
    assert LOGGED_IN not in client.get("/").text


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("response_type", ["code", "token"])
def test_approve_gives_such_a_user_the_token_endpoints_refusal(runtime: Runtime, case: str, response_type: str) -> None:
    """The rule itself, for whoever calls it: no code and no tokens for such a user, the error in the redirect."""
    service = runtime.salesforce
    params = {"response_type": response_type, "client_id": CID, "redirect_uri": CALLBACK, "state": "s"}
    req = authz.parse(service, Params(list(params.items())))
    end_admin(runtime, case)
    user = service.user_by_username(ADMIN)
    assert user is not None
    issued = authz.approve(service, req, user)
    expected = "inactive_user" if case == "deactivated-user" else "inactive_org"
    response = httpx.Response(302, headers={"location": issued.url})
    _, query, fragment = location(response)
    answer = query if response_type == "code" else fragment
    assert answer["error"] == expected and answer["state"] == "s"
    assert not {"code", "access_token"} & (set(query) | set(fragment))
    assert issued.user_id is None and issued.app_id is None


def test_device_decide_refuses_a_user_of_a_locked_org(client: httpx.Client, runtime: Runtime) -> None:
    started = client.post(TOKEN, data={"response_type": "device_code", "client_id": "PlatformCLI", "scope": "api"})
    end_admin(runtime, "locked-org")
    service = runtime.salesforce
    user = service.user_by_username(ADMIN)
    assert user is not None
    with pytest.raises(dev.DeviceError, match="locked"):
        dev.decide(service, started.json()["user_code"], user, allow=True)
