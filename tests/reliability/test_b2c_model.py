"""Model-based test of the SLAS token lifecycle (B2C Commerce): random sequences of guest and registered
sign-ins for a private and a public client (client_credentials, authorize `hint=guest` / `login` + code + PKCE),
code redemption (single use, expiry, verifier), refresh, logout (one session or `hint=all-sessions`), revoke and
clock jumps (to the exact expiry instants too), each step checked against a small reference model of the rules in
`../shared/spec/marketing-cloud-and-b2c.md` (part 2c) and README "B2C Commerce":

- "When refreshing the access token with a private client ID and client secret, the refresh token is not
  regenerated. However, when refreshing the access token with a public client ID, the refresh token is always
  regenerated. The old refresh token is voided with every refresh call";
- access tokens live `expires_in` (1800); refresh tokens `refresh_token_expires_in` (guest 30 days, registered 90);
  a used, expired or unknown refresh token answers its configured error; so does a used or expired code;
- logout (Bearer access token + the refresh token) ends that refresh token, the access tokens issued with it and
  the bearer; `hint=all-sessions` ends every refresh token of that shopper; `/revoke` ends one token (a refresh
  token with its access tokens); a second login of the same shopper within 1 second is 409.

After every step, each token issued so far is checked: access tokens at `/userinfo` and `/introspect`, refresh
tokens at `/introspect` (`active` exactly when the model says so).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule

from mockown import Config, FrozenClock, create_app
from mockown.config import B2CSettings
from mockown.http.inprocess import in_process_client
from mockown.security import b64url_sha256

from .support import examples

ORG = "f_ecom_zzxy_001"
BASE = f"/shopper/auth/v1/organizations/{ORG}/oauth2"
PRIVATE, SECRET = "mockown-slas-private", "MockownSlasSecret0001"
PUBLIC = "mockown-slas-public"
SHOPPER, SHOPPER_PASSWORD, SHOPPER_ID = "shopper@mockown.test", "Sh0pper!", "abmockownshopper0000000001"
CALLBACK = "http://localhost:3000/callback"
VERIFIER = "q" * 64
CHALLENGE = b64url_sha256(VERIFIER)
DAY = 86400.0
LOGOUT_BODY = {
    "access_token": "",
    "id_token": "null",
    "refresh_token": "",
    "expires_in": 0,
    "refresh_token_expires_in": 0,
    "token_type": "Bearer",
    "usid": "null",
    "customer_id": "null",
    "enc_user_id": "null",
    "idp_access_token": "",
    "idp_refresh_token": "null",
    "dnt": "null",
}
VARIANTS: dict[str, B2CSettings] = {
    "default": B2CSettings(),
    "tuned": B2CSettings(
        slas_expires_in=900,
        slas_guest_refresh_ttl=int(2 * DAY),
        slas_registered_refresh_ttl=int(5 * DAY),
        slas_code_ttl=60,
        slas_invalid_refresh_error="invalid_grant",
        slas_invalid_refresh_description="refresh: unknown or revoked",
        slas_used_refresh_error="invalid_grant",
        slas_used_refresh_description="refresh: used",
        slas_expired_refresh_error="invalid_token",
        slas_expired_refresh_description="refresh: expired",
        slas_invalid_code_description="code: unknown or used",
        slas_expired_code_error="invalid_grant",
        slas_expired_code_description="code: expired",
    ),
}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


PRIVATE_AUTH = basic(PRIVATE, SECRET)


def mostly(usual: Any, *others: Any) -> st.SearchStrategy[Any]:
    """`usual` three times in four, else one of `others`."""
    return st.one_of(st.just(usual), st.just(usual), st.just(usual), st.sampled_from(others))


@dataclass
class Code:
    raw: str
    client: str  # PRIVATE | PUBLIC
    usid: str
    registered: bool
    issued: float
    challenge: bool
    used: bool = False


@dataclass
class Refresh:
    raw: str
    client: str
    usid: str
    customer_id: str
    registered: bool
    issued: float
    expires: float
    revoked: bool = False
    used: bool = False  # voided by a public client's refresh


@dataclass
class Access:
    raw: str
    client: str
    customer_id: str
    parent: Refresh
    issued: float
    revoked: bool = False


@dataclass
class Model:
    now: float
    s: B2CSettings
    accesses: list[Access] = field(default_factory=list)
    refreshes: list[Refresh] = field(default_factory=list)
    last_login: float | None = None

    def access_live(self, at: Access) -> bool:
        return not at.revoked and self.now < at.issued + self.s.slas_expires_in

    def refresh_live(self, rt: Refresh) -> bool:
        return not rt.revoked and self.now < rt.expires

    def refresh_error(self, rt: Refresh) -> tuple[str, str] | None:
        """None when the refresh token can be used, else its (error, error_description)."""
        s = self.s
        invalid = (s.slas_invalid_refresh_error, s.slas_invalid_refresh_description)
        if rt.revoked and not rt.used:
            return invalid
        if rt.used:
            return (s.slas_used_refresh_error or invalid[0], s.slas_used_refresh_description or invalid[1])
        if self.now >= rt.expires:
            return (s.slas_expired_refresh_error or invalid[0], s.slas_expired_refresh_description or invalid[1])
        return None

    def code_error(self, code: Code) -> tuple[str, str] | None:
        s = self.s
        invalid = (s.slas_invalid_code_error, s.slas_invalid_code_description)
        if code.used:
            return invalid
        if self.now >= code.issued + s.slas_code_ttl:
            return (s.slas_expired_code_error or invalid[0], s.slas_expired_code_description or invalid[1])
        return None

    def revoke_refresh(self, rt: Refresh) -> None:
        rt.revoked = True
        for at in self.accesses:
            if at.parent is rt:
                at.revoked = True


def problem(r: httpx.Response, status: int, error: str, description: str) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"] == "application/problem+json", r.headers
    assert r.json() == {"error": error, "error_description": description}, r.text


class SlasTokenLifecycle(RuleBasedStateMachine):
    codes = Bundle("codes")
    refresh_tokens = Bundle("refresh_tokens")

    @initialize(variant=st.sampled_from(sorted(VARIANTS)))
    def setup(self, variant: str) -> None:
        self.clock = FrozenClock("2026-01-01T00:00:00Z")
        s = VARIANTS[variant]
        self.app = create_app(Config(b2c=s), clock=self.clock)
        self.http = in_process_client(self.app)
        self.model = Model(now=self.clock.now(), s=s)

    def teardown(self) -> None:
        if hasattr(self, "http"):
            self.http.close()

    # helpers ----------------------------------------------------------------------------------------
    def rt_ttl(self, registered: bool) -> float:
        s = self.model.s
        return float(s.slas_registered_refresh_ttl if registered else s.slas_guest_refresh_ttl)

    def issued(self, r: httpx.Response, client: str, usid: str | None, registered: bool) -> Refresh:
        """A token response: checks it, records the access token and the (new) refresh token in the model."""
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["expires_in"] == self.model.s.slas_expires_in and body["token_type"] == "Bearer"
        assert body["refresh_token_expires_in"] == int(self.rt_ttl(registered))
        if usid is not None:
            assert body["usid"] == usid
        if registered:
            assert body["customer_id"] == SHOPPER_ID
        now = self.model.now
        rt = Refresh(
            body["refresh_token"],
            client,
            body["usid"],
            body["customer_id"],
            registered,
            now,
            now + self.rt_ttl(registered),
        )
        self.model.refreshes.append(rt)
        self.model.accesses.append(Access(body["access_token"], client, body["customer_id"], rt, now))
        return rt

    def token(self, client: str, data: dict[str, str]) -> httpx.Response:
        data = {"channel_id": "RefArch", **data}
        if client == PRIVATE:
            return self.http.post(BASE + "/token", data=data, headers=PRIVATE_AUTH)
        return self.http.post(BASE + "/token", data={"client_id": PUBLIC, **data})

    def redirected(self, r: httpx.Response) -> dict[str, str]:
        assert r.status_code == self.model.s.slas_redirect_status, r.text
        return {k: v[0] for k, v in parse_qs(urlsplit(r.headers["location"]).query).items()}

    # sign-in: codes ---------------------------------------------------------------------------------
    @rule(target=codes, client=st.sampled_from([PRIVATE, PUBLIC]), pkce=st.booleans())
    def guest_authorize(self, client: str, pkce: bool) -> Code:
        pkce = pkce or client == PUBLIC  # required for public clients
        query = {"client_id": client, "response_type": "code", "redirect_uri": CALLBACK, "hint": "guest"}
        query.update(channel_id="RefArch", state="s1")
        if pkce:
            query["code_challenge"] = CHALLENGE
        found = self.redirected(self.http.get(BASE + "/authorize", params=query))
        assert found["state"] == "s1"
        return Code(found["code"], client, found["usid"], False, self.model.now, pkce)

    @rule(target=codes, client=st.sampled_from([PRIVATE, PUBLIC]), pkce=st.booleans(), password_ok=mostly(True, False))
    def login(self, client: str, pkce: bool, password_ok: bool) -> Code | None:
        pkce = pkce or client == PUBLIC
        form = {"client_id": client, "redirect_uri": CALLBACK, "channel_id": "RefArch"}
        if pkce:
            form["code_challenge"] = CHALLENGE
        password = SHOPPER_PASSWORD if password_ok else "wrong!"
        r = self.http.post(BASE + "/login", data=form, headers=basic(SHOPPER, password))
        previous, self.model.last_login = self.model.last_login, self.model.now  # a refused attempt counts too
        if previous is not None and self.model.now - previous < self.model.s.slas_login_conflict_window:
            event("login: conflict")
            problem(r, 409, "conflict", "The same loginId and tenantId tried to login twice within 1 second.")
            return None
        if not password_ok:
            problem(r, 401, "invalid_client", "Basic Authorization failed.")
            return None
        found = self.redirected(r)
        return Code(found["code"], client, found["usid"], True, self.model.now, pkce)

    @rule(
        target=refresh_tokens,
        code=codes,
        verifier=mostly("right", "wrong", "missing"),
        cross=mostly(False, True),
    )
    def redeem(self, code: Code | None, verifier: str, cross: bool) -> Refresh | None:
        if code is None:
            return None
        client = (PUBLIC if code.client == PRIVATE else PRIVATE) if cross else code.client
        # a public client always uses authorization_code_pkce; a private one authorization_code (verifier optional)
        data = {"code": code.raw, "redirect_uri": CALLBACK, "usid": code.usid}
        data["grant_type"] = "authorization_code_pkce" if client == PUBLIC else "authorization_code"
        if verifier != "missing":
            data["code_verifier"] = VERIFIER if verifier == "right" else "w" * 64
        r = self.token(client, data)
        s = self.model.s
        error = self.model.code_error(code)
        event(f"redeem: {'cross' if cross else error[1] if error else 'usable'}")
        if cross:  # another client's code is unknown to this one (and is not spent)
            problem(r, 400, s.slas_invalid_code_error, s.slas_invalid_code_description)
            return None
        if error is not None:
            problem(r, 400, *error)
            return None
        code.used = True  # spent from here on, whatever the rest of the request says
        pkce_grant = client == PUBLIC
        if code.challenge and (pkce_grant or verifier != "missing"):
            if verifier == "missing":
                problem(r, 400, "invalid_request", "code_verifier is required")
                return None
            if verifier == "wrong":
                problem(r, 400, "invalid_request", "Invalid code_verifier.")
                return None
        return self.issued(r, client, code.usid, code.registered)

    @rule(target=refresh_tokens, client=st.sampled_from([PRIVATE, PUBLIC]), registered=st.booleans())
    def sign_in(self, client: str, registered: bool) -> Any:
        """The usual sign-in, code redeemed at once (a private guest uses client_credentials)."""
        if client == PRIVATE and not registered:
            return self.issued(self.token(PRIVATE, {"grant_type": "client_credentials"}), PRIVATE, None, False)
        if registered:
            self.clock.advance(1.0)  # no 409 from the previous login
            self.model.now += 1.0
            code = self.login(client, True, True)
        else:
            code = self.guest_authorize(client, True)
        assert code is not None
        return self.redeem(code, "right", False)

    # refresh, logout, revoke ------------------------------------------------------------------------
    @rule(target=refresh_tokens, rt=refresh_tokens, cross=mostly(False, True))
    def refresh(self, rt: Refresh | None, cross: bool) -> Refresh | None:
        if rt is None:
            return None
        client = (PUBLIC if rt.client == PRIVATE else PRIVATE) if cross else rt.client
        r = self.token(client, {"grant_type": "refresh_token", "refresh_token": rt.raw})
        s = self.model.s
        error = self.model.refresh_error(rt)
        event(f"refresh {rt.client}: {'cross' if cross else error[1] if error else 'usable'}")
        if cross:
            problem(r, 400, s.slas_invalid_refresh_error, s.slas_invalid_refresh_description)
            return None
        if error is not None:
            problem(r, 400, *error)
            return None
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["usid"] == rt.usid and body["customer_id"] == rt.customer_id
        if rt.client == PRIVATE:  # "the refresh token is not regenerated"
            assert body["refresh_token"] == rt.raw
            assert body["refresh_token_expires_in"] == max(int(rt.expires - self.model.now), 0)
            self.model.accesses.append(Access(body["access_token"], rt.client, rt.customer_id, rt, self.model.now))
            return None
        # public: "always regenerated ... the old refresh token is voided"
        assert body["refresh_token"] != rt.raw
        rt.revoked = rt.used = True
        return self.issued(r, rt.client, rt.usid, rt.registered)

    @precondition(lambda self: bool(self.model.accesses))
    @rule(
        data=st.data(), same_session=mostly(True, False), all_sessions=mostly(False, True), bad_hint=mostly(False, True)
    )
    def logout(self, data: st.DataObject, same_session: bool, all_sessions: bool, bad_hint: bool) -> None:
        at = data.draw(st.sampled_from(self.model.accesses))
        rt = at.parent if same_session else data.draw(st.sampled_from(self.model.refreshes))
        query = {"client_id": rt.client, "refresh_token": rt.raw, "channel_id": "RefArch"}
        if bad_hint:
            query["hint"] = "everything"
        elif all_sessions:
            query["hint"] = "all-sessions"
        r = self.http.get(BASE + "/logout", params=query, headers={"Authorization": f"Bearer {at.raw}"})
        bad = "invalid_request"
        if not self.model.access_live(at):
            problem(r, 400, bad, "Bad or missing access token.")
            return None
        if rt.customer_id != at.customer_id:
            problem(r, 400, bad, "Bad or missing refresh token.")
            return None
        if bad_hint:
            problem(r, 400, bad, "Bad or missing hint.")
            return None
        assert r.status_code == 200, r.text
        assert r.json() == LOGOUT_BODY
        event(f"logout: {'all sessions' if all_sessions else 'one session'}")
        doomed = [rt]
        if all_sessions:
            doomed = [one for one in self.model.refreshes if one.customer_id == rt.customer_id]
        for one in doomed:
            self.model.revoke_refresh(one)
        at.revoked = True

    @precondition(lambda self: bool(self.model.accesses))
    @rule(data=st.data(), refresh=st.booleans(), hint=st.sampled_from([None, "access_token", "refresh_token"]))
    def revoke(self, data: st.DataObject, refresh: bool, hint: str | None) -> None:
        """`/revoke` with the private client's Basic credentials: only its own tokens are revoked."""
        pool: list[Access | Refresh] = [*self.model.refreshes] if refresh else [*self.model.accesses]
        token = data.draw(st.sampled_from(pool))
        form = {"token": token.raw}
        if hint is not None:
            form["token_type_hint"] = hint
        r = self.http.post(BASE + "/revoke", data=form, headers=PRIVATE_AUTH)
        assert r.status_code == 200, r.text
        assert r.json()["refresh_token"] == token.raw and r.json()["access_token"] == ""
        if token.client != PRIVATE:
            return
        if isinstance(token, Refresh) and hint != "access_token":
            self.model.revoke_refresh(token)
        elif isinstance(token, Access) and hint != "refresh_token":
            token.revoked = True

    # time -------------------------------------------------------------------------------------------
    @rule(seconds=st.sampled_from([0.5, 1.0, 59.0, 60.0, 600.0, 899.0, 900.0, 1800.0, DAY, 2 * DAY, 31 * DAY]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.model.now += seconds

    @precondition(lambda self: bool(self.model.accesses))
    @rule(data=st.data(), just_before=st.booleans())
    def to_a_boundary(self, data: st.DataObject, just_before: bool) -> None:
        """Jump to the exact instant a token dies (access or refresh), or one second before."""
        now, ttl = self.model.now, self.model.s.slas_expires_in
        ends = [at.issued + ttl for at in self.model.accesses] + [rt.expires for rt in self.model.refreshes]
        shift = 1.0 if just_before else 0.0
        future = sorted({e - shift for e in ends if e - shift > now})
        if not future:
            return
        target = data.draw(st.sampled_from(future))
        self.clock.advance(target - now)
        self.model.now = target

    # invariants -------------------------------------------------------------------------------------
    def introspect(self, raw: str) -> dict[str, Any]:
        r = self.http.post(BASE + "/introspect", data={"token": raw}, headers=PRIVATE_AUTH)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    @invariant()
    def access_tokens_agree(self) -> None:
        if not hasattr(self, "model"):
            return
        for at in self.model.accesses:
            live = self.model.access_live(at)
            info = self.introspect(at.raw)
            assert info["active"] is live, (info, at, self.model.now)
            if live:
                assert info["token_type"] == "access_token" and info["client_id"] == at.client
                assert info["exp"] == int(at.issued + self.model.s.slas_expires_in)
            r = self.http.get(BASE + "/userinfo", headers={"Authorization": f"Bearer {at.raw}"})
            if live:
                assert r.status_code == 200 and r.json()["customer_id"] == at.customer_id, r.text
            else:
                problem(r, 400, "invalid_request", "Bad or missing access token.")

    @invariant()
    def refresh_tokens_agree(self) -> None:
        if not hasattr(self, "model"):
            return
        for rt in self.model.refreshes:
            info = self.introspect(rt.raw)
            live = self.model.refresh_live(rt)
            assert info["active"] is live, (info, rt, self.model.now)
            if live:
                assert info["token_type"] == "refresh_token" and info["client_id"] == rt.client
                assert info["exp"] == int(rt.expires)


SlasTokenLifecycle.TestCase.settings = settings(
    max_examples=examples(60, 1000),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_slas_token_lifecycle = SlasTokenLifecycle.TestCase


def test_model_refresh_cases() -> None:
    """The reference model itself: a voided (used) token beats expiry; a revoked one is unknown."""
    model = Model(now=0.0, s=VARIANTS["tuned"])
    rt = Refresh("r", PUBLIC, "u", "c", False, 0.0, 100.0)
    assert model.refresh_error(rt) is None
    model.now = 100.0
    assert model.refresh_error(rt) == ("invalid_token", "refresh: expired")
    rt.revoked = rt.used = True
    assert model.refresh_error(rt) == ("invalid_grant", "refresh: used")
    rt.used = False
    assert model.refresh_error(rt) == ("invalid_grant", "refresh: unknown or revoked")
