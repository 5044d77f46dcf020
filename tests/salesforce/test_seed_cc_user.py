"""A connected app's `client_credentials_user` is the user the client-credentials grant runs as: a user of the
app's org. The seed took any name, one no user has or another org's user's (201), and every client-credentials
grant of the app then answered `no client credentials user enabled`. The seed resolves it: a user of the same org,
seeded in the document or before it; otherwise 400 naming the app and the user, nothing stored."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

DEMO_USER = "admin@mockown.test"  # the demo org's, another org's user for the orgs seeded here


def _org(cc_user: str, users: list[str] | None = None) -> dict[str, Any]:
    org = {
        "users": [{"username": u} for u in (users if users is not None else ["cc-runner@x.test"])],
        "apps": [{"client_id": "CcSeedApp", "client_secret": "CcSecret1", "client_credentials_user": cc_user}],
    }
    return {"salesforce": {"orgs": [org]}}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_org("nobody@x.test"), "app CcSeedApp: client_credentials_user nobody@x.test is no user of the app's org"),
        (_org(DEMO_USER), f"app CcSeedApp: client_credentials_user {DEMO_USER} is a user of another org, not of the "
                          "app's"),
        (_org("cc-runner@x.test", users=[]), "app CcSeedApp: client_credentials_user cc-runner@x.test is no user of "
                                             "the app's org"),
    ],
)  # fmt: skip
def test_a_run_as_user_not_of_the_apps_org_is_refused(client: httpx.Client, document: Any, message: str) -> None:
    before = client.get("/_mockown/snapshot").json()["store"]
    answer = client.post("/_mockown/seed", json=document)
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"error": "invalid_seed", "message": message}
    assert client.get("/_mockown/snapshot").json()["store"] == before


@pytest.mark.parametrize("given", ["cc-runner@x.test", " CC-Runner@X.test "])
def test_a_user_of_the_org_runs_the_grant(client: httpx.Client, given: str) -> None:
    answer = client.post("/_mockown/seed", json=_org(given))
    assert answer.status_code == 201, answer.text
    form = {"grant_type": "client_credentials", "client_id": "CcSeedApp", "client_secret": "CcSecret1"}
    token = client.post("/services/oauth2/token", data=form)
    assert token.status_code == 200, token.text
    assert token.json()["id"].endswith("/" + answer.json()["salesforce"]["orgs"][0]["users"][0]["id"])
