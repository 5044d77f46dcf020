"""Keys named in a seed: parsed when the seed is loaded (a bad key is a seed error, not a failure at the first
request), except the key files shipped in `fixtures/` (the default seed's), which these tests parse instead."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# a token-exchange issuer's JWKS that is none: seeded, each exchange was a 500 (JSONDecodeError, TypeError)
BAD_JWKS: list[object] = ["not json", '{"keys": 5}', {"keys": 5}, {"keys": ["x"]}, {"nokeys": []}, ["x"], 5, "[1]"]
WHERE = re.escape("token_exchange issuer https://idp.example.com: ")


@pytest.mark.parametrize("jwks", BAD_JWKS)
def test_a_jwks_that_is_none_is_a_seed_error(runtime: Runtime, tmp_path: Path, jwks: object) -> None:
    with pytest.raises(SeedError, match=WHERE + "jwks: "):
        new_org(runtime, token_exchange={"issuers": [{"issuer": "https://idp.example.com", "jwks": jwks}]})
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(jwks if isinstance(jwks, str) else json.dumps(jwks))
    issuer = {"issuer": "https://idp.example.com", "jwks_file": str(jwks_file)}
    with pytest.raises(SeedError, match=WHERE + "jwks_file: "):
        new_org(runtime, token_exchange={"issuers": [issuer]})


@pytest.mark.parametrize("jwks", [json.dumps({"keys": []}), {"keys": [{"kty": "RSA", "kid": "k"}]}])
def test_a_jwks_is_stored_as_given(runtime: Runtime, jwks: object) -> None:
    """JSON text stays text (a snapshot of an older mockown, which holds it so, restores as the seed stores it); a
    JWK the mock cannot use is no seed error (a real IdP's JWKS may list one): its tokens are refused."""
    org = new_org(runtime, token_exchange={"issuers": [{"issuer": "https://idp.example.com", "jwks": jwks}]})
    app = runtime.salesforce.app_by_client_id(org["client_id"])
    assert app is not None and app.token_exchange is not None
    assert app.token_exchange["issuers"][0]["jwks"] == jwks


FIELDS = st.sampled_from(["kty", "kid", "n", "e", "crv", "x", "y", "alg", "k", "keys"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FIELDS, inner, max_size=4),
    max_leaves=12,
)
JWKS = JSON | st.builds(lambda keys: {"keys": keys}, JSON)


@given(jwks=JWKS, as_text=st.booleans(), kid=st.none() | st.text(max_size=3))
def test_a_jwks_key_is_a_key_or_bad_jwt(jwks: object, as_text: bool, kid: str | None) -> None:
    """Whatever a stored JWKS holds, finding its key gives a key or `BadJwt` (the exchange's invalid_grant), never
    another exception (a 500)."""
    with contextlib.suppress(jwtutil.BadJwt):
        jwtutil.jwks_key(json.dumps(jwks) if as_text else jwks, kid)  # type: ignore[arg-type]
