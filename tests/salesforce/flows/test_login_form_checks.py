"""The login and consent forms carry the authorize request again in a hidden field (`q`): an edited one is refused
as the first GET refuses it (PKCE an app requires, the response type, the response mode, the scopes, prompt),
with the same error redirect, and nothing is issued."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette

from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime

from .support import csrf, location, new_org

AUTHORIZE = "/services/oauth2/authorize"
CB = "https://app.example.com/cb"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.fixture
def apps(runtime: Runtime) -> dict[str, dict[str, str]]:
    """A PKCE-requiring auto-approved app and a consent app (not auto-approved), each in its own org."""
    out = {}
    for name, fields in {
        "pkce": {"pkce_required": True, "auto_approve": True},
        "consent": {"auto_approve": False},
    }.items():
        org = new_org(runtime, name=f"Form {name}", callback_urls=[CB], **fields)
        out[name] = {"client_id": org["app"]["client_id"], "username": org["username"]}
    return out


def _request(app: dict[str, str], **params: str) -> dict[str, str]:
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": CB, "state": "st"}
    query.update(params)
    return {k: v for k, v in query.items() if v}


def _issued(runtime: Runtime) -> tuple[int, int]:
    sf = runtime.salesforce
    return len(sf.codes.all()), len(sf.access_tokens.all())


def _expected(app: Starlette, query: dict[str, str]) -> tuple[str, dict[str, str], dict[str, str]]:
    """What the first GET answers for `query`, from a browser with no session."""
    with in_process_client(app) as fresh:
        return location(fresh.get(AUTHORIZE, params=query))


EDITS = {
    "no code_challenge (the app requires PKCE)": ("pkce", {"code_challenge": ""}),
    "an unknown response_type": ("pkce", {"response_type": "bogus"}),
    "response_mode query for tokens": ("pkce", {"response_type": "token", "response_mode": "query"}),
    "an unknown scope": ("pkce", {"scope": "bogus"}),
    "prompt none with login": ("pkce", {"prompt": "none login"}),
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_an_edited_login_form_is_refused_as_the_get_is(
    app: Starlette, client: httpx.Client, runtime: Runtime, apps: dict[str, dict[str, str]], edit: str
) -> None:
    which, change = EDITS[edit]
    target = apps[which]
    page = client.get(AUTHORIZE, params=_request(target, code_challenge=CHALLENGE))
    assert page.status_code == 200, page.text  # the login page
    edited = _request(target, **{"code_challenge": CHALLENGE, **change})
    before = _issued(runtime)
    form = {
        "_csrf": csrf(page.text),
        "q": urlencode(edited),
        "username": target["username"],
        "password": "Alice-Passw0rd",
    }
    answer = client.post(f"{AUTHORIZE}/login", data=form)
    url, query, fragment = location(answer)
    assert (url, query, fragment) == _expected(app, edited)
    assert url == CB and (query or fragment).get("error") and "code" not in query and "access_token" not in fragment
    assert _issued(runtime) == before
    assert not any(h.startswith("sid=") for h in answer.headers.get_list("set-cookie"))  # nobody signed in


def test_an_edited_consent_form_is_refused_as_the_get_is(
    app: Starlette, client: httpx.Client, runtime: Runtime, apps: dict[str, dict[str, str]]
) -> None:
    target = apps["consent"]
    page = client.get(AUTHORIZE, params=_request(target))
    form = {"_csrf": csrf(page.text), "q": urlencode(_request(target)), "username": target["username"]}
    allow_page = client.post(f"{AUTHORIZE}/login", data={**form, "password": "Alice-Passw0rd"})
    assert "Allow Access?" in allow_page.text
    before = _issued(runtime)
    for change in (
        {"response_type": "bogus"},
        {"scope": "bogus"},
        {"response_type": "token", "response_mode": "query"},
    ):
        edited = _request(target, **change)
        consent = {"_csrf": csrf(allow_page.text), "q": urlencode(edited), "decision": "allow"}
        url, query, fragment = location(client.post(f"{AUTHORIZE}/consent", data=consent))
        assert (url, query, fragment) == _expected(app, edited), change
        assert (query or fragment).get("error") and "code" not in query and "access_token" not in fragment
    assert _issued(runtime) == before
    # the unedited request still goes through
    consent = {"_csrf": csrf(allow_page.text), "q": urlencode(_request(target)), "decision": "allow"}
    _, query, _ = location(client.post(f"{AUTHORIZE}/consent", data=consent))
    assert query["code"] and query["state"] == "st"
