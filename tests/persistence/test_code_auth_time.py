"""An authorization code's `auth_time` (authorize had `max_age`) survives a restart on the state file and a
snapshot / restore; a snapshot taken before codes had the field restores, its codes without it."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import httpx
import jwt
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET, T0

AUTHORIZE = "/services/oauth2/authorize"
QUERY = {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "scope": "openid api"}


def _runtime(app: Starlette) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


def _code_after_sign_in(client: httpx.Client, clock: FrozenClock) -> tuple[str, int]:
    """Sign in on the login page, a minute later authorize with `max_age`: the code, and the sign-in's time."""
    page = client.get(AUTHORIZE, params=QUERY)
    hidden = dict(re.findall(r"name='([^']*)' value='([^']*)'", page.text))
    hidden = {html.unescape(k): html.unescape(v) for k, v in hidden.items()}
    assert client.post(f"{AUTHORIZE}/login", data={**hidden, "username": ADMIN, "password": PASSWORD}).is_redirect
    signed_in = int(clock.now())
    clock.advance("1m")
    answer = client.get(AUTHORIZE, params={**QUERY, "max_age": "600"})
    assert answer.status_code == 302, answer.text[:200]
    return httpx.URL(answer.headers["location"]).params["code"], signed_in


def _id_token(client: httpx.Client, code: str) -> dict[str, Any]:
    data = {"grant_type": "authorization_code", "code": code, "client_id": CID, "client_secret": SECRET}
    response = client.post("/services/oauth2/token", data={**data, "redirect_uri": CALLBACK})
    assert response.status_code == 200, response.text
    claims: dict[str, Any] = jwt.decode(response.json()["id_token"], options={"verify_signature": False})
    return claims


def test_a_codes_auth_time_survives_a_restart(tmp_path: Path) -> None:
    config = Config(state_file=str(tmp_path / "state.db"))
    clock = FrozenClock(T0)
    first = create_app(config, clock=clock)
    with in_process_client(first) as client:
        code, signed_in = _code_after_sign_in(client, clock)
    _runtime(first).store.close()
    second = create_app(config, clock=FrozenClock(T0))
    with in_process_client(second) as client:
        assert _id_token(client, code)["auth_time"] == signed_in
    _runtime(second).store.close()


def test_a_codes_auth_time_survives_a_snapshot_and_an_older_snapshot_restores() -> None:
    clock = FrozenClock(T0)
    with in_process_client(create_app(Config(), clock=clock)) as client:
        code, signed_in = _code_after_sign_in(client, clock)
        snapshot = client.get("/_mockown/snapshot").json()
    rows = snapshot["store"]["sf_codes"]  # the login page's code (no max_age) and the one asked with max_age
    assert sorted(row["auth_time"] or 0 for row in rows) == [0, signed_in]
    with in_process_client(create_app(Config(), clock=FrozenClock(T0))) as client:
        assert client.post("/_mockown/restore", json=snapshot).status_code == 200
        assert _id_token(client, code)["auth_time"] == signed_in
    for row in rows:  # as a snapshot taken before codes had the field
        del row["auth_time"]
    with in_process_client(create_app(Config(), clock=FrozenClock(T0))) as client:
        assert client.post("/_mockown/restore", json=snapshot).status_code == 200
        assert "auth_time" not in _id_token(client, code)
