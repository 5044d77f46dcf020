"""The in-process server's settings as the plugin reads them: what only the app checks (a seed file it cannot
read or load) stops the run with one line like any other bad setting (exit 4), and in a marker's ``config=``
fails that test's set-up with one line; the plugin's "no demo seed" is a default that the config file, the
environment and ``mockown_config`` override, and a seed file named anywhere keeps the seeding on."""

from __future__ import annotations

from pathlib import Path

# yaml is loaded before pytester's in-process runs, which unload what they loaded after each run: libyaml's errors
# of the next run would then not be the YAMLError of the re-imported module (a parse error escaping as such).
import pytest
import yaml  # noqa: F401

from tests.plugin.test_pytester import QUIET

TWO_TESTS = "def test_one(mockown):\n    pass\n\ndef test_two(mockown):\n    pass\n"
BROKEN_SEED = "salesforce: [1, 2\n"
# A seed of one org whose user the test looks for.
MY_SEED = "salesforce:\n  orgs:\n    - name: Mine\n      users:\n        - username: mine@seed.mockown.test\n"


def conftest(config: str) -> str:
    return f"import pytest\n\n@pytest.fixture(scope='session')\ndef mockown_config():\n    return {config}\n"


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ("{'seed_defaults': True, 'seed': 'missing.yaml'}", "*cannot read seed file missing.yaml*"),
        ("{'seed': 'missing.yaml'}", "*cannot read seed file missing.yaml*"),  # a seed file turns seeding on
        ("{'seed': 'broken.yaml'}", "*broken.yaml*"),
    ],
)
def test_a_seed_the_app_refuses_stops_the_run_with_one_line(pytester: pytest.Pytester, config: str, says: str) -> None:
    pytester.makeconftest(conftest(config))
    (pytester.path / "broken.yaml").write_text(BROKEN_SEED)
    pytester.makepyfile(TWO_TESTS)
    result = pytester.runpytest_inprocess(*QUIET)
    assert result.ret == 4
    result.stdout.fnmatch_lines(["*mockown: the in-process server's settings (mockown_config, MOCKOWN_*): " + says])
    assert "Traceback" not in result.stdout.str() and "pytest_plugin.py" not in result.stdout.str()


MARKED = """
import pytest


@pytest.mark.mockown(config={"seed_defaults": True, "seed": "missing.yaml"})
def test_missing_seed(mockown):
    pass


@pytest.mark.mockown(config={"seed": "broken.yaml"})
def test_broken_seed(mockown):
    pass


def test_unmarked(mockown):
    pass
"""


def test_a_seed_the_app_refuses_in_a_marker_fails_that_test_with_one_line(pytester: pytest.Pytester) -> None:
    (pytester.path / "broken.yaml").write_text(BROKEN_SEED)
    pytester.makepyfile(test_marked=MARKED)
    result = pytester.runpytest_inprocess(*QUIET, "-p", "no:randomly")
    result.assert_outcomes(errors=2, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*::test_missing_seed: @pytest.mark.mockown(config=...): cannot read seed file missing.yaml*",
            "*::test_broken_seed: @pytest.mark.mockown(config=...): *broken.yaml*",
        ],
        consecutive=False,
    )
    assert "pytest_plugin.py" not in result.stdout.str()


SEEDING = """
import os

from mockown.salesforce.models import User


def test_seeding(mockown):
    config = mockown.runtime.config
    usernames = {u.username for u in mockown.runtime.store.table(User).all()}
    assert config.seed_defaults is (os.environ["EXPECT"] != "none"), config
    assert ("admin@mockown.test" in usernames) is (os.environ["EXPECT"] == "demo"), usernames
    assert ("mine@seed.mockown.test" in usernames) is (os.environ["EXPECT"] == "mine"), usernames
"""


@pytest.mark.parametrize(
    ("ini_yaml", "env", "config", "expect"),
    [
        ("", {}, "{}", "none"),  # the plugin's default: no demo seed
        ("seed_defaults: true\n", {}, "{}", "demo"),  # the ini option's config file
        ("", {"MOCKOWN_SEED_DEFAULTS": "true"}, "{}", "demo"),  # the environment
        ("", {}, "{'seed_defaults': True}", "demo"),  # the fixture, as the README says
        ("", {"MOCKOWN_SEED": "my.yaml"}, "{}", "mine"),  # a seed file keeps the seeding on
        ("seed: my.yaml\n", {}, "{}", "mine"),
        ("seed: my.yaml\n", {"MOCKOWN_SEED_DEFAULTS": "false"}, "{}", "none"),  # ... unless a source says no
        ("seed_defaults: true\n", {}, "{'seed_defaults': False}", "none"),  # the fixture over the file
        # the ini's file is read, MOCKOWN_CONFIG not (a file that is not there is no error), as the README says
        ("", {"MOCKOWN_CONFIG": "not-there.yaml", "MOCKOWN_SEED_DEFAULTS": "true"}, "{}", "demo"),
    ],
)
def test_no_demo_seed_is_a_default_every_source_overrides(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    ini_yaml: str,
    env: dict[str, str],
    config: str,
    expect: str,
) -> None:
    for name in ("MOCKOWN_CONFIG", "MOCKOWN_SEED", "MOCKOWN_SEED_DEFAULTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(pytester.path)  # a relative seed path is read from the working directory
    (Path(pytester.path) / "my.yaml").write_text(MY_SEED)
    (Path(pytester.path) / "mockown.yaml").write_text(ini_yaml or "{}\n")
    pytester.makeini("[pytest]\nmockown_config = mockown.yaml\n")
    pytester.makeconftest(conftest(config))
    pytester.makepyfile(test_seeding=SEEDING)
    for name, value in {**env, "EXPECT": expect}.items():
        monkeypatch.setenv(name, value)
    result = pytester.runpytest_inprocess(*QUIET)
    result.assert_outcomes(passed=1)


def test_a_relative_seed_in_the_ini_config_file_is_beside_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pytest run from a subdirectory: the seed file named in the config file was looked for there (exit 4)
    for name in ("MOCKOWN_CONFIG", "MOCKOWN_SEED", "MOCKOWN_SEED_DEFAULTS"):
        monkeypatch.delenv(name, raising=False)
    (pytester.path / "my-seed.yaml").write_text(MY_SEED)
    (pytester.path / "mock.yaml").write_text("seed: my-seed.yaml\n")
    pytester.makeini("[pytest]\nmockown_config = mock.yaml\n")
    tests = pytester.mkdir("tests")
    (tests / "test_seeded.py").write_text(
        "from mockown.salesforce.models import User\n\n\ndef test_seeded(mockown):\n"
        "    assert 'mine@seed.mockown.test' in {u.username for u in mockown.runtime.store.table(User).all()}\n"
    )
    monkeypatch.chdir(tests)
    result = pytester.runpytest_inprocess(*QUIET)
    result.assert_outcomes(passed=1)
