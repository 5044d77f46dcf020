"""The races of `test_concurrency`, made deterministic: two apps on one state file (as two workers are), and a
replay from the second app injected at the worst moment of the first app's request, right between using the
code / refresh token and issuing the new tokens. The replay must see all of the first request or none of it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockown import Config, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, CALLBACK, CID, SECRET
from tests.salesforce.helpers import get_code, introspect

TOKEN = "/services/oauth2/token"


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[Starlette, Starlette]]:
    config = Config(state_file=str(tmp_path / "state.db"))
    first, second = create_app(config), create_app(config)
    yield first, second
    first.state.runtime.store.close()
    second.state.runtime.store.close()


class Replay:
    """Patch `app` so that, the next time it issues tokens, `other` sends `form` meanwhile (given 0.5 s to finish
    before the first request goes on: time enough, unless the first request's transaction holds it back)."""

    def __init__(self, app: Starlette, other: httpx.Client, form: dict[str, str]) -> None:
        self.seen: list[httpx.Response] = []
        self.worker = threading.Thread(target=lambda: self.seen.append(other.post(TOKEN, data=form)))
        service = app.state.runtime.salesforce
        original: Callable[..., dict[str, Any]] = service.issue

        def issue(*args: Any, **kwargs: Any) -> dict[str, Any]:
            service.issue = original
            self.worker.start()
            self.worker.join(timeout=0.5)
            return original(*args, **kwargs)

        service.issue = issue

    def response(self) -> httpx.Response:
        self.worker.join(timeout=30)
        assert not self.worker.is_alive() and len(self.seen) == 1
        return self.seen[0]


def test_a_code_replayed_while_it_is_being_redeemed(two_workers: tuple[Starlette, Starlette]) -> None:
    first, second = two_workers
    with in_process_client(first) as a, in_process_client(second) as b:
        code = get_code(a, login_hint=ADMIN, scope="api refresh_token")
        form = {"grant_type": "authorization_code", "code": code, "client_id": CID, "client_secret": SECRET}
        form["redirect_uri"] = CALLBACK
        replaying = Replay(first, b, form)
        started = time.monotonic()
        won = a.post(TOKEN, data=form)
        replay = replaying.response()
        assert won.status_code == 200, won.text
        assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
        assert time.monotonic() - started < 10
        # the replay came after the redemption, so it revoked what the redemption issued
        assert not introspect(a, won.json()["access_token"])["active"]
        assert not introspect(a, won.json()["refresh_token"])["active"]


def test_a_rotated_refresh_token_replayed_while_it_is_being_used(two_workers: tuple[Starlette, Starlette]) -> None:
    first, second = two_workers
    with first.state.runtime.store.atomic():
        demo = first.state.runtime.salesforce.app_by_client_id(CID)
        demo.rotation = True
        first.state.runtime.salesforce.apps.put(demo)
    with in_process_client(first) as a, in_process_client(second) as b:
        code = get_code(a, login_hint=ADMIN, scope="api refresh_token")
        form = {"grant_type": "authorization_code", "code": code, "client_id": CID, "client_secret": SECRET}
        tokens = a.post(TOKEN, data={**form, "redirect_uri": CALLBACK}).json()
        use = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": CID}
        use["client_secret"] = SECRET
        replaying = Replay(first, b, use)
        won = a.post(TOKEN, data=use)
        replay = replaying.response()
        assert won.status_code == 200, won.text
        assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
        # reuse of the rotated-out token invalidates the current one and its access tokens (Salesforce)
        assert not introspect(a, won.json()["refresh_token"])["active"]
        assert not introspect(a, won.json()["access_token"])["active"]
