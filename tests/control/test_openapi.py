"""The control plane's OpenAPI document: served, valid, complete, and the answers conform to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from starlette.applications import Starlette
from starlette.routing import Route

from mockown.http.control import control_api

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "control.yaml"


def test_the_document_is_served(client: httpx.Client) -> None:
    response = client.get("/_mockown/openapi.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    assert response.text == CONTRACT.read_text(encoding="utf-8")
    assert yaml.safe_load(response.text)["openapi"] == "3.1.0"


def test_every_control_route_is_documented(app: Starlette) -> None:
    documented = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["paths"]
    mine = [r for r in control_api().routes if isinstance(r, Route)]
    served = {r.path for r in app.routes if isinstance(r, Route)}
    assert mine and all(r.path in served for r in mine)
    for route in mine:
        path = route.path.rstrip("/") or route.path
        assert path in documented, path
        methods = {m.lower() for m in route.methods or ()} - {"head"}
        assert methods <= set(documented[path]), (path, methods)


@pytest.fixture
def schema(app: Starlette) -> Any:
    return schemathesis.openapi.from_asgi("/_mockown/openapi.yaml", app)


CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("/_mockown/health", "GET", {}),
    ("/_mockown/live", "GET", {}),
    ("/_mockown/clock", "GET", {}),
    ("/_mockown/clock", "POST", {"body": {"advance": "181d"}, "media_type": "application/json"}),
    ("/_mockown/clock", "POST", {"body": {"advance": "-1d"}, "media_type": "application/json"}),
    ("/_mockown/snapshot", "GET", {}),
    ("/_mockown/journal", "GET", {}),
    ("/_mockown/journal/counts", "GET", {"query": {"grant_type": "password"}}),
    ("/_mockown/outbox", "GET", {}),
    ("/_mockown/faults", "POST", {"body": {"path": "/services/data", "status": 503}, "media_type": "application/json"}),
    ("/_mockown/faults", "POST", {"body": {"status": 1}, "media_type": "application/json"}),
    ("/_mockown/faults", "GET", {}),
    ("/_mockown/faults/presets", "GET", {}),
    ("/_mockown/faults/{rule_id}", "GET", {"path_parameters": {"rule_id": 999}}),
    ("/_mockown/seed", "POST", {"body": {"salesforce": {"orgs": [{}]}}, "media_type": "application/json"}),
    ("/_mockown/reset", "POST", {"body": {"org": "00D5g000004MockEAC"}, "media_type": "application/json"}),
    ("/_mockown/reset", "POST", {"body": {}, "media_type": "application/json"}),
]


@pytest.mark.parametrize(("path", "method", "kwargs"), CALLS, ids=[f"{m} {p}" for p, m, _ in CALLS])
def test_answers_conform_to_the_document(schema: Any, path: str, method: str, kwargs: dict[str, Any]) -> None:
    operation = schema[path][method]
    case = operation.Case(**kwargs)
    response = case.call()
    case.validate_response(response)
