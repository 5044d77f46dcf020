"""`base_url` is normalised once, when the Config is made, as a browser writes an origin: scheme and host in lower
case, the scheme's default port dropped, the path as written. It was used as written: `https://mock.example.com:443`
made every dashboard and control-plane POST a 403 behind a proxy (a browser's `Origin` never carries `:443`), and
`HTTPS://mock.example.com` dropped `Secure` from the cookies and put `HTTPS://` in the issuer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

ORIGIN = "https://mock.example.com"


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("https://mock.example.com:443", "https://mock.example.com"),
        ("HTTPS://Mock.Example.COM", "https://mock.example.com"),
        ("https://mock.example.com:443/", "https://mock.example.com/"),
        ("http://mock.example.com:80/Base/Path", "http://mock.example.com/Base/Path"),
        ("http://mock.example.com:443", "http://mock.example.com:443"),
        ("https://mock.example.com:08443/x", "https://mock.example.com:8443/x"),
        ("http://[::1]:80", "http://[::1]"),
        ("http://[::1]:8080/", "http://[::1]:8080/"),
        ("https://mock.example.com", "https://mock.example.com"),
    ],
)
def test_the_base_url_is_normalised(written: str, normal: str) -> None:
    assert Config(base_url=written).base_url == normal
    assert Config.load(env={"MOCKOWN_BASE_URL": written}).base_url == normal
    assert Config(base_url=written).replace(port=1).base_url == normal  # idempotent


@settings(max_examples=200, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "Https"]),
    host=st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}(\.[A-Za-z]{2,5}){0,2}", fullmatch=True),
    port=st.one_of(st.none(), st.integers(1, 65535)),
    path=st.from_regex(r"(/[A-Za-z0-9._~-]{0,6}){0,3}", fullmatch=True),
)
def test_a_normal_base_url_names_the_same_origin(scheme: str, host: str, port: int | None, path: str) -> None:
    written = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"
    normal = Config(base_url=written).base_url
    assert normal is not None
    default = {"http": 80, "https": 443}[scheme.lower()]
    expected_port = "" if port in (None, default) else f":{port}"
    assert normal == f"{scheme.lower()}://{host.lower()}{expected_port}{path}"


@pytest.mark.parametrize("written", ["https://mock.example.com:443", "HTTPS://Mock.Example.com"])
def test_posts_from_the_base_urls_origin_are_same_origin_and_cookies_secure(written: str) -> None:
    app = create_app(Config(base_url=written), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app, base_url="http://127.0.0.1:8080") as c:  # a proxy that rewrote Host
        headers = {"Origin": ORIGIN}
        assert c.post("/_mockown/clock", json={"advance": 1}, headers=headers).status_code == 200
        dashboard = c.post("/_mockown/ui/clock", data={"advance": "1"}, headers=headers, follow_redirects=False)
        assert dashboard.status_code == 303
        assert c.get("/.well-known/openid-configuration").json()["issuer"].startswith(ORIGIN)
        cookies = c.get("/").headers.get_list("set-cookie")  # the login page's browser cookie
        assert cookies and all("secure" in cookie.lower() for cookie in cookies), cookies
