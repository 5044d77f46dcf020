"""Model-based test of the Marketing Cloud Engagement token lifecycle: random sequences of client_credentials,
authorize + code exchange (web and public apps, with and without PKCE), refresh (rotation, reuse, grace),
the user's sign-out and clock jumps (to the exact expiry instants too), each step checked against a small
reference model of the rules in `../shared/spec/marketing-cloud-and-b2c.md` (part 1) and README "Marketing Cloud
Engagement":

- an access token lives `expires_in` (1079) virtual seconds; `/v2/userinfo` answers it 200 (with the business
  unit, scopes and `exp` it was issued with) exactly while it lives, else the configured 401 body;
- client_credentials never returns a refresh token; scope omitted = every scope, "" = none, others a subset;
  `account_id` must be one of the integration's business units;
- a code is single use and dies at `code_ttl`; a failed exchange after the code was found still spends it;
  a public app's code with a challenge needs the matching verifier;
- a refresh rotates (the old token works `refresh_grace` seconds more) or, without rotation, returns the same
  token; refresh tokens die at `refresh_token_ttl`; each case answers its own invalid_grant description;
- signing out revokes the user's tokens without the `offline` scope; server-to-server tokens are untouched.

The settings variant (default, tuned, no rotation) is drawn per example, so each case's error text is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule

from mockown import Config, FrozenClock, create_app
from mockown.config import MarketingSettings
from mockown.http.inprocess import in_process_client
from mockown.security import b64url_sha256

from .support import examples

SUB = "mcmockowndemo000000000000000"
BASE = f"/mc/{SUB}"
USER_ID = "700123456"
SERVER = {"client_id": "mockowndemoserver0000000a", "client_secret": "MockownMcServerSecret000"}
APPS = {
    "web": {"client_id": "mockowndemoweb00000000000", "client_secret": "MockownMcWebSecret0000000"},
    "public": {"client_id": "mockowndemopublic00000000"},
}
CALLBACK = "http://localhost:8080/callback"
VERIFIER = "k" * 64
CHALLENGE = b64url_sha256(VERIFIER)
ALL = [
    "offline",
    "email_read",
    "email_write",
    "email_send",
    "data_extensions_read",
    "data_extensions_write",
    "list_and_subscribers_read",
    "list_and_subscribers_write",
    "journeys_read",
    "saved_content_read",
    "saved_content_write",
]
HOME_MID = 10123456
SERVER_MIDS = {10123456, 10123457}
APP_MIDS = {10123456, 10123457, 10123458}
ERROR_URI = "https://developer.salesforce.com/docs"
REST_401 = {
    "documentation": "https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/error-handling.htm",
    "errorcode": 0,
    "message": "Not Authorized",
}
DAY = 86400.0

# settings variants: the defaults (one shared invalid_grant text, no refresh expiry, rotation without grace), a
# tuned one (every case its own text, finite refresh lifetime, a grace window, PKCE required, OAuth userinfo
# errors) and one without rotation
TUNED_TEXTS = {
    "invalid_grant_description": "generic invalid grant",
    "code_invalid_description": "code: unknown",
    "code_used_description": "code: used",
    "code_expired_description": "code: expired",
    "refresh_invalid_description": "refresh: unknown or revoked",
    "refresh_used_description": "refresh: used",
    "refresh_expired_description": "refresh: expired",
}
VARIANTS: dict[str, MarketingSettings] = {
    "default": MarketingSettings(),
    "tuned": MarketingSettings(
        code_ttl=120,
        refresh_token_ttl=int(7 * DAY),
        refresh_grace=300,
        pkce="required",
        userinfo_error="oauth",
        invalid_grant_status=401,
        **TUNED_TEXTS,  # type: ignore[arg-type]
    ),
    "no_rotation": MarketingSettings(refresh_rotation=False, refresh_token_ttl=int(30 * DAY), **TUNED_TEXTS),  # type: ignore[arg-type]
}
SCOPE_CHOICES: list[str | None] = [None, "", "offline email_read", "email_read email_write", "offline", "bogus_scope"]


def mostly(usual: Any, *others: Any) -> st.SearchStrategy[Any]:
    """`usual` three times in four, else one of `others` (errors stay rare enough for long lifecycles)."""
    return st.one_of(st.just(usual), st.just(usual), st.just(usual), st.sampled_from(others))


RARELY = mostly(False, True)


@dataclass
class Code:
    raw: str
    app: str
    scopes: list[str]
    issued: float
    challenge: bool
    mid: int
    used: bool = False


@dataclass
class Refresh:
    raw: str
    app: str
    ceiling: list[str]
    offline: bool
    mid: int
    issued: float
    used_at: float | None = None
    revoked: bool = False


@dataclass
class Access:
    raw: str
    client_id: str
    scopes: list[str]
    mid: int
    issued: float
    user: bool
    revoked: bool = False


@dataclass
class Model:
    now: float
    s: MarketingSettings
    accesses: list[Access] = field(default_factory=list)
    refreshes: list[Refresh] = field(default_factory=list)

    def access_live(self, at: Access) -> bool:
        return not at.revoked and self.now < at.issued + self.s.access_token_ttl

    def code_error(self, code: Code) -> str | None:
        """None when the code can be redeemed, else the invalid_grant description it must answer."""
        if code.used:
            return self.s.code_used_description or self.s.invalid_grant_description
        if self.now >= code.issued + self.s.code_ttl:
            return self.s.code_expired_description or self.s.invalid_grant_description
        return None

    def refresh_error(self, rt: Refresh) -> str | None:
        s = self.s
        if rt.revoked:
            return s.refresh_invalid_description or s.invalid_grant_description
        if s.refresh_token_ttl and self.now >= rt.issued + s.refresh_token_ttl:
            return s.refresh_expired_description or s.invalid_grant_description
        if rt.used_at is not None and self.now >= rt.used_at + s.refresh_grace:
            return s.refresh_used_description or s.invalid_grant_description
        return None

    def scopes(self, requested: str | None, ceiling: list[str]) -> list[str] | None:
        """The granted scopes, or None for invalid_scope."""
        if requested is None:
            return list(ceiling)
        asked = list(dict.fromkeys(requested.split()))
        return asked if all(s in ceiling for s in asked) else None


def oauth_error(r: httpx.Response, status: int, error: str, description: str) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.json() == {"error": error, "error_description": description, "error_uri": ERROR_URI}, r.text


class MarketingTokenLifecycle(RuleBasedStateMachine):
    codes = Bundle("codes")
    refresh_tokens = Bundle("refresh_tokens")

    @initialize(variant=st.sampled_from(sorted(VARIANTS)))
    def setup(self, variant: str) -> None:
        self.clock = FrozenClock("2026-01-01T00:00:00Z")
        s = VARIANTS[variant]
        self.app = create_app(Config(marketing=s), clock=self.clock)
        self.runtime = self.app.state.runtime
        self.http = in_process_client(self.app)
        self.model = Model(now=self.clock.now(), s=s)

    def teardown(self) -> None:
        if hasattr(self, "http"):
            self.http.close()

    # helpers ----------------------------------------------------------------------------------------
    def token(self, body: dict[str, Any], as_json: bool) -> httpx.Response:
        if as_json:
            return self.http.post(f"{BASE}/v2/token", json=body)
        return self.http.post(f"{BASE}/v2/token", data=body)

    def bad_grant(self, r: httpx.Response, description: str) -> None:
        oauth_error(r, self.model.s.invalid_grant_status, "invalid_grant", description)

    def bad_scope(self, r: httpx.Response) -> None:
        s = self.model.s
        oauth_error(r, s.invalid_scope_status, "invalid_scope", s.invalid_scope_description)

    def bad_account(self, r: httpx.Response) -> None:
        s = self.model.s
        oauth_error(r, s.account_error_status, s.account_error, s.account_error_description)

    def issued(self, r: httpx.Response, client_id: str, scopes: list[str], mid: int, user: bool) -> dict[str, Any]:
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == self.model.s.access_token_ttl
        assert body["scope"] == " ".join(scopes), (body["scope"], scopes)
        assert body["rest_instance_url"] == f"https://{SUB}.rest.marketingcloudapis.com/"
        at = Access(body["access_token"], client_id, scopes, mid, self.model.now, user)
        self.model.accesses.append(at)
        return body

    @staticmethod
    def account(mid: str | None) -> dict[str, str]:
        return {} if mid is None else {"account_id": mid}

    @staticmethod
    def mid_of(account: str | None, default: int, allowed: set[int]) -> int | None:
        if account is None:
            return default
        return int(account) if account.isdigit() and int(account) in allowed else None

    # rules ------------------------------------------------------------------------------------------
    @rule(
        scope=st.sampled_from(SCOPE_CHOICES),
        account=mostly(None, "10123456", "10123457", "10123458", "12x"),
        as_json=st.booleans(),
    )
    def client_credentials(self, scope: str | None, account: str | None, as_json: bool) -> None:
        body = {"grant_type": "client_credentials", **SERVER, **self.account(account)}
        if scope is not None:
            body["scope"] = scope
        r = self.token(body, as_json)
        granted = self.model.scopes(scope, ALL)
        mid = self.mid_of(account, HOME_MID, SERVER_MIDS)
        if granted is None:
            return self.bad_scope(r)
        if mid is None:
            return self.bad_account(r)
        out = self.issued(r, SERVER["client_id"], granted, mid, user=False)
        assert "refresh_token" not in out  # client_credentials: no refresh token

    @rule(
        target=codes,
        app=st.sampled_from(sorted(APPS)),
        scope=mostly(None, *SCOPE_CHOICES[1:]),
        pkce=st.booleans(),
        account=mostly(None, "10123458", "42"),
    )
    def authorize(self, app: str, scope: str | None, pkce: bool, account: str | None) -> Code | None:
        query = {"response_type": "code", "client_id": APPS[app]["client_id"], "redirect_uri": CALLBACK}
        query.update(state="st8", **self.account(account))
        if scope is not None:
            query["scope"] = scope
        if pkce:
            query.update(code_challenge=CHALLENGE, code_challenge_method="S256")
        r = self.http.get(f"{BASE}/v2/authorize", params=query)
        assert r.status_code == 302, r.text
        found = {k: v[0] for k, v in parse_qs(urlsplit(r.headers["location"]).query).items()}
        assert found["state"] == "st8", found
        granted = self.model.scopes(scope, ALL)
        mid = self.mid_of(account, HOME_MID, APP_MIDS)
        s = self.model.s
        if granted is None:
            assert found["error"] == "invalid_scope", found
            return None
        if app == "public" and s.pkce == "required" and not pkce:
            assert found["error"] == "invalid_request", found
            return None
        if mid is None:
            assert found["error"] == s.account_error, found
            return None
        assert "error" not in found and found["tssd"] == SUB, found
        challenge = pkce and app == "public" and s.pkce != "off"
        return Code(found["code"], app, granted, self.model.now, challenge, mid)

    @rule(
        target=refresh_tokens,
        code=codes,
        verifier=mostly("right", "wrong", "missing"),
        scope=mostly(None, "offline", "email_read", "journeys_read offline", "bogus_scope"),
        cross=RARELY,
        as_json=st.booleans(),
    )
    def exchange(self, code: Code | None, verifier: str, scope: str | None, cross: bool, as_json: bool) -> Any:
        if code is None:
            return None
        app = ("public" if code.app == "web" else "web") if cross else code.app
        body = {"grant_type": "authorization_code", "code": code.raw, "redirect_uri": CALLBACK, **APPS[app]}
        if verifier != "missing":
            body["code_verifier"] = VERIFIER if verifier == "right" else "w" * 64
        if scope is not None:
            body["scope"] = scope
        r = self.token(body, as_json)
        s = self.model.s
        error = self.model.code_error(code)
        event(f"exchange: {'cross' if cross else error or 'usable'}")
        if cross:  # another integration's code: unknown to this one, and not spent
            return self.bad_grant(r, s.code_invalid_description or s.invalid_grant_description)
        if error is not None:
            return self.bad_grant(r, error)
        if code.challenge and verifier != "right":
            return self.bad_grant(r, s.invalid_grant_description)  # refused before it is spent: still usable
        granted = self.model.scopes(scope, code.scopes)
        if granted is None:
            return self.bad_scope(r)
        code.used = True  # spent only by the exchange that succeeds
        out = self.issued(r, APPS[code.app]["client_id"], granted, code.mid, user=True)
        rt = Refresh(out["refresh_token"], code.app, granted, "offline" in granted, code.mid, self.model.now)
        self.model.refreshes.append(rt)
        return rt

    @rule(
        target=refresh_tokens,
        app=st.sampled_from(sorted(APPS)),
        scope=st.sampled_from([None, "offline email_read", "email_read journeys_read"]),
        pkce=st.booleans(),
    )
    def sign_in(self, app: str, scope: str | None, pkce: bool) -> Any:
        """The usual web/public app sign-in: authorize, then redeem the code at once (refresh tokens to play with)."""
        code = self.authorize(app, scope, pkce or (app == "public" and self.model.s.pkce == "required"), None)
        assert code is not None
        return self.exchange(code, "right", None, False, True)

    @rule(
        target=refresh_tokens,
        rt=refresh_tokens,
        scope=mostly(None, "offline", "email_read", "bogus_scope"),
        account=mostly(None, "10123457", "99"),
        cross=RARELY,
        as_json=st.booleans(),
    )
    def refresh(self, rt: Refresh | None, scope: str | None, account: str | None, cross: bool, as_json: bool) -> Any:
        if rt is None:
            return None
        event(f"refresh: {'cross' if cross else self.model.refresh_error(rt) or 'usable'}")
        app = ("public" if rt.app == "web" else "web") if cross else rt.app
        body = {"grant_type": "refresh_token", "refresh_token": rt.raw, **APPS[app], **self.account(account)}
        if scope is not None:
            body["scope"] = scope
        r = self.token(body, as_json)
        s = self.model.s
        if cross:
            return self.bad_grant(r, s.refresh_invalid_description or s.invalid_grant_description)
        error = self.model.refresh_error(rt)
        if error is not None:
            return self.bad_grant(r, error)
        granted = self.model.scopes(scope, rt.ceiling)
        if granted is None:
            return self.bad_scope(r)  # the refresh token is not spent
        mid = self.mid_of(account, rt.mid, APP_MIDS)
        if mid is None:
            return self.bad_account(r)
        out = self.issued(r, APPS[rt.app]["client_id"], granted, mid, user=True)
        if not s.refresh_rotation:
            assert out["refresh_token"] == rt.raw
            return None
        assert out["refresh_token"] != rt.raw
        event("refresh: rotated" + (" in the grace window" if rt.used_at is not None else ""))
        if rt.used_at is None:
            rt.used_at = self.model.now  # the grace window counts from the first use
        # the new token keeps the wider grant; it is an offline one when this response has the offline scope
        new = Refresh(out["refresh_token"], rt.app, rt.ceiling, "offline" in granted, mid, self.model.now)
        self.model.refreshes.append(new)
        return new

    @rule()
    def sign_out(self) -> None:
        expected = 0
        for rt in self.model.refreshes:
            if not rt.offline and not rt.revoked:
                rt.revoked = True
                expected += 1
        for at in self.model.accesses:
            if at.user and "offline" not in at.scopes and not at.revoked:
                at.revoked = True
                expected += 1
        assert self.runtime.marketing.sign_out(USER_ID) == expected
        event(f"sign-out revoked {'some' if expected else 'no'} tokens")

    @rule(seconds=st.sampled_from([1.0, 60.0, 119.0, 299.0, 300.0, 1078.0, 1079.0, 1200.0, DAY, 7 * DAY, 31 * DAY]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.model.now += seconds

    @precondition(lambda self: bool(self.model.accesses or self.model.refreshes))
    @rule(data=st.data(), just_before=st.booleans())
    def to_a_boundary(self, data: st.DataObject, just_before: bool) -> None:
        """Jump to the exact instant a token (access, refresh lifetime or grace) dies, or one second before."""
        s, now = self.model.s, self.model.now
        ends = [at.issued + s.access_token_ttl for at in self.model.accesses]
        if s.refresh_token_ttl:
            ends += [rt.issued + s.refresh_token_ttl for rt in self.model.refreshes]
        ends += [rt.used_at + s.refresh_grace for rt in self.model.refreshes if rt.used_at is not None]
        future = sorted({e - (1.0 if just_before else 0.0) for e in ends if e - (1.0 if just_before else 0.0) > now})
        if not future:
            return
        target = data.draw(st.sampled_from(future))
        self.clock.advance(target - now)
        self.model.now = target

    # invariants -------------------------------------------------------------------------------------
    @invariant()
    def userinfo_agrees(self) -> None:
        """Every access token issued so far is live at /v2/userinfo exactly when the model says so."""
        if not hasattr(self, "model"):
            return
        for at in self.model.accesses:
            r = self.http.get(f"{BASE}/v2/userinfo", headers={"Authorization": f"Bearer {at.raw}"})
            if self.model.access_live(at):
                assert r.status_code == 200, r.text
                info = r.json()
                assert info["organization"]["member_id"] == at.mid, (info["organization"], at)
                assert info["exp"] == int(at.issued + self.model.s.access_token_ttl)
                assert info["application"]["id"] == at.client_id
                assert info["application"]["permissions"] == at.scopes
                assert info["user"]["sub"] == (USER_ID if at.user else at.client_id)
            elif self.model.s.userinfo_error == "oauth":
                oauth_error(r, 401, "invalid_token", "The access token is invalid or expired.")
            else:
                assert r.status_code == 401, r.text
                assert r.json() == REST_401

    @invariant()
    def refresh_tokens_agree(self) -> None:
        """Every refresh token issued so far is usable exactly when the model says so. The probe asks for a scope
        no integration has: a usable token answers invalid_scope and is not spent (the scope is checked after
        the token), a dead one answers its own invalid_grant."""
        if not hasattr(self, "model"):
            return
        for rt in self.model.refreshes:
            body = {"grant_type": "refresh_token", "refresh_token": rt.raw, "scope": "bogus_scope", **APPS[rt.app]}
            r = self.http.post(f"{BASE}/v2/token", json=body)
            error = self.model.refresh_error(rt)
            if error is None:
                self.bad_scope(r)
            else:
                self.bad_grant(r, error)


MarketingTokenLifecycle.TestCase.settings = settings(
    max_examples=examples(80, 1500),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_marketing_token_lifecycle = MarketingTokenLifecycle.TestCase


def test_model_refresh_cases() -> None:
    """The reference model itself: revoked beats expired beats used; grace counts from the first use."""
    model = Model(now=0.0, s=VARIANTS["tuned"])
    rt = Refresh("r", "web", ["offline"], True, HOME_MID, 0.0, used_at=0.0)
    model.now = 299.0
    assert model.refresh_error(rt) is None
    model.now = 300.0
    assert model.refresh_error(rt) == "refresh: used"
    model.now = 7 * DAY
    assert model.refresh_error(rt) == "refresh: expired"
    rt.revoked = True
    assert model.refresh_error(rt) == "refresh: unknown or revoked"
