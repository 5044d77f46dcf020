"""OCAPI Shop `customers/auth` over HTTP on the frozen clock: the four types, the JWT header, fault envelopes."""

from __future__ import annotations

import base64
import json

import httpx
import jwt
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime

AUTH = "/s/RefArch/dw/shop/v24_5/customers/auth"
CLIENT = {"x-dw-client-id": "a" * 30}
DWSID = "MockownDemoDwsid0000000000000000000000001"


def basic(login: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


def auth(client: httpx.Client, kind: str, headers: dict[str, str] | None = None, url: str = AUTH) -> httpx.Response:
    return client.post(url, json={"type": kind}, headers={**CLIENT, **(headers or {})})


def test_guest_jwt_in_the_authorization_header(client: httpx.Client, runtime: Runtime) -> None:
    response = auth(client, "guest")
    assert response.status_code == 200
    token = response.headers["authorization"].removeprefix("Bearer ")
    claims = jwt.decode(
        token,
        runtime.keys.rsa_of("ocapi").private.public_key(),
        algorithms=["RS256"],
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["exp"] - claims["iat"] == 1800
    info = json.loads(claims["sub"])["customer_info"]
    body = response.json()
    assert info["guest"] is True and info["customer_id"] == body["customer_id"]
    assert body["_v"] == "24.5" and body["_type"] == "customer" and body["auth_type"] == "guest"
    assert len(body["customer_id"]) == 26


def test_client_id_in_the_query_and_host_routing(client: httpx.Client) -> None:
    url = f"http://zzxy-001.dx.commercecloud.salesforce.com{AUTH}?client_id={'a' * 30}"
    assert client.post(url, json={"type": "guest"}).status_code == 200
    prefixed = f"/b2c/instances/zzxy-001.dx.commercecloud.salesforce.com{AUTH}"
    assert auth(client, "guest", url=prefixed).status_code == 200


def test_credentials(client: httpx.Client) -> None:
    response = auth(client, "credentials", basic("shopper@mockown.test", "Sh0pper!"))
    assert response.status_code == 200
    body = response.json()
    assert body["auth_type"] == "registered" and body["customer_no"] == "00000001"
    assert body["login"] == "shopper@mockown.test" and body["last_login_time"] == "2026-01-01T00:00:00.000Z"


def fault(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert set(body) == {"_v", "fault"} and body["_v"] == "24.5"
    found: dict[str, object] = body["fault"]
    return found


def test_bad_credentials_is_authentication_failed(client: httpx.Client) -> None:
    response = auth(client, "credentials", basic("shopper@mockown.test", "nope"))
    assert response.status_code == 401 and fault(response)["type"] == "AuthenticationFailedException"


@pytest.mark.parametrize("header", [{}, {"Authorization": "Basic !!!"}, {"Authorization": "Bearer x"}])
def test_missing_or_bad_basic_is_invalid_authorization_header(client: httpx.Client, header: dict[str, str]) -> None:
    response = auth(client, "credentials", header)
    assert response.status_code == 401 and fault(response)["type"] == "InvalidAuthorizationHeaderException"


def test_session_type_makes_a_new_token_each_call(client: httpx.Client) -> None:
    first = auth(client, "session", {"Cookie": f"dwsid={DWSID}"})
    second = auth(client, "session", {"Cookie": f"dwsid={DWSID}"})
    assert first.status_code == second.status_code == 200
    assert first.json()["auth_type"] == "registered"
    assert first.headers["authorization"] != second.headers["authorization"]
    unknown = auth(client, "session", {"Cookie": "dwsid=unknown"})
    assert unknown.status_code == 401 and fault(unknown)["type"] == "AuthenticationFailedException"


def test_refresh_needs_a_valid_unexpired_token(client: httpx.Client, clock: FrozenClock) -> None:
    token = auth(client, "guest").headers["authorization"]
    clock.advance(1000)
    renewed = auth(client, "refresh", {"Authorization": token})
    assert renewed.status_code == 200
    assert renewed.json()["customer_id"] == auth(client, "refresh", {"Authorization": token}).json()["customer_id"]
    clock.advance(800)  # the first token is 30 minutes old now
    expired = auth(client, "refresh", {"Authorization": token})
    assert expired.status_code == 401 and fault(expired)["type"] == "InvalidAccessTokenException"
    assert auth(client, "refresh", {"Authorization": renewed.headers["authorization"]}).status_code == 200
    missing = auth(client, "refresh")
    assert fault(missing)["type"] == "InvalidAuthorizationHeaderException"


def test_refresh_can_void_the_old_token(clock: FrozenClock) -> None:
    app = create_app(Config().replace(b2c={"ocapi_refresh_keeps_old": False}), clock=clock)
    with in_process_client(app) as c:
        token = auth(c, "guest").headers["authorization"]
        assert auth(c, "refresh", {"Authorization": token}).status_code == 200
        assert auth(c, "refresh", {"Authorization": token}).status_code == 401


def test_logout_and_sessions(client: httpx.Client) -> None:
    token = auth(client, "credentials", basic("shopper@mockown.test", "Sh0pper!")).headers["authorization"]
    session = client.post("/s/RefArch/dw/shop/v24_5/sessions", headers={**CLIENT, "Authorization": token})
    assert session.status_code == 204
    dwsid = session.cookies["dwsid"]
    assert auth(client, "session", {"Cookie": f"dwsid={dwsid}"}).json()["auth_type"] == "registered"
    assert client.delete(AUTH, headers={**CLIENT, "Authorization": token}).status_code == 204
    assert auth(client, "refresh", {"Authorization": token}).status_code == 401


@pytest.mark.parametrize(
    ("url", "headers", "status", "kind"),
    [
        (AUTH, {}, 400, "MissingClientIdException"),
        (AUTH, {"x-dw-client-id": "unknown"}, 403, "ClientAccessForbiddenException"),
        ("/s/NoSite/dw/shop/v24_5/customers/auth", CLIENT, 404, "SiteNotFoundException"),
        ("/s/RefArch/dw/shop/latest/customers/auth", CLIENT, 404, "UnknownVersionException"),
    ],
)
def test_site_client_and_version_faults(
    client: httpx.Client, url: str, headers: dict[str, str], status: int, kind: str
) -> None:
    response = client.post(url, json={"type": "guest"}, headers=headers)
    assert response.status_code == status and response.json()["fault"]["type"] == kind


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"type": "magic"}'])
def test_bad_bodies_are_faults(client: httpx.Client, body: bytes) -> None:
    response = client.post(AUTH, content=body, headers={**CLIENT, "content-type": "application/json"})
    assert response.status_code == 400 and "fault" in response.json()


def test_unknown_path_under_s_is_a_fault(client: httpx.Client) -> None:
    response = client.get("/s/RefArch/dw/shop/v24_5/nothing")
    assert response.status_code == 404 and response.json()["fault"]["type"] == "ResourcePathNotFoundException"


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[]", b'"guest"'])
def test_a_body_that_is_not_a_json_object_is_a_malformed_document_fault(client: httpx.Client, raw: bytes) -> None:
    response = client.post(AUTH, content=raw, headers={**CLIENT, "content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["fault"]["type"] == "MalformedDocumentException"
