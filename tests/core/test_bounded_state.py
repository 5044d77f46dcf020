"""A long-running mockown must not grow without bound: state no answer reads any more is pruned lazily, and the
answers are the same as if it had been kept (README, "What a long-running server keeps")."""

from __future__ import annotations

import base64
import re

import httpx
import pytest

import mockown.b2c.service
from mockown import Config, FrozenClock, create_app
from mockown.b2c.models import AmCode, AmToken, Counter, SlasAccess, SlasCode
from mockown.http.inprocess import in_process_client
from mockown.marketing.models import McAccessToken
from mockown.salesforce.web import FrontdoorOtp
from tests.b2c.test_account_manager import pkce_code, pkce_exchange
from tests.b2c.test_slas import guest_code, pkce_token
from tests.conftest import T0
from tests.salesforce.helpers import code_tokens

AM_TOKEN = "http://account.demandware.com/dwsso/oauth2/access_token"
SLAS_TOKEN = "/shopper/auth/v1/organizations/f_ecom_zzzz_999/oauth2/token"  # unknown tenant: still counted


def _rate(response: httpx.Response) -> tuple[int, dict[str, str]]:
    return response.status_code, {k: v for k, v in response.headers.items() if k.startswith("x-ratelimit")}


def _drive(client: httpx.Client, clock: FrozenClock, steps: list[float]) -> list[tuple[int, dict[str, str]]]:
    """An Account Manager and a SLAS call (both refused, both counted) after each clock move in `steps`."""
    out = []
    for step in steps:
        clock.set(clock.now() + step)
        out.append(_rate(client.post(AM_TOKEN, data={"grant_type": "nope"})))
        out.append(_rate(client.post(SLAS_TOKEN, data={"grant_type": "nope"})))
    return out


def test_rate_limit_windows_long_ended_are_pruned() -> None:
    # one Account Manager row per minute and two SLAS rows per 1/5 minutes used to stay forever (1300 here)
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        answers = _drive(client, clock, [61.0] * 600)
    assert all(a[1] for a in answers)  # every answer carried its rate-limit headers
    rows = len(app.state.runtime.store.table(Counter))
    # at most the rows of the last hour (60 + 60 + 12) and those added since the last pass
    assert rows <= 132 + max(mockown.b2c.service.PRUNE_EVERY, 132)


def test_pruning_rate_limit_windows_changes_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # the same calls, at the same instants (the clock also moved back within the hour kept, and forward by
    # days), against an app that never prunes and one that prunes every 4 added rows: the same answers
    steps = [0.0, 1.0, 30.0, 59.0, 61.0, 299.0, -120.0, 3000.0, -3000.0, 4000.0, 86400.0 * 3, -30.0, 5.0]
    steps += [61.0] * 40 + [-1800.0, 1800.0, 7200.0, 1.0]
    answers, rows = [], []
    for every in (10**9, 4):
        monkeypatch.setattr(mockown.b2c.service, "PRUNE_EVERY", every)
        clock = FrozenClock(T0)
        app = create_app(Config(), clock=clock)
        with in_process_client(app) as client:
            answers.append(_drive(client, clock, steps))
        rows.append(len(app.state.runtime.store.table(Counter)))
    assert rows[1] < rows[0]  # it did prune
    assert answers[0] == answers[1]


def test_a_window_the_clock_was_moved_back_from_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # rows whose last call is after `now` (the clock was moved back) are not pruned: moving forward again, the
    # window goes on counting where it was
    monkeypatch.setattr(mockown.b2c.service, "PRUNE_EVERY", 1)
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        clock.advance(86400)
        first = _rate(client.post(AM_TOKEN, data={"grant_type": "nope"}))[1]["x-ratelimit-remaining"]
        clock.set(clock.now() - 86400)
        for _ in range(3):  # each adds rows (new windows) and prunes
            clock.advance(61)
            client.post(AM_TOKEN, data={"grant_type": "nope"})
        clock.advance(86400 - 3 * 61)
        again = _rate(client.post(AM_TOKEN, data={"grant_type": "nope"}))[1]["x-ratelimit-remaining"]
    assert int(again) == int(first) - 1


MC = "/mc/mcmockowndemo000000000000000"
MC_SERVER = {"grant_type": "client_credentials", "client_id": "mockowndemoserver0000000a"}
MC_SERVER["client_secret"] = "MockownMcServerSecret000"


def _mc_token(client: httpx.Client) -> str:
    response = client.post(f"{MC}/v2/token", json=MC_SERVER)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def test_marketing_cloud_access_tokens_dead_a_day_are_pruned() -> None:
    # one row per token issued stayed forever: 1000 here (a token every 20 minutes for two weeks)
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        for _ in range(1000):
            _mc_token(client)
            clock.advance(1200)
    rows = len(app.state.runtime.store.table(McAccessToken))
    assert rows <= 2 * max(app.state.runtime.marketing.access_pruner.every, 75)  # 75: issued within a day + ttl


def test_pruning_marketing_cloud_access_tokens_changes_no_answer() -> None:
    # every token issued so far asked at userinfo after each step, on an app that never prunes and on one that
    # prunes at every issue; the clock also moves back (less than the day a dead token is kept) and forward by days
    steps = [0.0, 600.0, 1079.0, 1.0, 3600.0, -3000.0, 86400.0, 3600.0, -7200.0, 86400.0 * 2, 5.0, -80000.0]
    steps += [1200.0, -600.0, 86400.0 + 1200.0, 30.0]
    answers, rows = [], []
    for every in (10**9, 1):
        clock = FrozenClock(T0)
        app = create_app(Config(), clock=clock)
        app.state.runtime.marketing.access_pruner.every = every
        seen: list[tuple[int, str]] = []
        with in_process_client(app) as client:
            tokens = ["never-issued"]
            for step in steps:
                clock.set(clock.now() + step)
                tokens.append(_mc_token(client))
                for token in tokens:
                    got = client.get(f"{MC}/v2/userinfo", headers={"Authorization": f"Bearer {token}"})
                    seen.append((got.status_code, got.text))
        answers.append(seen)
        rows.append(len(app.state.runtime.store.table(McAccessToken)))
    assert rows[1] < rows[0]  # it did prune
    assert answers[0] == answers[1]
    assert {status for status, _ in answers[0]} == {200, 401}


def test_a_pruned_token_stays_dead_when_the_clock_moves_back_further() -> None:
    # README: a token dead for a day is pruned; moving the clock back further does not bring it back (it answers
    # as a token never issued), where an unpruned one would be re-evaluated against the earlier instant
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    app.state.runtime.marketing.access_pruner.every = 1
    with in_process_client(app) as client:
        old = _mc_token(client)
        clock.advance(2 * 86400)
        _mc_token(client)  # prunes `old`
        clock.set(clock.now() - 2 * 86400 + 10)
        answers = [
            client.get(f"{MC}/v2/userinfo", headers={"Authorization": f"Bearer {token}"})
            for token in (old, "never-issued")
        ]
    assert answers[0].status_code == 401 and answers[0].text == answers[1].text


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=\"customer_id\":\")[^\"]+")
SLAS = "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2"
SLAS_PRIVATE = {"Authorization": "Basic " + base64.b64encode(b"mockown-slas-private:MockownSlasSecret0001").decode()}


def _slas_guest(client: httpx.Client) -> str:
    data = {"grant_type": "client_credentials", "channel_id": "RefArch"}
    response = client.post(f"{SLAS}/token", data=data, headers=SLAS_PRIVATE)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _numbered_uuids(seen: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Each random id (usid, customer id) as the number of its first appearance: two apps' answers become comparable."""
    names: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"<id{len(names)}>")

    return [(status, UUID.sub(name, text)) for status, text in seen]


def test_slas_access_tokens_dead_a_day_are_pruned() -> None:
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        for _ in range(1000):
            _slas_guest(client)
            clock.advance(1200)
    rows = len(app.state.runtime.store.table(SlasAccess))
    assert rows <= 2 * max(app.state.runtime.b2c.slas.access_pruner.every, 75)


def test_pruning_slas_access_tokens_changes_no_answer() -> None:
    # every token issued so far at introspect, userinfo and revoke (every third one is revoked), on an app that never
    # prunes and on one that prunes at every issue
    steps = [0.0, 600.0, 1800.0, 1.0, 3600.0, -3000.0, 86400.0, 3600.0, -7200.0, 86400.0 * 2, 5.0, -80000.0]
    steps += [1200.0, -600.0, 86400.0 + 1200.0, 30.0]
    answers, rows = [], []
    for every in (10**9, 1):
        clock = FrozenClock(T0)
        app = create_app(Config(), clock=clock)
        app.state.runtime.b2c.slas.access_pruner.every = every
        seen: list[tuple[int, str]] = []
        with in_process_client(app) as client:
            tokens = ["never-issued"]
            for i, step in enumerate(steps):
                clock.set(clock.now() + step)
                tokens.append(_slas_guest(client))
                if i % 3 == 2:
                    revoked = client.post(f"{SLAS}/revoke", data={"token": tokens[-2]}, headers=SLAS_PRIVATE)
                    seen.append((revoked.status_code, revoked.text.replace(tokens[-2], "<the token>")))
                for token in tokens:
                    got = client.post(f"{SLAS}/introspect", data={"token": token}, headers=SLAS_PRIVATE)
                    seen.append((got.status_code, got.text))
                    got = client.get(f"{SLAS}/userinfo", headers={"Authorization": f"Bearer {token}"})
                    seen.append((got.status_code, got.text))
        answers.append(_numbered_uuids(seen))
        rows.append(len(app.state.runtime.store.table(SlasAccess)))
    assert rows[1] < rows[0]  # it did prune
    assert answers[0] == answers[1]
    assert '"active": true' in str(answers[0]) or '"active":true' in str(answers[0])


AM_PASSWORD = {"grant_type": "password", "username": "am-admin@mockown.test", "password": "AmPassw0rd!"}
AM_CLIENT = {
    "Authorization": "Basic " + base64.b64encode(b"mockown-am-client-000000000001:MockownAmSecret0001").decode()
}


def test_account_manager_tokens_dead_a_day_are_pruned() -> None:
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        for _ in range(1000):
            assert (
                client.post(AM_TOKEN, data={"grant_type": "client_credentials"}, headers=AM_CLIENT).status_code == 200
            )
            clock.advance(1200)
    rows = len(app.state.runtime.store.table(AmToken))
    assert rows <= 2 * max(app.state.runtime.b2c.am.token_pruner.every, 75)


def test_pruning_account_manager_tokens_changes_no_answer() -> None:
    # a password grant per step (an access and a refresh token, the refresh living an hour here), then a refresh
    # grant with every refresh token issued so far (the first use rotates it), on an app that never prunes and on
    # one that prunes at every token filed: the same answers
    steps = [0.0, 600.0, 1800.0, 1.0, 3600.0, -3000.0, 86400.0, 3600.0, -7200.0, 86400.0 * 2, 5.0, -80000.0]
    steps += [1200.0, -600.0, 86400.0 + 1200.0, 30.0]
    answers, rows = [], []
    for every in (10**9, 1):
        clock = FrozenClock(T0)
        app = create_app(Config().replace(b2c={"am_refresh_ttl": 3600}), clock=clock)
        app.state.runtime.b2c.am.token_pruner.every = every
        seen: list[tuple[int, str]] = []
        with in_process_client(app) as client:
            tokens = ["never-issued"]
            for step in steps:
                clock.set(clock.now() + step)
                issued = client.post(AM_TOKEN, data=AM_PASSWORD, headers=AM_CLIENT)
                assert issued.status_code == 200, issued.text
                tokens.append(issued.json()["refresh_token"])
                for token in tokens:
                    data = {"grant_type": "refresh_token", "refresh_token": token}
                    got = client.post(AM_TOKEN, data=data, headers=AM_CLIENT)
                    seen.append((got.status_code, "issued" if got.status_code == 200 else got.text))
        answers.append(seen)
        rows.append(len(app.state.runtime.store.table(AmToken)))
    assert rows[1] < rows[0]  # it did prune
    assert answers[0] == answers[1]
    assert {status for status, _ in answers[0]} == {200, 400}


def _frontdoor_otp(client: httpx.Client, token: str) -> str:
    response = client.post("/services/oauth2/singleaccess", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    uri: str = response.json()["frontdoor_uri"]
    return uri.split("?", 1)[1]


def test_used_frontdoor_one_time_passwords_are_pruned() -> None:
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        token = code_tokens(client, scope="api web")["access_token"]
        for _ in range(600):
            assert client.get(f"/secur/frontdoor.jsp?{_frontdoor_otp(client, token)}").status_code == 302
            client.cookies.clear()
    rows = len(app.state.runtime.store.table(FrontdoorOtp))
    assert rows <= app.state.runtime.salesforce.frontdoor_pruner.every + 1


def test_pruning_frontdoor_one_time_passwords_changes_no_answer() -> None:
    # a one-time password per step (every other one used at once), then every one so far at frontdoor.jsp, on an app
    # that never prunes and on one that prunes at every issue: the same answers (a use, or the login page)
    steps = [0.0, 30.0, 59.0, 1.0, 3600.0, -3000.0, 86400.0, 30.0, -7200.0, 86400.0 * 2, 5.0, -80000.0, 20.0]
    answers, rows = [], []
    for every in (10**9, 1):
        clock = FrozenClock(T0)
        app = create_app(Config(), clock=clock)
        app.state.runtime.salesforce.frontdoor_pruner.every = every
        seen: list[tuple[int, str]] = []
        with in_process_client(app) as client:
            otps = ["otp=never-issued"]
            for i, step in enumerate(steps):
                clock.set(clock.now() + step)
                otps.append(_frontdoor_otp(client, code_tokens(client, scope="api web")["access_token"]))
                client.cookies.clear()
                if i % 2:
                    assert client.get(f"/secur/frontdoor.jsp?{otps[-1]}").status_code == 302
                    client.cookies.clear()
                for otp in otps:
                    got = client.get(f"/secur/frontdoor.jsp?{otp}")
                    seen.append((got.status_code, got.headers.get("location", "")))
                    client.cookies.clear()
        answers.append(seen)
        rows.append(len(app.state.runtime.store.table(FrontdoorOtp)))
    assert rows[1] < rows[0]  # it did prune
    assert answers[0] == answers[1]
    assert len(set(answers[0])) >= 2  # some were used here, others sent to the login page


VERIFIER = "k" * 64


def test_used_account_manager_codes_are_pruned() -> None:
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        for _ in range(300):
            assert pkce_exchange(client, pkce_code(client, VERIFIER), VERIFIER).status_code == 200
    rows = len(app.state.runtime.store.table(AmCode))
    assert rows <= app.state.runtime.b2c.am.code_pruner.every + 1


def test_pruning_account_manager_codes_changes_no_answer() -> None:
    # a code per step (every other one exchanged at once), then every code so far exchanged, on an app that never
    # prunes and on one that prunes at every code: the same answers
    steps = [0.0, 30.0, 59.0, 1.0, 3600.0, -3000.0, 86400.0, 30.0, -7200.0, 86400.0 * 2, 5.0, -80000.0, 20.0]
    answers, rows = [], []
    for every in (10**9, 1):
        clock = FrozenClock(T0)
        app = create_app(Config(), clock=clock)
        app.state.runtime.b2c.am.code_pruner.every = every
        seen: list[tuple[int, str]] = []
        with in_process_client(app) as client:
            codes = ["never-issued"]
            for i, step in enumerate(steps):
                clock.set(clock.now() + step)
                codes.append(pkce_code(client, VERIFIER))
                if i % 2:
                    assert pkce_exchange(client, codes[-1], VERIFIER).status_code == 200
                for code in codes:
                    got = pkce_exchange(client, code, VERIFIER)
                    seen.append((got.status_code, "issued" if got.status_code == 200 else got.text))
        answers.append(seen)
        rows.append(len(app.state.runtime.store.table(AmCode)))
    assert rows[1] < rows[0]  # it did prune
    assert answers[0] == answers[1]
    assert {status for status, _ in answers[0]} == {200, 400}


def test_used_slas_codes_are_pruned() -> None:
    clock = FrozenClock(T0)
    app = create_app(Config(), clock=clock)
    with in_process_client(app) as client:
        for _ in range(300):
            assert pkce_token(client, *guest_code(client)).status_code == 200
    rows = len(app.state.runtime.store.table(SlasCode))
    assert rows <= app.state.runtime.b2c.slas.code_pruner.every + 1


def test_pruning_slas_codes_changes_no_answer() -> None:
    # a guest code per step (every other one exchanged at once), then every code so far exchanged, on an app that
    # never prunes and on one that prunes at every code: the same answers (expired codes are kept: theirs differs)
    steps = [0.0, 30.0, 59.0, 1.0, 3600.0, -3000.0, 86400.0, 30.0, -7200.0, 86400.0 * 2, 5.0, -80000.0, 20.0]
    answers, rows = [], []
    for every in (10**9, 1):
        clock = FrozenClock(T0)
        app = create_app(Config(), clock=clock)
        app.state.runtime.b2c.slas.code_pruner.every = every
        seen: list[tuple[int, str]] = []
        with in_process_client(app) as client:
            codes = [("never-issued", "usid")]
            for i, step in enumerate(steps):
                clock.set(clock.now() + step)
                codes.append(guest_code(client))
                if i % 2:
                    assert pkce_token(client, *codes[-1]).status_code == 200
                for code in codes:
                    got = pkce_token(client, *code)
                    seen.append((got.status_code, "issued" if got.status_code == 200 else got.text))
        answers.append(seen)
        rows.append(len(app.state.runtime.store.table(SlasCode)))
    assert rows[1] < rows[0]  # it did prune
    assert answers[0] == answers[1]
    assert {status for status, _ in answers[0]} == {200, 400}
