"""Issue #9's lazily loaded endpoint modules: a fresh `create_app()` still knows every stored kind, so a snapshot or a
state file holding any table restores from the start. The rest of the test process imports every module
(`test_fieldwise.py` walks the package), so only a fresh process can tell a kind registered by a module that loads
with its first request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.salesforce.cursors import QueryCursor  # from where their logic is: it may load them (the test loads it)
from mockown.salesforce.web import BrowserSessionApps, EndedBrowserSession, FrontdoorOtp
from mockown.store import meta_of, to_dict

ROOT = Path(__file__).resolve().parents[2]

_KINDS = """
import importlib, json, pkgutil
import mockown
from mockown.http.app import create_app
from mockown.store import RECORD_TYPES
create_app()
at_start = sorted(RECORD_TYPES)
for module in pkgutil.walk_packages(mockown.__path__, "mockown."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
print(json.dumps([at_start, sorted(RECORD_TYPES)]))
"""

_RESTORE = """
import json, sys
from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
with in_process_client(app) as client:
    answer = client.post("/_mockown/restore", content=sys.stdin.read(), headers={"content-type": "application/json"})
print(json.dumps([answer.status_code, answer.json()]))
"""


def _fresh(script: str, stdin: str = "") -> Any:
    done = subprocess.run(
        [sys.executable, "-c", script], input=stdin, capture_output=True, text=True, check=True, cwd=ROOT, timeout=120
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_stored_kind_is_registered_by_create_app() -> None:
    """No `@record` kind lives in a module that loads later (an endpoint's, the CLI's, the test helpers')."""
    at_start, everything = _fresh(_KINDS)
    assert len(everything) >= 40
    assert at_start == everything


def test_a_fresh_server_restores_the_tables_of_the_lazily_loaded_endpoints() -> None:
    """The browser bridges' and the query locators' tables (their logic loads with the first request that uses them):
    a snapshot holding rows of them restores on a server that has answered nothing yet."""
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        snapshot = client.get("/_mockown/snapshot").json()
    org, user = "00D5g000004MockEAC", "005g000000Adm1NAAR"
    rows = [
        FrontdoorOtp("a" * 64, user, org, 1767225600.0 + 60),
        EndedBrowserSession("b" * 64, 1767225600.0 + 3600),
        BrowserSessionApps("c" * 64, ["app"], 1767225600.0 + 3600),
        QueryCursor("01gxx0000000001AAA", org, user, "query", [{"Id": user}], 1767225600.0, 1),
    ]
    for rec in rows:
        snapshot["store"].setdefault(meta_of(type(rec)).table, []).append(to_dict(rec))
    status, body = _fresh(_RESTORE, json.dumps(snapshot))
    assert status == 200, body
    for rec in rows:
        assert body["restored"][meta_of(type(rec)).table] >= 1


_EACH_FIRST = """
import importlib, json, os, pkgutil, sys
import mockown
from mockown.http.app import create_app
create_app()
later = sorted(m.name for m in pkgutil.walk_packages(mockown.__path__, "mockown.")
               if m.name not in sys.modules and not m.name.endswith("__main__"))
failed = {}
for name in later:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child imports this one module first, as a server's first request that needs it would
        os.close(read)
        try:
            importlib.import_module(name)
            message = b""
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}".encode()
        os.write(write, message)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    if message:
        failed[name] = message
print(json.dumps([later, failed]))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the children are forks of one started app")
def test_each_module_that_loads_later_imports_first_on_a_started_app() -> None:
    """Whatever request comes first, the module it loads imports cleanly on a started app: no import cycle that only
    one order of first requests would meet, and no import error left for a first request to turn into a 500."""
    later, failed = _fresh(_EACH_FIRST)
    assert "mockown.ui.login" in later and "mockown.salesforce.soap" in later
    assert failed == {}
