"""The dashboard's buttons over HTTP (no browser): what each answers, and what a path that is no button answers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml

from mockown import FrozenClock
from mockown.runtime import Runtime
from mockown.ui.dashboard import ACTIONS

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "control.yaml"


def _spec_actions() -> list[str]:
    spec = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    post = spec["paths"]["/_mockown/ui/{action}"]["post"]
    (param,) = [p for p in post["parameters"] if p["name"] == "action"]
    assert "404" in post["responses"]
    actions: list[str] = param["schema"]["enum"]
    return actions


def test_the_contract_names_every_action_of_the_page() -> None:
    assert sorted(_spec_actions()) == sorted(ACTIONS)


@pytest.mark.parametrize(
    "path", ["/_mockown/ui/bogus", "/_mockown/ui/%1A", "/_mockown/ui/reset%00", "/_mockown/ui/Reset"]
)
def test_a_path_that_is_no_button_is_not_found_and_changes_nothing(
    client: httpx.Client, runtime: Runtime, clock: FrozenClock, path: str
) -> None:
    before = runtime.store.dump()
    now = clock.now()
    response = client.post(path, data={"advance": "1h", "org": "00D000000000001"}, follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "not_found"
    assert runtime.store.dump() == before
    assert clock.now() == now


def test_a_button_answers_with_a_redirect_to_the_page(client: httpx.Client, clock: FrozenClock) -> None:
    now = clock.now()
    response = client.post("/_mockown/ui/clock", data={"advance": "1h"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/_mockown/ui?notice=clock%20advanced")
    assert clock.now() == now + 3600


def test_a_failing_button_redirects_with_an_error_notice(client: httpx.Client) -> None:
    response = client.post("/_mockown/ui/revoke", data={"kind": "access", "id": "nope"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("&error=1")
    assert "no%20such%20token" in response.headers["location"]


def test_resetting_an_org_the_server_no_longer_has_redirects_with_a_notice(client: httpx.Client) -> None:
    """From a stale page (the org deleted since): the control plane's 404 came back as raw JSON."""
    response = client.post("/_mockown/ui/reset-org", data={"org": "00D000000000000"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("&error=1")
    assert "no%20such%20org" in response.headers["location"]
