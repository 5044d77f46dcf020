"""Odd input at the HTTP layer, on every API: odd header values, odd bodies, odd paths and methods get an answer in
the dialect of the API they hit (never a 500, never a traceback), and nothing already stored is lost.

In-process here (the route table enumerated, the ASGI scope built by hand so that any byte can go in a header);
`test_odd_input_socket.py` sends what only a real socket can carry (chunked bodies, lying lengths, Expect).
After each batch `invariants()` checks the state: a known token still introspects active, the seeded users still
log in.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, CID, PASSWORD, SECRET

from .support import SOAK, examples

APP = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
RUNTIME = APP.state.runtime
CLIENT = in_process_client(APP)
FORM = b"application/x-www-form-urlencoded"


class Answer:
    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:200]!r}>"


async def _call(
    method: str, path: str, headers: Sequence[tuple[bytes, bytes]], body: bytes, query: bytes, raw_path: bytes | None
) -> Answer:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "headers": [(k.lower(), v) for k, v in headers],
        "scheme": "http",
        "path": path,
        "raw_path": raw_path if raw_path is not None else path.encode("utf-8", "surrogateescape"),
        "query_string": query,
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected until the answer is out
        return {"type": "http.disconnect"}

    answer = Answer()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await APP(scope, receive, send)
    return answer


def call(
    method: str,
    path: str,
    headers: Sequence[tuple[bytes, bytes]] = (),
    body: bytes = b"",
    query: bytes = b"",
    raw_path: bytes | None = None,
) -> Answer:
    """One request with exactly these header bytes (a Host of `testserver` unless one is given, a Content-Length for
    a body unless one is given); an exception inside the app fails the test with its traceback."""
    names = {k.lower() for k, _ in headers}
    extra: list[tuple[bytes, bytes]] = [] if b"host" in names else [(b"host", b"testserver")]
    if body and b"content-length" not in names and b"transfer-encoding" not in names:
        extra.append((b"content-length", str(len(body)).encode()))
    return asyncio.run(_call(method, path, [*extra, *headers], body, query, raw_path))


def basic(user: str, secret: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{user}:{secret}".encode())


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


PASSWORD_GRANT = form(grant_type="password", client_id=CID, client_secret=SECRET, username=ADMIN, password=PASSWORD)


def invariants() -> None:
    """What no odd request may break: the seeded admin still logs in, a token issued before still introspects
    active, the seeded Own owner still gets an access token; every 25th check (every 250th past the 1,000th: each
    render costs as much as the state has grown, and the 20,000-example soak sweeps spent most of their time
    there), the snapshot, the journal (which keeps the odd requests themselves) and the dashboard still render."""
    r = CLIENT.post("/services/oauth2/token", content=PASSWORD_GRANT, headers={"Content-Type": FORM.decode()})
    assert r.status_code == 200, r.text
    r = CLIENT.post("/services/oauth2/introspect", data={"token": KNOWN_TOKEN}, auth=(CID, SECRET))
    assert r.status_code == 200 and r.json()["active"] is True, r.text
    r = CLIENT.post("/api/auth/v1/login", data={"email": "owner@own.mockown.test", "password": "0wnerPassw0rd!"})
    assert r.status_code == 200, r.text
    _CHECKS[0] += 1
    n = _CHECKS[0]
    if n % 25 == 1 and (n < 1000 or n % 250 == 1):  # now and then: the whole state still renders, odd requests too
        for path in ("/_mockown/snapshot", "/_mockown/journal?limit=200", "/_mockown/journal/counts", "/_mockown/ui"):
            r = CLIENT.get(path)
            assert r.status_code == 200, (path, r.text[:300])


_CHECKS = [0]


def _issue(grant: bytes = PASSWORD_GRANT) -> str:
    r = CLIENT.post("/services/oauth2/token", content=grant, headers={"Content-Type": FORM.decode()})
    token: str = r.json()["access_token"]
    return token


# the invariants' token: another user's than the sweeps' bearer (the admin's), so that no odd request carrying
# that bearer (a logout, a revocation of the user's tokens) may legitimately revoke it
KNOWN_TOKEN = _issue(
    form(grant_type="password", client_id=CID, client_secret=SECRET, username="integration@mockown.test",
         password="Integrat10n!")
)  # fmt: skip


def control_error(answer: Answer) -> str:
    """The control plane's dialect: `{"error", "message"}`; the error code."""
    import json

    data = json.loads(answer.body)
    assert sorted(data) == ["error", "message"], answer
    return str(data["error"])


# -- the control plane's seed document ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "document",
    [
        pytest.param(b"[" * 50_000, id="JSON nested past the parser's depth"),
        pytest.param(b'{"salesforce": {"orgs": ' + b"[" * 2000 + b"]" * 2000 + b"}}", id="deep but well-formed JSON"),
        pytest.param(b'{"salesforce": ' + b"1" * 5000 + b"}", id="JSON integer of 5000 digits"),
        pytest.param(b"salesforce: " + b"1" * 5000, id="YAML integer of 5000 digits"),
        # a seed's implicit dates are text as written (seed.yaml_loader); an explicit tag is still read as a date
        pytest.param(b"salesforce: !!timestamp 2001-13-45", id="YAML date with a 13th month"),
        pytest.param(b"salesforce: !!timestamp 2001-12-14t21:59:43.10-99:00", id="YAML timestamp with a -99h offset"),
        pytest.param(b"salesforce: !!int x", id="YAML !!int of no number"),
        pytest.param(b"salesforce: !!float x", id="YAML !!float of no number"),
    ],
)
def test_a_seed_document_no_parser_can_read_is_a_400(document: bytes) -> None:
    before = len(CLIENT.get("/_mockown/snapshot").json()["store"])
    answer = call("POST", "/_mockown/seed", [(b"content-type", b"application/json")], document)
    assert answer.status == 400, answer
    assert control_error(answer) == "invalid_request"
    assert len(CLIENT.get("/_mockown/snapshot").json()["store"]) == before
    invariants()


def test_the_invariants_hold_on_a_fresh_app() -> None:
    invariants()
    assert re.fullmatch(r"00D\w+![\w.]+", KNOWN_TOKEN)


# -- the route table, enumerated -------------------------------------------------------------------------------
SAMPLES = {  # a value for each path parameter: a seeded object where there is one
    "version": "v62.0",
    "sobject": "User",
    "record_id": "005g000000Adm1NAAR",
    "org_id": "00D5g000004MockEAC",
    "user_id": "005g000000Adm1NAAR",
    "service_id": "300001",
    "region": "emea2",
    "backup_id": "last",
    "template_id": "501",
    "subdomain": "mcmockowndemo000000000000000",
    "org": "f_ecom_zzxy_001",
    "short_code": "kv7kzm78",
    "site": "RefArch",
    "instance": "zzxy_001",
    "rest": "x/y",
    "name": "control",
    "action": "nothing",
}


def _sample(template: str) -> str:
    return re.sub(r"\{([^}:]+)(:[^}]+)?\}", lambda m: SAMPLES.get(m.group(1), "1"), template)


def _routes() -> list[tuple[str, str, bytes | None]]:
    """(method, path, Host header or None) for every method of every route of every API, with the routes mounted
    under a `Host` (Marketing Cloud's own hosts) called on a host they match; SOAP (whose faults are a 500 by
    protocol) left out."""
    from starlette.routing import Host, Route

    out: list[tuple[str, str, bytes | None]] = []
    for route in APP.routes:
        hosted: list[tuple[Route, bytes | None]] = []
        if isinstance(route, Host):
            host = route.host.replace("{subdomain}", "mcmockowndemo000000000000000").encode()
            hosted = [(r, host) for r in route.routes if isinstance(r, Route)]
        elif isinstance(route, Route):
            hosted = [(route, None)]
        for r, host in hosted:
            if r.path.startswith("/services/Soap"):
                continue
            for method in sorted(r.methods or ()):
                out.append((method, _sample(r.path), host))
    return out


# control-plane actions that legitimately wipe or move the state the invariants check (reset, restore, clock):
# the sweeps leave them out (their own odd input is tests/reliability/test_malformed.py's and tests/control's)
DESTRUCTIVE = {("POST", "/_mockown/reset"), ("POST", "/_mockown/restore"), ("POST", "/_mockown/clock")}
ROUTES = [r for r in _routes() if r[:2] not in DESTRUCTIVE]
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def assert_answered(answer: Answer, what: object) -> None:
    """No 500, no traceback; an error in JSON is well-formed JSON."""
    import json

    assert 100 <= answer.status < 500, (what, answer)
    assert b"Traceback" not in answer.body, (what, answer)
    media = dict(answer.headers).get(b"content-type", b"").split(b";")[0]
    if answer.status >= 400 and media.endswith(b"json"):
        json.loads(answer.body)


def test_the_route_table_is_enumerated() -> None:
    methods = {m for m, _, _ in ROUTES}
    assert {"GET", "POST", "DELETE", "HEAD"} <= methods
    assert len(ROUTES) > 300
    assert any(host and host.endswith(b".auth.marketingcloudapis.com") for _, _, host in ROUTES)


ODD_HOSTS = [
    b"[::1",
    b"[",
    b"]",
    b"[zz]",
    b"[[::1]",
    b"[::1]]",
    b"[::1]:x",
    b"h:99999",
    b"h:-1",
    b"",
    b"\xff\xfe",
    b"\xc3\xa9.example",
    b"a b",
    b"a/b",
    b"a?b#c@d",
    b"EXAMPLE.COM.",
    b"x" * 5000,
]


QUICK_HOSTS = {b"[::1", b"[zz]", b"\xff\xfe", b""}  # `make test`; the others under `make soak`


@pytest.mark.parametrize(
    "host",
    [
        h
        if h in QUICK_HOSTS
        else pytest.param(h, marks=[pytest.mark.soak, pytest.mark.skipif(not SOAK, reason="soak")])
        for h in ODD_HOSTS
    ],
    ids=lambda h: repr(h[:20]),
)
def test_an_odd_host_header_on_every_route(host: bytes) -> None:
    """The Host header is the base of every URL the mock writes (issuers, instance_url, form actions), and the
    HTML form pages compare it with the Origin (CSRF): whatever it holds, no route answers 500."""
    for method, path, _ in ROUTES:
        body = form(grant_type="password", _csrf="x", a="b") if method in BODY_METHODS else b""
        headers = [(b"host", host), (b"content-type", FORM)]
        assert_answered(call(method, path, headers, body), (method, path, host))
    invariants()


@pytest.mark.parametrize("host", [b"[::1", b"[zz]", b"]"])
@pytest.mark.parametrize(
    "path", ["/services/oauth2/authorize/login", "/own/profile", "/setup/connect", "/_mockown/ui/reset"]
)
def test_a_form_page_behind_an_unparsable_host_is_refused_as_cross_site(path: str, host: bytes) -> None:
    """The form pages' CSRF check reads the base URL, made of the Host header: a Host `urlsplit` refuses (an unclosed
    or non-IP bracket) was a 500. It is no origin of this server: a browser's post (with an Origin) is refused as
    cross-site; without one the form's own CSRF token decides, as on any host."""
    browser = call(
        "POST", path, [(b"host", host), (b"content-type", FORM), (b"origin", b"http://" + host)], form(a="b")
    )
    assert 400 <= browser.status < 500 or browser.status == 303, browser
    plain = call("POST", path, [(b"host", host), (b"content-type", FORM)], form(a="b"))
    assert plain.status < 500, plain


# -- a client that goes away, a body that must not be read -------------------------------------------------------
async def _raw(path: str, headers: list[tuple[bytes, bytes]], messages: list[dict[str, Any]]) -> tuple[Answer, int]:
    """The app's answer when its `receive` hands out exactly `messages` (then waits), and how often it was called."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "headers": [(b"host", b"testserver"), *headers],
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
    }
    calls = 0

    async def receive() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    answer = Answer()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await asyncio.wait_for(APP(scope, receive, send), 10)
    return answer, calls


GONE_PATHS = [  # endpoints that read their body: one per API
    "/services/oauth2/token",
    "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token",
    "/mc/mcmockowndemo000000000000000/v2/token",
    "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2/token",
    "/dwsso/oauth2/access_token",
    "/_mockown/seed",
]


@pytest.mark.parametrize("path", GONE_PATHS)
def test_a_client_gone_before_its_body_ended_is_no_internal_error(path: str, caplog: pytest.LogCaptureFixture) -> None:
    """A client that closes its connection in the middle of its body (a Content-Length longer than what it sent, a
    chunked body cut short): nobody is left to answer. It was a 500 logged as 'internal error in mockown (a bug)'
    with uvicorn's traceback of ClientDisconnect; now nothing is logged as an error and the journal says 499
    (nginx's 'client closed request')."""
    RUNTIME.control.journal.clear()
    headers = [(b"content-type", FORM), (b"content-length", b"100")]
    messages = [{"type": "http.request", "body": b"grant_type=pass", "more_body": True}, {"type": "http.disconnect"}]
    with caplog.at_level("ERROR"):
        asyncio.run(_raw(path, headers, messages))
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
    if not path.startswith("/_mockown"):
        entries = RUNTIME.control.journal.entries()
        assert [e.status for e in entries if e.path == path] == [499]
    invariants()


@pytest.mark.parametrize("path", GONE_PATHS)
def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(path: str) -> None:
    """`Content-Length` over `max_body_bytes`: 413 at once, without reading the body. uvicorn answers a request's
    `Expect: 100-continue` on the app's first `receive()`: the pipeline's journal read the body first, so the
    client was told '100 Continue' and the server then waited for 100 MB it would refuse (curl waits 1 s and
    sends it all; a client that waits for the final answer hung)."""
    headers = [(b"content-type", FORM), (b"content-length", b"100000000"), (b"expect", b"100-continue")]
    answer, calls = asyncio.run(_raw(path, headers, []))
    assert answer.status == 413, answer
    assert calls == 0


# -- every header mockown reads, with odd values, on every route ---------------------------------------------------
READ_HEADERS = [  # grep 'headers.get(' / 'header(request' in mockown/, and what the pipeline and Starlette read
    b"authorization",
    b"cookie",
    b"content-type",
    b"content-length",
    b"accept",
    b"x-prettyprint",
    b"sforce-query-options",
    b"x-session-id",
    b"x-slas-client-auth",
    b"x-dw-client-id",
    b"origin",
    b"referer",
    b"sec-fetch-site",
    b"transfer-encoding",
    b"x-forwarded-for",
]
ODD_VALUES = [
    b"",
    b" ",
    b"\xc3\xa9",
    b"\xff\xfe",
    b"\x01\x7f",
    b"x" * 20_000,
    b"Bearer",
    b"Bearer ",
    b"bearer abc",
    b"Bearer a b c",
    b"Bearer \xc3\xa9",
    b"Basic",
    b"Basic \xff",
    b"Basic Og==",
    b"Digest x",
    b"OAuth 00D5g000004MockEAC!x",
    b"a=b; a=c; ; =; \xff=\xfe; mockown_bid=\xff",
    b"null",
    b"http://[",
    b"https://\xff",
    b"-1",
    b"99999999999999999999",
    b"text/html;q=abc, */*;q=x",
    b"application/json; charset=latin-1",
    b"multipart/form-data",
    b"multipart/form-data; boundary=",
    b"a/b/c;;;=",
    b"chunked",
]
BODIES = [
    b"",
    b"grant_type=%ff%fe&username=%c3%28",
    b"grant_type=pass%00word&%00=%00",
    b"a&b&c=&=d&&",
    b"grant_type=password&grant_type=client_credentials",
    b"%zz=%g&%",
    b"\xff\xfe=\xfe",
    b"[]",
    b'"x"',
    b"null",
    b"1e400",
    b'{"grant_type": ["a", "b"], "a": {"b": null}}',
    b'{"grant_type": NaN}',
    b"\xef\xbb\xbf{}",
    b'--b\r\nContent-Disposition: form-data; name="a"; filename="x"\r\n\r\n\xff\xfe\r\n--b--\r\n',
    b'--b\r\nContent-Disposition: form-data; name="\xff"\r\n\r\nx\r\n--b--\r\n',
]
CONTENT_TYPES = [
    b"application/x-www-form-urlencoded",
    b"application/x-www-form-urlencoded; charset=latin-1",
    b"application/json",
    b"application/json; charset=latin-1",
    b"text/json",
    b"application/scim+json",
    b"multipart/form-data; boundary=b",
    b"multipart/form-data",
    b"text/plain",
    b"\xff/\xfe",
]
SWEEP_TOKEN = _issue()  # the sweeps' own bearer: a logout they send may revoke it, as it should (not KNOWN_TOKEN)
AUTHS = [b"", b"Bearer " + SWEEP_TOKEN.encode(), basic(CID, SECRET)]
SETTINGS = settings(
    max_examples=examples(200, 20_000), deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@SETTINGS
@given(
    route=st.sampled_from(ROUTES),
    auth=st.sampled_from(AUTHS),
    odd=st.lists(st.tuples(st.sampled_from(READ_HEADERS), st.sampled_from(ODD_VALUES)), min_size=1, max_size=3),
    body=st.sampled_from(BODIES) | st.binary(max_size=200),
    content_type=st.sampled_from(CONTENT_TYPES),
    query=st.sampled_from([b"", b"a=1&a=2", b"%ff=%fe", b"%00", b"q=%ff&q=SELECT+Id+FROM+User", b"&&==", b"x" * 5000]),
)
def test_odd_headers_bodies_and_queries_on_every_route(
    route: tuple[str, str, bytes | None],
    auth: bytes,
    odd: list[tuple[bytes, bytes]],
    body: bytes,
    content_type: bytes,
    query: bytes,
) -> None:
    """Any route, a credential or none, up to three odd header values (a name may repeat: the first value wins, as
    `Headers.get`), an odd body in an odd content type, an odd query: never a 500."""
    method, path, host = route
    headers: list[tuple[bytes, bytes]] = [(b"host", host)] if host else []
    if auth:
        headers.append((b"authorization", auth))
    headers.append((b"content-type", content_type))
    headers += odd
    names = {name for name, _ in odd}
    if b"content-length" in names or b"transfer-encoding" in names:
        body = b""  # a lying length is the socket tests' business: in-process the body is the one message
    assert_answered(call(method, path, headers, body, query), (method, path, odd, body[:50], content_type))
    invariants()


# -- odd paths, methods -------------------------------------------------------------------------------------------
def _templated() -> list[tuple[str, str, bytes | None]]:
    from starlette.routing import Route

    out = []
    for route in APP.routes:
        if isinstance(route, Route) and "{" in route.path and not route.path.startswith("/services/Soap"):
            out.extend((m, route.path, None) for m in sorted(route.methods or ()))
    return out


ODD_SEGMENTS = [
    "/",
    "\x00",
    "\ufffd\ufffd",
    "\u00e9",
    "\U0001f600",
    "..",
    ".",
    "a" * 10_000,
    "\u0663",
    "1" * 400,
    "-1",
    " ",
    "%",
    "'",
    "<script>",
    "\u202e",
    "a/b",
    "%2F",
]


@SETTINGS
@given(route=st.sampled_from(_templated()), odd=st.sampled_from(ODD_SEGMENTS) | st.text(max_size=30))
def test_odd_path_parameters_on_every_route(route: tuple[str, str, None], odd: str) -> None:
    """Every path parameter of every route holding an odd value (what uvicorn hands the app after percent-decoding:
    any text, U+FFFD for invalid UTF-8, '/' from %2F): never a 500."""
    method, template, _ = route
    path = re.sub(r"\{([^}:]+)(:[^}]+)?\}", lambda _: odd, template)
    auth = (b"authorization", b"Bearer " + SWEEP_TOKEN.encode())
    answer = call(method, path, [auth], raw_path=path.encode("utf-8", "replace"))
    assert_answered(answer, (method, path[:200]))
    invariants()


ODD_METHODS = ["HEAD", "OPTIONS", "PROPFIND", "TRACE", "PUT", "PATCH", "X" * 50]
UNKNOWN_PATHS = ["/", "//", "/nothing", "/services//data", "/_mockown/nothing", "/_mockown//health", "/" + "a" * 20_000]


@pytest.mark.parametrize("method", ODD_METHODS)
def test_odd_methods_on_every_route_and_unknown_paths(method: str) -> None:
    seen = set()
    for _, path, host in ROUTES:
        if (path, host) in seen:
            continue
        seen.add((path, host))
        answer = call(method, path, [(b"host", host)] if host else [])
        assert_answered(answer, (method, path))
    for path in UNKNOWN_PATHS:
        assert_answered(call(method, path), (method, path[:100]))
    invariants()


def test_a_multipart_file_part_is_closed_with_its_request() -> None:
    """A multipart body whose part has a filename is parsed by Starlette into an `UploadFile` (a
    SpooledTemporaryFile) that nobody closed: each such request left one for the garbage collector, whose
    ResourceWarning pytest (warnings as errors) pinned on whichever test ran then (found by the soak sweep)."""
    import gc
    import warnings

    body = b'--b\r\nContent-Disposition: form-data; name="grant_type"; filename="x"\r\n\r\npassword\r\n--b--\r\n'
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for path in ("/services/oauth2/token", "/mc/mcmockowndemo000000000000000/v2/token", "/_mockown/clock"):
            answer = call("POST", path, [(b"content-type", b"multipart/form-data; boundary=b")], body)
            assert_answered(answer, path)
        gc.collect()
    leaked = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == [], [str(w.message) for w in leaked]


@functools.cache
def _timeout_app() -> Any:
    return create_app(Config(body_timeout=0.3), clock=FrozenClock("2026-01-01T00:00:00Z"))


@pytest.mark.parametrize("path", GONE_PATHS)
def test_a_body_that_stops_coming_is_a_408_after_body_timeout(path: str) -> None:
    """Content-Length 100, 15 bytes sent, then nothing while the connection stays open: the server waited for the
    rest as long as the client kept the connection (forever; uvicorn has no timeout inside a request). After
    `body_timeout` seconds without a part of the body it answers 408 in the endpoint's dialect (then uvicorn closes
    the idle connection after its keep-alive timeout)."""
    import json
    import time

    app = _timeout_app()
    global APP
    saved, APP = APP, app
    try:
        headers = [(b"content-type", FORM), (b"content-length", b"100")]
        started = time.monotonic()
        answer, _ = asyncio.run(
            _raw(path, headers, [{"type": "http.request", "body": b"grant_type=pass", "more_body": True}])
        )
        took = time.monotonic() - started
    finally:
        APP = saved
    assert answer.status == 408, answer
    assert 0.25 < took < 5, took
    error = json.loads(answer.body)
    assert "error" in error or "errorcode" in error, answer
    expected = json.loads(call("POST", path, [(b"content-type", b"application/json")], b"{").body)
    assert sorted(error) == sorted(expected), (error, expected)  # the keys of the endpoint's own errors


def test_body_timeout_is_a_setting() -> None:
    assert Config().body_timeout == 30
    assert Config.load(env={"MOCKOWN_BODY_TIMEOUT": "2.5"}).body_timeout == 2.5
    from mockown.config import ConfigError

    with pytest.raises(ConfigError, match="body_timeout"):
        Config(body_timeout=-1)


@pytest.mark.parametrize("given", ["nan", "NaN", "-nan"])
def test_body_timeout_nan_is_refused(given: str) -> None:
    """float() reads 'nan' and NaN is not below 0: MOCKOWN_BODY_TIMEOUT=nan was taken, and a body that stopped
    coming was never answered (no deadline is ever reached) while the watch kept a NaN timer in the loop."""
    from mockown.config import ConfigError

    with pytest.raises(ConfigError, match="body_timeout"):
        Config.load(env={"MOCKOWN_BODY_TIMEOUT": given})
    with pytest.raises(ConfigError, match="body_timeout"):
        Config(body_timeout=float(given))


# -- \u escapes of lone surrogates: JSON text that is no Unicode --------------------------------------------------
LONE = "\\ud800"  # as a client sends it: six characters of JSON text, decoded by json.loads to U+D800 (no character)


def test_a_seed_document_with_a_lone_surrogate_is_refused_and_stores_nothing() -> None:
    """'\\ud800' in a JSON seed document became a name that UTF-8 cannot encode: the seed answered 500 after
    storing it, and from then on the dashboard and /_mockown/snapshot were a 500 (every render of the state)."""
    document = (
        '{"salesforce": {"orgs": [{"users": [{"username": "u' + LONE + '@odd.test", "password": "p", '
        '"first_name": "' + LONE + '"}]}]}}'
    ).encode()
    before = CLIENT.get("/_mockown/snapshot").json()["store"]
    answer = call("POST", "/_mockown/seed", [(b"content-type", b"application/json")], document)
    assert answer.status == 400, answer
    assert control_error(answer) == "invalid_request"
    assert CLIENT.get("/_mockown/snapshot").json()["store"] == before
    assert CLIENT.get("/_mockown/ui").status_code == 200
    invariants()


def test_a_surrogate_pair_is_one_character_and_welcome() -> None:
    pair = "\\ud83d\\ude00"  # U+1F600, escaped as JSON allows
    document = ('{"salesforce": {"orgs": [{"users": [{"username": "pair@odd.test", "password": "p", "first_name": "'
                + pair + '"}]}]}}').encode()  # fmt: skip
    answer = call("POST", "/_mockown/seed", [(b"content-type", b"application/json")], document)
    assert answer.status == 201, answer
    assert "\U0001f600" in CLIENT.get("/_mockown/snapshot").text or "\\ud83d" in CLIENT.get("/_mockown/snapshot").text


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/mc/mcmockowndemo000000000000000/v2/token", "client_id"),
        ("/services/oauth2/register", "client_name"),
        ("/_mockown/faults", "path"),
        ("/api/v1/services/300001/backup_now", "x"),
        ("/s/RefArch/dw/shop/v24_5/customers/auth", "type"),
    ],
)
def test_a_json_body_with_a_lone_surrogate_is_a_400(path: str, field: str) -> None:
    body = ('{"' + field + '": "a' + LONE + '", "grant_type": "client_credentials"}').encode()
    answer = call("POST", path, [(b"content-type", b"application/json")], body)
    assert 400 <= answer.status < 500, answer
    assert_answered(answer, path)
    assert CLIENT.get("/_mockown/snapshot").status_code == 200
    assert CLIENT.get("/_mockown/ui").status_code == 200
    invariants()


def test_ocapi_customers_auth_refuses_a_lone_surrogate_in_any_field() -> None:
    """OCAPI's customers/auth reads its JSON itself (json.loads): a lone surrogate in a field it does not use was
    taken (200, a guest token), against the README's 'anywhere a JSON body is read'. (The case above uses the
    `type` field, which is refused for not being a type.) Now its own malformed-document fault."""
    import json

    path, query = "/s/RefArch/dw/shop/v24_5/customers/auth", b"client_id=" + b"a" * 30
    body = ('{"type": "guest", "x": "a' + LONE + '"}').encode()
    answer = call("POST", path, [(b"content-type", b"application/json")], body, query)
    assert answer.status == 400, answer
    assert json.loads(answer.body)["fault"]["type"] == "MalformedDocumentException", answer
    pair = b'{"type": "guest", "x": "\\ud83d\\ude00"}'  # a surrogate pair is one character: welcome
    assert call("POST", path, [(b"content-type", b"application/json")], pair, query).status == 200


# -- a Host header no URL can hold ------------------------------------------------------------------------------
BAD_HOSTS = [b"[::1", b"]", b"[zz]", b"[[::1]", b"x]:80"]


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_the_hybrid_flow_behind_a_host_no_url_can_hold_is_no_500(host: bytes) -> None:
    """mockown builds the URLs it writes from the Host header; a Host that `urlsplit` refuses (a bracket that is
    no IPv6 literal) was a 500 in the hybrid_token flow, which takes instance_url apart again for the Lightning,
    Visualforce and content domains (hybrid.domains); then answered as any host. Such a Host is no host[:port]:
    400 in the endpoint's dialect before the flow runs (RFC 9112 3.2; tests/security/test_host_header.py)."""
    hybrid = form(response_type="hybrid_token", client_id=CID, redirect_uri="http://localhost:8080/callback",
                  login_hint=ADMIN, scope="api web openid")  # fmt: skip
    answer = call("GET", "/services/oauth2/authorize", [(b"host", host)], query=hybrid)
    assert answer.status == 400, answer
    assert b"lightning_domain" not in answer.body and b"location" not in dict(answer.headers), answer
    invariants()


@pytest.mark.parametrize("host", [b"[::1]", b"[::1]:8080", b"127.0.0.1:8080", b"LOCALHOST.", b"h:99999"])
def test_a_valid_host_still_serves_the_hybrid_flow(host: bytes) -> None:
    hybrid = form(response_type="hybrid_token", client_id=CID, redirect_uri="http://localhost:8080/callback",
                  login_hint=ADMIN, scope="api web openid")  # fmt: skip
    answer = call("GET", "/services/oauth2/authorize", [(b"host", host)], query=hybrid)
    assert answer.status in (200, 302), answer


@pytest.mark.parametrize(
    "uri", ["https://[.example.com/callback", "https://a.example.com]/callback", "https://x[.example.com/callback"]
)
def test_a_slas_redirect_uri_no_url_can_hold_is_not_registered(uri: str) -> None:
    """SLAS matches a redirect_uri against a client's `https://*.example.com/callback` pattern by taking both apart
    with urlsplit: one with a bracket that is no IPv6 literal was a 500 (ValueError) at /authorize. It matches no
    pattern: the usual 400 'Redirect URI not registered for this client.'"""
    import json

    query = form(response_type="code", client_id="mockown-slas-private", redirect_uri=uri, hint="guest",
                 code_challenge="a" * 43, channel_id="RefArch")  # fmt: skip
    answer = call("GET", "/shopper/auth/v1/organizations/f_ecom_zzxy_001/oauth2/authorize", query=query)
    assert answer.status == 400, answer
    assert json.loads(answer.body)["error_description"] == "Redirect URI not registered for this client.", answer


ODD_CALLBACKS = ["https://[x/cb", "https://a]/cb", "myapp://[zz]/cb", "https://[::1/cb"]


@pytest.mark.parametrize("uri", ODD_CALLBACKS)
def test_a_seeded_callback_url_no_url_can_hold_is_refused(client: Any, uri: str) -> None:
    """A connected app's callback URL with a bracket that is no IPv6 literal was seeded as it was, and every
    redirect to it was a 500 (urlsplit's ValueError): /services/oauth2/authorize's error redirect (an unsupported
    response_type), the code and token redirects after the login, the OIDC logout's post_logout_redirect_uri. The
    seed refuses it (400 invalid_seed, nothing stored), as dynamic registration refuses such a redirect URI."""
    app = {"name": "Odd", "client_id": "oddclient", "client_secret": "s", "callback_urls": [uri]}
    doc = {"salesforce": {"orgs": [{"name": "Odd callbacks", "apps": [app]}]}}
    answer = client.post("/_mockown/seed", json=doc)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_seed", answer.text
    assert "callback_urls" in answer.json()["message"], answer.text
    query = {"response_type": "bogus", "client_id": "oddclient", "redirect_uri": uri}
    assert client.get("/services/oauth2/authorize", params=query).status_code == 400  # no such client
    # URLs urlsplit reads stay welcome: an IPv6 literal, a port, a custom scheme (a mobile app's)
    good = ["https://[::1]:8443/cb", "http://localhost:8080/callback", "myapp://callback"]
    doc["salesforce"]["orgs"][0]["apps"][0]["callback_urls"] = good
    assert client.post("/_mockown/seed", json=doc).status_code == 201
    for target in good:
        query["redirect_uri"] = target
        answer = client.get("/services/oauth2/authorize", params=query)
        assert answer.status_code == 302, answer.text
        assert answer.headers["location"].startswith(target), answer.headers
