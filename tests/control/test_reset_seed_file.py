"""A full `POST /_mockown/reset` whose seed file cannot be used any more (unreadable, not YAML, gone, or a document
the seeders refuse) is refused before anything changes: 409 `invalid_seed` naming the file and the problem, and
the store, the clock, the journal and the fault rules are as they were. Before, it was a 500 with the store already
cleared, the clock reset, nothing re-seeded and the journal and faults kept. On both stores."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

from ..conftest import T0
from .helpers import access_token

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "default.yaml"


@pytest.fixture(params=["memory", "sqlite"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[httpx.Client, Path]]:
    seed = tmp_path / "seed.yaml"
    shutil.copy(FIXTURES, seed)
    extra: dict[str, Any] = {} if request.param == "memory" else {"state_file": str(tmp_path / "state.db")}
    app = create_app(Config(seed=str(seed), **extra), clock=FrozenClock(T0))
    with in_process_client(app) as client:
        yield client, seed


def _state(client: httpx.Client) -> dict[str, Any]:
    snapshot = client.get("/_mockown/snapshot").json()
    return {
        "store": json.dumps(snapshot["store"], sort_keys=True),
        "clock": (snapshot["clock"]["now"], snapshot["clock"]["frozen"]),
        "faults": client.get("/_mockown/faults").json()["count"],
        "journal": client.get("/_mockown/journal").json()["count"],
    }


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("salesforce: [1,2\n", "cannot read"),
        (None, "cannot read"),  # the file is gone
        (b"\xff\xfe\x00", "cannot read"),
        ("- a list\n", "mapping"),
        ("nonsense: {}\n", "nonsense"),
        ("salesforce:\n  orgs:\n    - name: Bad\n      users: 5\n", "salesforce"),  # the seeders refuse it
    ],
)
def test_a_seed_file_that_cannot_be_used_changes_nothing(
    setup: tuple[httpx.Client, Path], content: str | bytes | None, problem: str
) -> None:
    client, seed = setup
    access_token(client)  # a row, a journal entry
    assert client.post("/_mockown/faults", json={"path": "/nowhere", "status": 503}).status_code == 201
    assert client.post("/_mockown/clock", json={"advance": "1h"}).status_code == 200
    before = _state(client)
    if content is None:
        seed.unlink()
    elif isinstance(content, bytes):
        seed.write_bytes(content)
    else:
        seed.write_text(content, encoding="utf-8")
    response = client.post("/_mockown/reset")
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "invalid_seed"
    assert str(seed) in body["message"] and problem in body["message"], body
    assert _state(client) == before
    # without the seed, the reset does not read the file
    assert client.post("/_mockown/reset", json={"seed": False}).status_code == 200
    assert _state(client)["faults"] == 0


def test_a_good_seed_file_still_resets(setup: tuple[httpx.Client, Path]) -> None:
    client, _ = setup
    access_token(client)
    assert client.post("/_mockown/clock", json={"advance": "1h"}).status_code == 200
    response = client.post("/_mockown/reset")
    assert response.status_code == 200, response.text
    assert response.json()["seeded"]["salesforce"]
    assert client.get("/_mockown/clock").json()["now"] == 1767225600.0
    assert "sf_access_tokens" not in client.get("/_mockown/snapshot").json()["store"]


def test_the_dashboard_reset_says_so_and_changes_nothing(setup: tuple[httpx.Client, Path]) -> None:
    client, seed = setup
    access_token(client)
    before = _state(client)
    seed.write_text("salesforce: [1,2\n", encoding="utf-8")
    response = client.post("/_mockown/ui/reset", data={}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("&error=1")
    assert "nothing%20was%20reset" in response.headers["location"]
    assert _state(client) == before
