"""A user's mistake in the mockown options (marker, `mockown_defaults`, `mockown_config`) fails the set-up of
the test with one line naming the option and what it should be, not the plugin's traceback; options the
README names work in their natural forms (``own=True``)."""

from __future__ import annotations

import pytest

from mockown.testing import Mockown
from tests.plugin.test_pytester import QUIET

MISTAKES = """
import pytest


@pytest.mark.mockown(rotaton=True)
def test_typo(mockown):
    pass


@pytest.mark.mockown({"rotation": True})
def test_positional(mockown):
    pass


@pytest.mark.mockown(org="acme.my.salesforce.com")
def test_org_not_a_mapping(mockown):
    pass


@pytest.mark.mockown(users={"username": "a@example.test"})
def test_users_not_a_list(mockown):
    pass


@pytest.mark.mockown(apps=["MyApp"])
def test_app_not_a_mapping(mockown):
    pass


@pytest.mark.mockown(session_timeout="forever")
def test_value_the_seed_refuses(mockown):
    pass


@pytest.mark.mockown(config={"own": {"backup_mode": "bogus"}})
def test_config_value(mockown):
    pass


@pytest.mark.mockown(config={"nosuch": 1})
def test_config_key(mockown):
    pass
"""


def test_option_mistakes_fail_the_setup_with_one_clear_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_mistakes=MISTAKES)
    result = pytester.runpytest_inprocess(*QUIET, "-p", "no:randomly")
    result.assert_outcomes(errors=8)
    result.stdout.fnmatch_lines(
        [
            "*::test_typo: unknown mockown option 'rotaton' (did you mean 'rotation'? known: *",
            "*::test_positional: @pytest.mark.mockown takes keyword arguments only, not ({'rotation': True},)",
            "*::test_org_not_a_mapping: mockown option org= must be a mapping of org fields*, not 'acme.my.*'",
            "*::test_users_not_a_list: mockown option users= must be a list of user mappings*",
            "*::test_app_not_a_mapping: mockown option apps= must be a list of connected-app mappings*; "
            "one item is 'MyApp'",
            "*::test_value_the_seed_refuses: the seed made from its mockown options was refused: "
            "app *: session_timeout: not a duration: 'forever'*",
            "*::test_config_value: @pytest.mark.mockown(config=...): own.backup_mode: job mode 'bogus': use immediate*",
            "*::test_config_key: @pytest.mark.mockown(config=...): unknown setting nosuch*",
        ],
        consecutive=False,
    )
    # no traceback of the plugin's code: the line above is all the report says, once (no chained error before it)
    assert "pytest_plugin.py" not in result.stdout.str() and "handle.py" not in result.stdout.str()
    assert "During handling of the above exception" not in result.stdout.str()
    # counted in the ERRORS section: the short summary repeats it whole where pytest does not cut it (CI=true)
    errors = result.stdout.str().split(" ERRORS ", 1)[1].split("short test summary info", 1)[0]
    assert errors.count("did you mean 'rotation'?") == 1


@pytest.mark.parametrize(
    ("returned", "line"),
    [
        ("None", None),  # no defaults
        (
            "'rotation'",
            "*::test_one: mockown_defaults must return a mapping of mockown options (a dict), not 'rotation'",
        ),
        ("[('rotation', True)]", "*::test_one: mockown_defaults must return a mapping *, not *('rotation', True)*"),
    ],
)
def test_mockown_defaults_none_is_no_defaults_and_another_non_mapping_one_line(
    pytester: pytest.Pytester, returned: str, line: str | None
) -> None:
    pytester.makeconftest(
        f"import pytest\n\n@pytest.fixture(scope='session')\ndef mockown_defaults():\n    return {returned}\n"
    )
    pytester.makepyfile("def test_one(mockown):\n    assert mockown.org['id']\n")
    result = pytester.runpytest_inprocess(*QUIET)
    if line is None:
        result.assert_outcomes(passed=1)
        return
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([line])
    assert "pytest_plugin.py" not in result.stdout.str()


def test_a_bad_session_config_stops_the_run_naming_the_setting(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "import pytest\n\n@pytest.fixture(scope='session')\ndef mockown_config():\n"
        "    return {'own': {'backup_modee': 'polls:2'}}\n"
    )
    pytester.makepyfile("def test_one(mockown):\n    pass\n\ndef test_two(mockown):\n    pass\n")
    result = pytester.runpytest_inprocess(*QUIET)
    assert result.ret == 4
    result.stdout.fnmatch_lines(["*mockown: the in-process server's settings *unknown setting own.backup_modee*"])


@pytest.mark.mockown(own=True)
def test_own_true_is_the_default_account(mockown: Mockown, own_access_token: str) -> None:
    assert mockown.own_account is not None and mockown.own_user["role"] == "master_admin"
    assert own_access_token


@pytest.mark.mockown(apps=[], users=[])
def test_an_org_without_apps_or_users_says_so(mockown: Mockown) -> None:
    with pytest.raises(LookupError, match=r"no connected app \(@pytest.mark.mockown\(apps=\[\]\)\)"):
        mockown.app  # noqa: B018
    with pytest.raises(LookupError, match=r"no user \(@pytest.mark.mockown\(users=\[\]\)\)"):
        mockown.user  # noqa: B018


@pytest.mark.mockown(own=False, seed={"own": {"accounts": [{"name": "extra"}]}})
def test_seed_may_give_the_own_account_when_own_is_false(mockown: Mockown) -> None:
    assert mockown.own_account is not None and mockown.own_account["name"] == "extra"
