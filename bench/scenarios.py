"""What the load runs hit: mockown's endpoints (after seeding a bench org), the peer's and the ceiling's."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx

from .load import Request

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
OWN_AUTH = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
OWN_CLIENT_ID = "0oa4c413eq8wwcEzP4h7"
OWN_API_TOKEN = "MockownBenchApiToken0000000000000000000001"
REST_PATH = "/services/data/v62.0/limits"
CC_USER = "bench-cc@mockown.test"

# A bench org: a client-credentials run-as user, an opaque-token app and a JWT-access-token app; an Own
# account whose user has a known API token. The org's API limit is high enough for any load run.
SEED: dict[str, Any] = {
    "salesforce": {
        "orgs": [
            {
                "name": "Bench",
                "api_limit": 2_000_000_000,
                "users": [{"username": CC_USER, "password": "BenchPassw0rd!"}],
                "apps": [
                    {"name": "Bench opaque", "scopes": ["api", "id"], "client_credentials_user": CC_USER},
                    {"name": "Bench JWT", "scopes": ["api", "id"], "client_credentials_user": CC_USER,
                     "jwt_access_tokens": True},
                ],
            }
        ]
    },
    "own": {
        "accounts": [
            {
                "id": 9001,
                "name": "Bench",
                "users": [{"id": 90001, "email": "bench@own.mockown.test", "password": "BenchPassw0rd!",
                           "role": "master_admin", "api_token": OWN_API_TOKEN}],
                "services": [{"id": 390001, "region": "app1", "displayed_name": "bench@mockown.test",
                              "business_unit": "Bench", "objects": ["accounts"], "backups": 1}],
            }
        ]
    },
}  # fmt: skip


@dataclass
class Scenario:
    key: str
    target: str  # mockown | peer | ceiling
    request: Request


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def prepare_mockown(base: str) -> list[Scenario]:
    """Seed the bench org on a running mockown, check every request once, return the scenarios."""
    with httpx.Client(base_url=base, timeout=30.0) as c:
        created = c.post("/_mockown/seed", json=SEED)
        created.raise_for_status()
        apps = {a["name"]: a for a in created.json()["salesforce"]["orgs"][0]["apps"]}
        opaque, jwt_app = apps["Bench opaque"], apps["Bench JWT"]
        cc = "grant_type=client_credentials"
        opaque_auth = {**FORM, "Authorization": _basic(opaque["client_id"], opaque["client_secret"])}
        jwt_auth = {**FORM, "Authorization": _basic(jwt_app["client_id"], jwt_app["client_secret"])}
        token = c.post("/services/oauth2/token", content=cc, headers=opaque_auth).json()["access_token"]
        own = f"grant_type=refresh_token&scope=api%3Aaccess&client_id={OWN_CLIENT_ID}&refresh_token={OWN_API_TOKEN}"
        own_access = c.post(OWN_AUTH, content=own, headers=FORM).json()["access_token"]
        scenarios = [
            Scenario("token_opaque", "mockown", Request("POST", "/services/oauth2/token", cc, opaque_auth)),
            Scenario("token_jwt", "mockown", Request("POST", "/services/oauth2/token", cc, jwt_auth)),
            Scenario("discovery", "mockown", Request("GET", "/.well-known/openid-configuration")),
            Scenario("introspect", "mockown",
                     Request("POST", "/services/oauth2/introspect", f"token={token}", opaque_auth)),
            Scenario("rest", "mockown", Request("GET", REST_PATH, headers={"Authorization": f"Bearer {token}"})),
            Scenario("own_exchange", "mockown", Request("POST", OWN_AUTH, own, FORM)),
            Scenario("own_services", "mockown", Request("GET", "/regions/app1/api/v1/services",
                                                        headers={"Authorization": f"Bearer {own_access}"})),
        ]  # fmt: skip
        for s in scenarios:
            check(c, s.request, s.key)
        jwt_token = c.post("/services/oauth2/token", content=cc, headers=jwt_auth).json()
        if jwt_token.get("token_format") != "jwt" or jwt_token["access_token"].count(".") != 2:
            raise RuntimeError(f"the JWT app did not issue a JWT access token: {jwt_token}")
    return scenarios


def peer_scenarios() -> list[Scenario]:
    body = "grant_type=client_credentials&scope=api"
    auth = {**FORM, "Authorization": _basic("bench-client", "bench-secret")}
    return [
        Scenario("token", "peer", Request("POST", "/token", body, auth)),
        Scenario("discovery", "peer", Request("GET", "/.well-known/openid-configuration")),
    ]


def ceiling_scenarios() -> list[Scenario]:
    body = "grant_type=client_credentials&scope=api"
    auth = {**FORM, "Authorization": _basic("bench-client", "bench-secret")}
    return [
        Scenario("form", "ceiling", Request("POST", "/token", body, auth)),
        Scenario("fixed", "ceiling", Request("GET", "/fixed")),
    ]


def check(client: httpx.Client, req: Request, key: str) -> None:
    answer = client.request(req.method, req.path, content=req.body or None, headers=req.headers)
    if answer.status_code != 200:
        raise RuntimeError(f"{key}: {req.method} {req.path} answered {answer.status_code}: {answer.text[:300]}")
    if key == "introspect" and answer.json().get("active") is not True:
        raise RuntimeError(f"introspect: the token is not active: {answer.text}")


def check_plain(base: str, s: Scenario) -> None:
    with httpx.Client(base_url=base, timeout=30.0) as c:
        check(c, s.request, f"{s.target}/{s.key}")
