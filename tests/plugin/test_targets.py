"""`Target.client()` / `async_client()`: the base URL is parsed once per target, and a client made from it is
the client `base_url=<text>` would make."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, create_app
from mockown.testing.target import LocalTarget, RemoteTarget, lean_cookies


def test_clients_get_the_base_url_as_text_would_give_it() -> None:
    local = LocalTarget(create_app(Config(seed_defaults=False)))
    try:
        for target in (local, RemoteTarget("http://127.0.0.1:9/prefix/"), RemoteTarget("https://h.example:8443")):
            with target.client() as client, httpx.Client(base_url=target.base_url) as reference:
                assert client.base_url == reference.base_url
                assert client.base_url.raw_path == reference.base_url.raw_path
                assert client.build_request("GET", "/a/b?x=1").url == reference.build_request("GET", "/a/b?x=1").url
            with target.client(base_url="http://other.test/p") as client:
                assert str(client.base_url) == "http://other.test/p/"
    finally:
        local.close()


def test_a_changed_base_url_is_honoured_and_clients_work_in_process() -> None:
    target = LocalTarget(create_app(Config(seed_defaults=False)))
    try:
        with target.client() as client:
            assert client.get("/.well-known/openid-configuration").status_code == 200
        target.base_url = "http://login.example"
        with target.client() as client:
            assert str(client.base_url) == "http://login.example"
            assert client.build_request("GET", "/x").url.host == "login.example"

        async def run() -> str:
            async with target.async_client() as client:
                return str(client.base_url)

        assert asyncio.run(run()) == "http://login.example"
    finally:
        target.close()


def _cookie_app(request: httpx.Request) -> httpx.Response:
    """Answers by path: cookies set, replaced, expired, scoped to a path, in Set-Cookie2, or none at all; and
    echoes the Cookie header it got."""
    headers: list[tuple[str, str]] = [("x-got", request.headers.get("cookie", ""))]
    path = request.url.path
    if path == "/set":
        headers += [("Set-Cookie", "sid=one; Path=/"), ("Set-Cookie", "theme=dark; Path=/ui")]
    elif path == "/replace":
        headers.append(("set-cookie", "sid=two; Path=/; HttpOnly"))
    elif path == "/expire":
        headers.append(("SET-COOKIE", "theme=; Path=/ui; Max-Age=0"))
    elif path == "/rfc2965":
        headers.append(("Set-Cookie2", 'legacy="1"; Version="1"; Path="/"'))
    return httpx.Response(200, headers=headers, json={"path": path})


def _jar(client: httpx.Client) -> list[tuple[str, str | None, str, str]]:
    return sorted((c.name, c.value, c.domain, c.path) for c in client.cookies.jar)


def test_clients_keep_cookies_exactly_as_plain_httpx_clients_do() -> None:
    """`lean_cookies` skips only responses without cookies: over the same answers, a plain client and a lean one
    hold the same cookies and send the same Cookie headers at every step."""
    steps = ["/none", "/set", "/none", "/ui/page", "/replace", "/none", "/expire", "/ui/page", "/rfc2965", "/none"]
    plain = httpx.Client(transport=httpx.MockTransport(_cookie_app), base_url="http://app.test")
    lean = lean_cookies(httpx.Client(transport=httpx.MockTransport(_cookie_app), base_url="http://app.test"))
    assert type(lean.cookies) is not httpx.Cookies and isinstance(lean.cookies, httpx.Cookies)
    with plain, lean:
        for path in steps:
            assert lean.get(path).headers["x-got"] == plain.get(path).headers["x-got"], path
            assert _jar(lean) == _jar(plain), path
    assert ("sid", "two", "app.test", "/") in _jar(plain)  # the steps did set, replace and expire cookies
    assert not any(name == "theme" for name, *_ in _jar(plain))


def test_lean_cookies_leaves_a_custom_jar_and_keeps_given_cookies() -> None:
    from http.cookiejar import CookieJar

    class Recording(CookieJar):
        pass

    custom = httpx.Client(cookies=Recording())
    assert type(lean_cookies(custom).cookies) is httpx.Cookies  # a jar of its own class: left alone
    given = lean_cookies(httpx.Client(cookies={"a": "1"}))
    assert dict(given.cookies) == {"a": "1"}
    local = LocalTarget(create_app(Config(seed_defaults=False)))
    try:
        with local.client() as client:
            assert type(client.cookies) is not httpx.Cookies and isinstance(client.cookies, httpx.Cookies)
    finally:
        local.close()


def test_the_journal_mark_in_process_is_what_the_control_plane_answers() -> None:
    """`ControlClient.journal_last_id()` reads the app's journal in-process; over HTTP it asks
    ``GET /_mockown/journal?limit=1``. Both give the same id at every step: empty, after requests (a control
    request is never journaled), after a clear, and past the journal's size."""
    from mockown.http.inprocess import in_process_client
    from mockown.testing.control import ControlClient

    target = LocalTarget(create_app(Config(seed_defaults=False, journal_size=3)))
    over_http = ControlClient(in_process_client(target.app), target.admin_token)
    direct = target.control
    try:
        assert direct._app_journal() is not None and over_http._app_journal() is None
        with target.client() as client:
            seen = [(direct.journal_last_id(), over_http.journal_last_id())]
            for path in ["/.well-known/openid-configuration", "/nope", "/services/oauth2/token"] * 2:
                client.get(path)
                over_http.health()
                seen.append((direct.journal_last_id(), over_http.journal_last_id()))
            over_http.delete("journal")
            seen.append((direct.journal_last_id(), over_http.journal_last_id()))
            client.get("/nope")
            seen.append((direct.journal_last_id(), over_http.journal_last_id()))
        assert all(a == b for a, b in seen), seen
        assert [a for a, _ in seen] == [0, 1, 2, 3, 4, 5, 6, 0, 7]
    finally:
        over_http.close()
        target.close()


def _shape(value: object) -> object:
    """The JSON shape of an answer: keys and value types (generated ids and secrets differ between two apps)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def test_seed_and_reset_in_process_answer_as_the_control_plane_does() -> None:
    """In-process, `ControlClient.seed()` and `reset()` call the endpoints' own functions instead of making an
    HTTP round trip: same answers (shape), same refusals (status and body), the caller's document left as it was, and a
    document JSON cannot carry refused the same way."""
    import pytest

    from mockown.http.inprocess import in_process_client
    from mockown.ids import ORG, new_id
    from mockown.testing.control import ControlClient, ControlPlaneError

    apps = [LocalTarget(create_app(Config(seed_defaults=False))) for _ in range(2)]
    direct, over_http = apps[0].control, ControlClient(in_process_client(apps[1].app), apps[1].admin_token)
    try:
        assert direct._app_runtime() is not None and over_http._app_runtime() is None
        org = {"id": new_id(ORG), "name": "Shapes", "users": [{"username": "u@shapes.test"}],
               "apps": [{"name": "shapes app"}]}  # fmt: skip
        account = {"name": "Shapes", "users": [{"email": "o@shapes.test", "role": "master_admin", "api_token": True}]}
        document = {"salesforce": {"orgs": [org]}, "own": {"accounts": [account]}}
        sent = json.loads(json.dumps(document))
        answers = [client.seed(document) for client in (direct, over_http)]
        assert document == sent  # the caller's document is left as it was
        assert _shape(answers[0]) == _shape(answers[1]) and answers[0]["salesforce"]["orgs"][0]["apps"]
        second = {**org, "id": new_id(ORG), "users": [{"username": "v@shapes.test"}]}
        again = [client.seed({"salesforce": {"orgs": [second]}}) for client in (direct, over_http)]
        assert _shape(again[0]) == _shape(again[1])
        taken = {"salesforce": {"orgs": [{**org, "id": new_id(ORG)}]}}  # its username is taken
        for body in ({"nope": {}}, {"salesforce": {"orgs": "not a list"}}, taken):
            refusals = []
            for client in (direct, over_http):
                with pytest.raises(ControlPlaneError) as caught:
                    client.seed(body)
                refusals.append((caught.value.status, caught.value.body))
            assert refusals[0] == refusals[1] and refusals[0][0] == 400, refusals
        for reset in ({"org": org["id"]}, {"org": org["id"], "delete": True}, {"org": "nope"}, {"bad": 1}, {}):
            outcomes: list[object] = []
            for client in (direct, over_http):
                try:
                    outcomes.append(_shape(client.reset(**reset)))
                except ControlPlaneError as exc:
                    outcomes.append((exc.status, exc.body))
            assert outcomes[0] == outcomes[1], (reset, outcomes)
        for client in (direct, over_http):
            with pytest.raises(TypeError):  # not JSON: refused before anything is sent
                client.seed({"salesforce": {"orgs": [{"name": object()}]}})
    finally:
        over_http.close()
        for target in apps:
            target.close()


def test_seed_and_reset_in_process_are_admitted_as_the_control_plane_admits() -> None:
    """The in-process shortcut applies the control plane's admission rule too: a wrong or missing admin token is
    the same 401, a control plane closed beyond loopback the same 403, as over HTTP."""
    import pytest

    from mockown.http.inprocess import in_process_client
    from mockown.testing.control import ControlClient, ControlPlaneError

    cases = [(Config(seed_defaults=False, admin_token="right"), token) for token in ("wrong", None)]
    cases.append((Config(seed_defaults=False, host="0.0.0.0"), None))
    for config, token in cases:
        app = create_app(config)
        direct, over_http = ControlClient.in_process(app, token), ControlClient(in_process_client(app), token)
        try:
            assert direct._app_runtime() is not None
            for call in (lambda c: c.seed({}), lambda c: c.reset()):
                refusals = []
                for client in (direct, over_http):
                    with pytest.raises(ControlPlaneError) as caught:
                        call(client)
                    refusals.append((caught.value.status, caught.value.body))
                assert refusals[0] == refusals[1] and refusals[0][0] in (401, 403), refusals
        finally:
            over_http.close()
    admitted = ControlClient.in_process(create_app(Config(seed_defaults=False, admin_token="right")), "right")
    assert admitted.seed({"salesforce": {"orgs": [{}]}})["salesforce"]["orgs"]


# -- request URLs merged once per text -----------------------------------------------------------------------------
_URL_TEXT = st.text(st.sampled_from("/abc%?=&#.:@ -~é"), max_size=12)
_BASES = ["http://testserver", "http://127.0.0.1:9/prefix/", "https://h.example:8443/a/b", "http://x.test/p?q=1"]


def _built(client: httpx.Client, url: str) -> str | type[Exception]:
    try:
        return str(client.build_request("GET", url).url)
    except Exception as exc:  # the same refusal from both clients
        return type(exc)


@settings(max_examples=100, deadline=None)
@given(base=st.sampled_from(_BASES), urls=st.lists(_URL_TEXT, min_size=1, max_size=6), again=st.booleans())
def test_a_target_client_builds_every_request_url_as_httpx_does(base: str, urls: list[str], again: bool) -> None:
    """`Target.client()` remembers merged URLs: each URL text, repeated or not, and after `base_url` changes, gives
    the URL a plain `httpx.Client` gives (or the same refusal)."""
    with RemoteTarget(base).client() as client, httpx.Client(base_url=base) as reference:
        for url in urls + (urls if again else []):
            assert _built(client, url) == _built(reference, url)
        client.base_url = reference.base_url = "http://moved.test/under/"
        for url in urls:
            assert _built(client, url) == _built(reference, url)
        for url in urls:  # a URL given as an `httpx.URL` is httpx's own merge
            given = httpx.URL("http://abs.test/x") if url.startswith("h") else httpx.URL("/rel" + url.replace("#", ""))
            assert client.build_request("GET", given).url == reference.build_request("GET", given).url


@pytest.fixture
def merges(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The URLs httpx's own `_merge_url` is given from now on, the shared memo emptied first (what other tests'
    clients merged)."""
    from mockown.testing import target as target_module

    given: list[object] = []
    httpx_merge = httpx.Client._merge_url

    def counted(self: httpx.Client, url: httpx.URL | str) -> httpx.URL:
        given.append(url)
        return httpx_merge(self, url)

    monkeypatch.setattr(httpx.Client, "_merge_url", counted)
    monkeypatch.setattr(target_module, "_MERGED", {})
    return given


def test_a_target_client_remembers_a_merged_url_and_forgets_past_its_bound(merges: list[object]) -> None:
    from mockown.testing import target as target_module

    with RemoteTarget("http://testserver").client() as client:
        first = client.build_request("GET", "/a").url
        assert client.build_request("GET", "/a").url == first and merges == ["/a"]  # merged once
        for n in range(target_module._MERGED_URLS):
            client.build_request("GET", f"/n{n}")
        assert len(merges) == 1 + target_module._MERGED_URLS
        assert client.build_request("GET", "/a").url == first and len(merges) == 2 + target_module._MERGED_URLS
        client.base_url = "http://other.test"  # forgotten past the bound: merged again alike; a new base, again
        assert str(client.build_request("GET", "/a").url) == "http://other.test/a" and merges[-1] == "/a"


def test_the_next_client_of_a_base_url_finds_its_urls_merged(merges: list[object]) -> None:
    """The fixture makes a client per test: the next client of the same base URL (equal as text) merges nothing
    again; a client of another base URL merges its own, and past `_MERGED_BASES` base URLs the memo starts again."""
    from mockown.testing import target as target_module

    with RemoteTarget("http://testserver/").client() as first:
        url = first.build_request("GET", "/a").url
    with RemoteTarget("http://testserver").client() as second:  # the same base URL once parsed
        assert second.build_request("GET", "/a").url == url and merges == ["/a"]
        assert str(second.build_request("POST", "/b").url) == "http://testserver/b" and merges == ["/a", "/b"]
    with RemoteTarget("http://other.test:8080").client() as other:
        assert str(other.build_request("GET", "/a").url) == "http://other.test:8080/a" and merges[-1] == "/a"
    for n in range(target_module._MERGED_BASES):
        with RemoteTarget(f"http://b{n}.test").client() as client:
            client.build_request("GET", "/a")
    assert len(target_module._MERGED) <= target_module._MERGED_BASES
    with RemoteTarget("http://testserver").client() as again:
        again.build_request("GET", "/a")
    assert merges[-1] == "/a" and len(merges) == 4 + target_module._MERGED_BASES  # forgotten, merged again


def test_httpx_still_merges_request_urls_where_the_target_client_remembers_them() -> None:
    """The memo overrides httpx's `Client._merge_url`; if an httpx release renames it, the memo is dead code."""
    assert callable(getattr(httpx.Client, "_merge_url", None)) and callable(httpx.AsyncClient._merge_url)


def test_a_target_async_client_builds_request_urls_as_httpx_does() -> None:
    base = "http://127.0.0.1:9/prefix/"

    async def urls() -> list[tuple[str, str]]:
        async with RemoteTarget(base).async_client() as client, httpx.AsyncClient(base_url=base) as reference:
            pairs = []
            for url in ("/a", "b?x=1", "/a", "http://abs.test/z", ""):
                pairs.append((str(client.build_request("GET", url).url), str(reference.build_request("GET", url).url)))
            client.base_url = reference.base_url = "http://moved.test"
            pairs.append((str(client.build_request("GET", "/a").url), str(reference.build_request("GET", "/a").url)))
            return pairs

    pairs = asyncio.run(urls())
    assert all(ours == theirs for ours, theirs in pairs) and pairs[-1][0] == "http://moved.test/a"
    assert pairs[0][0] == "http://127.0.0.1:9/prefix/a"
