"""The stateful Salesforce check's request shapes: schemathesis sends only what these pin (the target's login, the
app's credentials in introspection's body and no generated `Authorization` beside them). A plain module, so that
tests outside the suite can check them (importing a suite module applies its markers)."""

from __future__ import annotations

from typing import Any

from .support import SfCreds


def pin_credentials(spec: dict[str, Any], sf: SfCreds) -> dict[str, Any]:
    """The token operation can only send the target's login; introspection sends the app's credentials."""
    form = sf.login_form()
    pinned = {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(form),
        "properties": {k: {"const": v} for k, v in form.items()},
    }
    token = spec["paths"]["/services/oauth2/token"]["post"]
    token["requestBody"]["content"] = {"application/x-www-form-urlencoded": {"schema": pinned}}
    token.pop("parameters", None)
    if sf.app.client_secret:
        intro = spec["paths"]["/services/oauth2/introspect"]["post"]
        # the credentials go in the body only: a generated `Authorization: Basic` besides them is a second client
        # authentication, refused (400 invalid_client) before the token is looked at
        intro["security"] = [{}]
        intro["requestBody"]["content"] = {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["token", "client_id", "client_secret"],
                    "properties": {
                        "token": {"type": "string"},
                        "token_type_hint": {"enum": ["access_token", "refresh_token"]},
                        "client_id": {"const": sf.app.client_id},
                        "client_secret": {"const": sf.app.client_secret},
                    },
                }
            }
        }
    return spec
