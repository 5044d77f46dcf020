"""A SOAP login() never leaves its password, security token or session id in the request journal, the dashboard or
a snapshot, whatever Content-Type the client declares (simple-salesforce sends `text/xml`; a form type or none
would otherwise have the body read as a form, its text becoming a parameter *name* the redaction cannot tell is a
secret). The journal names who logged in instead."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ADMIN, ORG, PASSWORD
from tests.salesforce.test_soap_login import PARTNER, SOAPENV, TOKEN, login_envelope, logout_envelope

KINDS = ["text/xml; charset=UTF-8", "text/xml", "application/soap+xml", "application/xml",
         "application/x-www-form-urlencoded", None]  # fmt: skip


def _post(client: httpx.Client, body: str, content_type: str | None) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    request = client.build_request("POST", "/services/Soap/u/59.0", content=body.encode(), headers=headers)
    if content_type is None:
        request.headers.pop("Content-Type", None)
    return client.send(request)


def _everything(client: httpx.Client) -> str:
    journal = client.get("/_mockown/journal").text
    dashboard = client.get("/_mockown/ui").text
    snapshot = client.get("/_mockown/snapshot").text
    return journal + dashboard + snapshot


@pytest.mark.parametrize("content_type", KINDS, ids=lambda k: k or "none")
def test_no_secret_of_a_soap_login_is_recorded(client: httpx.Client, content_type: str | None) -> None:
    r = _post(client, login_envelope(ADMIN, PASSWORD + TOKEN), content_type)
    assert r.status_code == 200, r.text
    session = r.text.split("<sessionId>")[1].split("</sessionId>")[0]
    assert _post(client, logout_envelope(session), content_type).status_code == 200
    seen = _everything(client)
    for secret in (PASSWORD, TOKEN, session, session[20:60]):
        assert secret not in seen
    entries = client.get("/_mockown/journal", params={"path": "/services/Soap/u/59.0"}).json()["entries"]
    login, logout = entries[-2], entries[-1]
    assert (login["status"], login["org"], login["user"]) == (200, ORG, ADMIN)
    assert login["params"] == {} and logout["params"] == {}


def test_a_failed_soap_login_leaves_no_password_either(client: httpx.Client) -> None:
    body = login_envelope(ADMIN, "Sup3rSecretGuess!")
    assert _post(client, body, "text/xml").status_code == 500
    assert "Sup3rSecretGuess" not in _everything(client)


def test_form_bodies_are_still_forms(client: httpx.Client) -> None:
    """The markup rule is only for bodies that start with `<`: a real form is read (and redacted) as before."""
    form = {"grant_type": "password", "username": ADMIN, "password": PASSWORD + TOKEN, "client_id": "x"}
    client.post("/services/oauth2/token", data=form)
    entry = client.get("/_mockown/journal", params={"path": "/services/oauth2/token"}).json()["entries"][-1]
    assert entry["params"]["grant_type"] == "password" and entry["params"]["password"] != PASSWORD + TOKEN
    assert entry["user"] == ADMIN


def test_markup_in_a_form_type_is_no_form_for_the_oauth_endpoints(client: httpx.Client) -> None:
    body = f'<e:Envelope xmlns:e="{SOAPENV}"><e:Body><login xmlns="{PARTNER}"/></e:Body></e:Envelope>'
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    r = client.post("/services/oauth2/token", content=body, headers=form_type)
    assert r.status_code == 400
    assert r.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    ("content_type", "bom"),
    [
        ("text/plain", False),
        ("application/octet-stream", False),
        (None, True),
        ("application/x-www-form-urlencoded", True),
    ],
    ids=["text-plain", "octet-stream", "none-bom", "form-bom"],
)
def test_no_secret_of_a_soap_login_in_any_content_type(
    client: httpx.Client, content_type: str | None, bom: bool
) -> None:
    """The SOAP endpoint reads any body as its envelope (expat takes a UTF-8 byte order mark, curl `-d @file.xml`
    sends a file an editor saved with one; a client may declare text/plain): the journal never reads such a body
    as a form whose parameter name is the envelope, password and all."""
    prefix = "\ufeff" if bom else ""
    r = _post(client, prefix + login_envelope(ADMIN, PASSWORD + TOKEN), content_type)
    assert r.status_code == 200, r.text
    session = r.text.split("<sessionId>")[1].split("</sessionId>")[0]
    assert _post(client, prefix + logout_envelope(session), content_type).status_code == 200
    seen = _everything(client)
    for secret in (PASSWORD, TOKEN, session[20:60]):
        assert secret not in seen
