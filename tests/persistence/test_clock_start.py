"""A reset puts the clock back to the start of the state file's clock, whichever process answers it and after a
restart: the start is kept in the file, as the clock is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockown import Config, create_app
from mockown.clock import parse_instant
from mockown.http.inprocess import in_process_client
from tests.conftest import T0

START = parse_instant(T0)
DAY = 86400.0


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[list[Any]]:
    made: list[Any] = []
    yield made
    for app in made:
        app.state.runtime.store.close()


def _app(apps: list[Any], config: Config) -> Any:
    app = create_app(config)
    apps.append(app)
    return app


def _reset(app: Any) -> dict[str, Any]:
    with in_process_client(app) as client:
        r = client.post("/_mockown/reset", json={})
        assert r.status_code == 200, r.text
        clock: dict[str, Any] = client.get("/_mockown/clock").json()
        return clock


def test_a_restart_keeps_the_frozen_clocks_start(tmp_path: Path, apps: list[Any]) -> None:
    config = Config(state_file=str(tmp_path / "s.db"), frozen_at=T0)
    first = _app(apps, config)
    first.state.runtime.clock.advance("1d")
    first.state.runtime.store.close()
    second = _app(apps, config)  # a restart: the file's clock (a day on) wins
    assert second.state.runtime.clock.now() == START + DAY
    clock = _reset(second)
    assert clock["frozen"] and clock["now"] == START


def test_every_process_resets_to_the_same_start(tmp_path: Path, apps: list[Any]) -> None:
    config = Config(state_file=str(tmp_path / "s.db"), frozen_at=T0)
    first = _app(apps, config)
    first.state.runtime.clock.advance("1d")
    late = _app(apps, config)  # a worker started (or restarted) after the clock moved
    assert _reset(late)["now"] == START
    first.state.runtime.clock.advance("2d")
    assert _reset(first)["now"] == START
    assert late.state.runtime.clock.now() == START


def test_a_running_clocks_start_survives_a_restart(tmp_path: Path, apps: list[Any]) -> None:
    config = Config(state_file=str(tmp_path / "s.db"))  # a running clock, at wall time
    first = _app(apps, config)
    first.state.runtime.clock.advance("181d")
    first.state.runtime.store.close()
    second = _app(apps, config)
    assert second.state.runtime.clock.offset == pytest.approx(181 * DAY, abs=5)
    clock = _reset(second)
    assert not clock["frozen"] and clock["offset"] == pytest.approx(0, abs=5)


def test_a_reset_keeps_the_start(tmp_path: Path, apps: list[Any]) -> None:
    config = Config(state_file=str(tmp_path / "s.db"), frozen_at=T0)
    app = _app(apps, config)
    for _ in range(2):
        app.state.runtime.clock.advance("3h")
        assert _reset(app)["now"] == START
