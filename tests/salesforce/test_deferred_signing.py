"""The token endpoint signs JWT access tokens and ID tokens off the event loop (`mockown.signer`): the state
transition stores the token under a provisional id first, the signature is made after it, and a second
transaction files the token under its hash. What happens to the token in between must still hold."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from mockown import signer
from mockown.http.inprocess import InProcessTransport, in_process_async_client
from mockown.keys import RsaKey
from mockown.runtime import Runtime
from mockown.salesforce.service import PROVISIONAL
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET

from .helpers import TOKEN, code_tokens, get_code, introspect, password_token, rest


class GatedSigner:
    """Holds every signature until released, then makes it on the loop: the window between a token request's
    transition and its signature, opened as wide as a test needs."""

    def __init__(self) -> None:
        self.waiting = 0
        self.release: asyncio.Event | None = None

    async def offload_pays(self) -> bool:
        return True  # every signature goes through the gate

    def submit(self, job: Callable[[], Any]) -> asyncio.Future[Any]:
        async def later() -> Any:
            self.waiting += 1
            if self.release is None:
                self.release = asyncio.Event()
            await self.release.wait()
            return job()

        return asyncio.ensure_future(later())


def _jwt_default_app(runtime: Runtime) -> None:
    app = runtime.salesforce.app_by_client_id(CID)
    assert app is not None
    app.jwt_access_tokens = True
    runtime.salesforce.apps.put(app)


def _provisional(runtime: Runtime) -> list[str]:
    return [t.id for t in runtime.salesforce.access_tokens.all() if t.id.startswith(PROVISIONAL)]


def _code_form(code: str) -> dict[str, str]:
    return {"grant_type": "authorization_code", "code": code, "client_id": CID, "client_secret": SECRET,
            "redirect_uri": CALLBACK}  # fmt: skip


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the token request never reached its signature")


def test_a_jwt_access_token_is_filed_under_its_hash(client: httpx.Client, runtime: Runtime) -> None:
    _jwt_default_app(runtime)
    body = password_token(client).json()
    assert body["token_format"] == "jwt" and body["access_token"].count(".") == 2
    assert introspect(client, body["access_token"])["active"] is True
    assert rest(client, body["access_token"]).status_code == 200
    assert _provisional(runtime) == []


def test_a_code_replayed_while_its_token_is_signed_revokes_that_token(
    app: Starlette, client: httpx.Client, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _jwt_default_app(runtime)
    code = get_code(client, scope="api")  # no refresh token: the access token's own record must say it is revoked
    gate = GatedSigner()
    monkeypatch.setattr(signer, "SIGNER", gate)

    async def race() -> tuple[httpx.Response, httpx.Response]:
        async with in_process_async_client(app) as http:
            first = asyncio.ensure_future(http.post(TOKEN, data=_code_form(code)))
            await _until(lambda: gate.waiting == 1)
            assert len(_provisional(runtime)) == 1  # stored, under an id no bearer matches
            replay = await http.post(TOKEN, data=_code_form(code))  # revokes what the code issued
            assert gate.release is not None
            gate.release.set()
            return await first, replay

    first, replay = asyncio.run(race())
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["token_format"] == "jwt"
    assert introspect(client, body["access_token"]) == {"active": False}
    assert rest(client, body["access_token"]).status_code == 401
    assert _provisional(runtime) == []


def test_a_code_replayed_after_the_signature_revokes_the_filed_token(client: httpx.Client, runtime: Runtime) -> None:
    _jwt_default_app(runtime)
    code = get_code(client, scope="api")
    body = client.post(TOKEN, data=_code_form(code)).json()
    assert introspect(client, body["access_token"])["active"] is True
    assert client.post(TOKEN, data=_code_form(code)).json()["error"] == "invalid_grant"
    assert introspect(client, body["access_token"]) == {"active": False}  # the code knows the token's real id


def _count_submissions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count = [0]
    submit = signer.SIGNER.submit

    def counted(job: Callable[[], Any]) -> asyncio.Future[Any]:
        count[0] += 1
        return submit(job)

    monkeypatch.setattr(signer.SIGNER, "submit", counted)
    return count


def test_a_lone_request_signs_on_the_loop(
    client: httpx.Client, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # nothing else ran during the yield (a clock that stands still says so): no thread hop; the token still works
    _jwt_default_app(runtime)
    monkeypatch.setattr(signer.SIGNER, "clock", lambda: 0.0)
    submitted = _count_submissions(monkeypatch)
    body = code_tokens(client, scope="api openid")
    assert submitted == [0]
    assert body["id_token"].count(".") == 2 and introspect(client, body["access_token"])["active"] is True
    assert _provisional(runtime) == []


def test_concurrent_jwt_requests_each_get_their_own_live_token(
    app: Starlette, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _jwt_default_app(runtime)
    submitted = _count_submissions(monkeypatch)
    form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET}

    async def many() -> list[httpx.Response]:
        async with in_process_async_client(app) as http:
            data = {**form, "username": ADMIN, "password": PASSWORD}
            return list(await asyncio.gather(*(http.post(TOKEN, data=data) for _ in range(12))))

    answers = asyncio.run(many())
    assert [r.status_code for r in answers] == [200] * 12, answers[0].text
    tokens = [r.json()["access_token"] for r in answers]
    assert len(set(tokens)) == 12
    with httpx.Client(transport=InProcessTransport(app), base_url="http://testserver") as client:
        assert all(introspect(client, t)["active"] is True for t in tokens)
    assert _provisional(runtime) == []
    assert submitted[0] >= 1  # the others' work ran during the first one's yield: it went to the thread


@pytest.mark.parametrize("offload", [False, True], ids=["on-the-loop", "on-the-thread"])
def test_a_failed_signature_leaves_no_token_behind(
    app: Starlette, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, offload: bool
) -> None:
    _jwt_default_app(runtime)
    monkeypatch.setattr(signer.SIGNER, "busy_after", -1.0 if offload else float("inf"))

    def broken(*args: Any) -> str:
        raise RuntimeError("no signature today")

    monkeypatch.setattr(RsaKey, "sign", broken)
    before = len(runtime.salesforce.access_tokens.all())
    transport = InProcessTransport(app, raise_app_exceptions=False)
    with httpx.Client(transport=transport, base_url="http://testserver") as client:
        answer = password_token(client)
    assert answer.status_code == 500
    assert "error" in answer.json()  # the OAuth dialect
    assert len(runtime.salesforce.access_tokens.all()) == before


@pytest.mark.parametrize("jwt_tokens", [False, True], ids=["opaque", "jwt"])
def test_the_id_token_hashes_the_access_token_it_came_with(
    client: httpx.Client, runtime: Runtime, jwt_tokens: bool
) -> None:
    if jwt_tokens:
        _jwt_default_app(runtime)
    body = code_tokens(client, scope="api openid")
    key = jwt.PyJWK(client.get("/id/keys").json()["keys"][0]).key
    claims = jwt.decode(body["id_token"], key, algorithms=["RS256"], audience=CID, options={"verify_exp": False})
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    assert (body.get("token_format") == "jwt") is jwt_tokens
