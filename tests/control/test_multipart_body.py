"""The control plane reads a `multipart/form-data` body as the form it is (what Postman and curl `-F` send), as every
API reads one (`forms.read_params`). Before, it ran the urlencoded parser on the raw multipart text, so a multipart
`advance` found no field and answered "give one or more of freeze, unfreeze, set, advance"."""

from __future__ import annotations

import httpx
import pytest

from ..conftest import ORG


def _parts(fields: dict[str, str]) -> dict[str, tuple[None, str]]:
    return {name: (None, value) for name, value in fields.items()}  # httpx: a field without a file name


@pytest.mark.parametrize("advance", ["1h", "3600", "60m"])
def test_a_multipart_advance_moves_the_clock(client: httpx.Client, advance: str) -> None:
    before = client.get("/_mockown/clock").json()["now"]
    response = client.post("/_mockown/clock", files=_parts({"advance": advance}))
    assert response.status_code == 200, response.text
    assert response.json()["now"] == pytest.approx(before + 3600, abs=1e-3)


def test_multipart_booleans_are_a_forms_words(client: httpx.Client) -> None:
    assert client.post("/_mockown/clock", files=_parts({"unfreeze": "true"})).json()["frozen"] is False
    assert client.post("/_mockown/clock", files=_parts({"freeze": "true"})).json()["frozen"] is True
    refused = client.post("/_mockown/clock", files=_parts({"unfreeze": "maybe"}))
    assert refused.status_code == 400 and "unfreeze" in refused.json()["message"]
    deleted = client.post("/_mockown/reset", files=_parts({"org": ORG, "delete": "true"}))
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["deleted"] is True


def test_a_multipart_fault_rule_is_added(client: httpx.Client) -> None:
    added = client.post("/_mockown/faults", files=_parts({"path": "/services/data/*", "status": "503"}))
    assert added.status_code == 201, added.text
    assert (added.json()["match"]["path"], added.json()["status"]) == ("/services/data/*", 503)


def test_a_field_given_twice_is_refused_not_one_of_them_taken(client: httpx.Client) -> None:
    before = client.get("/_mockown/clock").json()["now"]
    twice = client.post("/_mockown/clock", content=b"advance=1h&advance=2h",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert twice.status_code == 400, twice.text
    assert twice.json()["error"] == "invalid_request" and "advance" in twice.json()["message"]
    assert client.get("/_mockown/clock").json()["now"] == before
