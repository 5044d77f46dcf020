"""`POST /_mockown/restore` checks every row's values against its record's field types (mockown/store/decode.py):
a value of the wrong type, or a missing field, refuses the whole snapshot with a 400 naming the table, the row and
the field, and leaves the state as it was; a snapshot the server took restores as it was. On both stores."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.runtime import Runtime
from mockown.store.decode import RowError, checked
from tests.conftest import CID, SECRET, T0
from tests.own.conftest import OWNER, PASSWORDS, TOKEN_URL, exchange_form

from .helpers import access_token, introspect, password_token

Snapshot = dict[str, Any]


class Used:
    """An app with a Salesforce access token and an Own API token (and its access token) issued."""

    def __init__(
        self, client: httpx.Client, sf_token: str, own_api_token: str, own_access: str, runtime: Runtime
    ) -> None:
        self.client, self.sf_token, self.own_api_token, self.own_access = client, sf_token, own_api_token, own_access
        self.runtime = runtime

    def snapshot(self) -> Snapshot:
        response = self.client.get("/_mockown/snapshot")
        assert response.status_code == 200, response.text
        body: Snapshot = response.json()
        return body

    def state(self) -> Any:
        """The store and the clock's reading (its offset from the wall clock moves with the wall clock)."""
        body = self.snapshot()
        return body["store"], body["clock"]["iso"], body["clock"]["frozen"]

    def restore(self, snap: Snapshot) -> httpx.Response:
        return self.client.post("/_mockown/restore", json=snap)

    def probes(self) -> dict[str, httpx.Response]:
        """The requests that read what a snapshot holds: none of them may answer 500."""
        c, bearer = self.client, {"Authorization": f"Bearer {self.sf_token}"}
        own = {"Authorization": f"Bearer {self.own_access}"}
        return {
            "sf token": password_token(c),
            "introspect": c.post("/services/oauth2/introspect", data={"token": self.sf_token}, auth=(CID, SECRET)),
            "limits": c.get("/services/data/v62.0/limits", headers=bearer),
            "userinfo": c.get("/services/oauth2/userinfo", headers=bearer),
            "own exchange": c.post(TOKEN_URL, data=exchange_form(self.own_api_token)),
            "own services": c.get("/regions/app1/api/v1/services", headers=own),
            "snapshot": c.get("/_mockown/snapshot"),
        }


@pytest.fixture(params=["memory", "sqlite"])
def used(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Used]:
    config = Config() if request.param == "memory" else Config(state_file=str(tmp_path / "state.db"))
    app = create_app(config, clock=FrozenClock(T0))
    with in_process_client(app) as client:
        sf_token = access_token(client)
        raw = app.state.runtime.own.generate_api_token(OWNER, PASSWORDS[OWNER])
        exchanged = client.post(TOKEN_URL, data=exchange_form(raw))
        assert exchanged.status_code == 200, exchanged.text
        yield Used(client, sf_token, raw, exchanged.json()["access_token"], app.state.runtime)


def _answers(used: Used) -> None:
    probes = used.probes()
    assert {name: r.status_code for name, r in probes.items()} == dict.fromkeys(probes, 200)


def test_a_snapshot_the_server_took_restores_as_it_was(used: Used) -> None:
    snap = used.snapshot()
    for table in ("sf_access_tokens", "own_api_tokens", "own_access_tokens", "own_services", "sf_users", "sf_apps"):
        assert snap["store"].get(table), table  # the kinds this test round-trips are there
    used.client.post("/_mockown/reset")
    restored = used.restore(snap)
    assert restored.status_code == 200, restored.text
    assert used.state() == (snap["store"], snap["clock"]["iso"], snap["clock"]["frozen"])
    assert introspect(used.client, used.sf_token)["active"] is True
    _answers(used)


def _row(snap: Snapshot, table: str, field: str) -> tuple[int, dict[str, Any]]:
    """The last row of `table` that has `field` (an issued token's, not a seeded one's, where there are both)."""
    rows = snap["store"][table]
    index = max(i for i, row in enumerate(rows) if field in row)
    return index, rows[index]


WRONG: list[tuple[str, str, Any, str]] = [
    ("sf_access_tokens", "issued_at", "yesterday", "expected a number, got 'yesterday'"),
    ("sf_access_tokens", "issued_at", True, "expected a number, got true"),
    ("sf_access_tokens", "timeout", None, "expected a number, got null"),
    ("sf_access_tokens", "scopes", "api", "expected a list, got 'api'"),
    ("sf_access_tokens", "scopes", ["api", 3], "scopes[1]: expected a string, got 3"),
    ("sf_access_tokens", "revoked", "no", "expected true or false, got 'no'"),
    ("sf_access_tokens", "refresh_id", 7, "expected a string or null, got 7"),
    ("sf_access_tokens", "org_id", {"id": "x"}, "expected a string, got an object"),
    ("sf_users", "active", 1, "expected true or false, got 1"),
    ("sf_users", "id", "", "expected a Salesforce id, got ''"),
    ("sf_orgs", "id", "00D5g000004MockEAA", "expected a Salesforce id, got '00D5g000004MockEAA'"),
    ("own_users", "num", "12345", "expected an integer, got '12345'"),
    ("own_users", "num", 1.5, "expected an integer, got 1.5"),
    ("own_api_tokens", "user_id", 12345, "expected a string, got 12345"),
    ("own_accounts", "endpoints", [{"id": 1}], "endpoints[0]['id']: expected a string, got 1"),
    ("own_services", "region", ["app1"], "expected a string, got a list"),
    (
        "own_services",
        "created_at",
        -1e11,
        "expected a number of seconds in the years 0001 to 9999, got -100000000000.0",
    ),
    (
        "own_backups",
        "snapshots",
        [{"name": "accounts", "records": ["x"]}],
        "snapshots[0].records: expected an object, got a list",
    ),
    (
        "own_backups",
        "progress",
        {"mode": "soon", "n": 1},
        "progress.mode: expected one of 'immediate', 'seconds', 'polls', got 'soon'",
    ),
    ("own_backups", "progress", {"mode": "polls"}, "progress.n: missing"),
]


@pytest.mark.parametrize(("table", "field", "value", "problem"), WRONG, ids=[f"{t}.{f}={v!r}" for t, f, v, _ in WRONG])
def test_a_wrong_value_refuses_the_snapshot_and_changes_nothing(
    used: Used, table: str, field: str, value: Any, problem: str
) -> None:
    snap = used.snapshot()
    bad = copy.deepcopy(snap)
    index, row = _row(bad, table, field)
    row[field] = value
    before = used.state()
    response = used.restore(bad)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["message"].startswith(f"cannot restore the snapshot: {table}[{index}].{field}")
    assert body["message"].endswith(problem)
    assert used.state() == before
    _answers(used)


def test_a_missing_field_refuses_the_snapshot(used: Used) -> None:
    snap = used.snapshot()
    before = used.state()
    missing = copy.deepcopy(snap)
    index, row = _row(missing, "sf_access_tokens", "org_id")
    del row["org_id"]
    response = used.restore(missing)
    assert response.status_code == 400
    assert response.json()["message"] == f"cannot restore the snapshot: sf_access_tokens[{index}].org_id: missing"
    assert used.state() == before
    _answers(used)


def test_fields_with_a_default_may_be_left_out_and_unknown_keys_are_ignored(used: Used) -> None:
    snap = copy.deepcopy(used.snapshot())
    _, row = _row(snap, "sf_access_tokens", "format")
    del row["format"]  # a snapshot from before the field existed
    row["no_such_field"] = "kept out"
    response = used.restore(snap)
    assert response.status_code == 200, response.text
    _, after = _row(used.snapshot(), "sf_access_tokens", "format")
    assert after["format"] == "opaque" and "no_such_field" not in after
    _answers(used)


def test_an_integer_for_a_number_field_is_taken_as_a_number(used: Used) -> None:
    snap = copy.deepcopy(used.snapshot())
    _, row = _row(snap, "sf_access_tokens", "timeout")
    row["timeout"] = 7200
    assert used.restore(snap).status_code == 200
    _, after = _row(used.snapshot(), "sf_access_tokens", "timeout")
    assert after["timeout"] == 7200 and isinstance(after["timeout"], float)
    _answers(used)


# -- the checks themselves, on the annotations no record uses today -----------------------------------------
@dataclass
class Inner:
    size: float
    tags: tuple[str, ...] = ()


@dataclass
class Outer:
    kind: Literal["a", "b"]
    pair: tuple[int, str]
    inner: Inner
    more: dict[str, Inner] = field(default_factory=dict)
    maybe: Inner | None = None


def test_tuples_literals_and_nested_records_are_decoded() -> None:
    got = checked(Outer, {"kind": "a", "pair": [1, "x"], "inner": {"size": 2, "tags": ["t"]}, "more": {}})
    assert got["pair"] == (1, "x") and got["inner"] == Inner(2.0, ("t",))
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"kind": "c"}, "kind: expected one of 'a', 'b', got 'c'"),
        ({"pair": [1]}, "pair: expected a list of 2, got a list"),
        ({"pair": [1, 2]}, "pair[1]: expected a string, got 2"),
        ({"inner": "x"}, "inner: expected an object, got 'x'"),
        ({"inner": {"tags": []}}, "inner.size: missing"),
        ({"inner": {"size": 1, "tags": "t"}}, "inner.tags: expected a list, got 't'"),
        ({"more": {"k": {"size": "big"}}}, "more['k'].size: expected a number, got 'big'"),
        ({"maybe": 3}, "maybe: expected an object or null, got 3"),
    ]
    valid = {"kind": "b", "pair": [1, "x"], "inner": {"size": 1}}
    for change, message in wrong:
        with pytest.raises(RowError) as caught:
            checked(Outer, {**valid, **change})
        assert str(caught.value) == message


# -- the property: one field of one row replaced by any JSON value ------------------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)

Spot = tuple[str, int, str]


def _spots(snap: Snapshot) -> list[Spot]:
    return [
        (table, index, name)
        for table, rows in sorted(snap["store"].items())
        if table != "_meta"
        for index, row in enumerate(rows)
        for name in sorted(row)
    ]


def _property(used: Used) -> Callable[[], None]:
    snap = used.snapshot()
    spots = _spots(snap)
    original = json.loads(json.dumps(snap))

    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(spot=st.sampled_from(spots), value=JSON)
    def prop(spot: Spot, value: Any) -> None:
        assert used.restore(original).status_code == 200
        before = used.state()
        table, index, name = spot
        note(f"{table}[{index}].{name} = {value!r}")
        mutated = copy.deepcopy(original)
        mutated["store"][table][index][name] = value
        response = used.restore(mutated)
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            message = response.json()["message"]
            # the field named, or the row's key naming it among the fields the key is made of (a site's `instance`
            # changed: `b2c_sites[0].id: expected '|RefArch', the key its instance and site_id make, ...`)
            key_of = re.search(rf"\[{index}\]\.id: expected .*, the key its (.*?) make,", message)
            assert f"{table}[{index}].{name}" in message or (
                message.startswith(f"cannot restore the snapshot: {table}[{index}].id: ")
                and key_of is not None
                and name in re.split(r", | and ", key_of.group(1))
            ), message
            assert used.state() == before
        for probe, answer in used.probes().items():
            assert answer.status_code < 500, (probe, answer.text)

    return prop


def test_any_value_in_any_field_is_refused_or_served_without_a_500(used: Used) -> None:
    _property(used)()


def test_a_refused_restore_keeps_a_state_that_would_not_restore_itself(used: Used) -> None:
    """A state can hold a number restore refuses (a TTL of 1e300 seconds: a state file written before seeds refused
    such durations): a refused restore leaves that state as it was (it was once reloaded from its own dump,
    through the same checks: a 500 with the store emptied)."""
    service = used.runtime.salesforce
    app = service.app_by_client_id(CID)
    assert app is not None
    with used.runtime.store.atomic():
        app.refresh_token_ttl = 1e300
        service.apps.put(app)
    own = used.snapshot()
    before = used.state()
    bad = copy.deepcopy(own)
    _, row = _row(bad, "sf_access_tokens", "revoked")
    row["revoked"] = "no"
    assert used.restore(bad).status_code == 400
    assert used.state() == before
    refused = used.restore(own)
    assert refused.status_code == 400
    assert "refresh_token_ttl: expected a number of seconds in the years 0001 to 9999, got 1e+300" in refused.text
    assert used.state() == before
    _answers(used)
