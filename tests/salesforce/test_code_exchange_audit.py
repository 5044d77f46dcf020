"""The code exchange (spec 3.1, 2.5, 1.5): a refused exchange leaves the code as it was; the documented error codes
for a missing `redirect_uri` and for PKCE."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime
from mockown.salesforce.models import AuthCode
from tests.conftest import CALLBACK, CID, SECRET
from tests.salesforce.helpers import TOKEN, exchange, get_code, pkce_pair


def _codes(runtime: Runtime) -> list[tuple[str, bool, list[str]]]:
    return sorted((c.id, c.used, list(c.issued_access)) for c in runtime.store.table(AuthCode).all())


@pytest.mark.parametrize(
    "refusal",
    [
        {"code_verifier": "wrong-" + "v" * 50},  # spec 2.5: a verifier that does not match -> invalid_request
        {"code_verifier": None},  # spec 2.5: challenge sent, no verifier -> invalid_grant
        {"redirect_uri": "http://localhost:8080/other"},  # spec 3.1: must equal the authorize one
        {"redirect_uri": None},  # spec 3.1: required
    ],
)
def test_a_refused_exchange_leaves_the_code_redeemable(
    client: httpx.Client, runtime: Runtime, refusal: dict[str, str | None]
) -> None:
    verifier, challenge = pkce_pair()
    code = get_code(client, code_challenge=challenge)
    before = _codes(runtime)
    form = {"grant_type": "authorization_code", "code": code, "client_id": CID, "client_secret": SECRET}
    form.update({"redirect_uri": CALLBACK, "code_verifier": verifier})
    refused = {k: v for k, v in {**form, **refusal}.items() if v is not None}
    r = client.post(TOKEN, data=refused)
    assert r.status_code == 400, r.text
    assert _codes(runtime) == before  # stored state unchanged by the refusal
    ok = client.post(TOKEN, data=form)
    assert ok.status_code == 200, ok.text


def test_missing_redirect_uri_at_the_token_endpoint_is_redirect_uri_missing(client: httpx.Client) -> None:
    """Spec 1.5 (documented list): `redirect_uri_missing` / `redirect_uri not provided`; a different one stays
    `redirect_uri_mismatch`."""
    code = get_code(client)
    data = {"grant_type": "authorization_code", "code": code, "client_id": CID, "client_secret": SECRET}
    r = client.post(TOKEN, data=data)
    assert (r.status_code, r.json()) == (
        400,
        {"error": "redirect_uri_missing", "error_description": "redirect_uri not provided"},
    )
    r = client.post(TOKEN, data={**data, "redirect_uri": ""})
    assert r.json()["error"] == "redirect_uri_missing"
    r = client.post(TOKEN, data={**data, "redirect_uri": CALLBACK + "/"})
    assert r.json() == {"error": "redirect_uri_mismatch", "error_description": "redirect_uri must match configuration"}


def test_a_replayed_code_is_refused_whatever_else_is_wrong(client: httpx.Client) -> None:
    """The replay check comes first: a used code is `invalid_grant` even with a wrong redirect_uri or verifier."""
    verifier, challenge = pkce_pair()
    code = get_code(client, code_challenge=challenge)
    assert exchange(client, code, code_verifier=verifier).status_code == 200
    for extra in ({"code_verifier": "x" * 50}, {"code_verifier": verifier, "redirect_uri": "http://x"}):
        assert exchange(client, code, **extra).json()["error"] == "invalid_grant"


def test_an_app_that_does_not_require_the_secret_for_the_web_server_flow(
    client: httpx.Client, runtime: Runtime
) -> None:
    """Spec 3.1: `client_secret` is required unless the app turns off "Require Secret for Web Server Flow"; a secret
    given is still checked, and the app's other grants still need it."""
    from tests.salesforce.helpers import new_org

    org = new_org(runtime, require_secret_for_web_server=False)
    cid, login = org["client_id"], org["username"]
    form = {"grant_type": "authorization_code", "client_id": cid, "redirect_uri": CALLBACK}
    r = client.post(TOKEN, data={**form, "code": get_code(client, client_id=cid, login_hint=login)})
    assert r.status_code == 200, r.text
    wrong = {**form, "code": get_code(client, client_id=cid, login_hint=login), "client_secret": "wrong"}
    assert client.post(TOKEN, data=wrong).json()["error"] == "invalid_client"
    password = {"grant_type": "password", "client_id": cid, "username": login, "password": org["password"]}
    assert client.post(TOKEN, data=password).json()["error"] == "invalid_client"
    assert client.post(TOKEN, data={**password, "client_secret": org["secret"]}).status_code == 200
    required = new_org(runtime)  # the default: required
    code = get_code(client, client_id=required["client_id"], login_hint=required["username"])
    r = client.post(TOKEN, data={**form, "client_id": required["client_id"], "code": code})
    assert r.json()["error"] == "invalid_client"
