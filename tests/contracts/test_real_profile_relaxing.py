"""What `--profile real` relaxes (`x-unverified`) and what it still asserts (contracts/suite/profiles.py)."""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from contracts.suite.support import for_profile, load_spec

ACTIVE = {"active": True, "scope": "api", "client_id": "3MVG9x", "username": "u@x.test", "token_type": "access_token",
          "sub": "https://x.test/id/00D000000000001AAA/005000000000001AAA", "iat": 1}  # fmt: skip


def _validator(name: str, profile: str, schema: str) -> Any:
    spec = for_profile(load_spec(name), profile)
    return jsonschema_rs.validator_for({"$ref": f"#/components/schemas/{schema}", "components": spec["components"]})


def test_an_unverified_branch_of_introspection_does_not_void_the_documented_active_body() -> None:
    """The inactive body is unverified, the active one documented: a body claiming `active: true` must be the
    documented one (`{"active": true}` alone lacks its required fields), and the relaxed branch keeps its types."""
    real = _validator("salesforce", "real", "Introspection")
    refused = [{"active": True}, {"active": True, "scope": "api"}, {"active": "yes"}, [1, 2, 3], "hello", 7, None]
    assert [body for body in refused if real.is_valid(body)] == []
    accepted = [ACTIVE, {"active": False}, {"active": False, "error": "x"}, {}]
    assert [body for body in accepted if not real.is_valid(body)] == []
    mock = _validator("salesforce", "mock", "Introspection")  # the mock profile asserts the inactive body too
    assert mock.is_valid({"active": False}) and mock.is_valid(ACTIVE) and not mock.is_valid({})


def test_an_unverified_not_is_dropped_under_the_real_profile() -> None:
    """TokenResponse's `not: {required: [expires_in]}` is unverified: the real profile does not assert it."""
    body = {"access_token": "00Dx!y", "instance_url": "https://x.test", "id": "https://x.test/id/00D/005",
            "token_type": "Bearer", "issued_at": "1", "signature": "s", "expires_in": 7200}  # fmt: skip
    spec = load_spec("salesforce")
    assert "not" in spec["components"]["schemas"]["TokenResponse"]
    assert "not" not in for_profile(spec, "real")["components"]["schemas"]["TokenResponse"]
    assert not _validator("salesforce", "mock", "TokenResponse").is_valid(body)


def test_unverified_parameters_are_not_sent_to_a_real_service() -> None:
    """Marketing Cloud's `/v2/authorize` `account_id` and `code_challenge` are unverified and optional."""

    def names(profile: str) -> set[str]:
        return {
            p["name"]
            for p in for_profile(load_spec("marketing"), profile)["paths"]["/v2/authorize"]["get"]["parameters"]
        }

    assert {"account_id", "code_challenge"} <= names("mock")
    assert not {"account_id", "code_challenge"} & names("real")
    assert {"response_type", "client_id", "redirect_uri", "state"} <= names("real")


def test_an_unverified_response_by_reference_accepts_any_body() -> None:
    """SLAS jwks' 429 refers to SlasRateLimited, an x-unverified response (the extension sits on the response, not
    beside the `$ref`: OAS 3.1 allows only `summary`/`description` there): under real, its content accepts anything."""
    path = "/shopper/auth/v1/organizations/{organizationId}/oauth2/jwks"
    spec = load_spec("b2c")
    real = for_profile(spec, "real")
    assert real["paths"][path]["get"]["responses"]["429"] == {"$ref": "#/components/responses/SlasRateLimited"}
    relaxed = real["components"]["responses"]["SlasRateLimited"]
    assert relaxed["content"] and all(c == {"schema": {}} for c in relaxed["content"].values())
    assert spec["components"]["responses"]["SlasRateLimited"]["content"] != relaxed["content"]
