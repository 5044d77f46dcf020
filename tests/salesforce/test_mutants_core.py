"""Salesforce rules that the third hand-driven mutation audit (mockown/salesforce service, grants, introspection,
revocation) showed no test would miss if broken: each test names the mutant it kills (the rule dropped or its
boundary moved, and the suite stayed green) and passes on the real code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mockown import Config, create_app
from mockown.clock import FrozenClock
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.salesforce.models import User
from tests.conftest import ADMIN, ADMIN_ID, CALLBACK

from .flows.support import assertion, jwt_bearer
from .helpers import authorize, exchange, new_org, org_tokens, password_token, rest


def test_a_lockout_that_ran_out_starts_the_count_again(
    client: httpx.Client, clock: FrozenClock, runtime: Runtime
) -> None:
    """Ten wrong passwords lock the user for 15 minutes; once that is over the count starts from zero, so one more
    wrong password does not lock them again (kills `failed_logins = 0` dropped when the lock is set)."""
    for _ in range(10):
        assert password_token(client, password="wrong").status_code == 400
    user = runtime.store.table(User).get(ADMIN_ID)
    assert user is not None and user.failed_logins == 0 and user.locked_until == clock.now() + 15 * 60
    clock.advance("15m")
    assert password_token(client, password="wrong").status_code == 400
    assert password_token(client).status_code == 200


def test_expiring_a_users_sessions_ends_only_theirs(client: httpx.Client, runtime: Runtime) -> None:
    """The `salesforce.expire_session` action with `user` ends that user's sessions and no one else's (kills the
    user filter dropped from `SalesforceService.expire_sessions`: the existing test had no other live session)."""
    admin = password_token(client).json()["access_token"]
    other = org_tokens(client, new_org(runtime))["access_token"]
    body = client.post("/_mockown/faults", json={"preset": "salesforce.expire_session", "user": ADMIN}).json()
    assert body["expired"] == 1
    assert rest(client, admin).status_code == 401
    assert rest(client, other).status_code == 200


@pytest.mark.parametrize("form", ["json", "urlencoded"])
def test_a_refused_revocation_is_not_cached(clock: FrozenClock, form: str) -> None:
    """/revoke's error answers carry `Cache-Control: no-store` as every OAuth error does (spec 1.3), with
    `revoke_error_format` json as with urlencoded (kills the header dropped from the JSON error of `revoke`)."""
    app = create_app(Config().replace(salesforce={"revoke_error_format": form}), clock=clock)
    with in_process_client(app) as client:
        r = client.post("/services/oauth2/revoke", data={"token": "not-a-token"})
    assert r.status_code == 400 and "invalid_token" in r.text
    assert r.headers["cache-control"] == "no-store"


def test_a_configured_audience_written_with_a_trailing_slash_still_matches(clock: FrozenClock) -> None:
    """`jwt_audiences` as an admin writes a URL (`https://community.example.com/`) accepts the assertion's `aud`
    with or without the slash, as the standard audiences do (kills the slash no longer stripped from the accepted
    audiences in `accepted_audiences`: only a claim's trailing slash was tested)."""
    config = Config().replace(salesforce={"jwt_audiences": "https://community.example.com/"})
    with in_process_client(create_app(config, clock=clock)) as client:
        for aud in ("https://community.example.com", "https://community.example.com/"):
            assert jwt_bearer(client, assertion(aud=aud)).status_code == 200, aud


def test_a_callback_url_with_a_query_keeps_it_on_the_redirect(client: httpx.Client, runtime: Runtime) -> None:
    """A registered callback URL that has a query of its own (`...?tenant=acme`) keeps it: the code and state are
    added after it, and the code exchanges with that same redirect_uri (kills the callback's query replaced by the
    response's in `authorize.redirect`)."""
    callback = CALLBACK + "?tenant=acme"
    org = new_org(runtime, callback_urls=[callback])
    r = authorize(client, client_id=org["client_id"], login_hint=org["username"], redirect_uri=callback, state="s1")
    assert r.status_code == 302, r.text
    location = urlsplit(r.headers["location"])
    query = parse_qs(location.query)
    assert location.query.startswith("tenant=acme&") and query["tenant"] == ["acme"] and query["state"] == ["s1"]
    exchanged = exchange(
        client, query["code"][0], client_id=org["client_id"], client_secret=org["secret"], redirect_uri=callback
    )
    assert exchanged.status_code == 200, exchanged.text


def test_the_urlencoded_token_answer_is_not_cached(client: httpx.Client) -> None:
    """A token response asked for as `format=urlencoded` carries `Cache-Control: no-store` as the JSON one does
    (spec 1.3; kills the header dropped from the urlencoded rendering in `token._render`)."""
    r = password_token(client, format="urlencoded")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert r.headers["cache-control"] == "no-store"


def test_an_empty_state_comes_back_empty(client: httpx.Client) -> None:
    """`state=` sent empty is echoed as sent (`state=` on the redirect), as any other value (kills the echo made
    conditional on a non-empty state in `authorize.redirect`)."""
    r = authorize(client, state="")
    assert r.status_code == 302, r.text
    assert parse_qs(urlsplit(r.headers["location"]).query, keep_blank_values=True)["state"] == [""]
