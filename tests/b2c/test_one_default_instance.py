"""A request whose host names no seeded instance reaches the default instance. Two instances seeded with
`default: true` were both kept, and which one answered was whichever the store listed first: the seed refuses a
second default, whether in the same document or over one already stored (the demo seed's), naming both."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.seed import SeedError

T0 = "2026-01-01T00:00:00Z"
DEMO = "zzxy-001.dx.commercecloud.salesforce.com"


def _instances(*defaults: bool) -> dict[str, object]:
    hosts = [{"host": f"dflt-{n}.example.com", "default": d} for n, d in enumerate(defaults)]
    return {"b2c": {"instances": hosts}}


def test_a_second_default_over_a_stored_one_is_refused_and_nothing_is_stored() -> None:
    with in_process_client(create_app(Config(), clock=FrozenClock(T0))) as client:
        before = client.get("/_mockown/snapshot").json()["store"]
        r = client.post("/_mockown/seed", json=_instances(False, True))
        assert r.status_code == 400, r.text
        message = f"b2c instance dflt-1.example.com: default: instance {DEMO} is the default already (one at most)"
        assert r.json() == {"error": "invalid_seed", "message": message}
        assert client.get("/_mockown/snapshot").json()["store"] == before


def test_two_defaults_in_one_document_are_refused(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"b2c": {"instances": [{"host": "a.example.com", "default": true},'
                    ' {"host": "b.example.com", "default": true}]}}')  # fmt: skip
    with pytest.raises(SeedError, match=r"instance b.example.com: default: instance a.example.com is the default"):
        create_app(Config(seed=str(seed)), clock=FrozenClock(T0))


def test_one_default_is_the_instance_an_unnamed_host_reaches() -> None:
    app = create_app(Config(seed_defaults=False), clock=FrozenClock(T0))  # no demo instance
    with in_process_client(app) as client:
        r = client.post("/_mockown/seed", json=_instances(False, True, False))
        assert r.status_code == 201, r.text
    found = app.state.runtime.b2c.am.instance("unknown.example.com")
    assert found is not None and found.id == "dflt-1.example.com"
