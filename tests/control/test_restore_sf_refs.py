"""`POST /_mockown/restore` refuses a Salesforce row whose org or user reference is no Salesforce id (what reads it,
the identity URL of introspection, the OauthToken rows of a query, made ids of it: a restored 'not-an-org' was a 500
there later), and an app whose token-exchange handler is none the seed would store (a handler mapping a token to a
number was a 500 at the exchange). 400 naming the table, row and field, the state unchanged; on both stores."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from . import test_restore_types
from .test_restore_rules import _index, _refused
from .test_restore_types import Used

used = test_restore_types.used  # the fixture: an app with tokens issued, on each store

REFS = [
    ("sf_access_tokens", "org_id"),
    ("sf_access_tokens", "user_id"),
    ("sf_users", "org_id"),
    ("sf_apps", "org_id"),
]


@pytest.mark.parametrize(("table", "field"), REFS)
@pytest.mark.parametrize("value", ["not-an-org", "", "005g000000Adm1NAAX"])  # a word, empty, a bad checksum
def test_a_reference_that_is_no_salesforce_id_is_refused(used: Used, table: str, field: str, value: str) -> None:
    bad = copy.deepcopy(used.snapshot())
    index = _index(bad, table)
    bad["store"][table][index][field] = value
    _refused(used, bad, f"{table}[{index}].{field}: expected a Salesforce id, got {value!r}")


def test_an_approval_without_a_user_restores_and_one_with_a_bad_user_does_not(used: Used) -> None:
    from mockown.salesforce.models import DeviceCode
    from mockown.store.decode import RowError, checked

    row: dict[str, Any] = {
        "id": "h",
        "user_code": "ABCD-EFGH",
        "org_id": "00D5g000004MockEAC",
        "app_id": "a",
        "scopes": [],
        "issued_at": 0.0,
        "expires_at": 1.0,
        "interval": 5.0,
    }
    assert checked(DeviceCode, {**row, "user_id": None})["user_id"] is None
    with pytest.raises(RowError, match="user_id: expected a Salesforce id or null"):
        checked(DeviceCode, {**row, "user_id": "bob"})


def _jwks_handler(jwks: Any) -> dict[str, Any]:
    """A handler trusting one issuer by `jwks`, its other fields as the seed stores them."""
    issuer = {"issuer": "https://idp.example", "jwks": jwks, "audience": None, "user_claim": "sub", "users": {}}
    return {"issuers": [issuer], "token_hashes": {}, "asset_tokens": True}


BAD_HANDLERS: list[Any] = [
    {"tokens": {"ext-token": 5}},  # a token mapped to no username
    {"issuers": [{"issuer": "https://idp.example", "jwks_file": "/etc/passwd", "user_claim": "sub"}]},  # a file
    {"nonsense": 1},
    _jwks_handler("not json"),  # a JWKS that is none: a 500 at each exchange
    _jwks_handler({"keys": 5}),
]


@pytest.mark.parametrize("handler", BAD_HANDLERS)
def test_a_token_exchange_handler_the_seed_would_refuse_is_refused(used: Used, handler: Any) -> None:
    bad = copy.deepcopy(used.snapshot())
    index = _index(bad, "sf_apps")
    bad["store"]["sf_apps"][index]["token_exchange"] = handler
    before = used.state()
    response = used.restore(bad)
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert message.startswith(
        f"cannot restore the snapshot: sf_apps[{index}].token_exchange: expected a token-exchange"
    )
    assert used.state() == before


def test_the_seeded_handlers_restore(used: Used) -> None:
    snap = used.snapshot()
    assert any(app.get("token_exchange") for app in snap["store"]["sf_apps"])  # the demo app has one
    response = used.restore(snap)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("jwks", ['{"keys": []}', {"keys": [{"kty": "RSA", "kid": "k"}]}])
def test_a_handler_with_a_jwks_restores(used: Used, jwks: Any) -> None:
    """A JWKS as JSON text or a mapping, as an older mockown stored it too (the seed stores it as given)."""
    snap = copy.deepcopy(used.snapshot())
    snap["store"]["sf_apps"][_index(snap, "sf_apps")]["token_exchange"] = _jwks_handler(jwks)
    response = used.restore(snap)
    assert response.status_code == 200, response.text


# -- an app's refresh-token policy, as the seed takes it ---------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"refresh_token_policy": "bogus"},
         "refresh_token_policy: expected one of until_revoked, immediately, idle, absolute, got 'bogus'"),
        ({"refresh_token_policy": "IDLE", "refresh_token_ttl": 60},
         "refresh_token_policy: expected one of until_revoked, immediately, idle, absolute, got 'IDLE'"),
        ({"refresh_token_policy": "idle", "refresh_token_ttl": 0},
         "refresh_token_ttl: expected more than 0 seconds for the idle policy, got 0.0"),
        ({"refresh_token_policy": "absolute", "refresh_token_ttl": -60},
         "refresh_token_ttl: expected 0 seconds or more, got -60.0"),  # no TTL is negative, whatever the policy
    ],
)  # fmt: skip
def test_a_refresh_policy_the_seed_would_refuse_is_refused(used: Used, fields: dict[str, Any], message: str) -> None:
    """The seed refuses an unknown policy and `idle` / `absolute` without a positive TTL (salesforce/seed.py); a
    restore stored them (`refresh_live` read 'bogus' as "until revoked"; an idle token with TTL 0 was dead at once)."""
    bad = copy.deepcopy(used.snapshot())
    index = _index(bad, "sf_apps")
    bad["store"]["sf_apps"][index].update(fields)
    _refused(used, bad, f"sf_apps[{index}].{message}")


def test_the_seeded_policies_restore(used: Used) -> None:
    snap = copy.deepcopy(used.snapshot())
    index = _index(snap, "sf_apps")
    for policy, ttl in [("until_revoked", 0), ("immediately", 0), ("idle", 60), ("absolute", 1.5)]:
        snap["store"]["sf_apps"][index].update(refresh_token_policy=policy, refresh_token_ttl=ttl)
        response = used.restore(snap)
        assert response.status_code == 200, response.text


def _registered(used: Used) -> tuple[dict[str, Any], Any]:
    """A snapshot holding one dynamic-client registration, and the registration's answer."""
    initial = {"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN"}
    made = used.client.post("/services/oauth2/register", headers=initial,
                            json={"client_name": "dyn", "redirect_uris": ["https://a.example/cb"]})  # fmt: skip
    assert made.status_code == 201, made.text
    return copy.deepcopy(used.snapshot()), made.json()


def test_a_registration_whose_app_is_missing_is_refused(used: Used) -> None:
    """A registration of an app the snapshot lacks (an orphan: a reset that deleted the org left it behind) kept the
    registration access token of an app that no longer exists: DELETE /services/oauth2/register/<id> answered 204."""
    bad, made = _registered(used)
    index = _index(bad, "sf_registrations")
    app_id = bad["store"]["sf_registrations"][index]["app_id"]
    bad["store"]["sf_apps"] = [app for app in bad["store"]["sf_apps"] if app["id"] != app_id]
    _refused(used, bad, f"sf_registrations[{index}].app_id: expected the id of a connected app in sf_apps, "
                        f"got {app_id!r}, which is none")  # fmt: skip
    bearer = {"Authorization": f"Bearer {made['registration_access_token']}"}
    assert used.client.get(f"/services/oauth2/register/{made['client_id']}", headers=bearer).status_code == 200


def test_a_registration_with_its_app_restores(used: Used) -> None:
    snap, made = _registered(used)
    assert used.restore(snap).status_code == 200
    bearer = {"Authorization": f"Bearer {made['registration_access_token']}"}
    assert used.client.delete(f"/services/oauth2/register/{made['client_id']}", headers=bearer).status_code == 204
