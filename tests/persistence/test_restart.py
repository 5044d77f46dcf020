"""A restart on the same state file loses nothing: every answer and the whole state are the same."""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET, T0

TOKEN = "/services/oauth2/token"


def password_token(client: httpx.Client) -> dict[str, Any]:
    data = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    r = client.post(TOKEN, data={**data, "password": PASSWORD})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def code_flow(client: httpx.Client) -> dict[str, Any]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(48)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": CID,
        "redirect_uri": CALLBACK,
        "login_hint": ADMIN,
        "scope": "api refresh_token openid",
        "code_challenge": challenge,
    }
    r = client.get("/services/oauth2/authorize", params=query)
    assert r.status_code == 302, r.text
    code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
    r = client.post(
        TOKEN,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": CID,
            "client_secret": SECRET,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
    )
    assert r.status_code == 200, r.text
    assert "refresh_token" in r.json()
    body: dict[str, Any] = r.json()
    return body


def answers(client: httpx.Client, tokens: list[str]) -> list[Any]:
    """Every read a client can make about the tokens (introspection, identity, REST, keys, discovery)."""
    out: list[Any] = []
    for token in tokens:
        r = client.post("/services/oauth2/introspect", data={"token": token}, auth=(CID, SECRET))
        out.append((r.status_code, r.json()))
        if not token.startswith("5Aep"):
            r = client.get("/services/oauth2/userinfo", headers={"Authorization": f"Bearer {token}"})
            out.append((r.status_code, r.text))
    out.append(client.get("/id/keys").json())
    out.append(client.get("/.well-known/openid-configuration").json())
    return out


def runtime_of(app: Starlette) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


def test_restart_loses_nothing(tmp_path: Path) -> None:
    config = Config(state_file=str(tmp_path / "state.db"))
    first = create_app(config, clock=FrozenClock(T0))
    with in_process_client(first) as client:
        plain = [password_token(client)["access_token"] for _ in range(3)]
        flows = [code_flow(client) for _ in range(2)]
        id_token = flows[0]["id_token"]
        # revoke one session and one refresh token (which ends its sessions too)
        assert client.post("/services/oauth2/revoke", data={"token": plain[1]}).status_code == 200
        assert client.post("/services/oauth2/revoke", data={"token": flows[1]["refresh_token"]}).status_code == 200
        runtime_of(first).clock.advance("1h")
        tokens = [*plain, *(f[k] for f in flows for k in ("access_token", "refresh_token"))]
        answers(client, tokens)  # the reads themselves may touch state (sliding sessions): let them settle
        before = answers(client, tokens)
    state_before = runtime_of(first).store.dump()
    clock_before = runtime_of(first).clock.now()
    runtime_of(first).store.close()

    # a new process would start with another clock: the file's clock wins
    second = create_app(config, clock=FrozenClock("2031-06-01T00:00:00Z"))
    assert runtime_of(second).clock.now() == clock_before
    assert runtime_of(second).store.dump() == state_before  # orgs, users, apps, codes, tokens, Own, outbox, ...
    with in_process_client(second) as client:
        assert answers(client, tokens) == before
        # the id token signed before the restart verifies with the keys published after it
        keys = client.get("/id/keys").json()["keys"]
        jwk = jwt.PyJWK(keys[0])
        claims = jwt.decode(id_token, jwk.key, algorithms=["RS256"], audience=CID, options={"verify_exp": False})
        assert claims["preferred_username"] == ADMIN
        # the live refresh token still refreshes; the revoked one does not
        refresh = {"grant_type": "refresh_token", "client_id": CID, "client_secret": SECRET}
        ok = client.post(TOKEN, data={**refresh, "refresh_token": flows[0]["refresh_token"]})
        assert ok.status_code == 200, ok.text
        dead = client.post(TOKEN, data={**refresh, "refresh_token": flows[1]["refresh_token"]})
        assert dead.status_code == 400 and dead.json()["error"] == "invalid_grant"
    runtime_of(second).store.close()


def test_restart_does_not_seed_again_and_reset_survives(tmp_path: Path) -> None:
    config = Config(state_file=str(tmp_path / "state.db"))
    first = create_app(config, clock=FrozenClock(T0))
    rt = runtime_of(first)
    orgs = len(rt.salesforce.orgs)
    assert orgs >= 1
    rt.store.clear()  # a reset to nothing, then a restart: no demo data comes back
    rt.store.close()
    second = create_app(config, clock=FrozenClock(T0))
    assert len(runtime_of(second).salesforce.orgs) == 0
    runtime_of(second).store.close()


def test_running_clock_offset_survives(tmp_path: Path) -> None:
    config = Config(state_file=str(tmp_path / "state.db"))
    first = create_app(config)  # a running clock (SystemClock)
    runtime_of(first).clock.advance("181d")
    offset = runtime_of(first).clock.offset
    runtime_of(first).store.close()
    second = create_app(config)
    clock = runtime_of(second).clock
    assert not clock.frozen
    assert clock.offset == pytest.approx(offset)
    runtime_of(second).store.close()


def _seeded_secrets(node: Any, name: str = "") -> list[str]:
    """Passwords and tokens the seed handed out (shown once; client secrets are not: Salesforce shows them)."""
    if isinstance(node, dict):
        return [v for k, child in node.items() for v in _seeded_secrets(child, k)]
    if isinstance(node, list):
        return [v for child in node for v in _seeded_secrets(child, name)]
    if name in ("password", "api_token", "access_token", "refresh_token") and isinstance(node, str) and node:
        return [node]
    return []


def test_no_raw_token_or_password_in_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    app = create_app(Config(state_file=str(path)), clock=FrozenClock(T0))
    with in_process_client(app) as client:
        issued = [password_token(client), code_flow(client)]
    seeded = _seeded_secrets(runtime_of(app).seeded)
    runtime_of(app).store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("state.db"))
    assert b"admin@mockown.test" in raw  # the state is there...
    for body in issued:
        for name in ("access_token", "refresh_token"):
            if name in body:
                value = body[name]
                assert value.encode() not in raw, name
                assert hashlib.sha256(value.encode()).hexdigest().encode() in raw  # ... tokens as hashes
    assert PASSWORD in seeded and len(seeded) >= 3
    for secret in seeded:
        assert secret.encode() not in raw, secret
