"""A seed error names the b2c section once: "unknown b2c field 'am'", not "unknown b2c b2c field"."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    ("document", "wording"),
    [
        ({"b2c": {"am": {}}}, "unknown b2c field 'am'"),
        ({"b2c": ["x"]}, "b2c must be a mapping"),
        ({"b2c": {"slas": {"bogus": 1}}}, "unknown b2c slas field 'bogus'"),
    ],
)
def test_a_b2c_seed_error_names_its_section_once(client: httpx.Client, document: object, wording: str) -> None:
    response = client.post("/_mockown/seed", json=document)
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert wording in message and "b2c b2c" not in message
