"""The README's "Salesforce flows" examples, run as written (in order, as a reader would) against a real
`mockown serve`; the Single Logout example has its own test (tests/salesforce/test_single_logout.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.docs.shell_support import ROOT, run_blocks
from tests.server_support import mockown_server

CHAPTER = "## Salesforce flows"


def _blocks() -> list[str]:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split(CHAPTER, 1)[1].split("\n## ", 1)[0]
    return [b for b in re.findall(r"```sh\n(.*?)```", section, re.DOTALL) if "SloApp" not in b]


def _block(blocks: list[str], outputs: list[str], marker: str) -> str:
    """The output of the one block whose text holds `marker`."""
    found = [out for text, out in zip(blocks, outputs, strict=True) if marker in text]
    assert len(found) == 1, f"the README has {len(found)} Salesforce-flow examples with {marker!r}"
    return found[0]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_salesforce_flow_examples_run_as_written(tmp_path: Path) -> None:
    blocks = _blocks()
    script = []
    for block in blocks:
        block = block.replace("/tmp/", f"{tmp_path}/")  # the README's scratch files, private to this test
        # the device example waits out the polling interval; advance the server's clock instead of sleeping
        block = block.replace(
            "sleep 5\n",
            """curl -s $BASE/_mockown/clock -H 'Content-Type: application/json' -d '{"advance": "5s"}' > /dev/null\n""",
        )
        script.append(block)
    with mockown_server() as base:
        outputs = run_blocks(script, base, timeout=120)
    assert len(outputs) == len(blocks) >= 12, outputs

    jwt_bearer = _block(blocks, outputs, "grant-type:jwt-bearer")
    assert '"access_token":"00D5g000004Mock!AQ' in jwt_bearer
    assert '"scope":"api refresh_token openid id profile email web full"' in jwt_bearer
    assert 'refresh_token":' not in jwt_bearer and '"signature"' not in jwt_bearer

    exchange = _block(blocks, outputs, "mockown-demo-external-token")
    assert exchange.count('"issued_token_type":"urn:ietf:params:oauth:token-type:access_token"') == 2

    asset = _block(blocks, outputs, "actor_token=$ACTOR")
    assert '"issued_token_type":"urn:ietf:params:oauth:token-type:jwt","token_type":"Bearer","expires_in":60' in asset

    device = _block(blocks, outputs, "response_type=device_code")
    assert re.search(r'"user_code":"[A-Z0-9]{8}","verification_uri":"http://[^"]+/setup/connect","interval":5', device)
    assert '{"error":"authorization_pending",' in device
    assert '"status":"approved"' in device
    assert '"refresh_token":' in device and '"scope":"refresh_token web api"' in device

    user_agent = _block(blocks, outputs, "response_type=token&")
    assert user_agent.startswith("http://localhost:8080/callback#access_token=00D5g000004Mock%21AQ")
    assert "&scope=api+id+refresh_token&" in user_agent and user_agent.rstrip().endswith("&state=s1")
    assert "refresh_token=" not in user_agent  # a web-page callback gets none

    hybrid = _block(blocks, outputs, "grant_type=hybrid_auth_code")
    for name in ("lightning_sid", "visualforce_sid", "content_sid", "csrf_token", "cookie-sid_Client", "parent_sid"):
        assert f'"{name}":' in hybrid

    registered = _block(blocks, outputs, "MOCKOWNDEMOINITIALACCESSTOKEN")
    assert '"client_secret_expires_at":0,"token_endpoint_auth_method":"client_secret_post"' in registered
    assert '"grant_types":["authorization_code","hybrid_auth_code","refresh_token"]' in registered

    jwt_app = _block(blocks, outputs, "JwtApp")
    assert '"access_token":"eyJ' in jwt_app and '"token_format":"jwt"' in jwt_app

    claims = _block(blocks, outputs, "ClaimsApp")
    assert "'aud': ['ClaimsApp', 'https://rp.example.com']" in claims
    assert "'custom_attributes': {'department': 'Engineering', 'email': 'carla@example.test', 'org': 'Claims Org'}" in (
        claims
    )
    assert "'custom_permissions': {'Approve_Expenses': True, 'Export_Reports': False}" in claims
    assert '"custom_permissions":{"Approve_Expenses":true,"Export_Reports":false}' in claims

    approvals = _block(blocks, outputs, "FROM OauthToken")
    assert '"AppName":"Mockown Demo App"' in approvals
    assert approvals.rstrip().endswith("200\n401")  # the DeleteToken revoked the approval and its access token

    my_domain = _block(blocks, outputs, "acme.my.salesforce.com")
    assert '"end_session_endpoint":"http://acme.my.salesforce.com/services/auth/idp/oidc/logout"' in my_domain
    assert '"LoginPageType":"standard"' in my_domain
    assert '{"error":"not_found","error_description":"no such resource: /.well-known/auth-configuration"}' in my_domain

    frontdoor = _block(blocks, outputs, "frontdoor.jsp?sid=$TOKEN")
    assert f"302 {base}/lightning/page/home\n" in frontdoor
    assert f"302 {base}/?ec=302&startURL=%2Fhome\n" in frontdoor
    assert f'{{"frontdoor_uri":"{base}/secur/frontdoor.jsp?otp=' in frontdoor

    logout = _block(blocks, outputs, "post_logout_redirect_uri=https://evil.example/")
    assert logout.split() == ["302", "https://app.example.com/cb?state=s1", "200"]
