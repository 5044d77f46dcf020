"""Salesforce lifetimes against the clock: every credential works while `now < issued + lifetime` and is dead
from that instant on (the expiry instant itself is dead, as RFC 7519's "before exp"), at every endpoint that
takes it, and what the server advertises (`exp`, `issued_at`) predicts it.

Each example builds a fresh in-process server on a frozen clock, issues at T0, moves the clock by `d` (drawn
around the lifetime: lifetime-2 .. lifetime+2, and far) and checks every endpoint at that instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockown.salesforce.seed import seed_org
from tests.conftest import CALLBACK, CID, SECRET
from tests.core.lifetimes import FEW, START, around, bearer, server
from tests.salesforce.flows.support import TOKEN_EXCHANGE, URN, assertion, idp_token, jwt_bearer
from tests.salesforce.helpers import TOKEN, exchange, get_code, new_org, org_tokens

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def introspect(client: httpx.Client, org: dict[str, Any], token: str) -> dict[str, Any]:
    response = client.post("/services/oauth2/introspect", data={"token": token}, auth=(org["client_id"], org["secret"]))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@FEW
@given(timeout=st.sampled_from([900, 7200]), jwt_format=st.booleans(), data=st.data())
def test_access_token_lives_until_its_session_timeout(timeout: int, jwt_format: bool, data: st.DataObject) -> None:
    d = data.draw(around(timeout), label="d")
    with server() as (client, clock, runtime):
        org = new_org(runtime, session_timeout=timeout, jwt_access_tokens=jwt_format)
        body = org_tokens(client, org, scope="api refresh_token id openid")
        access = body["access_token"]
        id_claims = jwt.decode(body["id_token"], options={"verify_signature": False})
        assert (id_claims["iat"], id_claims["exp"]) == (START, START + 300)  # id_token_validity: 5 minutes
        assert body["issued_at"] == str(int(START * 1000))  # milliseconds, the instant of issue
        if jwt_format:
            claims = jwt.decode(access, options={"verify_signature": False})
            assert (claims["iat"], claims["nbf"], claims["exp"]) == (START, START, START + timeout)
        clock.advance(d)
        live = d < timeout
        seen = introspect(client, org, access)
        assert seen["active"] is live
        if live:
            assert seen["exp"] == START + timeout and seen["iat"] == seen["nbf"] == START
            assert clock.now() < seen["exp"]  # the advertised exp predicts the death
        assert client.get("/services/oauth2/userinfo", headers=bearer(access)).status_code == (200 if live else 403)
        assert client.get("/services/data/v62.0/limits", headers=bearer(access)).status_code == (200 if live else 401)
        revoked = client.post("/services/oauth2/revoke", data={"token": access})
        assert revoked.status_code == (200 if live else 400)


@FEW
@given(policy=st.sampled_from(["idle", "absolute"]), data=st.data())
def test_refresh_token_dies_at_its_ttl(policy: str, data: st.DataObject) -> None:
    ttl = 3600
    d = data.draw(around(ttl), label="d")
    with server() as (client, clock, runtime):
        org = new_org(runtime, refresh_token_policy=policy, refresh_token_ttl=ttl)
        refresh = org_tokens(client, org)["refresh_token"]
        seen = introspect(client, org, refresh)
        assert seen["exp"] == START + ttl
        clock.advance(d)
        live = d < ttl
        assert introspect(client, org, refresh)["active"] is live
        data_ = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": org["client_id"]}
        response = client.post(TOKEN, data={**data_, "client_secret": org["secret"]})
        assert response.status_code == (200 if live else 400), response.text
        if not live:
            assert response.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
        elif policy == "idle":  # a use slides the idle window: alive for another ttl from now, by introspection
            assert introspect(client, org, refresh)["exp"] == START + d + ttl
        else:
            assert introspect(client, org, refresh)["exp"] == START + ttl


def test_refresh_token_valid_until_revoked_and_immediately() -> None:
    with server() as (client, clock, runtime):
        forever = new_org(runtime)
        never = new_org(runtime, refresh_token_policy="immediately")
        kept = org_tokens(client, forever)["refresh_token"]
        gone = org_tokens(client, never)["refresh_token"]
        clock.advance("3650d")
        assert introspect(client, forever, kept)["active"] is True
        assert "exp" not in introspect(client, forever, kept)  # nothing to predict: it does not expire
        assert introspect(client, never, gone) == {"active": False}
        for org, token, status in ((forever, kept, 200), (never, gone, 400)):
            data = {"grant_type": "refresh_token", "refresh_token": token, "client_id": org["client_id"]}
            assert client.post(TOKEN, data={**data, "client_secret": org["secret"]}).status_code == status


@FEW
@given(data=st.data())
def test_authorization_code_lives_15_minutes(data: st.DataObject) -> None:
    d = data.draw(around(900), label="d")
    with server() as (client, clock, runtime):
        org = new_org(runtime)
        code = get_code(client, client_id=org["client_id"], login_hint=org["username"], scope="api")
        clock.advance(d)
        response = exchange(client, code, client_id=org["client_id"], client_secret=org["secret"])
        assert response.status_code == (200 if d < 900 else 400), response.text
        if d >= 900:
            assert response.json()["error_description"] == "expired authorization code"


@FEW
@given(data=st.data())
def test_device_code_expires_at_its_ttl(data: st.DataObject) -> None:
    with server() as (client, clock, runtime):
        ttl = runtime.config.salesforce.device_code_ttl
        d = data.draw(around(ttl), label="d")
        org = new_org(runtime)
        start = client.post(TOKEN, data={"response_type": "device_code", "client_id": org["client_id"], "scope": "api"})
        assert start.status_code == 200, start.text
        clock.advance(d)
        poll = client.post(
            TOKEN, data={"grant_type": "device", "client_id": org["client_id"], "code": start.json()["device_code"]}
        )
        expected = "authorization_pending" if d < ttl else runtime.config.salesforce.device_expired_error
        assert poll.json()["error"] == expected, poll.text


@FEW
@given(
    age=st.one_of(st.integers(-182, -178), st.sampled_from([-(10**6), -3600, 0, 180, 3600])),
    where=st.sampled_from(["jwt_bearer", "client_assertion", "subject_token"]),
)
def test_foreign_jwt_is_accepted_until_exp_plus_skew(age: int, where: str) -> None:
    """`exp` = now + `age` in a JWT bearer assertion, a client assertion and a token-exchange subject token; the
    skew (jwt_skew, 180 s) stretches exp, and exp + skew itself is past, as RFC 7519 4.1.4 says of exp ("MUST
    be before") and PyJWT applies its leeway: one rule for every JWT the server reads."""
    with server() as (client, _clock, runtime):
        skew = runtime.config.salesforce.jwt_skew
        exp = int(START) + age
        if where == "jwt_bearer":
            response = jwt_bearer(client, assertion(exp=exp))
        elif where == "client_assertion":
            aud = "http://testserver/services/oauth2/token"
            signed = assertion(iss=CID, sub=CID, aud=aud, exp=exp, jti=f"j{age}")
            data = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE}
            response = client.post(TOKEN, data={**data, "client_assertion": signed})
        else:
            data = {"grant_type": TOKEN_EXCHANGE, "client_id": CID, "client_secret": SECRET}
            subject = {"subject_token": idp_token(exp=exp), "subject_token_type": URN + "jwt"}
            response = client.post(TOKEN, data={**data, **subject})
        assert response.status_code == (200 if age + skew > 0 else 400), response.text


def test_clock_moved_back_re_evaluates_lifetimes_but_keeps_revocations() -> None:
    """README "Lifetimes and the clock": setting the clock back re-evaluates each lifetime against the new instant
    (an expired session works again, as a JWT checked against that clock would) without moving any expiry (a use
    "before" the last activity does not slide the session back), and what a revocation or rotation ended stays
    ended."""
    with server() as (client, clock, runtime):
        org = new_org(runtime, session_timeout=900, refresh_token_policy="absolute", refresh_token_ttl=3600)
        body = org_tokens(client, org)
        gone = org_tokens(client, org)
        assert client.post("/services/oauth2/revoke", data={"token": gone["refresh_token"]}).status_code == 200
        clock.advance(7200)  # both expired
        assert introspect(client, org, body["access_token"]) == {"active": False}
        assert client.post("/_mockown/clock", json={"set": START - 86400}).status_code == 200
        assert client.get("/services/data/v62.0/limits", headers=bearer(body["access_token"])).status_code == 200
        for token, exp in ((body["access_token"], START + 900), (body["refresh_token"], START + 3600)):
            seen = introspect(client, org, token)
            assert seen["active"] is True and seen["exp"] == exp  # not shifted by the move nor by the use
        for token in (gone["access_token"], gone["refresh_token"]):
            assert introspect(client, org, token) == {"active": False}


def test_device_poll_after_the_clock_moved_back_is_not_too_fast() -> None:
    """RFC 8628 3.5 slow_down is for a poll less than `interval` after the last one. A poll made after the clock
    was moved back to before the last poll is no such poll (the harness moved time, the device did not hurry):
    it is pending, and the interval does not grow. A second poll at that same instant is too fast again."""
    with server() as (client, clock, runtime):
        org = new_org(runtime)
        start = client.post(TOKEN, data={"response_type": "device_code", "client_id": org["client_id"], "scope": "api"})
        poll = {"grant_type": "device", "client_id": org["client_id"], "code": start.json()["device_code"]}
        clock.advance(start.json()["interval"])
        assert client.post(TOKEN, data=poll).json()["error"] == "authorization_pending"
        assert client.post("/_mockown/clock", json={"set": START - 3600}).status_code == 200
        assert client.post(TOKEN, data=poll).json()["error"] == "authorization_pending"
        assert client.post(TOKEN, data=poll).json()["error"] == "slow_down"


def test_readme_lifetimes_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's "Lifetimes and the clock" example, as written, prints what its comments say."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    chapter = readme.split("## Lifetimes and the clock", 1)[1].split("\n## ", 1)[0]
    code = chapter.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.split() == ["401", "200"]


@FEW
@given(d=st.one_of(st.integers(898, 902), st.integers(3598, 3602)))
def test_org_session_timeout_is_the_default_of_its_apps(d: int) -> None:
    """Spec 10: the access token lives the connected app's Timeout Value, else the org's Session Settings
    timeout. An org seeded with `session_timeout` (15 min) gives it to its apps that set none; an app's own
    value (1 h) wins."""
    with server() as (client, clock, runtime):
        created = seed_org(
            runtime,
            {
                "session_timeout": "15m",
                "users": [{"username": "u@org-timeout.test", "password": "Secret-1"}],
                "apps": [{"callback_urls": [CALLBACK]}, {"callback_urls": [CALLBACK], "session_timeout": "1h"}],
            },
        )
        tokens = []
        for app in created["apps"]:
            form = {"grant_type": "password", "username": "u@org-timeout.test", "password": "Secret-1"}
            body = client.post(
                TOKEN, data={**form, "client_id": app["client_id"], "client_secret": app["client_secret"]}
            )
            assert body.status_code == 200, body.text
            tokens.append(body.json()["access_token"])
        clock.advance(d)
        for token, timeout in zip(tokens, (900, 3600), strict=True):
            assert client.get("/services/data/v62.0/limits", headers=bearer(token)).status_code == (
                200 if d < timeout else 401
            )
