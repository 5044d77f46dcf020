"""The identity URL, userinfo, discovery and JWKS."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime
from tests.conftest import ADMIN, ADMIN_ID, BASE, CID, ORG, SECRET
from tests.salesforce.helpers import code_tokens, new_org, org_tokens, password_token

MSDK_REQUIRED = {"username", "email", "first_name", "last_name", "display_name", "id", "user_id", "organization_id",
                 "nick_name", "user_type", "language", "locale", "last_modified_date"}  # fmt: skip


def test_identity_with_bearer_and_query_token(client: httpx.Client) -> None:
    tokens = code_tokens(client)
    r = client.get(tokens["id"], headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= MSDK_REQUIRED
    assert body["id"] == tokens["id"] and body["user_id"] == ADMIN_ID and body["organization_id"] == ORG
    assert body["username"] == ADMIN and body["asserted_user"] is True
    assert body["urls"]["rest"] == f"{BASE}/services/data/v{{version}}/"
    r = client.get(tokens["id"], params={"format": "json", "oauth_token": tokens["access_token"], "version": "62.0"})
    assert r.json()["urls"]["rest"] == f"{BASE}/services/data/v62.0/"
    r = client.get(tokens["id"], params={"oauth_token": tokens["access_token"], "version": "latest"})
    assert r.json()["urls"]["query"].startswith(f"{BASE}/services/data/v67.0/")


def test_identity_with_15_char_ids_and_oauth_scheme(client: httpx.Client) -> None:
    token = code_tokens(client)["access_token"]
    r = client.get(f"/id/{ORG[:15]}/{ADMIN_ID[:15]}", headers={"Authorization": f"OAuth {token}"})
    assert r.status_code == 200 and r.json()["user_id"] == ADMIN_ID


def test_identity_formats(client: httpx.Client) -> None:
    tokens = code_tokens(client)
    r = client.get(tokens["id"], params={"oauth_token": tokens["access_token"], "format": "xml"})
    assert r.headers["content-type"].startswith("application/xml") and "<username>" in r.text
    r = client.get(tokens["id"], params={"oauth_token": tokens["access_token"], "format": "urlencoded"})
    assert "username=admin%40mockown.test" in r.text
    r = client.get(tokens["id"], params={"oauth_token": tokens["access_token"]}, headers={"Accept": "application/xml"})
    assert r.text.split("?>", 1)[1].startswith("<user ")  # Salesforce's XML document is <user>
    r = client.get(tokens["id"], params={"oauth_token": tokens["access_token"], "callback": "cb"})
    assert r.text.startswith("cb({")


@pytest.mark.parametrize(
    ("path", "token", "status", "word"),
    [
        (f"/id/{ORG}/{ADMIN_ID}", None, 403, "Missing_OAuth_Token"),
        (f"/id/{ORG}/{ADMIN_ID}", "garbage", 403, "Bad_OAuth_Token"),
        (f"/id/00D5g000004Dev2EAC/{ADMIN_ID}", "live", 403, "Wrong_Org"),
        (f"/id/{ORG}/005g000000Nope1AAA", "live", 404, "Bad_Id"),
        (f"/id/{ORG}/notanid", "live", 404, "Bad_Id"),
        (f"/id/{ORG}/005g000000InactAAB", "live", 404, "Inactive"),
    ],
)
def test_identity_errors(client: httpx.Client, path: str, token: str | None, status: int, word: str) -> None:
    headers = {}
    if token == "live":
        token = code_tokens(client)["access_token"]
    if token:
        headers["Authorization"] = f"Bearer {token}"
    r = client.get(path, headers=headers)
    assert (r.status_code, r.text) == (status, word)
    assert r.headers["content-type"].startswith("text/plain")


def test_identity_of_revoked_token(client: httpx.Client) -> None:
    tokens = code_tokens(client)
    client.post("/services/oauth2/revoke", data={"token": tokens["access_token"]})
    r = client.get(tokens["id"], params={"oauth_token": tokens["access_token"]})
    assert (r.status_code, r.text) == (403, "Bad_OAuth_Token")


def test_identity_of_another_orgs_user(client: httpx.Client, runtime: Runtime) -> None:
    org = new_org(runtime)
    token = org_tokens(client, org)["access_token"]
    r = client.get(f"/id/{ORG}/{ADMIN_ID}", headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, r.text) == (403, "Wrong_Org")


def test_userinfo(client: httpx.Client) -> None:
    tokens = code_tokens(client)
    r = client.get("/services/oauth2/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    body = r.json()
    assert r.status_code == 200
    assert body["sub"] == tokens["id"] and body["user_id"] == ADMIN_ID and body["organization_id"] == ORG
    assert body["preferred_username"] == ADMIN
    r = client.get("/services/oauth2/userinfo", params={"oauth_token": "bad"})
    assert (r.status_code, r.text) == (403, "Bad_OAuth_Token")


def test_userinfo_names_the_integration_user(client: httpx.Client) -> None:
    """`is_salesforce_integration_user`: true for the default seed's integration user (client credentials run as it,
    profile Minimum Access - API Only Integrations), false for the administrator."""
    data = {"grant_type": "client_credentials", "client_id": CID, "client_secret": SECRET}
    integration = client.post("/services/oauth2/token", data=data).json()["access_token"]
    admin = code_tokens(client)["access_token"]
    seen = {}
    for name, token in (("integration", integration), ("admin", admin)):
        r = client.get("/services/oauth2/userinfo", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        seen[name] = (r.json()["preferred_username"], r.json()["is_salesforce_integration_user"])
    assert seen == {"integration": ("integration@mockown.test", True), "admin": (ADMIN, False)}


def test_discovery_document(client: httpx.Client) -> None:
    r = client.get("/.well-known/openid-configuration")
    body = r.json()
    assert body["issuer"] == BASE
    assert body["token_endpoint"] == f"{BASE}/services/oauth2/token"
    assert body["jwks_uri"] == f"{BASE}/id/keys"
    assert body["response_types_supported"] == ["code", "token", "token id_token"]
    assert "grant_types_supported" not in body and "code_challenge_methods_supported" not in body
    other = client.get("/.well-known/openid-configuration", headers={"Host": "mock.example:9000"}).json()
    assert other["issuer"] == "http://mock.example:9000"


def test_jwks(client: httpx.Client) -> None:
    keys = client.get("/id/keys").json()["keys"]
    assert len(keys) == 1
    assert set(keys[0]) == {"kty", "n", "e", "alg", "use", "kid"}
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["e"] == "AQAB"


def test_password_flow_token_reaches_identity(client: httpx.Client) -> None:
    body = password_token(client).json()
    assert client.get(body["id"], params={"oauth_token": body["access_token"]}).status_code == 200


MEDIA = {"json": "application/json", "xml": "application/xml", "urlencoded": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("application/json,application/xml", "json"),  # a list is read left to right
        ("application/xml,application/json,application/html,*/*", "xml"),  # the documented example
        ("text/html, application/x-www-form-urlencoded;q=0.5, application/xml", "urlencoded"),
        ("*/*, application/xml", "json"),  # the wildcard is JSON
        ("text/html", "json"),
    ],
)
def test_identity_accept_list_is_read_left_to_right(client: httpx.Client, accept: str, kind: str) -> None:
    tokens = code_tokens(client)
    for url in (tokens["id"], "/services/oauth2/userinfo"):
        r = client.get(url, params={"oauth_token": tokens["access_token"]}, headers={"Accept": accept})
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == MEDIA[kind]


def _xml_fields(text: str) -> list[tuple[str, str | None]]:
    from xml.etree import ElementTree

    return [(e.tag, (e.text or "").strip() or None) for e in ElementTree.fromstring(text.encode()).iter()]


def test_identity_pretty_print_header(client: httpx.Client) -> None:
    tokens = code_tokens(client)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    for url in (tokens["id"], "/services/oauth2/userinfo"):
        small, pretty = client.get(url, headers=auth), client.get(url, headers={**auth, "X-PrettyPrint": "1"})
        assert "\n" not in small.text and pretty.text.count("\n") > 10
        assert pretty.json() == small.json() and pretty.headers["content-type"] == small.headers["content-type"]
        xml = {"Accept": "application/xml"}
        small, pretty = (
            client.get(url, headers={**auth, **xml}),
            client.get(url, headers={**auth, **xml, "X-PrettyPrint": "1"}),
        )
        assert pretty.text.count("\n") > 10 and _xml_fields(pretty.text) == _xml_fields(small.text)
    # only as a header: a query parameter of that name changes nothing
    r = client.get(tokens["id"], params={"X-PrettyPrint": "1", "oauth_token": tokens["access_token"]})
    assert "\n" not in r.text


@pytest.mark.parametrize(
    ("zone", "offset"),
    [("Europe/Paris", 3600000), ("America/Los_Angeles", -28800000), ("Asia/Kolkata", 19800000), ("UTC", 0)],
)
def test_utc_offset_follows_the_users_time_zone(client: httpx.Client, runtime: Runtime, zone: str, offset: int) -> None:
    user = runtime.salesforce.user(ADMIN_ID)
    assert user is not None
    user.timezone = zone
    runtime.salesforce.users.put(user)
    tokens = code_tokens(client)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    for season in ("winter", "summer"):  # the standard offset, whatever the date
        identity = client.get(tokens["id"], headers=auth).json()
        info = client.get("/services/oauth2/userinfo", headers=auth).json()
        assert (identity["timezone"], identity["utcOffset"]) == (zone, offset), season
        assert (info["zoneinfo"], info["utcOffset"]) == (zone, offset), season
        runtime.clock.advance("4300h")  # ~ six months on, past a daylight-saving change
        tokens = code_tokens(client)
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}


INTEGRATION_ID = "005g000000Int3GAAR"


def test_another_users_identity_needs_api_scope_and_an_internal_user(client: httpx.Client, runtime: Runtime) -> None:
    def other(scope: str) -> httpx.Response:
        token = code_tokens(client, scope=scope)["access_token"]
        return client.get(f"/id/{ORG}/{INTEGRATION_ID}", headers={"Authorization": f"Bearer {token}"})

    r = other("api id")
    assert r.status_code == 200 and r.json()["user_id"] == INTEGRATION_ID and r.json()["asserted_user"] is False
    assert (other("id").status_code, other("id").text) == (404, "No_Access")
    admin = runtime.salesforce.user(ADMIN_ID)
    assert admin is not None
    admin.user_type = "CSP_LITE_PORTAL"  # an external (portal) user: not STANDARD
    runtime.salesforce.users.put(admin)
    r = other("api id")
    assert (r.status_code, r.text) == (404, "No_Access")
    own = code_tokens(client, scope="api id")
    assert client.get(own["id"], params={"oauth_token": own["access_token"]}).status_code == 200  # own identity: yes


@pytest.mark.parametrize("url", ["/services/oauth2/userinfo", "id"])
def test_access_token_in_a_form_encoded_post_body(client: httpx.Client, url: str) -> None:
    """OIDC Core 5.3.1 / RFC 6750 §2.2: the access token as the form-encoded body parameter `access_token` of a
    POST (userinfo, and the identity URL, the same service); not from a JSON body (§2.2 wants form encoding);
    the Authorization header, then `oauth_token`, win over it."""
    tokens = code_tokens(client)
    target = tokens["id"] if url == "id" else url
    r = client.post(target, data={"access_token": tokens["access_token"]})
    assert r.status_code == 200, r.text
    assert r.json()["user_id"] == ADMIN_ID
    mixed_case = {"Content-Type": "Application/X-WWW-Form-URLEncoded ; charset=UTF-8"}  # media type per forms.py
    r = client.post(target, content=f"access_token={tokens['access_token']}", headers=mixed_case)
    assert r.status_code == 200 and r.json()["user_id"] == ADMIN_ID, r.text
    r = client.post(target, json={"access_token": tokens["access_token"]})  # the service reads no JSON body
    assert r.status_code == 400 and ADMIN_ID not in r.text
    r = client.post(target, data={"access_token": "bad"})
    assert (r.status_code, r.text) == (403, "Bad_OAuth_Token")
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.post(target, data={"access_token": "bad"}, headers=bearer).status_code == 200
    r = client.post(target, data={"oauth_token": "bad", "access_token": tokens["access_token"]})
    assert (r.status_code, r.text) == (403, "Bad_OAuth_Token")


@pytest.mark.parametrize("url", ["id", "/services/oauth2/userinfo"])
def test_identity_url_request_errors_are_not_internal_errors(client: httpx.Client, runtime: Runtime, url: str) -> None:
    """A malformed or oversized POST body at the identity URL or userinfo (the same service) is the client's
    fault: `400` / `413` with the word `Bad_Request` (inferred: the spec's recalled table has no 400 row; its
    `Internal Error` is a 404 and means the service failed), never `Internal Error`; userinfo's too, not the
    token endpoint's OAuth JSON."""
    tokens = code_tokens(client)
    target = tokens["id"] if url == "id" else url
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = client.post(target, content=b"oauth_token=\xff\xfe", headers=form)
    assert (r.status_code, r.text) == (400, "Bad_Request")
    big = b"a" * (runtime.config.max_body_bytes + 1)
    r = client.post(target, content=big, headers=form)
    assert (r.status_code, r.text) == (413, "Bad_Request")
    r = client.put(target)
    assert (r.status_code, r.text) == (405, "Bad_Request")
    r = client.get(target, headers={"Host": "a b"})  # a malformed Host: refused before the endpoint runs
    assert (r.status_code, r.text) == (400, "Bad_Request")
    r = client.get(f"{BASE}/id/{ORG}")
    assert (r.status_code, r.text) == (404, "Bad_Id")


def test_the_soap_urls_carry_the_15_character_org_id(client: httpx.Client) -> None:
    """As every real identity response does ("enterprise": ".../services/Soap/c/{version}/00D5e000003V0C7"), and
    as the SOAP login()'s serverUrl: the REST-style ids elsewhere in the document stay 18 characters."""
    tokens = code_tokens(client)
    body = client.get(tokens["id"], headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    for name, letter in (("enterprise", "c"), ("metadata", "m"), ("partner", "u"), ("tooling_soap", "T")):
        assert body["urls"][name] == f"{BASE}/services/Soap/{letter}/{{version}}/{ORG[:15]}", name
    assert body["organization_id"] == ORG
