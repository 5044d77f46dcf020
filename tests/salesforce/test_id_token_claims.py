"""The ID-token claim set per connected app (spec 7.3, Metadata API `ConnectedAppOauthIdToken`) and the
`custom_attributes` / `custom_permissions` extras of the identity URL and userinfo (spec 6).

One org holds one app per knob, all seen by the same user, so each knob's ID token is compared with the ID token
of an app whose knobs are off: the claims that differ are exactly the ones the knob is about."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app, signer
from mockown.http.inprocess import in_process_async_client, in_process_client
from mockown.runtime import Runtime
from mockown.salesforce.seed import seed_org
from tests.conftest import CALLBACK, CID, SECRET, T0

from .helpers import TOKEN, authorize, exchange, get_code, location_params, refresh

PROTOCOL = {"iss", "sub", "aud", "exp", "iat", "at_hash", "nonce"}
STANDARD = {"name", "preferred_username", "given_name", "family_name", "email", "email_verified", "user_id",
            "organization_id"}  # fmt: skip
SCOPES = ["api", "refresh_token", "openid", "id", "custom_permissions"]
ATTRIBUTES = {
    "dept": "Engineering",  # a literal
    "mail": "$User.Email",
    "first": "$user.firstname",  # field references are case-insensitive, as in Salesforce formulas
    "org": "$Organization.Name",
    "sandbox": "$Organization.IsSandbox",
    "profile": "$Profile.Name",
    "unknown": "$User.Department",  # a field the mock does not keep: null
    "nowhere": "$Setup.Anything",  # an unknown object: null
}
RESOLVED = {
    "dept": "Engineering",
    "mail": "carla@claims.test",
    "first": "Carla",
    "org": "Claims Org",
    "sandbox": "false",
    "profile": "Standard User",
    "unknown": None,
    "nowhere": None,
}
PERMISSIONS = ["Approve_Expenses", "Export_Reports"]
HELD = {"Approve_Expenses": True, "Export_Reports": False}

KNOBS: dict[str, dict[str, Any]] = {
    "off": {},
    "audiences": {"id_token_audiences": ["https://rp.example.com", "partner-client"]},
    "no_standard": {"id_token_include_standard_claims": False},
    "attributes": {"id_token_include_attributes": True},
    "perms": {"id_token_include_custom_perms": True},
}


@pytest.fixture
def org(runtime: Runtime) -> dict[str, Any]:
    """One org, one app per knob (each with the same attributes and custom permissions), two users."""
    apps = [
        {"name": name, "client_id": f"3MVG9claims{name}", "client_secret": f"secret-{name}",
         "callback_urls": [CALLBACK], "scopes": SCOPES, "custom_attributes": ATTRIBUTES,
         "custom_permissions": PERMISSIONS, **knob}
        for name, knob in KNOBS.items()
    ]  # fmt: skip
    users = [
        {"username": "carla@claims.test", "password": "Carla-Passw0rd", "first_name": "Carla", "last_name": "Claims",
         "profile": "Standard User", "custom_permissions": ["Approve_Expenses", "Not_On_The_App"]},
        {"username": "dora@claims.test", "password": "Dora-Passw0rd", "first_name": "Dora", "last_name": "Other"},
    ]  # fmt: skip
    created = seed_org(runtime, {"name": "Claims Org", "users": users, "apps": apps})
    return {"id": created["id"], "users": created["users"]}


def _verified(client: httpx.Client, id_token: str, audience: str) -> dict[str, Any]:
    key = jwt.PyJWK(client.get("/id/keys").json()["keys"][0])
    claims: dict[str, Any] = jwt.decode(
        id_token, key, algorithms=["RS256"], audience=audience, options={"verify_exp": False}
    )
    return claims


def _web_server(client: httpx.Client, name: str, scope: str = "api refresh_token openid id") -> dict[str, Any]:
    code = get_code(client, client_id=f"3MVG9claims{name}", login_hint="carla@claims.test", scope=scope, nonce="n-1")
    response = exchange(client, code, client_id=f"3MVG9claims{name}", client_secret=f"secret-{name}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _id_token(client: httpx.Client, name: str, flow: str) -> dict[str, Any]:
    cid = f"3MVG9claims{name}"
    if flow == "web_server":
        id_token = _web_server(client, name)["id_token"]
    elif flow == "refresh":
        first = _web_server(client, name)
        response = refresh(client, first["refresh_token"], client_id=cid, secret=f"secret-{name}")
        assert response.status_code == 200, response.text
        id_token = response.json()["id_token"]
    else:
        fragment = location_params(
            authorize(client, response_type="token id_token", client_id=cid, login_hint="carla@claims.test",
                      scope="api openid id", nonce="n-1")
        )  # fmt: skip
        id_token = fragment["id_token"]
    return _verified(client, id_token, cid)


@pytest.mark.parametrize("flow", ["web_server", "refresh", "user_agent"])
def test_each_knob_changes_exactly_its_claims(client: httpx.Client, org: dict[str, Any], flow: str) -> None:
    claims = {name: _id_token(client, name, flow) for name in KNOBS}
    base = claims["off"]
    # the knobs left off: the claims of today (the attributes and permissions the app has stay out of it)
    assert base["aud"] == "3MVG9claimsoff"
    assert set(base) == (PROTOCOL | STANDARD) - ({"nonce"} if flow == "refresh" else set())
    assert base["user_id"] == org["users"][0]["id"] and base["organization_id"] == org["id"]
    assert base["name"] == "Carla Claims" and base["email"] == "carla@claims.test"
    assert (base.get("nonce") == "n-1") is (flow != "refresh")

    def rest(name: str) -> dict[str, Any]:  # what a knob must not change: all but aud (and azp) and at_hash
        return {k: v for k, v in claims[name].items() if k not in ("aud", "azp", "at_hash")}

    assert claims["audiences"]["aud"] == ["3MVG9claimsaudiences", "https://rp.example.com", "partner-client"]
    assert claims["audiences"]["azp"] == "3MVG9claimsaudiences"  # several audiences: the client named in azp
    assert rest("audiences") == rest("off")

    assert set(claims["no_standard"]) == set(base) - STANDARD
    assert rest("no_standard") == {k: v for k, v in rest("off").items() if k not in STANDARD}

    assert rest("attributes") == {**rest("off"), "custom_attributes": RESOLVED}
    assert rest("perms") == {**rest("off"), "custom_permissions": HELD}


def test_an_extra_audience_that_is_the_client_id_is_not_repeated(client: httpx.Client, runtime: Runtime) -> None:
    seed_org(runtime, {"users": [{"username": "eve@claims.test", "password": "Eve-Passw0rd"}],
                       "apps": [{"client_id": "3MVG9dup", "client_secret": "s", "callback_urls": [CALLBACK],
                                 "id_token_audiences": ["3MVG9dup", "rp", "rp"]}]})  # fmt: skip
    code = get_code(client, client_id="3MVG9dup", login_hint="eve@claims.test", scope="openid api")
    body = exchange(client, code, client_id="3MVG9dup", client_secret="s").json()
    assert _verified(client, body["id_token"], "rp")["aud"] == ["3MVG9dup", "rp"]


def test_several_audiences_name_the_client_in_azp_and_the_hint_still_logs_out(
    client: httpx.Client, org: dict[str, Any]
) -> None:
    """OIDC Core 3.1.3.7: with several audiences a relying party checks `azp` (openid-client refuses the token
    without it); the logout endpoint finds the client of such an `id_token_hint` by it."""
    id_token = _web_server(client, "audiences")["id_token"]
    claims = _verified(client, id_token, "3MVG9claimsaudiences")
    assert len(claims["aud"]) > 1 and claims["azp"] == "3MVG9claimsaudiences"
    for named in ({}, {"client_id": "3MVG9claimsaudiences"}):
        response = client.get(
            "/services/auth/idp/oidc/logout",
            params={"id_token_hint": id_token, "post_logout_redirect_uri": CALLBACK, "state": "s", **named},
        )
        assert response.status_code == 302 and response.headers["location"] == CALLBACK + "?state=s", named
    other = client.get(
        "/services/auth/idp/oidc/logout",
        params={"id_token_hint": id_token, "post_logout_redirect_uri": CALLBACK, "client_id": "3MVG9claimsoff"},
    )
    assert other.status_code == 200 and "location" not in other.headers  # the hint and client_id disagree


class ThreadSigner:
    """Signs on a real thread, as a busy server does: claims built there must not read the store."""

    def __init__(self) -> None:
        self.threads: set[str] = set()

    async def offload_pays(self) -> bool:
        return True

    def submit(self, job: Callable[[], Any]) -> asyncio.Future[Any]:
        def run() -> Any:
            self.threads.add(threading.current_thread().name)
            return job()

        return asyncio.get_running_loop().run_in_executor(None, run)


@pytest.fixture
def store_threads(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """The names of the threads that read or wrote the Salesforce tables."""
    seen: set[str] = set()
    table_type = type(runtime.salesforce.apps)
    for method in ("get", "put", "first", "find", "all", "delete"):
        original = getattr(table_type, method)

        def spy(self: Any, *args: Any, __original: Any = original) -> Any:
            seen.add(threading.current_thread().name)
            return __original(self, *args)

        monkeypatch.setattr(table_type, method, spy)
    yield seen


def test_custom_claims_are_resolved_before_the_signer_thread(
    app: Starlette, runtime: Runtime, org: dict[str, Any], store_threads: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    thread_signer = ThreadSigner()
    monkeypatch.setattr(signer, "SIGNER", thread_signer)
    both = runtime.salesforce.app_by_client_id("3MVG9claimsattributes")
    assert both is not None
    both.id_token_include_custom_perms = True
    runtime.salesforce.apps.put(both)

    async def flow() -> dict[str, Any]:
        async with in_process_async_client(app) as http:
            query = {"response_type": "code", "client_id": both.client_id, "redirect_uri": CALLBACK,
                     "login_hint": "carla@claims.test", "scope": "api openid"}  # fmt: skip
            code = location_params(await http.get("/services/oauth2/authorize", params=query))["code"]
            form = {"grant_type": "authorization_code", "code": code, "client_id": both.client_id,
                    "client_secret": "secret-attributes", "redirect_uri": CALLBACK}  # fmt: skip
            response = await http.post(TOKEN, data=form)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

    body = asyncio.run(flow())
    assert thread_signer.threads and not thread_signer.threads & store_threads  # signed there, no store read there
    with in_process_client(app) as client:
        claims = _verified(client, body["id_token"], both.client_id)
    assert claims["custom_attributes"] == RESOLVED and claims["custom_permissions"] == HELD


# -- identity URL and userinfo ---------------------------------------------------------------------------
def _get(client: httpx.Client, path: str, token: str, **params: str) -> httpx.Response:
    return client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("endpoint", ["identity", "userinfo"])
def test_identity_extras_follow_the_app_and_the_scope(client: httpx.Client, org: dict[str, Any], endpoint: str) -> None:
    def answer(scope: str) -> dict[str, Any]:
        tokens = _web_server(client, "off", scope=scope)
        path = tokens["id"] if endpoint == "identity" else "/services/oauth2/userinfo"
        response = _get(client, path.removeprefix("http://testserver"), tokens["access_token"])
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    plain = answer("api id")
    assert plain["custom_attributes"] == RESOLVED  # the app has attributes: always there
    assert "custom_permissions" not in plain  # only with the custom_permissions scope
    assert answer("api id custom_permissions")["custom_permissions"] == HELD
    # the demo app has neither attributes nor custom permissions: neither key, even with `full`
    demo = exchange(client, get_code(client, scope="api id full")).json()
    path = demo["id"] if endpoint == "identity" else "/services/oauth2/userinfo"
    body = _get(client, path.removeprefix("http://testserver"), demo["access_token"]).json()
    assert "custom_attributes" not in body and "custom_permissions" not in body and body["user_id"]


def test_full_covers_the_custom_permissions_scope(client: httpx.Client, runtime: Runtime) -> None:
    seed_org(runtime, {"users": [{"username": "fay@claims.test", "password": "Fay-Passw0rd",
                                  "custom_permissions": ["P1"]}],
                       "apps": [{"client_id": "3MVG9full", "client_secret": "s", "callback_urls": [CALLBACK],
                                 "scopes": ["full", "openid"], "custom_permissions": ["P1", "P2"]}]})  # fmt: skip
    code = get_code(client, client_id="3MVG9full", login_hint="fay@claims.test", scope="full")
    tokens = exchange(client, code, client_id="3MVG9full", client_secret="s").json()
    body = _get(client, "/services/oauth2/userinfo", tokens["access_token"]).json()
    assert body["custom_permissions"] == {"P1": True, "P2": False}


def test_identity_of_another_user_resolves_that_users_fields(client: httpx.Client, org: dict[str, Any]) -> None:
    tokens = _web_server(client, "off", scope="api id custom_permissions")
    other = tokens["id"].rsplit("/", 1)[0] + "/" + org["users"][1]["id"]
    body = _get(client, other.removeprefix("http://testserver"), tokens["access_token"]).json()
    assert body["asserted_user"] is False
    assert body["custom_attributes"]["mail"] == "dora@claims.test" and body["custom_attributes"]["first"] == "Dora"
    assert body["custom_permissions"] == {"Approve_Expenses": False, "Export_Reports": False}


@pytest.mark.parametrize("endpoint", ["identity", "userinfo"])
def test_the_xml_and_jsonp_renderings_carry_the_extras(
    client: httpx.Client, org: dict[str, Any], endpoint: str
) -> None:
    tokens = _web_server(client, "off", scope="api id custom_permissions")
    path = tokens["id"].removeprefix("http://testserver") if endpoint == "identity" else "/services/oauth2/userinfo"
    xml = _get(client, path, tokens["access_token"], format="xml")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert "<custom_attributes>" in xml.text and "<custom_permissions>" in xml.text
    from xml.etree import ElementTree

    held = ElementTree.fromstring(xml.content).find("custom_permissions")  # nested elements, as in JSON
    assert held is not None and {e.tag: e.text for e in held} == {k: str(v).lower() for k, v in HELD.items()}
    jsonp = _get(client, path, tokens["access_token"], callback="done").text
    assert jsonp.startswith("done(") and json.loads(jsonp[5:-1])["custom_attributes"] == RESOLVED


# -- seeding --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("custom_attributes", ["a", "b"], "custom_attributes must be a mapping"),
        ("custom_attributes", "dept=Eng", "custom_attributes must be a mapping"),
        ("custom_attributes", {"dept": ["Eng"]}, "custom_attributes.dept must be a string"),
        ("custom_attributes", {"dept": {"x": 1}}, "custom_attributes.dept must be a string"),
        ("custom_attributes", {"": "x"}, "an attribute key must not be empty"),
        ("custom_permissions", "P1", "custom_permissions must be a list"),
        ("id_token_audiences", "https://rp.example.com", "id_token_audiences must be a list"),
        ("id_token_include_standard_claims", "false", "id_token_include_standard_claims must be true or false"),
        ("id_token_include_attributes", 1, "id_token_include_attributes must be true or false"),
        ("id_token_include_custom_perms", "yes", "id_token_include_custom_perms must be true or false"),
    ],
)
def test_a_wrong_type_is_a_seed_error(client: httpx.Client, field: str, value: Any, words: str) -> None:
    response = client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"apps": [{field: value}]}]}})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_seed" and words in response.json()["message"], response.text


def test_a_users_custom_permissions_must_be_a_list(client: httpx.Client) -> None:
    response = client.post("/_mockown/seed", json={"salesforce": {"orgs": [{"users": [{"custom_permissions": 3}]}]}})
    assert response.status_code == 400
    assert "salesforce user custom_permissions must be a list" in response.json()["message"]


def test_the_fields_seed_from_yaml(client: httpx.Client, runtime: Runtime) -> None:
    document = """
salesforce:
  orgs:
    - name: Yaml Org
      users:
        - username: gus@claims.test
          custom_permissions: [Approve_Expenses]
      apps:
        - client_id: 3MVG9yaml
          id_token_audiences: [https://rp.example.com]
          id_token_include_standard_claims: false
          id_token_include_attributes: true
          id_token_include_custom_perms: true
          custom_attributes:
            country: $Organization.Name
            tier: gold
          custom_permissions: [Approve_Expenses, Export_Reports]
"""
    response = client.post("/_mockown/seed", content=document, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 201, response.text
    app = runtime.salesforce.app_by_client_id("3MVG9yaml")
    user = runtime.salesforce.user_by_username("gus@claims.test")
    assert app is not None and user is not None
    assert app.id_token_audiences == ["https://rp.example.com"] and app.id_token_include_standard_claims is False
    assert app.id_token_include_attributes is True and app.id_token_include_custom_perms is True
    assert app.custom_attributes == {"country": "$Organization.Name", "tier": "gold"}
    assert app.custom_permissions == ["Approve_Expenses", "Export_Reports"]
    assert user.custom_permissions == ["Approve_Expenses"]


def test_a_state_file_written_before_these_fields_loads_with_todays_claims(tmp_path: Path) -> None:
    """A state file from before: its apps and users have none of the new fields; they load with the defaults and
    the ID token is today's."""
    path = tmp_path / "state.db"
    create_app(Config(state_file=str(path)), clock=FrozenClock(T0)).state.runtime.store.close()
    db = sqlite3.connect(path)
    for table, new in (("r_sf_apps", NEW_APP_FIELDS), ("r_sf_users", {"custom_permissions"})):
        for key, data in db.execute(f'SELECT key, data FROM "{table}"').fetchall():
            row = json.loads(data)
            assert new <= set(row)  # written with the fields; now taken away, as an older mockown wrote it
            db.execute(f'UPDATE "{table}" SET data = ? WHERE key = ?', (json.dumps({k: v for k, v in row.items()
                       if k not in new}), key))  # fmt: skip
    db.commit()
    db.close()
    app = create_app(Config(state_file=str(path)), clock=FrozenClock(T0))
    runtime: Runtime = app.state.runtime
    try:
        demo = runtime.salesforce.app_by_client_id(CID)
        assert demo is not None and demo.id_token_audiences == [] and demo.id_token_include_standard_claims is True
        assert demo.custom_attributes == {} and demo.custom_permissions == []
        with in_process_client(app) as client:
            code = get_code(client, scope="api openid")
            claims = _verified(client, exchange(client, code, client_secret=SECRET).json()["id_token"], CID)
        assert claims["aud"] == CID and set(claims) == (PROTOCOL - {"nonce"}) | STANDARD
    finally:
        runtime.store.close()


NEW_APP_FIELDS = {"id_token_audiences", "id_token_include_standard_claims", "id_token_include_attributes",
                  "id_token_include_custom_perms", "custom_attributes", "custom_permissions"}  # fmt: skip
