"""The specs ship with mockown, the app serves them, and the app conforms to them (so they cannot drift)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
import yaml
from starlette.applications import Starlette
from starlette.routing import Route

from contracts.suite.schema_runs import CHECKS
from contracts.suite.support import for_profile, operations
from mockown import contracts
from mockown.own import tokens


@pytest.mark.parametrize("name", ["salesforce", "own", "marketing", "b2c"])
def test_the_app_serves_the_shipped_spec(client: httpx.Client, name: str) -> None:
    response = client.get(f"/_mockown/openapi/{name}.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    assert response.text == contracts.spec_path(name).read_text(encoding="utf-8")
    assert yaml.safe_load(response.text)["openapi"] == "3.1.0"


def _references(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    if isinstance(node, list):
        return [found for i, value in enumerate(node) for found in _references(value, f"{where}/{i}")]
    if not isinstance(node, dict):
        return []
    own = [(where, node)] if "$ref" in node else []
    return own + [found for key, value in node.items() for found in _references(value, f"{where}/{key}")]


@pytest.mark.parametrize("name", contracts.SPECS)
def test_the_specs_keep_oas_3_1_shapes_a_validator_checks(name: str) -> None:
    """What an OpenAPI 3.1 validator refused in two of them: a Reference Object outside a schema holds only `$ref`,
    `summary` and `description` (b2c's 429 carried `x-unverified` beside its `$ref`), and a tag is a name and a
    text (a flow mapping's unquoted commas split salesforce's tag texts into keys with null values)."""
    spec = contracts.load_spec(name)
    extra = [
        (where, sorted(set(ref) - {"$ref", "summary", "description"}))
        for where, ref in _references({k: v for k, v in spec.items() if k != "components"} | {
            "components": {k: v for k, v in spec.get("components", {}).items() if k != "schemas"}})
        if "/schema" not in where and set(ref) - {"$ref", "summary", "description"}
    ]  # fmt: skip
    assert extra == []
    for tag in spec.get("tags", []):
        assert set(tag) <= {"name", "description", "externalDocs"}, tag
        assert all(isinstance(tag[key], str) for key in ("name", "description") if key in tag), tag


def test_an_unknown_spec_is_404_in_the_control_dialect(client: httpx.Client) -> None:
    response = client.get("/_mockown/openapi/nope.yaml")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize("name", ["salesforce", "own"])
def test_every_operation_is_a_route_of_the_app(app: Starlette, name: str) -> None:
    spec = contracts.load_spec(name)
    routes = [r for r in app.routes if isinstance(r, Route)]
    for path, method, op in operations(spec):
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        matching = [r for r in routes if r.path_regex.match(concrete) and method.upper() in (r.methods or ())]
        assert matching, f"{op['operationId']}: {method.upper()} {path} is not served by the app"
        assert op.get("operationId"), f"{method} {path} has no operationId"


def test_the_real_profile_relaxes_only_unverified_facts() -> None:
    spec = contracts.load_spec("own")
    relaxed = for_profile(spec, "real")
    schemas = relaxed["components"]["schemas"]
    assert schemas["JobStatus"] == {"x-unverified": spec["components"]["schemas"]["JobStatus"]["x-unverified"]}
    assert schemas["TokenResponse"]["properties"]["scope"] == {"const": "api:access"}  # documented: kept
    assert "default" in relaxed["paths"]["/oauth2/aus4c3z3l8FqrbqDU4h7/v1/revoke"]["post"]["responses"]
    assert for_profile(spec, "mock") == spec


def _bearer(app: Starlette) -> str:
    from mockown.http.inprocess import in_process_client

    raw = tokens.generate(app.state.runtime.own, 12345)
    form = {"grant_type": "refresh_token", "client_id": tokens.CLIENT_ID, "refresh_token": raw}
    with in_process_client(app) as c:
        token: str = c.post(tokens.TOKEN_PATH, data=form).json()["access_token"]
    return token


@pytest.mark.parametrize("name", ["salesforce", "own"])
def test_the_app_conforms_to_its_spec_in_process(app: Starlette, name: str) -> None:
    """Schemathesis loads the spec from the app's own route and fuzzes every operation in-process."""
    schema = schemathesis.openapi.from_asgi(f"/_mockown/openapi/{name}.yaml", app)
    if name == "own":
        schema.config.update(headers={"Authorization": f"Bearer {_bearer(app)}"})
    failures: list[str] = []
    seen: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(max_examples=8, deadline=None, database=None, derandomize=True,
                             suppress_health_check=list(hypothesis.HealthCheck))  # fmt: skip
        def check(case: Any) -> None:
            response = case.call()
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:
                failures.append(f"{case.operation.label} {response.status_code}: {' '.join(str(exc).split())[:300]}")

        check()
        seen.add(operation.label)
    assert len(seen) == len(list(operations(contracts.load_spec(name))))
    assert not failures, "\n".join(failures[:10])


def _conforms(app: Starlette, name: str, path: str, method: str, status: int, **case: Any) -> Any:
    """One hand-made request of `name`.yaml's operation, in-process: its answer has `status` and passes the checks."""
    schema = schemathesis.openapi.from_dict(contracts.load_spec(name))
    schema.app = app
    made = schema[path][method].Case(**case)
    response = made.call()
    assert response.status_code == status, response.text[:300]
    made.validate_response(response, checks=CHECKS)
    return response


def test_documented_answers_the_fuzz_cannot_reach_conform(app: Starlette) -> None:
    """Answers that need a credential or a host the schema fuzz does not send: their documented status and body."""
    from mockown.http.inprocess import in_process_client
    from tests.conftest import ADMIN, CID, PASSWORD, SECRET

    login = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    with in_process_client(app) as c:
        token = c.post("/services/oauth2/token", data={**login, "password": PASSWORD}).json()["access_token"]
    sf = {"Authorization": f"Bearer {token}"}
    for callback in ("1bad", "a.", "a..b", "a.1b"):
        answer = _conforms(app, "salesforce", "/services/oauth2/userinfo", "GET", 406, headers=sf,
                           query={"callback": callback})  # fmt: skip
        assert answer.text == "Invalid_Callback"
    answer = _conforms(app, "salesforce", "/services/oauth2/userinfo", "GET", 200, headers=sf,
                       query={"callback": "window.app.done"})  # fmt: skip
    assert answer.headers["content-type"][0].startswith("application/javascript")
    assert answer.text.startswith("window.app.done(")
    dcr = {"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"}
    body = {"redirect_uris": ["https://app.example.com/cb"], "scope": "api bogus"}
    answer = _conforms(app, "salesforce", "/services/oauth2/register", "POST", 400, headers=dcr, body=body,
                       media_type="application/json")  # fmt: skip
    assert answer.json()["error"] == "invalid_client_metadata"
    regional = {"Host": "app1.owndata.com"}
    form = {"grant_type": "refresh_token", "refresh_token": "x", "client_id": tokens.CLIENT_ID}
    for path in (tokens.TOKEN_PATH, tokens.TOKEN_PATH.replace("/token", "/revoke")):
        data = {**form, "token": "x"} if path.endswith("revoke") else form
        _conforms(app, "own", path, "POST", 404, headers=regional, body=data,
                  media_type="application/x-www-form-urlencoded")  # fmt: skip


def test_the_token_in_a_post_body_and_the_registration_client_uri_conform(app: Starlette) -> None:
    """POST userinfo / identity URL with `oauth_token` in the body, and RFC 7592's GET / DELETE of a registration
    (the fuzz holds neither the user's ids nor a registration access token)."""
    from mockown.http.inprocess import in_process_client
    from tests.conftest import ADMIN, CID, PASSWORD, SECRET

    login = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    with in_process_client(app) as c:
        tokens_ = c.post("/services/oauth2/token", data={**login, "password": PASSWORD}).json()
        registered = c.post(
            "/services/oauth2/register",
            headers={"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"},
            json={"redirect_uris": ["https://app.example.com/cb"]},
        ).json()
    form: dict[str, Any] = {"body": {"oauth_token": tokens_["access_token"]},
                            "media_type": "application/x-www-form-urlencoded"}  # fmt: skip
    answer = _conforms(app, "salesforce", "/services/oauth2/userinfo", "POST", 200, **form)
    assert answer.json()["preferred_username"] == ADMIN
    org_id, user_id = tokens_["id"].rsplit("/", 2)[-2:]
    ids_ = {"orgId": org_id, "userId": user_id}
    answer = _conforms(app, "salesforce", "/id/{orgId}/{userId}", "POST", 200, path_parameters=ids_, **form)
    assert answer.json()["user_id"] == user_id
    answer = _conforms(app, "salesforce", "/id/{orgId}/{userId}", "POST", 406, path_parameters=ids_,
                       query={"version": "1"}, **form)  # fmt: skip
    assert answer.text == "Invalid_Version"
    path, client = "/services/oauth2/register/{client_id}", {"client_id": registered["client_id"]}
    bearer = {"Authorization": f"Bearer {registered['registration_access_token']}"}
    answer = _conforms(app, "salesforce", path, "GET", 200, path_parameters=client, headers=bearer)
    assert answer.json()["client_secret"] == registered["client_secret"]
    answer = _conforms(app, "salesforce", path, "GET", 401, path_parameters=client)
    assert answer.headers["www-authenticate"] == ["Bearer"]
    _conforms(app, "salesforce", path, "DELETE", 204, path_parameters=client, headers=bearer)
    answer = _conforms(app, "salesforce", path, "DELETE", 401, path_parameters=client, headers=bearer)
    assert answer.headers["www-authenticate"] == ['Bearer error="invalid_token"']


def test_the_device_approval_route_conforms(app: Starlette) -> None:
    """`POST /_mockown/salesforce/device/approve` decides a pending code (the fuzz never holds one): 200, then 404
    for the decided code; a form body works as JSON does."""
    from mockown.http.inprocess import in_process_client
    from tests.conftest import ADMIN, CID

    with in_process_client(app) as c:
        codes = [c.post("/services/oauth2/token", data={"response_type": "device_code", "client_id": CID}).json()
                 for _ in range(2)]  # fmt: skip
    path = "/_mockown/salesforce/device/approve"
    body = {"user_code": codes[0]["user_code"].lower(), "username": ADMIN}
    answer = _conforms(app, "control", path, "POST", 200, body=body, media_type="application/json")
    assert answer.json() == {"user_code": codes[0]["user_code"], "username": ADMIN, "status": "approved"}
    answer = _conforms(app, "control", path, "POST", 404, body=body, media_type="application/json")
    assert answer.json()["error"] == "not_found"
    body = {"user_code": codes[1]["user_code"], "username": ADMIN, "decision": "deny"}
    answer = _conforms(app, "control", path, "POST", 200, body=body, media_type="application/x-www-form-urlencoded")
    assert answer.json()["status"] == "denied"
