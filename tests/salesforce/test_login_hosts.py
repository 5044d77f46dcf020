"""The login hosts serve one kind of org each (spec 1.1): login.salesforce.com production orgs, test.salesforce.com
sandboxes; the other kind's user is unknown there, an `authentication failure` as a wrong password (the most common
misconfiguration: a sandbox user at login.salesforce.com). A code or a refresh token is redeemed only on a host that
serves its org (the codes and tokens of another org's My Domain are unknown there alike), a session is no session on
the other kind's login host, and a JWT bearer `aud` must be the login host of the org's kind (`audience is invalid`,
Talend/components#1423). The mock let every org sign in on both; `allow_any_org_on_login_hosts` still does."""

from __future__ import annotations

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET
from tests.salesforce.flows.support import JWT_BEARER, KEYS, assertion
from tests.salesforce.helpers import TOKEN, location_params

LOGIN, TEST = "login.salesforce.com", "test.salesforce.com"
SBX = {"client_id": "SbxApp", "client_secret": "SbxSecret", "username": "u@sbx.test", "password": "Sbx-Passw0rd"}
DEMO = {"client_id": CID, "client_secret": SECRET, "username": ADMIN, "password": PASSWORD}
FAILURE = {"error": "invalid_grant", "error_description": "authentication failure"}


def seed_sandbox(client: httpx.Client) -> None:
    app = {
        "client_id": SBX["client_id"],
        "client_secret": SBX["client_secret"],
        "callback_urls": [CALLBACK],
        "scopes": ["api", "refresh_token"],
        "jwt_certificate": (KEYS / "jwt-bearer.crt").read_text(),
        "pre_approved_users": ["*"],
    }
    org = {"is_sandbox": True, "users": [{"username": SBX["username"], "password": SBX["password"]}], "apps": [app]}
    assert client.post("/_mockown/seed", json={"salesforce": {"orgs": [org]}}).status_code == 201


@pytest.fixture
def sandboxed(client: httpx.Client) -> httpx.Client:
    seed_sandbox(client)
    return client


def password(client: httpx.Client, who: dict[str, str], host: str) -> httpx.Response:
    return client.post(TOKEN, data={"grant_type": "password", **who}, headers={"Host": host})


def code_tokens_at(client: httpx.Client, who: dict[str, str], host: str) -> dict[str, str]:
    """A code of `who` from the authorize endpoint at `host`, and the exchange's form (without a host)."""
    query = {"response_type": "code", "client_id": who["client_id"], "redirect_uri": CALLBACK}
    query.update(login_hint=who["username"], scope="api refresh_token")
    code = location_params(client.get("/services/oauth2/authorize", params=query, headers={"Host": host}))["code"]
    return {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, **_client(who)}


def _client(who: dict[str, str]) -> dict[str, str]:
    return {"client_id": who["client_id"], "client_secret": who["client_secret"]}


@pytest.mark.parametrize(
    ("who", "host", "served"),
    [(SBX, TEST, True), (SBX, LOGIN, False), (DEMO, LOGIN, True), (DEMO, TEST, False), (SBX, "testserver", True)],
    ids=["sandbox@test", "sandbox@login", "production@login", "production@test", "sandbox@mock"],
)
def test_the_password_grant_on_each_login_host(
    sandboxed: httpx.Client, who: dict[str, str], host: str, served: bool
) -> None:
    r = password(sandboxed, who, host)
    if served:
        assert r.status_code == 200, r.text
        assert r.json()["instance_url"] == f"http://{host}"
    else:
        assert (r.status_code, r.json()) == (400, FAILURE)


@pytest.mark.parametrize(("who", "own", "other"), [(SBX, TEST, LOGIN), (DEMO, LOGIN, TEST)], ids=["sandbox", "prod"])
def test_a_code_and_its_refresh_token_are_redeemed_on_the_login_host_of_the_orgs_kind(
    sandboxed: httpx.Client, who: dict[str, str], own: str, other: str
) -> None:
    form = code_tokens_at(sandboxed, who, own)
    r = sandboxed.post(TOKEN, data=form, headers={"Host": other})
    assert r.json() == {"error": "invalid_grant", "error_description": "invalid authorization code"}
    r = sandboxed.post(TOKEN, data=form, headers={"Host": own})  # the refusal left it redeemable
    assert r.status_code == 200, r.text
    tokens = r.json()
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **_client(who)}
    r = sandboxed.post(TOKEN, data=form, headers={"Host": other})
    assert r.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    assert sandboxed.post(TOKEN, data=form, headers={"Host": own}).status_code == 200
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert sandboxed.get("/services/data/v62.0/limits", headers={**bearer, "Host": other}).status_code == 401
    assert sandboxed.get("/services/data/v62.0/limits", headers={**bearer, "Host": own}).status_code == 200


@pytest.mark.parametrize(
    ("who", "aud", "accepted"),
    [(SBX, TEST, True), (SBX, LOGIN, False), (DEMO, LOGIN, True), (DEMO, TEST, False)],
    ids=["sandbox-aud-test", "sandbox-aud-login", "production-aud-login", "production-aud-test"],
)
@pytest.mark.parametrize("host", ["testserver", "login", "test"])
def test_a_jwt_bearer_aud_is_the_login_host_of_the_orgs_kind(
    sandboxed: httpx.Client, who: dict[str, str], aud: str, accepted: bool, host: str
) -> None:
    """On any host, the mock's own address (whose URL is an accepted `aud` too) and the login hosts included."""
    token = assertion(iss=who["client_id"], sub=who["username"], aud=f"https://{aud}")
    headers = {"Host": f"{host}.salesforce.com"} if host != "testserver" else {}
    r = sandboxed.post(TOKEN, data={"grant_type": JWT_BEARER, "assertion": token}, headers=headers)
    if not accepted:
        assert r.json() == {"error": "invalid_grant", "error_description": "audience is invalid"}
    elif headers and headers["Host"] != aud:  # the right aud, at the other kind's login host
        assert r.json() == FAILURE
    else:
        assert r.status_code == 200, r.text


def test_allow_any_org_on_login_hosts_serves_every_org_on_both(clock: FrozenClock) -> None:
    config = Config().replace(salesforce={"allow_any_org_on_login_hosts": True})
    with in_process_client(create_app(config, clock=clock)) as client:
        seed_sandbox(client)
        for who in (SBX, DEMO):
            for host in (LOGIN, TEST):
                assert password(client, who, host).status_code == 200, (who["username"], host)
                form = code_tokens_at(client, who, host)
                other = TEST if host == LOGIN else LOGIN
                assert client.post(TOKEN, data=form, headers={"Host": other}).status_code == 200
                token = assertion(iss=who["client_id"], sub=who["username"], aud=f"https://{other}")
                r = client.post(TOKEN, data={"grant_type": JWT_BEARER, "assertion": token}, headers={"Host": host})
                assert r.status_code == 200, r.text
