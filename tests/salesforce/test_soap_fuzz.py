"""Arbitrary bytes and arbitrary XML at the SOAP endpoints: never a crash, never a change of stored state.

HTTP 500 is the SOAP dialect's status for a fault (SOAP 1.1 §6.2; Salesforce answers every fault so), so "no 500"
cannot be the check here. `assert_soap_answer` is: a 2xx/4xx, or a 500 whose body is a well-formed SOAP fault
with a client-side `faultcode` (`sf:*`, `UNKNOWN_EXCEPTION`, `soapenv:Client`, `soapenv:VersionMismatch`). A crash
of the mock renders as `soapenv:Server` (`soap_dialect` at 5xx) and fails it, as `test_a_crash_is_told_apart`
proves.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from mockown.http.inprocess import InProcessTransport
from mockown.runtime import Runtime
from tests.conftest import ADMIN, PASSWORD
from tests.reliability.support import examples
from tests.salesforce.test_soap_login import ENTERPRISE, PARTNER, SOAPENV, TOKEN

FUZZ = settings(
    max_examples=examples(120, 1200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PATHS = st.sampled_from(["/services/Soap/u/59.0", "/services/Soap/c/62.0", "/services/Soap/u/64.0/00D5g000004MockEAC",
                         "/services/Soap/u/65.0", "/services/Soap/u/x", "/services/Soap/c/30.0/"])  # fmt: skip
TYPES = st.sampled_from(["text/xml; charset=UTF-8", "text/xml", "application/soap+xml", "application/json",
                         "application/x-www-form-urlencoded", "multipart/form-data", ""])  # fmt: skip
CLIENT_CODES = ("sf:", "UNKNOWN_EXCEPTION", "soapenv:Client", "soapenv:VersionMismatch")


def assert_soap_answer(r: httpx.Response) -> None:
    if r.status_code == 500 or r.headers.get("content-type", "").startswith("text/xml"):
        root = ET.fromstring(r.content)  # well-formed XML
        fault = root.find(f"{{{SOAPENV}}}Body/{{{SOAPENV}}}Fault")
        if r.status_code >= 400:
            assert fault is not None, r.text
            code = fault.findtext("faultcode") or ""
            assert code.startswith(CLIENT_CODES), r.text  # soapenv:Server is the crash render
            assert fault.findtext("faultstring")
    assert r.status_code in (200, 404, 405, 413, 500), r.text


def state(runtime: Runtime) -> str:
    return json.dumps(runtime.store.dump(), sort_keys=True, default=str)


def _names() -> st.SearchStrategy[str]:
    return st.sampled_from(["login", "logout", "username", "password", "query", "SessionHeader", "sessionId",
                            "Envelope", "Body", "Header", "LoginScopeHeader", "organizationId", "x"])  # fmt: skip


def _element(depth: int) -> st.SearchStrategy[str]:
    ns = st.sampled_from([PARTNER, ENTERPRISE, SOAPENV, "urn:other", ""])
    text = st.text(max_size=20).map(escape)
    if depth == 0:
        return text
    child = st.lists(_element(depth - 1), max_size=3).map("".join)
    return st.tuples(_names(), ns, st.one_of(text, child)).map(
        lambda t: f'<{t[0]} xmlns="{t[1]}">{t[2]}</{t[0]}>' if t[1] else f"<{t[0]}>{t[2]}</{t[0]}>"
    )


ENVELOPES = st.tuples(
    st.sampled_from([SOAPENV, "http://www.w3.org/2003/05/soap-envelope", "urn:x"]),
    st.lists(_element(3), max_size=3).map("".join),
    st.lists(_element(3), max_size=2).map("".join),
).map(lambda t: f'<e:Envelope xmlns:e="{t[0]}"><e:Header>{t[2]}</e:Header><e:Body>{t[1]}</e:Body></e:Envelope>')


def _post(client: httpx.Client, path: str, body: bytes, content_type: str) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return client.post(path, content=body, headers=headers)


@FUZZ
@given(path=PATHS, body=st.binary(max_size=400), content_type=TYPES)
def test_arbitrary_bytes(client: httpx.Client, runtime: Runtime, path: str, body: bytes, content_type: str) -> None:
    before = state(runtime)
    assert_soap_answer(_post(client, path, body, content_type))
    assert state(runtime) == before


@FUZZ
@given(path=PATHS, body=ENVELOPES, content_type=TYPES)
def test_arbitrary_envelopes(client: httpx.Client, runtime: Runtime, path: str, body: str, content_type: str) -> None:
    """Random SOAP-ish documents: faults or (for a random login that names no real user) no state change."""
    before = state(runtime)
    assert_soap_answer(_post(client, path, body.encode(), content_type))
    assert state(runtime) == before


@FUZZ
@given(password=st.text(max_size=30), username=st.sampled_from([ADMIN, ADMIN.upper(), "nobody@x.test", ""]))
def test_login_with_arbitrary_credentials(client: httpx.Client, runtime: Runtime, password: str, username: str) -> None:
    body = (
        f'<e:Envelope xmlns:e="{SOAPENV}"><e:Body><login xmlns="{PARTNER}"><username>{escape(username)}</username>'
        f"<password>{escape(password)}</password></login></e:Body></e:Envelope>"
    )
    r = _post(client, "/services/Soap/u/59.0", body.encode("utf-8", "surrogatepass"), "text/xml")
    assert_soap_answer(r)
    good = username.lower() == ADMIN and password in (PASSWORD, PASSWORD + TOKEN)
    assert (r.status_code == 200) == good, r.text
    user = runtime.salesforce.user_by_username(ADMIN)
    assert user is not None
    user.failed_logins = 0  # keep the admin out of the lockout across examples
    runtime.salesforce.users.put(user)


def test_a_crash_is_told_apart(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in the endpoint renders as `soapenv:Server` (HTTP 500), which `assert_soap_answer` refuses."""
    from mockown.salesforce import soap

    client = httpx.Client(transport=InProcessTransport(app, raise_app_exceptions=False), base_url="http://testserver")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug")

    crash: Callable[..., Any] = boom
    monkeypatch.setattr(soap, "envelope", crash)
    r = _post(client, "/services/Soap/u/59.0", b"<x/>", "text/xml")
    assert r.status_code == 500
    code = ET.fromstring(r.content).findtext(f"{{{SOAPENV}}}Body/{{{SOAPENV}}}Fault/faultcode")
    assert code == "soapenv:Server"
    with pytest.raises(AssertionError):
        assert_soap_answer(r)
