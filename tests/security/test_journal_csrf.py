"""The anti-CSRF token of every form page (`_csrf`) is `[redacted]` in the journal, like the passwords posted with
it: it is the one value that lets a forged post through (for as long as the browser-id cookie lives)."""

from __future__ import annotations

import html
import json
import re

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.http.journal import REDACTED, is_secret_name
from mockown.runtime import Runtime
from tests.marketing.test_login_page import QUERY as MC_QUERY
from tests.marketing.test_login_page import USER as MC_USER
from tests.marketing.test_marketing import BASE as MC_BASE
from tests.salesforce.flows.support import new_org
from tests.salesforce.flows.test_login_page import AUTHORIZE, authorize, consent, login

CSRF = re.compile(r"""name=['"]_csrf['"] value=['"]([^'"]+)['"]""")


def _csrf(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text[:300]
    return html.unescape(found.group(1))


def _posted(client: httpx.Client, path: str) -> list[dict[str, object]]:
    entries = client.get("/_mockown/journal").json()["entries"]
    return [e for e in entries if e["method"] == "POST" and e["path"] == path]


@pytest.mark.parametrize("name", ["_csrf", "csrf", "csrf_token", "csrfmiddlewaretoken", "X-CSRF"])
def test_csrf_names_are_secret_names(name: str) -> None:
    assert is_secret_name(name)


def _assert_redacted(client: httpx.Client, path: str, token: str) -> None:
    posted = _posted(client, path)
    assert posted, f"no POST {path} in the journal"
    journal = client.get("/_mockown/journal").text
    assert token not in journal and json.dumps(token)[1:-1] not in journal
    assert all(e["params"].get("_csrf") == REDACTED for e in posted), posted  # type: ignore[union-attr]


def test_the_own_profile_form(client: httpx.Client) -> None:
    token = _csrf(client.get("/own/profile"))
    form = {"email": "owner@own.mockown.test", "password": "0wnerPassw0rd!", "_csrf": token}
    assert client.post("/own/profile", data=form).status_code in (200, 303)
    _assert_redacted(client, "/own/profile", token)


def test_the_salesforce_login_and_consent_forms(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime, auto_approve=False, name="Journal Csrf", callback_urls=["https://app.example.com/cb"])
    app = {"client_id": org["app"]["client_id"]}
    page = authorize(client, app)
    token = _csrf(page)
    allow = login(client, page, org["username"], "Alice-Passw0rd")
    assert "Allow Access?" in allow.text, allow.text[:300]
    consent_token = _csrf(allow)
    consent(client, allow, "allow")
    _assert_redacted(client, AUTHORIZE + "/login", token)
    _assert_redacted(client, AUTHORIZE + "/consent", consent_token)


def test_the_marketing_cloud_sign_in_form(clock: FrozenClock) -> None:
    app = create_app(Config().replace(marketing={"auto_consent": False}), clock=clock)
    with in_process_client(app) as browser:
        page = browser.get(f"{MC_BASE}/v2/authorize", params=MC_QUERY)
        token = _csrf(page)
        signed_in = browser.post(f"{MC_BASE}/v2/authorize", params=MC_QUERY, data={**MC_USER, "_csrf": token})
        assert signed_in.status_code == 302, signed_in.text[:300]
        path = httpx.URL(f"{MC_BASE}/v2/authorize").path
        _assert_redacted(browser, path, token)
