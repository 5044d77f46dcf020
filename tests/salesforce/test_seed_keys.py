"""Keys named in a seed: parsed when the seed is loaded (a bad key is a seed error, not a failure at the first
request), except the key files shipped in `fixtures/` (the default seed's), which these tests parse instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockown.runtime import Runtime
from mockown.salesforce import jwtutil
from mockown.seed import SeedError

from .helpers import new_org

KEYS = Path(__file__).resolve().parents[2] / "fixtures" / "keys"
BAD_PEM = "-----BEGIN CERTIFICATE-----\nTUlJQmFk\n-----END CERTIFICATE-----\n"


@pytest.mark.parametrize("name", sorted(p.name for p in KEYS.iterdir() if p.suffix in (".crt", ".pub")))
def test_every_shipped_public_key_parses(name: str) -> None:
    pem, shipped = jwtutil.read_pem(f"keys/{name}")
    assert shipped
    assert jwtutil.public_key(pem).key_size == 2048


def test_the_default_seed_names_only_shipped_keys() -> None:
    """What the seed does not parse at start-up is what `test_every_shipped_public_key_parses` parses."""
    text = (KEYS.parent / "default.yaml").read_text()
    named = [line.split(":", 1)[1].split("#")[0].strip() for line in text.splitlines()
             if line.strip().startswith(("jwt_certificate:", "public_key:"))]  # fmt: skip
    assert named, "the default seed names no key any more: drop this test and the shipped-key exception"
    assert all(jwtutil.read_pem(value)[1] for value in named)


def _exchange(public_key: str) -> dict[str, object]:
    return {"issuers": [{"issuer": "https://idp.example.com", "public_key": public_key}]}


@pytest.mark.parametrize("where", ["jwt_certificate", "token_exchange"])
def test_a_bad_key_of_the_user_is_a_seed_error(runtime: Runtime, tmp_path: Path, where: str) -> None:
    key_file = tmp_path / "bad.crt"
    key_file.write_text(BAD_PEM)
    for value in (BAD_PEM, str(key_file)):  # PEM text, and a file of the user's
        app = {"jwt_certificate": value} if where == "jwt_certificate" else {"token_exchange": _exchange(value)}
        with pytest.raises(SeedError, match="unreadable key"):
            new_org(runtime, **app)


def test_a_shipped_key_file_is_read_at_seed_time(runtime: Runtime) -> None:
    org = new_org(runtime, jwt_certificate="keys/jwt-bearer.crt", token_exchange=_exchange("keys/idp.pub"))
    app = runtime.salesforce.app_by_client_id(org["client_id"])
    assert app is not None and app.jwt_certificate == (KEYS / "jwt-bearer.crt").read_text()
    assert app.token_exchange is not None
    assert app.token_exchange["issuers"][0]["public_key"] == (KEYS / "idp.pub").read_text()
