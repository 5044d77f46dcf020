"""Marker options that would drop each other are refused, naming both (the README: unknown options are an
error, nothing is silently ignored); an org's own users and apps are the org's, not replaced by the defaults.
Between layers (``mockown_defaults``, module, class and function markers) the closest wins: its option replaces
the farther ones it cannot go with, as the same option would."""

from __future__ import annotations

from typing import Any

import pytest

from mockown.testing import Mockown
from mockown.testing.handle import check_options
from mockown.testing.options import merge_options
from tests.plugin.test_pytester import QUIET

CONFLICTS = """
import pytest


@pytest.mark.mockown(apps=[{"name": "mine"}], rotation=True, session_timeout="15m")
def test_app_fields_with_apps(mockown):
    pass


@pytest.mark.mockown(own=False, own_user={"role": "admin"})
def test_own_user_without_own(mockown):
    pass


@pytest.mark.mockown(own={"users": [{"email": "a@own.mockown.test"}]}, own_user={"role": "admin"})
def test_own_user_with_own_users(mockown):
    pass
"""


def test_conflicting_options_fail_the_setup_with_one_line_naming_both(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_conflicts=CONFLICTS)
    result = pytester.runpytest_inprocess(*QUIET, "-p", "no:randomly")
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(
        [
            "*::test_app_fields_with_apps: mockown options rotation= and apps= cannot be used together*",
            "*::test_own_user_without_own: mockown options own_user= and own=False cannot be used together*",
            "*::test_own_user_with_own_users: mockown options own_user= and own={'users': ...} both give*",
        ],
        consecutive=False,
    )
    assert "pytest_plugin.py" not in result.stdout.str() and "handle.py" not in result.stdout.str()


@pytest.mark.parametrize(
    ("options", "names"),
    [
        ({"apps": [{}], "session_timeout": "15m"}, ("session_timeout=", "apps=")),
        ({"org": {"apps": [{}]}, "rotation": True}, ("rotation=", "org={'apps': ...}")),
        ({"org": {"apps": []}, "apps": []}, ("apps=", "org={'apps': ...}")),
        ({"org": {"users": []}, "users": [{}]}, ("users=", "org={'users': ...}")),
        ({"own": False, "own_user": {}}, ("own_user=", "own=False")),
        ({"own": {"users": []}, "own_user": {"role": "admin"}}, ("own_user=", "own={'users': ...}")),
    ],
)
def test_check_options_refuses_what_would_be_dropped(options: dict[str, Any], names: tuple[str, str]) -> None:
    with pytest.raises(ValueError, match="mockown options") as refused:
        check_options(options)
    assert all(name in str(refused.value) for name in names), refused.value


@pytest.mark.parametrize(
    "options",
    [
        {"apps": [{}]},
        {"rotation": True},
        {"org": {"apps": []}},
        {"own": True, "own_user": {"role": "admin"}},
        {"own": {"name": "x"}, "own_user": {}},
        {"own": {"users": []}},
    ],
)
def test_check_options_takes_what_goes_together(options: dict[str, Any]) -> None:
    check_options(options)


@pytest.mark.mockown(org={"users": [{"username": "org.own.user@conflicts.mockown.test"}], "apps": []})
def test_the_orgs_own_users_and_apps_are_seeded(mockown: Mockown) -> None:
    assert [u["username"] for u in mockown.users] == ["org.own.user@conflicts.mockown.test"]
    assert mockown.org["apps"] == []


@pytest.mark.mockown(org={"apps": [{"name": "mine", "session_timeout": "15m"}]})
def test_the_orgs_own_app_is_seeded(mockown: Mockown) -> None:
    assert [a["name"] for a in mockown.org["apps"]] == ["mine"]
    assert len(mockown.users) == 2  # the default users: the org gave none


LAYERED_CONFTEST = """
import pytest


@pytest.fixture(scope="session")
def mockown_defaults():
    return {"session_timeout": "5m", "own_user": {"role": "admin"}}
"""

LAYERED = """
import pytest


def test_the_defaults_apply(mockown):
    token = mockown.access_token()
    mockown.clock.advance("6m")
    answer = mockown.client.get(mockown.urls.rest("limits"), headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert mockown.own_user["role"] == "admin"


@pytest.mark.mockown(apps=[{"name": "mine"}])
def test_a_markers_apps_replace_the_default_app_fields(mockown):
    assert [a["name"] for a in mockown.org["apps"]] == ["mine"]


@pytest.mark.mockown(own=False)
def test_a_markers_own_false_replaces_the_default_own_user(mockown):
    assert mockown.own_account is None


@pytest.mark.mockown(rotation=True)
class TestClass:
    @pytest.mark.mockown(apps=[{"name": "mine too"}])
    def test_the_function_marker_wins_over_the_class_marker(self, mockown):
        assert [a["name"] for a in mockown.org["apps"]] == ["mine too"]
"""


def test_a_closer_marker_replaces_the_farther_options_it_cannot_go_with(pytester: pytest.Pytester) -> None:
    # the README's own conftest example (a default session_timeout) broke every test whose marker gave apps=
    pytester.makeconftest(LAYERED_CONFTEST)
    pytester.makepyfile(test_layered=LAYERED)
    result = pytester.runpytest_inprocess(*QUIET, "-p", "no:randomly")
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize(
    ("layers", "merged"),
    [
        ([{"session_timeout": "1h"}, {"apps": [{}]}], {"apps": [{}]}),
        ([{"session_timeout": "1h"}, {"org": {"apps": []}}], {"org": {"apps": []}}),
        ([{"apps": [{}]}, {"rotation": True}], {"rotation": True}),
        ([{"org": {"apps": [{}], "api_limit": 5}}, {"rotation": True}], {"org": {"api_limit": 5}, "rotation": True}),
        ([{"org": {"users": [{}], "api_limit": 5}}, {"users": []}], {"org": {"api_limit": 5}, "users": []}),
        ([{"users": [{}]}, {"org": {"users": []}}], {"org": {"users": []}}),
        ([{"own_user": {"role": "admin"}}, {"own": False}], {"own": False}),
        ([{"own_user": {"role": "admin"}}, {"own": {"users": []}}], {"own": {"users": []}}),
        ([{"own": False}, {"own_user": {}}], {"own_user": {}}),
        ([{"own": {"users": [], "name": "x"}}, {"own_user": {}}], {"own": {"name": "x"}, "own_user": {}}),
        ([{"own": False, "seed": {"own": {}, "b2c": {}}}, {"own": True}], {"own": True, "seed": {"b2c": {}}}),
        ([{"own": False, "seed": {"own": {}}}, {"own_user": {}}], {"seed": {}, "own_user": {}}),
        ([{"rotation": True, "own": True}, {"rotation": False}, {"session_timeout": "1h"}],
         {"rotation": False, "own": True, "session_timeout": "1h"}),
    ],
)  # fmt: skip
def test_merge_drops_what_a_closer_layer_replaces(layers: list[dict[str, Any]], merged: dict[str, Any]) -> None:
    assert merge_options([("mockown_defaults", layers[0])] + [("", layer) for layer in layers[1:]]) == merged


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([{"apps": [{}], "rotation": True}, {}], "mockown_defaults: mockown options rotation= and apps= cannot"),
        ([{"rotation": True}, {"own": False, "own_user": {}}], "^mockown options own_user= and own=False cannot"),
    ],
)
def test_merge_refuses_a_conflict_inside_one_layer(layers: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        merge_options([("mockown_defaults", layers[0])] + [("", layer) for layer in layers[1:]])
