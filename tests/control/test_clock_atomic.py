"""`POST /_mockown/clock` checks every field before it changes the clock: a request with one bad field is a 400
that leaves the clock as it was (before, `freeze` or `set` was applied and then `advance` refused), and the 400
says what the field must be, never a Python message ("'dict' object has no attribute 'strip'")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockown.clock import parse_instant

FREEZE = "2026-06-01T00:00:00Z"


def _state(client: httpx.Client) -> tuple[float, bool]:
    """The clock's instant and mode (its `offset` from the wall clock moves with the wall clock when frozen)."""
    state = client.get("/_mockown/clock").json()
    return state["now"], state["frozen"]


@pytest.mark.parametrize(
    "body",
    [
        {"freeze": FREEZE, "advance": "bogus"},
        {"freeze": FREEZE, "advance": "-1d"},
        {"set": "2030-01-01T00:00:00Z", "advance": "-1d"},
        {"set": "2030-01-01T00:00:00Z", "advance": {}},
        {"unfreeze": True, "set": "bogus"},
        {"unfreeze": True, "advance": []},
        {"freeze": "9999-12-29T00:00:00Z", "advance": "30d"},  # each alone is fine, together past year 9999
        {"set": "9999-12-29T00:00:00Z", "advance": "30d"},
        {"freeze": "bogus", "set": FREEZE},
    ],
)
def test_one_bad_field_changes_nothing(client: httpx.Client, body: dict[str, Any]) -> None:
    before = _state(client)
    response = client.post("/_mockown/clock", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert _state(client) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"advance": {}}, "advance"),
        ({"advance": []}, "advance"),
        ({"advance": True}, "advance"),
        ({"set": []}, "set"),
        ({"set": {"a": 1}}, "set"),
        ({"set": True}, "set"),
        ({"freeze": {"x": 1}}, "freeze"),
        ({"freeze": [1]}, "freeze"),
    ],
)
def test_a_value_of_the_wrong_type_is_named_not_a_python_message(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    response = client.post("/_mockown/clock", json=body)
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert message.startswith(field), message
    for internal in ("attribute", "float()", "argument", "object", "NoneType"):
        assert internal not in message, message


def test_several_fields_still_apply_in_order(client: httpx.Client) -> None:
    response = client.post("/_mockown/clock", json={"freeze": FREEZE, "advance": "1h"})
    assert response.status_code == 200, response.text
    state = response.json()
    assert state["frozen"] is True and state["now"] == parse_instant(FREEZE) + 3600
    moved = client.post("/_mockown/clock", json={"set": FREEZE, "advance": 60})
    assert moved.status_code == 200 and moved.json()["now"] == parse_instant(FREEZE) + 60
    running = client.post("/_mockown/clock", json={"unfreeze": True, "advance": "1d"}).json()
    assert running["frozen"] is False
    assert abs(running["now"] - (parse_instant(FREEZE) + 60 + 86400)) < 60


@pytest.mark.parametrize("instant", [0, 1, 1.0])
def test_freeze_at_epoch_zero_or_one_is_that_instant(client: httpx.Client, instant: float) -> None:
    """`freeze` takes true (now) or an instant; 0 and 1 are instants (1970), not false and true (0 == False)."""
    r = client.post("/_mockown/clock", json={"freeze": instant})
    assert r.status_code == 200, r.text
    assert r.json()["frozen"] is True and r.json()["now"] == instant
