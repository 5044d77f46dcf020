"""Every way into Marketing Cloud's state takes what the seed takes: `update_integration` (Python, the admin hook),
the seed and `/_mockown/restore`.

`update_integration` checked only the names of the fields it changed: `scopes="email_read"` became the scopes
`e m a i l _ r e a d` (a string is a sequence of letters), `enabled="no"` was true, MIDs of text were stored, and then
`/_mockown/restore` refused the server's own snapshot. A restore took rows the seed refuses (an integration of type
"bogus", a subdomain or username in upper case, a `client_id` that is not the row's id, hence two rows of one
`client_id`), each unreachable or a 500 later. The seed took redirect URLs with a fragment or no URL at all (the
code landed inside the fragment: `http://x/cb#frag?code=...`), scopes no request can name, and any time zone text
(`/v2/userinfo` showed Asia/Tokyo as UTC, offset 0)."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown.marketing.models import Integration
from mockown.marketing.service import TIMEZONES
from mockown.runtime import Runtime

from .test_marketing import BASE, SERVER, SUB, WEB, cc

CID = SERVER["client_id"]
BAD_CHANGES: list[dict[str, Any]] = [
    {"scopes": "email_read"},  # a string, not a list of scopes
    {"scopes": ["email read"]},
    {"scopes": [""]},
    {"enabled": "no"},
    {"installed": 0},
    {"accessible_mids": ["10123456"]},
    {"accessible_mids": [99999999]},  # no business unit of the tenant
    {"home_mid": 99999999},
    {"home_mid": "10123456"},
    {"redirect_urls": ["http://localhost/cb#frag"]},
    {"redirect_urls": ["not a url"]},
    {"redirect_urls": ["https:///no-host"]},
    {"redirect_urls": ["javascript:alert(1)"]},
    {"client_secret": 7},
    {"name": None},
    {"tenant_id": "1"},  # not a changeable field
]


def _snapshot(client: httpx.Client) -> dict[str, Any]:
    snap: dict[str, Any] = client.get("/_mockown/snapshot").json()
    return snap


def _row(snap: dict[str, Any], table: str, **match: Any) -> dict[str, Any]:
    rows: list[dict[str, Any]] = snap["store"][table]
    return next(r for r in rows if all(r[k] == v for k, v in match.items()))


@pytest.mark.parametrize("change", BAD_CHANGES, ids=[repr(c) for c in BAD_CHANGES])
def test_update_integration_refuses_what_the_seed_refuses(
    client: httpx.Client, runtime: Runtime, change: dict[str, Any]
) -> None:
    before = _snapshot(client)["store"]
    with pytest.raises(ValueError, match=next(iter(change))):  # the message names the field
        runtime.marketing.update_integration(CID, **change)
    assert _snapshot(client)["store"] == before  # nothing queued, nothing changed
    assert cc(client).status_code == 200


@settings(max_examples=60, deadline=None)
@given(
    scopes=st.lists(st.sampled_from(["email_read", "email_write", "offline", "journeys_read"]), unique=True),
    enabled=st.booleans(),
    mids=st.lists(st.sampled_from([10123456, 10123457]), unique=True),
)
def test_what_update_integration_takes_restores(scopes: list[str], enabled: bool, mids: list[int]) -> None:
    """A change of the right types, made with or without a delay, is a state the server's own snapshot restores."""
    from mockown import Config, FrozenClock, create_app
    from mockown.http.inprocess import in_process_client

    from ..conftest import T0

    for delay in (0, 300):
        app = create_app(Config().replace(marketing={"propagation_delay": delay}), clock=FrozenClock(T0))
        with in_process_client(app) as client:
            app.state.runtime.marketing.update_integration(
                CID, scopes=tuple(scopes), enabled=enabled, accessible_mids=mids
            )
            snap = _snapshot(client)
            assert client.post("/_mockown/restore", json=snap).status_code == 200
            shown = app.state.runtime.marketing.integration(CID)
            if delay == 0:
                assert (shown.scopes, shown.enabled, shown.accessible_mids) == (scopes, enabled, mids)


def test_scopes_given_as_a_string_are_not_its_letters(client: httpx.Client, runtime: Runtime) -> None:
    with pytest.raises(ValueError, match="scopes"):
        runtime.marketing.update_integration(CID, scopes="email_read")
    assert "e m a i l" not in cc(client).json()["scope"]


BAD_ROWS: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("mc_integrations", {"client_id": CID}, {"type": "bogus"}, ".type: "),
    ("mc_integrations", {"client_id": CID}, {"client_id": WEB["client_id"] + "x"}, ".client_id: "),
    ("mc_tenants", {"subdomain": SUB}, {"subdomain": SUB.upper()}, ".subdomain: "),
    ("mc_users", {}, {"username": "Upper@Example.Test"}, ".username: "),
]


@pytest.mark.parametrize(("table", "match", "change", "named"), BAD_ROWS, ids=[r[3] + r[0] for r in BAD_ROWS])
def test_a_restore_refuses_rows_the_seed_refuses(
    client: httpx.Client, table: str, match: dict[str, Any], change: dict[str, Any], named: str
) -> None:
    before = _snapshot(client)
    bad = copy.deepcopy(before)
    _row(bad, table, **match).update(change)
    refused = client.post("/_mockown/restore", json=bad)
    assert refused.status_code == 400, refused.text
    assert table in refused.json()["message"] and named in refused.json()["message"], refused.text
    assert _snapshot(client)["store"] == before["store"]


# what a server of session 23 or before stored (its seed took any zone, URL and scope text): refused by the seed
# and `update_integration` now, still restored, so older snapshots and a server's own snapshot of an older state
# file restore
OLDER_VALUES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("mc_integrations", {"client_id": CID}, {"redirect_urls": ["http://x/cb#frag"]}),
    ("mc_integrations", {"client_id": CID}, {"scopes": ["a b", "email_read"]}),
    ("mc_integrations", {"client_id": CID}, {"queued": [{"due": 0, "changes": {"scopes": ["a b"]}}]}),
    ("mc_tenants", {"subdomain": SUB}, {"zoneinfo": "Asia/Tokyo"}),
    ("mc_users", {}, {"zoneinfo": "Mars/Olympus"}),
]


@pytest.mark.parametrize(("table", "match", "change"), OLDER_VALUES)
def test_a_snapshot_with_values_older_servers_stored_restores(
    client: httpx.Client, table: str, match: dict[str, Any], change: dict[str, Any]
) -> None:
    old = _snapshot(client)
    _row(old, table, **match).update(change)
    restored = client.post("/_mockown/restore", json=old)
    assert restored.status_code == 200, restored.text
    again = client.post("/_mockown/restore", json=_snapshot(client))  # the server's own snapshot of it, too
    assert again.status_code == 200, again.text
    assert cc(client).status_code == 200, cc(client).text  # tokens still issue (the queued change applied)


def test_a_restore_refuses_two_integrations_of_one_client_id(client: httpx.Client) -> None:
    bad = _snapshot(client)
    twin = copy.deepcopy(_row(bad, "mc_integrations", client_id=CID))
    twin["id"] = "another"  # the second row's key differs; its client_id is the first one's
    bad["store"]["mc_integrations"].append(twin)
    refused = client.post("/_mockown/restore", json=bad)
    assert refused.status_code == 400 and ".client_id: " in refused.json()["message"], refused.text


def _seed(client: httpx.Client, tenant: dict[str, Any]) -> httpx.Response:
    return client.post("/_mockown/seed", json={"marketing": {"tenants": [tenant]}})


@pytest.mark.parametrize(
    ("integration", "named"),
    [
        ({"type": "web", "redirect_urls": ["http://localhost/cb#frag"]}, "redirect_urls[0]"),
        ({"type": "web", "redirect_urls": ["http://localhost/cb#"]}, "redirect_urls[0]"),
        ({"type": "web", "redirect_urls": ["callback"]}, "redirect_urls[0]"),
        ({"type": "web", "redirect_urls": ["http:/cb"]}, "redirect_urls[0]"),
        ({"type": "server", "scopes": ["email_read", "email write"]}, "scopes[1]"),
        ({"type": "server", "scopes": [""]}, "scopes[0]"),
    ],
)
def test_the_seed_refuses_urls_and_scopes_no_request_can_use(
    client: httpx.Client, integration: dict[str, Any], named: str
) -> None:
    answer = _seed(client, {"subdomain": "mc" + "q" * 26, "integrations": [integration]})
    assert answer.status_code == 400 and named in answer.text, answer.text


@pytest.mark.parametrize("where", ["tenant", "user"])
def test_the_seed_refuses_a_time_zone_userinfo_cannot_describe(client: httpx.Client, where: str) -> None:
    tenant: dict[str, Any] = {"subdomain": "mc" + "z" * 26}
    if where == "tenant":
        tenant["zoneinfo"] = "Asia/Tokyo"
    else:
        tenant["users"] = [{"username": "u@z.test", "zoneinfo": "Asia/Tokyo"}]
    answer = _seed(client, tenant)
    assert answer.status_code == 400 and "zoneinfo" in answer.text and "Asia/Tokyo" in answer.text, answer.text


@pytest.mark.parametrize("zone", sorted(TIMEZONES))
def test_userinfo_describes_each_zone_the_seed_takes(client: httpx.Client, zone: str) -> None:
    sub = "mc" + "t" * 26
    seeded = _seed(
        client, {"subdomain": sub, "zoneinfo": zone, "integrations": [{"client_id": "tz", "type": "server"}]}
    )
    assert seeded.status_code == 201, seeded.text
    secret = seeded.json()["marketing"]["tenants"][0]["integrations"][0]["client_secret"]
    token = client.post(
        f"/mc/{sub}/v2/token", json={"grant_type": "client_credentials", "client_id": "tz", "client_secret": secret}
    ).json()["access_token"]
    info = client.get(f"/mc/{sub}/v2/userinfo", headers={"Authorization": f"Bearer {token}"}).json()
    long_name, short, offset, dst = TIMEZONES[zone]
    expected = {"longName": long_name, "shortName": short, "offset": offset, "dst": dst}
    assert info["organization"]["timezone"] == info["user"]["timezone"] == expected


def test_the_code_goes_in_the_query_of_a_redirect_url(client: httpx.Client, runtime: Runtime) -> None:
    """The redirect is built from the URL's parts, not by adding `?` or `&` to its text: a URL that has a
    fragment (none can be seeded or restored any more; here put in the store directly) keeps the code out of it."""
    mc = runtime.marketing
    web = mc.integrations.get(WEB["client_id"])
    assert isinstance(web, Integration)
    url = "http://localhost:8080/cb?x=1#frag"
    web.redirect_urls = [url]
    mc.integrations.put(web)
    query = {"response_type": "code", "client_id": WEB["client_id"], "redirect_uri": url, "state": "s"}
    location = client.get(f"{BASE}/v2/authorize", params=query).headers["location"]
    parts = urlsplit(location)
    assert parts.fragment == "frag" and "code" not in parts.fragment
    got = parse_qs(parts.query)
    assert got["x"] == ["1"] and got["state"] == ["s"] and got["code"], location
