"""Marker options that would drop each other are refused, naming both (the README: unknown options are an
error, nothing is silently ignored); an org's own users and apps are the org's, not replaced by the defaults."""

from __future__ import annotations

from typing import Any

import pytest

from mockown.testing import Mockown
from mockown.testing.handle import check_options
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
