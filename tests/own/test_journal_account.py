"""The Own account the journal and the fault rules tie a request to, for the requests that carry no Bearer token nor
an exchange's API token: the legacy session API (login by e-mail, calls and logout by `X-SESSION-ID`) and Okta's
`/v1/revoke` (its `token`). Without it an account-scoped fault rule never fired on them, and `?account=` missed them."""

from __future__ import annotations

import httpx
import pytest

from mockown.own.service import OwnService
from mockown.own.tokens import REVOKE_PATH
from tests.own.conftest import CLIENT_ID, EMAILS, OWNER, PASSWORDS, TOKEN_URL, exchange_form

OTHER_EMAIL, OTHER_PASSWORD = "other@journal-account.test", "0therPassw0rd!"
LOGIN = "/api/auth/v1/login"


def _other_account(client: httpx.Client) -> str:
    doc = {"own": {"accounts": [{"name": "Other", "users": [{"email": OTHER_EMAIL, "password": OTHER_PASSWORD}]}]}}
    r = client.post("/_mockown/seed", json=doc)
    assert r.status_code in (200, 201), r.text
    return str(r.json()["own"]["accounts"][0]["id"])


def _account_of(own: OwnService, user_id: int) -> str:
    user = own.user(user_id)
    assert user is not None
    return str(user.account_id)


def _session(client: httpx.Client, email: str, password: str) -> dict[str, str]:
    r = client.post(LOGIN, data={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"X-SESSION-ID": r.json()["session_id"]}


def _only_entry(client: httpx.Client, method: str, url: str, **request: object) -> dict[str, object]:
    """The journal entry of this one request (the journal cleared before it)."""
    client.delete("/_mockown/journal")
    client.request(method, url, **request)  # type: ignore[arg-type]
    (entry,) = client.get("/_mockown/journal").json()["entries"]
    return dict(entry)


@pytest.mark.parametrize(
    ("url", "where", "upper"),
    [
        (LOGIN, "data", False),
        (LOGIN, "params", True),
        (LOGIN, "json", False),
        ("/regions/app1" + LOGIN + "/", "data", False),
    ],
    ids=["form", "query upper-case", "json", "region prefix and slash"],
)
def test_a_legacy_login_is_journaled_under_the_users_account(
    client: httpx.Client, own: OwnService, url: str, where: str, upper: bool
) -> None:
    other = _other_account(client)
    for email, password, account in ((EMAILS[OWNER], PASSWORDS[OWNER], _account_of(own, OWNER)),
                                     (OTHER_EMAIL, OTHER_PASSWORD, other)):  # fmt: skip
        sent = {"email": email.upper() if upper else email, "password": password}
        entry = _only_entry(client, "POST", url, **{where: sent})
        assert entry["status"] == 200
        assert (entry["account"], entry["user"]) == (account, email)


def test_a_login_with_an_unknown_email_names_no_account(client: httpx.Client) -> None:
    entry = _only_entry(client, "POST", LOGIN, data={"email": "nobody@x.test", "password": "x"})
    assert (entry["status"], entry["account"]) == (401, None)


def test_an_email_elsewhere_names_no_account(client: httpx.Client) -> None:
    """Only the legacy login's `email` is an Own user's: another endpoint's is someone else's (a GDPR subject)."""
    entry = _only_entry(client, "GET", "/api/v1/services", params={"email": EMAILS[OWNER]})
    assert (entry["status"], entry["account"]) == (401, None)


def test_session_calls_and_logout_are_journaled_under_the_sessions_account(
    client: httpx.Client, own: OwnService
) -> None:
    other = _other_account(client)
    for email, password, account in ((EMAILS[OWNER], PASSWORDS[OWNER], _account_of(own, OWNER)),
                                     (OTHER_EMAIL, OTHER_PASSWORD, other)):  # fmt: skip
        session = _session(client, email, password)
        # a GET with no parameter and no Authorization: the journal's fast path must not pass it over
        entry = _only_entry(client, "GET", "/api/v1/services", headers=session)
        assert (entry["status"], entry["account"], entry["user"]) == (200, account, email)
        padded = {"X-SESSION-ID": f" {session['X-SESSION-ID']} "}  # the Own API strips it: so does the journal
        entry = _only_entry(client, "GET", "/api/v1/jobs", headers=padded)
        assert (entry["status"], entry["account"]) == (200, account)
        entry = _only_entry(client, "POST", "/api/auth/v1/logout", headers=session)
        assert (entry["status"], entry["account"]) == (200, account)
    forged = _only_entry(client, "GET", "/api/v1/services", headers={"X-SESSION-ID": "forged"})
    assert (forged["status"], forged["account"]) == (401, None)


def test_revoke_is_journaled_under_the_tokens_account(client: httpx.Client, own: OwnService) -> None:
    account = _account_of(own, OWNER)
    raw = own.generate_api_token(OWNER)
    access = client.post(TOKEN_URL, data=exchange_form(raw)).json()["access_token"]
    for token in (access, raw):  # an access token, then the API token itself
        entry = _only_entry(client, "POST", REVOKE_PATH, data={"token": token, "client_id": CLIENT_ID})
        assert (entry["status"], entry["account"], entry["user"]) == (200, account, EMAILS[OWNER])
        assert entry["params"]["token"] == "[redacted]"  # type: ignore[index]
    unknown = _only_entry(client, "POST", REVOKE_PATH, data={"token": "nope", "client_id": CLIENT_ID})
    assert (unknown["status"], unknown["account"]) == (200, None)


def test_an_account_scoped_fault_rule_fires_on_legacy_and_revoke_requests(
    client: httpx.Client, own: OwnService
) -> None:
    """The rule of one account fires on its legacy login, session calls and revocation, and not on another
    account's."""
    account, other = _account_of(own, OWNER), _other_account(client)
    mine = _session(client, EMAILS[OWNER], PASSWORDS[OWNER])
    theirs = _session(client, OTHER_EMAIL, OTHER_PASSWORD)
    for path in ("/api/v1/services", LOGIN, REVOKE_PATH):
        r = client.post("/_mockown/faults", json={"path": path, "status": 503, "account": account})
        assert r.status_code == 201, r.text
    assert client.get("/api/v1/services", headers=mine).status_code == 503
    assert client.get("/api/v1/services", headers=theirs).status_code == 200
    assert client.post(LOGIN, data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]}).status_code == 503
    assert client.post(LOGIN, data={"email": OTHER_EMAIL, "password": OTHER_PASSWORD}).status_code == 200
    raw = own.generate_api_token(OWNER)
    assert client.post(REVOKE_PATH, data={"token": raw, "client_id": CLIENT_ID}).status_code == 503
    assert own.api_token_info(OWNER) is not None  # the fault answered: nothing was revoked
    journal = client.get("/_mockown/journal", params={"account": other}).json()["entries"]
    assert [(e["path"], e["status"]) for e in journal][-2:] == [("/api/v1/services", 200), (LOGIN, 200)]
