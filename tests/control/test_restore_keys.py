"""A restore takes a row only with the key its fields make, as the seed and the counters make it, and an Own region
or role only among those the seed takes. Every look-up builds the key from a request's values: an Own service
keyed `app1:300001` with `num` 300009 was listed as 300009 and reached only as 300001; a second row
`app1:0300001` listed a second service 300001 no path reached; a renamed SLAS client still authenticated under its
old id. Each a 400 naming the table, the row and the field, the state unchanged. On both stores."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown.own.models import REGIONS, ROLES, Backup, Job, Seed, SeedingTemplate, Service, rkey
from mockown.store import from_dict
from mockown.store.decode import RowError

from . import test_restore_types
from .test_restore_rules import _refused
from .test_restore_types import Used

used = test_restore_types.used

Row = dict[str, Any]


def _own_regional(row: Row) -> str:
    return rkey(row["region"], row["num"])


# (table, the change to its first row, the key its fields then make, what makes it)
KEYED: list[tuple[str, Callable[[Row], None], Callable[[Row], str], str]] = [
    ("own_services", lambda r: r.update(num=r["num"] + 8), _own_regional, "region and num"),
    ("own_services", lambda r: r.update(region="emea1"), _own_regional, "region and num"),
    ("own_backups", lambda r: r.update(num=r["num"] + 100), _own_regional, "region and num"),
    ("own_templates", lambda r: r.update(num=r["num"] + 1), _own_regional, "region and num"),
    ("own_accounts", lambda r: r.update(num=r["num"] + 1), lambda r: str(r["num"]), "num"),
    ("own_users", lambda r: r.update(num=r["num"] + 100), lambda r: str(r["num"]), "num"),
    ("own_events", lambda r: r.update(event_id=r["event_id"] + 5), lambda r: str(r["event_id"]), "event_id"),
    ("b2c_slas_clients", lambda r: r.update(client_id="renamed-client"), lambda r: f"{r['org']}|{r['client_id']}",
     "org and client_id"),
    ("b2c_sites", lambda r: r.update(site_id="OtherSite"), lambda r: f"{r['instance']}|{r['site_id']}",
     "instance and site_id"),
    ("b2c_bm_users", lambda r: r.update(login="someone-else"), lambda r: f"{r['instance']}|{r['login']}",
     "instance and login"),
    ("b2c_shoppers", lambda r: r.update(login="other@mockown.test"), lambda r: f"{r['org']}|{r['login']}",
     "org and login"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "change", "key", "made_of"), KEYED, ids=[f"{k[0]}-{i}" for i, k in enumerate(KEYED)])
def test_a_row_whose_key_is_not_its_fields_refuses_the_snapshot(
    used: Used, table: str, change: Callable[[Row], None], key: Callable[[Row], str], made_of: str
) -> None:
    bad = copy.deepcopy(used.snapshot())
    row = bad["store"][table][0]
    change(row)
    _refused(used, bad, f"{table}[0].id: expected {key(row)!r}, the key its {made_of} make, got {row['id']!r}")


def test_a_second_own_service_of_one_number_refuses_the_snapshot(used: Used) -> None:
    """`app1:0300001` is a key of its own, so the one-key check let it in: two services 300001 were listed."""
    bad = copy.deepcopy(used.snapshot())
    services = bad["store"]["own_services"]
    services.append({**services[0], "id": "app1:0" + str(services[0]["num"]), "displayed_name": "twin"})
    index = len(services) - 1
    _refused(used, bad, f"own_services[{index}].id: expected {services[0]['id']!r}, the key its region and num "
                        f"make, got {services[index]['id']!r}")  # fmt: skip


@pytest.mark.parametrize(
    ("table", "field", "value", "choices"),
    [("own_services", "region", "mars", REGIONS), ("own_backups", "region", "APP1", REGIONS),
     ("own_users", "role", "superuser", ROLES)],
)  # fmt: skip
def test_a_region_or_role_the_seed_refuses_refuses_the_snapshot(
    used: Used, table: str, field: str, value: str, choices: tuple[str, ...]
) -> None:
    bad = copy.deepcopy(used.snapshot())
    bad["store"][table][0][field] = value
    _refused(used, bad, f"{table}[0].{field}: expected one of {', '.join(choices)}, got {value!r}")


def test_a_b2c_row_of_an_instance_in_capitals_refuses_the_snapshot(used: Used) -> None:
    bad = copy.deepcopy(used.snapshot())
    row = bad["store"]["b2c_sites"][0]
    row["instance"] = row["instance"].upper()
    row["id"] = f"{row['instance']}|{row['site_id']}"
    _refused(used, bad, f"b2c_sites[0].instance: expected text in lower case, as the seed stores it, got "
                        f"{row['instance']!r}")  # fmt: skip


def test_a_bm_users_key_has_its_login_lower_case(used: Used) -> None:
    """The seed keeps the login as given and keys the user by it lower-cased: the grant looks it up so."""
    snap = copy.deepcopy(used.snapshot())
    row = snap["store"]["b2c_bm_users"][0]
    row["login"] = row["login"].upper()
    assert used.restore(snap).status_code == 200


_REGIONAL: dict[type[Any], Row] = {
    Service: {"account_id": "1", "displayed_name": "d", "org_id": "o"},
    Backup: {"service_id": "app1:1", "trigger_type": "manual", "started_at": 0.0,
             "progress": {"mode": "immediate", "n": 0}},
    Job: {"account_id": "1", "user_id": "1", "service_id": None, "kind": "gdpr_forget", "title": "t", "created_at": 0,
          "progress": {"mode": "immediate", "n": 0}, "params": {"record_id": "r", "object": "accounts", "comment": ""}},
    SeedingTemplate: {"account_id": "1", "name": "n", "source_service_id": "app1:1"},
    Seed: {"job_id": "app1:1", "template_id": "app1:1", "destination_id": "app1:1"},
}  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(sorted(_REGIONAL, key=lambda k: k.__name__)),
    region=st.sampled_from(REGIONS),
    num=st.integers(1, 10**9),
    key=st.one_of(st.none(), st.text(max_size=20)),
)
def test_a_regional_row_is_taken_exactly_with_its_region_and_nums_key(
    kind: type[Any], region: str, num: int, key: str | None
) -> None:
    """Every Own kind keyed "<region>:<num>" (jobs and seeds too, which a fresh snapshot has none of)."""
    expected = rkey(region, num)
    row = {**_REGIONAL[kind], "id": expected if key is None else key, "num": num, "region": region}
    if row["id"] == expected:
        assert from_dict(kind, row).id == expected
    else:
        with pytest.raises(RowError, match=r"^id: expected"):
            from_dict(kind, row)
