"""What a test seeds in the Marketing Cloud and B2C sections (through `seed=` or `mockown.seed()`) is removed when
it ends, as its org and Own account are: in-process and against a server over HTTP, so the next test can seed
the same subdomain, client ids, hosts and SLAS tenants, and nothing piles up on a shared server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockown import Config, create_app
from mockown.testing.handle import Mockown, seeded_units
from mockown.testing.target import LocalTarget, RemoteTarget, Target
from tests.server_support import mockown_server

from .test_pytester import QUIET

SUB = "mccleanup0000000000000000000"
MARKETING = {"tenants": [{"subdomain": SUB, "integrations": [{"client_id": "mccleanupserver000000000"}]}]}
B2C = {
    "account_manager": {
        "clients": [{"client_id": "mockown-am-cleanup-00000000001"}],
        "users": [{"login": "am-cleanup@mockown.test"}],
    },
    "instances": [{"host": "zzcl-001.dx.commercecloud.salesforce.com", "sites": [{"id": "CleanupSite"}]}],
    "slas": {"tenants": [{"org_id": "f_ecom_zzcl_001", "clients": [{"client_id": "cleanup-private",
                                                                    "client_secret": "CleanupSecret01"}]}]},
}  # fmt: skip
MORE_B2C = {"slas": {"tenants": [{"org_id": "f_ecom_zzcl_002"}]}}
# the table of each unit, and the key its row has there
UNITS = {
    "mc_tenants": ("subdomain", SUB),
    "b2c_am_clients": ("id", "mockown-am-cleanup-00000000001"),
    "b2c_am_users": ("id", "am-cleanup@mockown.test"),
    "b2c_instances": ("id", "zzcl-001.dx.commercecloud.salesforce.com"),
    "b2c_slas_tenants": ("id", "f_ecom_zzcl_001"),
}


def present(handle: Mockown) -> dict[str, bool]:
    """Which of the units (and the extra SLAS tenant) the server holds."""
    store = handle.control.get("snapshot")["store"]
    found = {table: any(r.get(field) == key for r in store.get(table, [])) for table, (field, key) in UNITS.items()}
    found["extra"] = any(r["id"] == "f_ecom_zzcl_002" for r in store.get("b2c_slas_tenants", []))
    return found


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with mockown_server() as url:
        yield url


@pytest.fixture(params=["in-process", "external"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    made: Target
    if request.param == "in-process":
        made = LocalTarget(create_app(Config()))
    else:
        made = RemoteTarget(request.getfixturevalue("server_url"))
    try:
        yield made
    finally:
        made.close()


def test_what_a_test_seeded_is_removed_when_it_ends(target: Target) -> None:
    for _ in range(2):  # the second time, the same names again: the first left nothing behind
        handle = Mockown(target, {"seed": {"marketing": MARKETING, "b2c": B2C}}).start()
        handle.seed({"b2c": MORE_B2C})
        assert all(present(handle).values())
        handle.close()
        assert not any(present(handle).values())


def test_keep_leaves_it(target: Target) -> None:
    handle = Mockown(target, {"seed": {"marketing": MARKETING}, "keep": True}).start()
    handle.close()
    assert present(handle)["mc_tenants"]
    handle.control.reset(marketing_tenant=SUB)


def test_a_unit_already_gone_is_no_error(target: Target) -> None:
    handle = Mockown(target, {"seed": {"b2c": B2C}}).start()
    handle.control.reset(slas_tenant="f_ecom_zzcl_001")  # e.g. the test removed it itself
    handle.close()
    assert not any(present(handle).values())


def test_seeded_units_reads_every_section_of_a_seed_answer() -> None:
    created: dict[str, Any] = {
        "salesforce": {"orgs": [{"id": "00D000000000001AAA"}]},
        "marketing": {"tenants": [{"eid": 1, "subdomain": "s"}]},
        "b2c": {
            "account_manager": {"clients": [{"client_id": "c"}], "users": [{"login": "u"}]},
            "instances": [{"host": "h"}],
            "slas": {"tenants": [{"org_id": "o"}]},
        },
    }
    assert seeded_units(created) == [
        {"marketing_tenant": "s"},
        {"am_client": "c"},
        {"am_user": "u"},
        {"b2c_instance": "h"},
        {"slas_tenant": "o"},
    ]
    assert seeded_units({"b2c": {"instances": []}}) == []


SUITE = f"""
import pytest

SUB = {SUB!r}
MARKETING = {MARKETING!r}
B2C = {B2C!r}


def gone(mockown):
    runtime = mockown.runtime
    slas = runtime.b2c.slas.tenants.get("f_ecom_zzcl_001")
    return runtime.marketing.tenant_by_subdomain(SUB) is None and slas is None


@pytest.mark.mockown(seed={{"marketing": MARKETING, "b2c": B2C}})
def test_one(mockown):
    assert mockown.seeded["marketing"]["tenants"][0]["subdomain"] == SUB


def test_two(mockown):
    assert gone(mockown)
    assert mockown.seed({{"marketing": MARKETING, "b2c": B2C}})["marketing"]["tenants"][0]["subdomain"] == SUB


@pytest.mark.mockown(seed={{"marketing": MARKETING}})
def test_three(mockown):
    assert mockown.runtime.b2c.slas.tenants.get("f_ecom_zzcl_001") is None


def test_four(mockown):
    assert gone(mockown)
"""


def test_tests_seeding_the_same_subdomain_all_pass(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_same=SUITE)
    result = pytester.runpytest_subprocess(*QUIET, "-p", "no:randomly", timeout=120)
    result.assert_outcomes(passed=4)  # in file order: each one after another that seeded the same names
