"""`npm_support.install`'s decision on a machine without a usable registry (fast, not soak): a fake `npm` on
PATH answers `ping` and `install` as told. An unreachable registry skips the Node interop tests with that reason
(an offline `make soak`); a reachable one with a failed install still fails them. Also what `run_scenarios` and
`scenario` make of a script's output (a tiny script, when node is on PATH)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.interop import npm_support

FAKE_NPM = """#!/bin/sh
echo "$@" >> "{log}"
case "$1" in
  ping) {ping} ;;
  install) echo "npm ERR! code E404" >&2; exit {install} ;;
esac
exit 0
"""


def _fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, ping: str, install: int) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "npm.log"
    npm = bin_dir / "npm"
    npm.write_text(FAKE_NPM.format(log=log, ping=ping, install=install))
    npm.chmod(npm.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("INTEROP_CACHE", str(tmp_path / "cache"))
    return log


def test_an_unreachable_registry_skips_with_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _fake_npm(tmp_path, monkeypatch, ping="exit 1", install=1)
    with pytest.raises(pytest.skip.Exception, match="npm registry unreachable"):
        npm_support.install("left-pad", "1.3.0")
    assert not any(line.startswith("install") for line in log.read_text().splitlines())  # no install tried
    assert not list((tmp_path / "cache").glob("*left-pad*"))


def test_a_reachable_registry_with_a_failed_install_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _fake_npm(tmp_path, monkeypatch, ping="exit 0", install=1)
    with pytest.raises(pytest.fail.Exception, match=r"npm install left-pad@1\.3\.0 failed .*E404"):
        npm_support.install("left-pad", "1.3.0")
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["ping", "install"]
    assert not list((tmp_path / "cache").glob("*left-pad*"))  # the staging directory is gone too


def test_a_cached_package_needs_no_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _fake_npm(tmp_path, monkeypatch, ping="exit 1", install=1)
    home = tmp_path / "cache" / "left-pad-1.3.0"
    (home / "node_modules" / "left-pad").mkdir(parents=True)
    (home / "node_modules" / "left-pad" / "package.json").write_text("{}")
    assert npm_support.install("left-pad", "1.3.0") == home
    assert not log.exists()


INSTALLING_NPM = """#!/bin/sh
case "$1" in
  ping) exit 0 ;;
  install)
    prefix="$3"
    cp "$prefix/package.json" "{log}" 2>/dev/null || echo none > "{log}"
    mkdir -p "$prefix/node_modules/@scope/pkg" && echo '{{}}' > "$prefix/node_modules/@scope/pkg/package.json" ;;
esac
exit 0
"""


@pytest.mark.parametrize("overrides", [None, {"b-dep": "2.0.0", "@x/a-dep": "1.0.0"}])
def test_overrides_go_into_the_install_s_package_json_and_its_cache_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, overrides: dict[str, str] | None
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "package.seen"
    npm = bin_dir / "npm"
    npm.write_text(INSTALLING_NPM.format(log=log))
    npm.chmod(npm.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("INTEROP_CACHE", str(tmp_path / "cache"))
    home = npm_support.install("@scope/pkg", "1.2.3", overrides)
    if overrides is None:
        assert home.name == "scope+pkg-1.2.3"
        assert log.read_text().strip() == "none"  # no package.json: a plain `npm install pkg@version`
    else:
        assert home.name == "scope+pkg-1.2.3+x+a-dep-1.0.0+b-dep-2.0.0"  # sorted, so one set is one directory
        assert json.loads(log.read_text()) == {"private": True, "overrides": overrides}
    assert (home / "node_modules" / "@scope" / "pkg" / "package.json").is_file()
    # installed once: the next call finds it in the cache, whatever npm would do
    npm.write_text("#!/bin/sh\nexit 1\n")
    assert npm_support.install("@scope/pkg", "1.2.3", overrides) == home


def test_a_registry_that_does_not_answer_in_time_skips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_npm(tmp_path, monkeypatch, ping="exec sleep 5", install=0)
    monkeypatch.setattr(npm_support, "PING_TIMEOUT", 0.3)
    with pytest.raises(pytest.skip.Exception, match=r"npm registry unreachable.*no answer"):
        npm_support.install("left-pad", "1.3.0")


def _script(tmp_path: Path, body: str) -> Path:
    npm_support.require_node()
    script = tmp_path / "scenarios.mjs"
    script.write_text(body)
    return script


def test_run_scenarios_reads_one_line_per_scenario(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "const c = JSON.parse(process.argv[2]);\n"
        "console.log(JSON.stringify({scenario: 'a', got: c.x}));\n"
        "console.log('');\n"
        "console.log(JSON.stringify({scenario: 'b', error: 'TypeError: no', stack: 'at b'}));\n",
    )
    seen = npm_support.run_scenarios(script, {"x": 7})
    assert seen == {"a": {"got": 7}, "b": {"error": "TypeError: no", "stack": "at b"}}
    assert npm_support.scenario(seen, "a") == {"got": 7}
    with pytest.raises(AssertionError, match=r"b: the client library raised TypeError: no at at b"):
        npm_support.scenario(seen, "b")
    with pytest.raises(AssertionError, match="the script printed no line for c"):
        npm_support.scenario(seen, "c")


def test_run_scenarios_fails_on_a_failed_script_or_a_repeated_name(tmp_path: Path) -> None:
    failed = _script(tmp_path, "console.error('boom'); process.exit(3);\n")
    with pytest.raises(AssertionError, match=r"exited 3: boom"):
        npm_support.run_scenarios(failed, {})
    twice = _script(tmp_path, "for (const i of [1, 2]) console.log(JSON.stringify({scenario: 'a', i}));\n")
    with pytest.raises(AssertionError, match="two lines for a"):
        npm_support.run_scenarios(twice, {})
