"""A body that is no form but is read as one (markup, a file, JSON sent as text/plain) leaves no secret in the
journal: its text becomes parameter *names*, which the redaction (by name) cannot tell are secrets. A SOAP
endpoint clears its own entry (e03db92); any other path (a mistyped SOAP path, an OAuth endpoint) did not, and
`/_mockown/journal`, the dashboard and snapshots showed the password. A name no client gives a parameter (markup,
quotes, braces, control characters, or past 256 characters) is recorded as `[redacted]`, its value too."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown.http.journal import REDACTED, redact_params
from tests.conftest import ADMIN, PASSWORD

SECRET = "Hunter2-" + "x" * 12
ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">'
    f'<env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>{ADMIN}</n1:username>'
    f"<n1:password>{SECRET}&amp;more</n1:password></n1:login></env:Body></env:Envelope>"
)
PATHS = ["/services/Soap/m/59.0", "/services/Soap/u", "/services/oauth2/token", "/nowhere", "/api/v1/services"]
TYPES = ["text/plain", "application/octet-stream", "application/x-www-form-urlencoded"]


def _seen(client: httpx.Client) -> str:
    return (
        client.get("/_mockown/journal").text + client.get("/_mockown/ui").text + client.get("/_mockown/snapshot").text
    )


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("content_type", TYPES)
def test_markup_read_as_a_form_leaves_no_secret(client: httpx.Client, path: str, content_type: str) -> None:
    body = ("\ufeff" + ENVELOPE).encode()  # a byte order mark: the markup check does not see the '<' first
    r = client.post(path, content=body, headers={"Content-Type": content_type})
    assert r.status_code < 500, r.text
    seen = _seen(client)
    assert SECRET not in seen
    assert "more</n1:password>" not in seen


def test_json_sent_as_text_leaves_no_secret(client: httpx.Client) -> None:
    body = json.dumps({"username": ADMIN, "password": SECRET})
    client.post("/services/oauth2/token", content=body.encode(), headers={"Content-Type": "text/plain"})
    assert SECRET not in _seen(client)


def test_plain_names_are_kept(client: httpx.Client) -> None:
    """Names as clients send them stay readable: the journal is for reading what was sent."""
    form = {"grant_type": "password", "username": ADMIN, "password": PASSWORD, "client_id": "x",
            "scope": "api refresh_token", "x-custom.name:1[0]": "v", "Account Name": "Acme"}  # fmt: skip
    client.post("/services/oauth2/token", data=form)
    params = client.get("/_mockown/journal", params={"limit": 1}).json()["entries"][-1]["params"]
    assert params["grant_type"] == "password" and params["username"] == ADMIN
    assert params["password"] == REDACTED
    assert params["x-custom.name:1[0]"] == "v" and params["Account Name"] == "Acme"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.text(max_size=300), value=st.text(max_size=40))
def test_a_name_is_shown_only_when_it_is_a_plain_name(name: str, value: str) -> None:
    shown = redact_params([(name, value)])
    plain = len(name) <= 256 and not any(c in name for c in "<>\"'{}") and all(c >= " " and c != "\x7f" for c in name)
    if plain:
        assert name in shown
    else:
        assert shown == {REDACTED: REDACTED}


@pytest.mark.parametrize("path", PATHS)
def test_a_secret_with_an_ampersand_and_an_equals_sign_leaves_no_trace(client: httpx.Client, path: str) -> None:
    """A password holding '&' then '=' ('Pa&ss=...', escaped '&amp;' in XML) splits a body that is no form into
    a no-name piece and then a plain-looking one: 'amp;ss' = 'w0rd...</n1:password>...', or in JSON sent as
    text 'b' = 'rest", "token": "..."}'. The plain-looking name and its value are the same text: a body with any
    name that is no name is no form, and none of its parameters is shown."""
    envelope = ENVELOPE.replace(f"{SECRET}&amp;more", "Pa&amp;ss=w0rd" + SECRET)
    client.post(path, content=("\ufeff" + envelope).encode(), headers={"Content-Type": "text/plain"})
    document = json.dumps({"username": ADMIN, "password": "a&b=" + SECRET, "token": "Tok3n" + SECRET})
    client.post(path, content=document.encode(), headers={"Content-Type": "text/plain"})
    seen = _seen(client)
    assert SECRET not in seen
    assert "w0rd" not in seen and "amp;ss" not in seen


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(st.tuples(st.sampled_from(["a", "grant_type", "x y"]), st.text(max_size=10)), max_size=3),
    odd=st.sampled_from(["<x", '{"a"', "a'b", "\x00"]),
    after=st.lists(st.tuples(st.text(max_size=10), st.text(max_size=10)), max_size=3),
)
def test_no_parameter_of_a_body_with_a_no_name_is_shown(
    before: list[tuple[str, str]], odd: str, after: list[tuple[str, str]]
) -> None:
    assert redact_params([*before, (odd, "v"), *after]) == {REDACTED: REDACTED}
