"""The token endpoint: every grant of the core, encodings, client authentication and documented errors."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, quote

import httpx
import jwt
import pytest

from mockown import security
from mockown.runtime import Runtime
from tests.conftest import ADMIN, ADMIN_ID, BASE, CID, ORG, PASSWORD, SECRET
from tests.salesforce.helpers import TOKEN, code_tokens, password_token, refresh

ACCESS = re.compile(r"^00D5g000004Mock![A-Za-z0-9._]+$")
ID_URL = f"{BASE}/id/{ORG}/{ADMIN_ID}"


def _signature_ok(body: dict[str, str], secret: str = SECRET) -> bool:
    return security.equal(body["signature"], security.hmac_sha256_b64(secret, body["id"] + body["issued_at"]))


def test_password_flow_response_is_shaped_like_salesforce(client: httpx.Client) -> None:
    r = password_token(client)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json;charset=UTF-8"
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert set(body) == {"access_token", "instance_url", "id", "token_type", "issued_at", "signature"}
    assert ACCESS.match(body["access_token"])
    assert body["id"] == ID_URL
    assert body["instance_url"] == BASE
    assert body["token_type"] == "Bearer"
    assert body["issued_at"] == "1767225600000"  # milliseconds, as a string
    assert _signature_ok(body)
    assert "expires_in" not in body and "refresh_token" not in body


def test_password_may_carry_the_security_token(client: httpx.Client) -> None:
    assert password_token(client, password=PASSWORD + "SecTok3nAdmin").status_code == 200


@pytest.mark.parametrize(
    ("change", "error", "description"),
    [
        ({"password": "wrong"}, "invalid_grant", "authentication failure"),
        ({"username": "nobody@mockown.test"}, "invalid_grant", "authentication failure"),
        ({"username": "inactive@mockown.test"}, "inactive_user", "user is inactive"),
        ({"client_id": "3MVG9unknown"}, "invalid_client_id", "client identifier invalid"),
        ({"client_secret": "wrong"}, "invalid_client", "invalid client credentials"),
        ({"client_id": "PlatformCLI", "client_secret": ""}, "invalid_client", "invalid client credentials"),
        ({"grant_type": "magic"}, "unsupported_grant_type", "grant type not supported"),
        ({"grant_type": ""}, "unsupported_grant_type", "grant type not supported"),
    ],
)
def test_password_flow_errors(client: httpx.Client, change: dict[str, str], error: str, description: str) -> None:
    r = password_token(client, **change)
    assert r.status_code == 400
    assert r.headers["cache-control"] == "no-store"
    assert r.json() == {"error": error, "error_description": description}


def test_password_flow_blocked_on_app(client: httpx.Client) -> None:
    r = client.post(
        TOKEN, data={"grant_type": "password", "client_id": "PlatformCLI", "username": ADMIN, "password": PASSWORD}
    )
    # a public app cannot prove a secret: the password flow needs one
    assert r.status_code == 400 and r.json()["error"] == "invalid_client"


def test_lockout_after_ten_bad_passwords(client: httpx.Client, runtime: Runtime) -> None:
    for _ in range(10):
        assert password_token(client, password="bad").status_code == 400
    assert password_token(client).json() == {"error": "invalid_grant", "error_description": "authentication failure"}
    runtime.clock.advance("15m")
    assert password_token(client).status_code == 200


def test_unknown_grant_type_with_no_other_params(client: httpx.Client) -> None:
    r = client.post(TOKEN, data={"grant_type": "urn:example:unknown"})
    assert r.json() == {"error": "unsupported_grant_type", "error_description": "grant type not supported"}


def test_basic_auth_halves_are_url_decoded(client: httpx.Client, runtime: Runtime) -> None:
    from tests.salesforce.helpers import new_org

    org = new_org(runtime, client_secret="s3cr:et+with/odd=chars", client_credentials_user=None)
    creds = base64.b64encode(f"{quote(org['client_id'], safe='')}:{quote(org['secret'], safe='')}".encode()).decode()
    r = client.post(
        TOKEN,
        data={"grant_type": "password", "username": org["username"], "password": org["password"]},
        headers={"Authorization": f"Basic {creds}"},
    )
    assert r.status_code == 200, r.text


def test_client_credentials_with_basic_auth(client: httpx.Client) -> None:
    r = client.post(TOKEN, data={"grant_type": "client_credentials"}, auth=(CID, SECRET))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["api_instance_url"] == "https://api.salesforce.com"
    assert body["id"].endswith("/005g000000Int3GAAR")  # the run-as user
    assert "refresh_token" not in body
    assert not {"full", "web", "refresh_token", "offline_access"} & set(body["scope"].split())
    assert _signature_ok(body)
    # spec 3.4: the documented answer has no id_token, even with `openid` granted (no user signs in)
    assert "openid" in body["scope"].split() and "id_token" not in body


@pytest.mark.parametrize("scope", ["web full", "refresh_token", "offline_access", "full"])
def test_client_credentials_asking_only_for_scopes_it_never_grants(client: httpx.Client, scope: str) -> None:
    """Spec 3.4 [OBS]: `full`, `web`, `offline_access` and `refresh_token` are never granted in this flow; asked
    for alone they leave no scope, which is `invalid_scope` (spec 1.5), not a token with an empty scope."""
    r = client.post(TOKEN, data={"grant_type": "client_credentials", "scope": scope}, auth=(CID, SECRET))
    assert (r.status_code, r.json()) == (
        400,
        {"error": "invalid_scope", "error_description": "requested scope is invalid, unknown, or malformed"},
    )
    r = client.post(TOKEN, data={"grant_type": "client_credentials", "scope": f"{scope} api"}, auth=(CID, SECRET))
    assert r.status_code == 200 and r.json()["scope"] == "api"  # with a grantable one: that one


@pytest.mark.parametrize("host", ["login.salesforce.com", "login.salesforce.com.", "TEST.salesforce.com.:443"])
def test_client_credentials_refused_on_login_host(client: httpx.Client, host: str) -> None:
    r = client.post(TOKEN, data={"grant_type": "client_credentials"}, auth=(CID, SECRET), headers={"Host": host})
    assert r.json() == {"error": "invalid_grant", "error_description": "request not supported on this domain"}


def test_client_credentials_without_run_as_user(client: httpx.Client, runtime: Runtime) -> None:
    from tests.salesforce.helpers import new_org

    org = new_org(runtime)
    r = client.post(TOKEN, data={"grant_type": "client_credentials"}, auth=(org["client_id"], org["secret"]))
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_client_credentials_needs_the_secret(client: httpx.Client) -> None:
    r = client.post(TOKEN, data={"grant_type": "client_credentials", "client_id": CID})
    assert r.json()["error"] == "invalid_client"


def test_multipart_body_is_accepted(client: httpx.Client) -> None:
    fields = {
        "grant_type": "password",
        "client_id": CID,
        "client_secret": SECRET,
        "username": ADMIN,
        "password": PASSWORD,
    }
    r = client.post(TOKEN, files={k: (None, v) for k, v in fields.items()})
    assert r.status_code == 200, r.text


def test_chunked_body_without_content_length(client: httpx.Client) -> None:
    body = (
        f"grant_type=password&client_id={CID}&client_secret={SECRET}&username={quote(ADMIN)}&password={quote(PASSWORD)}"
    )

    def chunks():  # type: ignore[no-untyped-def]
        yield body[:20].encode()
        yield body[20:].encode()

    r = client.post(TOKEN, content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert "content-length" not in r.request.headers
    assert r.status_code == 200, r.text


def test_extra_and_query_parameters(client: httpx.Client) -> None:
    r = client.post(
        TOKEN + "?device_id=abc&grant_type=password",
        data={"client_id": CID, "client_secret": SECRET, "username": ADMIN, "password": PASSWORD, "unknown": "x"},
    )
    assert r.status_code == 200, r.text


def test_formats_urlencoded_and_xml(client: httpx.Client) -> None:
    r = password_token(client, format="urlencoded")
    assert r.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert parse_qs(r.text)["token_type"] == ["Bearer"]
    r = password_token(client, format="xml")
    assert r.text.startswith('<?xml version="1.0" encoding="UTF-8"?><OAuth><access_token>')
    r = client.post(
        TOKEN,
        data={
            "grant_type": "password",
            "client_id": CID,
            "client_secret": SECRET,
            "username": ADMIN,
            "password": PASSWORD,
        },
        headers={"Accept": "application/xml"},
    )
    assert "<OAuth>" in r.text


def test_malformed_bodies_get_oauth_errors(client: httpx.Client) -> None:
    r = client.post(TOKEN, content=b"\xff\xfe=\x00", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    # a JSON body holds no parameters Salesforce reads (test_conformance_audit.py): no grant type
    r = client.post(TOKEN, content=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = client.post(
        TOKEN, content=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 413 and r.json()["error"] == "invalid_request"
    r = client.get(TOKEN)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")  # test_token_method.py
    r = client.post(TOKEN, headers={"Authorization": "Basic !!!"}, data={"grant_type": "client_credentials"})
    assert r.json()["error"] == "invalid_client"


def test_web_server_flow_with_openid(client: httpx.Client, runtime: Runtime) -> None:
    body = code_tokens(client, scope="api refresh_token openid id", nonce="n-1")
    assert set(body) == {"access_token", "refresh_token", "signature", "scope", "id_token", "instance_url", "id",
                         "token_type", "issued_at"}  # fmt: skip
    assert body["refresh_token"].startswith("5Aep861")
    assert re.fullmatch(r"[A-Za-z0-9._]+", body["refresh_token"])
    assert body["scope"] == "api refresh_token openid id"
    assert _signature_ok(body)
    jwks = client.get("/id/keys").json()
    key = jwt.PyJWK(jwks["keys"][0])
    claims = jwt.decode(body["id_token"], key, algorithms=["RS256"], audience=CID, options={"verify_exp": False})
    assert claims["exp"] == claims["iat"] + 300 and claims["iat"] == 1767225600  # on the frozen clock
    assert claims["sub"] == body["id"] and claims["nonce"] == "n-1" and claims["iss"] == BASE
    assert jwt.get_unverified_header(body["id_token"])["kid"] == jwks["keys"][0]["kid"]


def test_refresh_token_only_with_refresh_scope(client: httpx.Client) -> None:
    body = code_tokens(client, scope="api id")
    assert "refresh_token" not in body and "id_token" not in body


def test_refresh_grant_without_rotation(client: httpx.Client) -> None:
    first = code_tokens(client, scope="api refresh_token openid")
    r = refresh(client, first["refresh_token"], secret=None)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "refresh_token" not in body
    assert "id_token" in body  # openid granted: the id token comes with every refresh
    assert body["access_token"] != first["access_token"]
    assert refresh(client, first["refresh_token"]).status_code == 200  # still valid until revoked


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"refresh_token": "5Aep861garbage"}, ("invalid_grant", "expired access/refresh token")),
        ({"client_id": "3MVG9nope"}, ("invalid_client_id", "client identifier invalid")),
        ({"client_secret": "wrong"}, ("invalid_client", "invalid client credentials")),
        ({"refresh_token": ""}, ("invalid_grant", "expired access/refresh token")),
    ],
)
def test_refresh_errors(client: httpx.Client, change: dict[str, str], error: tuple[str, str]) -> None:
    token = code_tokens(client)["refresh_token"]
    data = {"grant_type": "refresh_token", "refresh_token": token, "client_id": CID, "client_secret": SECRET}
    data.update(change)
    r = client.post(TOKEN, data=data)
    assert r.status_code == 400
    assert (r.json()["error"], r.json()["error_description"]) == error


def test_refresh_of_another_apps_token_fails(client: httpx.Client, runtime: Runtime) -> None:
    from tests.salesforce.helpers import new_org

    token = code_tokens(client)["refresh_token"]
    other = new_org(runtime)
    r = refresh(client, token, client_id=other["client_id"], secret=other["secret"])
    assert r.json()["error_description"] == "expired access/refresh token"


def test_refresh_for_deactivated_user(client: httpx.Client, runtime: Runtime) -> None:
    token = code_tokens(client)["refresh_token"]
    user = runtime.salesforce.user(ADMIN_ID)
    assert user is not None
    user.active = False
    runtime.salesforce.users.put(user)
    assert refresh(client, token).json() == {"error": "inactive_user", "error_description": "user is inactive"}


def test_unsupported_format_is_refused_before_the_grant_runs(client: httpx.Client, runtime: Runtime) -> None:
    """A request refused for its `format` must not spend the code nor leave tokens nobody received."""
    from tests.salesforce.helpers import exchange, get_code

    code = get_code(client, scope="api refresh_token")
    before = (len(runtime.salesforce.access_tokens.all()), len(runtime.salesforce.refresh_tokens.all()))
    r = exchange(client, code, format="yaml")
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    assert (len(runtime.salesforce.access_tokens.all()), len(runtime.salesforce.refresh_tokens.all())) == before
    assert exchange(client, code).status_code == 200  # the code is still good
