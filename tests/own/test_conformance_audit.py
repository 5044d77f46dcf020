"""Spec conformance audit of the Own API (`spec/own-api.md`): deviations found by probing, each pinned here."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import (
    ARCHIVED,
    CLIENT_ID,
    EMAILS,
    OWNER,
    PASSWORDS,
    SALES,
    SALES_SANDBOX,
    SUPPORT_USER,
    TEMPLATE,
    TOKEN_URL,
    exchange_form,
)
from tests.own.test_profile import _post, _sign_in, _token_in

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
REVOKE_URL = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"


# -- S14: "Each entry carries the user, a timestamp and the IP address" ----------------------------------------
def test_every_audit_event_of_an_http_request_carries_the_caller_s_ip(client: httpx.Client, own: OwnService) -> None:
    """Every event an HTTP request causes names the address it came from: the Edit Profile page (sign in,
    generate, revoke, sign out), the exchange, the legacy login and logout, and the regional API's actions. The
    legacy logout recorded `user_logout` without it."""
    _sign_in(client)
    token = _token_in(_post(client, "/own/profile/token").text)
    assert token
    access = client.post(TOKEN_URL, data=exchange_form(token)).json()["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    assert client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth).status_code == 200
    export = client.post(f"/api/v1/services/{SALES}/backups/last/export", headers=auth, data={"export_format": "csv"})
    assert export.status_code == 200
    seeded = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/seed",
        headers=auth,
        data={"destination": "300002", "disable_automations": "false"},
    )
    assert seeded.status_code == 200
    login = client.post("/api/auth/v1/login", data={"email": EMAILS[OWNER], "password": PASSWORDS[OWNER]})
    session = {"X-SESSION-ID": login.json()["session_id"]}
    assert client.post("/api/auth/v1/logout", headers=session).status_code == 200
    events = client.get("/api/v1/events", headers=auth).json()
    _post(client, "/own/profile/token/revoke")
    _post(client, "/own/profile/logout")
    keys = {e["key"] for e in events} | {e.key for e in own.events.all()}
    assert {"user_login", "user_logout", "api_token_generated", "api_token_used", "backup_now"} <= keys
    assert {"export_started", "seed_started", "api_token_revoked"} <= keys
    missing = sorted((e.key, e.source) for e in own.events.all() if e.ip_address != "127.0.0.1")
    assert missing == [], f"events of HTTP requests without the caller's IP: {missing}"


# -- S1: "Request Body schema: application/x-www-form-urlencoded required" (the auth host, an Okta server) -------
def test_the_auth_host_takes_only_url_encoded_forms(client: httpx.Client, own: OwnService) -> None:
    """The token endpoint's body is documented as `application/x-www-form-urlencoded` (required), as RFC 6749 and
    RFC 7009 (revocation) have it, and every client of the evidence sends that. A multipart body was read as the
    same form (200): refused now as a JSON body is, 400 `invalid_request` in Okta's dialect (with
    `Cache-Control: no-store`), and nothing is issued or revoked."""
    raw = own.generate_api_token(OWNER)
    multipart = {k: (None, v) for k, v in exchange_form(raw).items()}
    r = client.post(TOKEN_URL, files=multipart)
    assert r.status_code == 400, r.text
    assert r.json() == {
        "error": "invalid_request",
        "error_description": "multipart bodies are not accepted here; send application/x-www-form-urlencoded",
    }
    assert r.headers["cache-control"] == "no-store"
    assert [e.key for e in own.events.all()].count("api_token_used") == 0  # nothing was exchanged
    access = client.post(TOKEN_URL, data=exchange_form(raw)).json()["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    revoke = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"
    r = client.post(revoke, files={"token": (None, access), "client_id": (None, "0oa4c413eq8wwcEzP4h7")})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
    assert client.get("/api/v1/services", headers=auth).status_code == 200  # not revoked
    # the form itself, with or without a charset, and an empty body's missing-parameter error, are as before
    form = "&".join(f"{k}={v}" for k, v in exchange_form(raw).items())
    typed = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    assert client.post(TOKEN_URL, content=form, headers=typed).status_code == 200
    assert client.post(TOKEN_URL).json()["error"] == "invalid_client"


# -- contracts/own.yaml: every route and every status the mock answers is in the contract -------------------------
def _contract() -> dict[str, Any]:
    from contracts.suite.support import load_spec

    return load_spec("own")


def _declared(path: str, method: str) -> set[str]:
    operation = _contract()["paths"][path][method]
    return set(operation["responses"])


def test_every_own_route_is_in_the_contract() -> None:
    """Each endpoint of the Own API (not the `/regions/<r>` spelling of the same, not the Edit Profile page, which
    is HTML for people) has its path and method in contracts/own.yaml. The legacy logout and an export job's file
    (the URLs a job's `results` hold) were missing."""
    from starlette.routing import Route

    from mockown.own.routes import ROUTES

    paths = _contract()["paths"]
    missing = []
    for route in ROUTES:
        assert isinstance(route, Route)
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path.rstrip("/"))  # `{name:path}`: `{name}` in OpenAPI
        if path.startswith(("/regions/", "/own/")):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if method.lower() not in paths.get(path, {}):
                missing.append(f"{method} {path}")
    assert sorted(set(missing)) == []


def test_every_status_the_mock_answers_is_declared(
    client: httpx.Client, own: OwnService, login: Callable[..., dict[str, str]]
) -> None:
    """A refusal the mock gives must be a status the contract declares for that operation (the contract suite's
    status check fails otherwise): a backup of an archived service is 400, a job, seed or anonymization outside
    the user's Business Units 403, a seed or anonymization from an unfinished backup 409."""
    owner, support = login(OWNER), login(SUPPORT_USER)
    seed = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/seed",
        headers=owner,
        data={"destination": str(SALES_SANDBOX), "disable_automations": "false"},
    ).json()
    anonymize = client.post(
        f"/api/v1/seeding/templates/{TEMPLATE}/anonymize",
        headers=owner,
        data={"destination_service_id": str(SALES_SANDBOX), "disable_automations": "false"},
    ).json()
    own.set_progression("backup", "polls:5")
    assert client.post(f"/api/v1/services/{SALES}/backup_now", headers=owner).status_code == 200
    running = client.get(f"/api/v1/services/{SALES}/backups", headers=owner).json()[-1]
    assert running["status"] == "INPROGRESS"
    cases = [
        ("/api/v1/services/{service_id}/backup_now", "post", f"/api/v1/services/{ARCHIVED}/backup_now", owner, {}),
        ("/api/v1/jobs/{job_id}", "get", f"/api/v1/jobs/{seed['job_id']}", support, None),
        ("/api/v1/seeding/seed/{seed_id}", "get", f"/api/v1/seeding/seed/{seed['id']}", support, None),
        (
            "/api/v1/seeding/anonymize/{job_id}",
            "get",
            f"/api/v1/seeding/anonymize/{anonymize['job_id']}",
            support,
            None,
        ),
        (
            "/api/v1/seeding/templates/{template_id}/seed",
            "post",
            f"/api/v1/seeding/templates/{TEMPLATE}/seed",
            owner,
            {"destination": str(SALES_SANDBOX), "disable_automations": "0", "backup_id": str(running["id"])},
        ),
        (
            "/api/v1/seeding/templates/{template_id}/anonymize",
            "post",
            f"/api/v1/seeding/templates/{TEMPLATE}/anonymize",
            owner,
            {"destination_service_id": str(SALES_SANDBOX), "disable_automations": "0", "backup_id": str(running["id"])},
        ),
    ]
    answered = []
    for template, method, url, headers, body in cases:
        r = client.request(method.upper(), url, headers=headers, data=body)
        assert r.status_code in (400, 403, 409), (url, r.status_code, r.text)
        assert set(r.json()) == {"error", "message"}
        answered.append((method, template, r.status_code, str(r.status_code) in _declared(template, method)))
    assert [a for a in answered if not a[3]] == []


# -- S7: the anonymization's automations_to_disable as the evidenced client puts it on the wire --------------------
def test_automations_to_disable_as_s7_sends_it(client: httpx.Client, auth: dict[str, str]) -> None:
    """S7 passes `automations_to_disable` as a dict (`{"ApexTrigger": ["AccountApexTrigger", "TaskApexTrigger"]}`)
    inside `requests`' form `data`, which encodes a dict as its keys, repeated:
    `automations_to_disable=ApexTrigger&automations_to_disable=Flow`. The mock took only a JSON object and
    refused that with 400, so the only evidenced client of the endpoint failed on it. A plain name (repeated keys
    or a comma list) now names a type of automation, all of it disabled; the JSON object still names single ones."""
    url = f"/api/v1/seeding/templates/{TEMPLATE}/anonymize"
    base = f"destination_service_id={SALES_SANDBOX}&disable_automations=True"
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def logs(body: str) -> list[str]:
        r = client.post(url, headers={**auth, **form}, content=body)
        assert r.status_code == 200, r.text
        status = client.get(f"/api/v1/seeding/anonymize/{r.json()['job_id']}", headers=auth).json()
        return [line for line in status["logs"] if line.startswith("Automations disabled")]

    s7 = base + "&automations_to_disable=ApexTrigger&automations_to_disable=Flow"
    assert logs(s7) == ["Automations disabled: ApexTrigger (all), Flow (all)"]
    assert logs(base + "&automations_to_disable=Flow,ApexTrigger") == [
        "Automations disabled: ApexTrigger (all), Flow (all)"
    ]
    one = '{"ApexTrigger": ["AccountApexTrigger", "TaskApexTrigger"], "Flow": []}'
    assert logs(base + "&automations_to_disable=" + quote(one)) == [
        "Automations disabled: ApexTrigger:AccountApexTrigger, ApexTrigger:TaskApexTrigger, Flow (all)"
    ]
    assert logs(base) == ["Automations disabled: all"]
    for bad in ('{"ApexTrigger": "x"}', "[1]", '{"ApexTrigger": ["x"]}&automations_to_disable=Flow'):
        r = client.post(url, headers={**auth, **form}, content=base + "&automations_to_disable=" + bad)
        assert r.status_code == 400 and r.json()["message"].startswith("automations_to_disable"), (bad, r.text)


# -- RFC 6749 3.2 and 5.2, Okta's /token errors: "invalid_request ... the request contains duplicate parameters" --
@pytest.mark.parametrize(
    ("name", "revoked_name"),
    [("grant_type", "token"), ("refresh_token", "token_type_hint"), ("client_id", "client_id"), ("scope", "token")],
)
def test_the_auth_host_refuses_a_repeated_parameter(
    client: httpx.Client, own: OwnService, name: str, revoked_name: str
) -> None:
    """ "Request and response parameters MUST NOT be included more than once" (RFC 6749 3.2); the error is
    invalid_request, "the request ... repeats a parameter" (5.2), which Okta's /token reference lists too ("the
    request contains duplicate parameters"). The mock read the first value and issued a token (or revoked)."""
    raw = own.generate_api_token(OWNER)
    form = list(exchange_form(raw).items())
    r = client.post(TOKEN_URL, content=urlencode([*form, (name, dict(form)[name])]), headers=FORM)  # same value
    assert r.status_code == 400, r.text
    assert r.json() == {"error": "invalid_request", "error_description": f"The request repeats the '{name}' parameter."}
    assert r.headers["cache-control"] == "no-store"
    assert own.events.find("account_id", "1001")[-1].key == "api_token_generated"  # nothing was exchanged
    access = client.post(TOKEN_URL, data=exchange_form(raw)).json()["access_token"]
    revoke = [("token", access), ("token_type_hint", "access_token"), ("client_id", CLIENT_ID)]
    r = client.post(REVOKE_URL, content=urlencode([*revoke, (revoked_name, dict(revoke)[revoked_name])]), headers=FORM)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
    assert client.get("/api/v1/services", headers={"Authorization": f"Bearer {access}"}).status_code == 200


# -- RFC 6749 3.1: "Parameters sent without a value MUST be treated as if they were omitted from the request" -----
def test_an_empty_scope_is_an_omitted_scope(client: httpx.Client, own: OwnService) -> None:
    """Leaving `scope` out keeps `api:access` (Okta, on a refresh); `scope=` (no value) is the same request by
    RFC 6749 3.1, but the mock answered 400 invalid_scope. A scope that is there and wrong still is."""
    raw = own.generate_api_token(OWNER)
    r = client.post(TOKEN_URL, data=exchange_form(raw, scope=""))
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "api:access"
    assert client.post(TOKEN_URL, data=exchange_form(raw, scope=" ")).json()["error"] == "invalid_scope"
    assert client.post(TOKEN_URL, data=exchange_form(raw, scope="openid")).json()["error"] == "invalid_scope"


# -- S5 + S16: the API token is an Okta refresh token, and Okta's /v1/revoke "takes an access or refresh token and
# revokes it"; "revoking a refresh token does revoke the associated access tokens" --------------------------------
@pytest.mark.parametrize("hint", [None, "refresh_token", "access_token"])
def test_the_okta_revoke_endpoint_revokes_an_api_token(
    client: httpx.Client, own: OwnService, login: Callable[..., dict[str, str]], hint: str | None
) -> None:
    """Posting the API token itself to /v1/revoke revoked nothing (200, and it went on working): on Okta it is
    revoked like any refresh token of the client, with the access tokens minted from it; the hint only helps the
    search (RFC 7009 2.1). It is the same revocation as the Edit Profile page's: in every region, an audit event
    and the e-mail. Another user's token is untouched; an unknown token is still a silent 200."""
    from mockown.outbox import messages

    other = login(SUPPORT_USER)
    raw = own.generate_api_token(OWNER)
    access = client.post(TOKEN_URL, data=exchange_form(raw)).json()["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    form = {"token": raw, "client_id": CLIENT_ID, **({"token_type_hint": hint} if hint else {})}
    r = client.post(REVOKE_URL, data=form)
    assert r.status_code == 200 and r.content == b""
    again = client.post(TOKEN_URL, data=exchange_form(raw))
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert client.get("/api/v1/services", headers=auth).status_code == 401
    assert client.get("/regions/emea2/api/v1/services", headers=auth).status_code == 401
    assert own.api_token_info(OWNER) is None
    revoked = [e for e in own.events.all() if e.key == "api_token_revoked"]
    assert [(e.user_id, e.source, e.ip_address) for e in revoked] == [(OWNER, "api", "127.0.0.1")]
    mails = [m.subject for m in messages(own.runtime) if m.to == EMAILS[OWNER]]
    assert mails == ["Your Own API token was created", "Your Own API token was revoked"]
    assert client.get("/api/v1/services", headers=other).status_code == 200
    assert client.post(REVOKE_URL, data=form).status_code == 200  # revoked already: still 200, nothing more
    assert len([e for e in own.events.all() if e.key == "api_token_revoked"]) == 1
    assert own.generate_api_token(OWNER)  # a new one may be generated now
