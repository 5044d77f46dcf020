"""Model-based test of the Own API-token lifecycle: random sequences of generate / exchange / use (in every
region) / revoke / Okta revoke / account switch / clock jumps (including to the exact 180-day boundary), each
step checked against a small reference model of the documented rules (`../shared/spec/own-api.md`):

- one API token per user; generating while one is live is refused (409 `token_exists`, "revoke first");
- an API token lives 180 days from creation, used or not; at exactly 180 days the exchange answers
  `invalid_grant`; revoking or expiry also ends the access tokens it produced (in every region);
- an access token lives `expires_in` (3600, or what is left of its API token) virtual seconds, works in every
  region, and dies when the Okta revoke endpoint revokes it or when Support switches API tokens off for the account;
- generating and revoking e-mail the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.outbox import messages
from mockown.own.errors import TokenError

from .support import examples

DAY = 86400.0
API_TTL = 180 * DAY
ACCESS_TTL = 3600.0
TOKEN = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
REVOKE = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"
CLIENT = "0oa4c413eq8wwcEzP4h7"
INVALID_GRANT = "The refresh token is invalid or expired."
# the demo account's users: (id, password to confirm: only SSO users must)
USERS = {12345: None, 12346: None, 12347: None, 12348: "Ss0Passw0rd!"}
REGIONS = ["app1", "emea2", "useast2", "au4"]


@dataclass
class ApiTok:
    raw: str
    user: int
    created: float
    revoked: bool = False


@dataclass
class Access:
    raw: str
    parent: ApiTok
    issued: float
    revoked: bool = False


@dataclass
class Model:
    now: float
    enabled: bool = True
    current: dict[int, ApiTok] = field(default_factory=dict)  # the user's newest token (live or not)
    created_mails: int = 0
    revoked_mails: int = 0

    def api_live(self, tok: ApiTok) -> bool:
        return not tok.revoked and self.now < tok.created + API_TTL and self.current.get(tok.user) is tok

    def access_live(self, acc: Access) -> bool:
        return self.enabled and not acc.revoked and self.now < acc.issued + ACCESS_TTL and self.api_live(acc.parent)


class OwnTokenLifecycle(RuleBasedStateMachine):
    api_tokens = Bundle("api_tokens")
    access_tokens = Bundle("access_tokens")

    @initialize()
    def setup(self) -> None:
        self.clock = FrozenClock("2026-01-01T00:00:00Z")
        self.app = create_app(Config(), clock=self.clock)
        self.runtime = self.app.state.runtime
        self.own = self.runtime.own
        self.http = in_process_client(self.app)
        self.model = Model(now=self.clock.now())
        self.mails_before = len(messages(self.runtime))
        self.accesses: list[Access] = []

    def teardown(self) -> None:
        if hasattr(self, "http"):
            self.http.close()

    @rule(target=api_tokens, user=st.sampled_from(sorted(USERS)))
    def generate(self, user: int) -> ApiTok | None:
        old = self.model.current.get(user)
        try:
            raw = self.own.generate_api_token(user, USERS[user])
        except TokenError as exc:
            if not self.model.enabled:
                assert (exc.status, exc.code) == (403, "api_tokens_disabled")
            else:
                assert old is not None and self.model.api_live(old), exc
                assert (exc.status, exc.code) == (409, "token_exists")
            return None
        assert self.model.enabled and (old is None or not self.model.api_live(old)), "a second live token"
        tok = self.model.current[user] = ApiTok(raw, user, self.model.now)
        self.model.created_mails += 1
        return tok

    @rule(user=st.sampled_from(sorted(USERS)))
    def revoke(self, user: int) -> None:
        tok = self.model.current.get(user)
        try:
            self.own.revoke_api_token(user)
        except TokenError as exc:
            assert tok is None or not self.model.api_live(tok), exc
            assert (exc.status, exc.code) == (404, "no_token")
            return
        assert tok is not None and self.model.api_live(tok)
        tok.revoked = True
        self.model.revoked_mails += 1

    @rule(target=access_tokens, tok=api_tokens)
    def exchange(self, tok: ApiTok | None) -> Access | None:
        if tok is None:
            return None
        form = {"grant_type": "refresh_token", "client_id": CLIENT, "scope": "api:access", "refresh_token": tok.raw}
        r = self.http.post(TOKEN, data=form)
        if not (self.model.enabled and self.model.api_live(tok)):
            assert r.status_code == 400, r.text
            assert r.json() == {"error": "invalid_grant", "error_description": INVALID_GRANT}
            return None
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["refresh_token"] == tok.raw  # no rotation
        # the access token lives an hour, never past its API token (revoke_cascade): expires_in says which
        assert body["expires_in"] == min(ACCESS_TTL, tok.created + API_TTL - self.model.now)
        acc = Access(body["access_token"], tok, self.model.now)
        self.accesses.append(acc)
        return acc

    @rule(acc=access_tokens, region=st.sampled_from(REGIONS), by_host=st.booleans())
    def use(self, acc: Access | None, region: str, by_host: bool) -> None:
        if acc is None:
            return
        headers = {"Authorization": f"Bearer {acc.raw}"}
        if by_host:
            r = self.http.get("/api/v1/services", headers={**headers, "Host": f"{region}.owndata.com"})
        else:
            r = self.http.get(f"/regions/{region}/api/v1/services", headers=headers)
        if self.model.access_live(acc):
            assert r.status_code == 200, r.text
            assert isinstance(r.json(), list)
        else:
            assert r.status_code == 401, r.text
            assert set(r.json()) == {"error", "message"}

    @rule(acc=access_tokens)
    def okta_revoke(self, acc: Access | None) -> None:
        if acc is None:
            return
        r = self.http.post(REVOKE, data={"client_id": CLIENT, "token": acc.raw})
        assert r.status_code == 200, r.text  # Okta answers 200 for any token
        acc.revoked = True

    @rule(enabled=st.booleans())
    def switch(self, enabled: bool) -> None:
        self.own.set_api_tokens_enabled(1001, enabled)
        self.model.enabled = enabled

    @rule(seconds=st.sampled_from([60.0, 1799.0, ACCESS_TTL, 2 * ACCESS_TTL, DAY, 30 * DAY, 90 * DAY, 179 * DAY]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.model.now += seconds

    @precondition(lambda self: any(self.model.api_live(t) for t in self.model.current.values()))
    @rule(data=st.data(), just_before=st.booleans())
    def to_the_expiry(self, data: st.DataObject, just_before: bool) -> None:
        """Jump to exactly 180 days after a live token's creation (or one second before)."""
        live = sorted((t for t in self.model.current.values() if self.model.api_live(t)), key=lambda t: t.user)
        tok = data.draw(st.sampled_from(live))
        target = tok.created + API_TTL - (1.0 if just_before else 0.0)
        self.clock.advance(target - self.model.now)
        self.model.now = target

    @invariant()
    def profile_agrees(self) -> None:
        if not hasattr(self, "model"):
            return
        for user in USERS:
            tok = self.model.current.get(user)
            info = self.own.api_token_info(user)
            if tok is not None and self.model.api_live(tok):
                assert info is not None and info["hint"] == tok.raw[-4:], (user, info)
            else:
                assert info is None, (user, info)

    @invariant()
    def access_agrees(self) -> None:
        """The newest access tokens answer as the model says after every step (default region)."""
        if not hasattr(self, "model"):
            return
        for acc in self.accesses[-3:]:
            r = self.http.get("/api/v1/services", headers={"Authorization": f"Bearer {acc.raw}"})
            assert r.status_code == (200 if self.model.access_live(acc) else 401), r.text

    @invariant()
    def mails_agree(self) -> None:
        if not hasattr(self, "model"):
            return
        kinds = [m.kind for m in messages(self.runtime)[self.mails_before :]]
        assert kinds.count("own.api_token.created") == self.model.created_mails
        assert kinds.count("own.api_token.revoked") == self.model.revoked_mails


OwnTokenLifecycle.TestCase.settings = settings(
    max_examples=examples(25, 400),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_own_token_lifecycle = OwnTokenLifecycle.TestCase


def test_model_expiry_boundary() -> None:
    model = Model(now=0.0)
    tok = model.current[1] = ApiTok("x", 1, 0.0)
    model.now = API_TTL - 1
    assert model.api_live(tok)
    model.now = API_TTL
    assert not model.api_live(tok)
