"""`MockownServer`: uvicorn in a thread on a free port, and the URL helpers."""

from __future__ import annotations

import socket

import httpx
import pytest

from mockown import Config, FrozenClock, MockownServer, create_app
from mockown.testing import Urls


def test_start_stop_and_two_servers_side_by_side() -> None:
    first = MockownServer(create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z")))
    with pytest.raises(RuntimeError, match="not running"):
        first.url  # noqa: B018
    first.start()
    assert first.start() is first  # idempotent
    with MockownServer(config=Config(seed_defaults=False)) as second:
        assert first.port != second.port and first.port > 0
        assert httpx.get(first.urls.health).json()["clock"]["iso"].startswith("2026-01-01T00:00:00")
        assert httpx.get(second.urls.health).status_code == 200
        # state belongs to each app: the demo user exists on the first only
        assert first.runtime.salesforce.user_by_username("admin@mockown.test") is not None
        assert second.runtime.salesforce.user_by_username("admin@mockown.test") is None
    assert not second.running
    port = first.port
    first.stop()
    first.stop()  # idempotent
    with socket.socket() as probe:  # the port is free again
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    assert "stopped" in repr(first)


def test_urls() -> None:
    urls = Urls("http://127.0.0.1:8080/")
    assert urls.token == "http://127.0.0.1:8080/services/oauth2/token"
    assert urls.rest("limits") == "http://127.0.0.1:8080/services/data/v62.0/limits"
    assert urls.rest("sobjects/Account", version="v60.0").endswith("/services/data/v60.0/sobjects/Account")
    assert urls.identity("00D", "005") == "http://127.0.0.1:8080/id/00D/005"
    assert urls.own_token == "http://127.0.0.1:8080/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
    assert urls.own_api("services", region="emea2") == "http://127.0.0.1:8080/regions/emea2/api/v1/services"
    assert urls.own_api("jobs") == "http://127.0.0.1:8080/api/v1/jobs"
    assert urls.control("clock") == "http://127.0.0.1:8080/_mockown/clock"
    assert Urls("").token == "/services/oauth2/token"


def test_every_url_helper_names_a_route_the_app_serves() -> None:
    app = create_app(Config(), seed=False)
    urls = Urls("")
    paths = [urls.token, urls.authorize, urls.introspect, urls.revoke, urls.userinfo, urls.register,
             urls.openid_configuration, urls.jwks, urls.identity("00D5g000004MockEAC", "005g000000Adm1NAAR"),
             urls.rest("limits"), urls.versions, urls.own_token, urls.own_revoke, urls.own_api("services"),
             urls.own_api("services", region="emea2"), urls.own_profile, urls.own_legacy_login,
             urls.health, urls.mc_token("mcx"), urls.mc_authorize("mcx"), urls.mc_userinfo("mcx"),
             urls.mc_legacy_token("mcx"), urls.am_token, urls.am_authorize, urls.bm_token("zzzz-001"),
             urls.slas("f_ecom_zzzz_001"), urls.slas("f_ecom_zzzz_001", "jwks", short_code="kv7kzm78"),
             urls.ocapi_shop("RefArch", "customers/auth"),
             urls.ocapi_shop("RefArch", "sessions", instance="zzzz-001")]  # fmt: skip
    from starlette.routing import Match

    for path in paths:
        scope = {"type": "http", "path": path, "method": "GET", "headers": [], "query_string": b""}
        assert any(route.matches(scope)[0] != Match.NONE for route in app.routes), path
