"""`mockown contract` against a real `mockown serve`: the whole suite passes and writes JUnit XML."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.conftest import ADMIN, CID, PASSWORD, SECRET
from tests.server_support import mockown_server


def mockown_contract(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`mockown contract --target URL ARGS` in a subprocess, with `env` added to ours (and no plugin autoload)."""
    full_env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **(env or {})}
    cmd = [sys.executable, "-m", "mockown", "contract", "--target", url, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, env=full_env)


def test_mockown_contract_passes_against_mockown_serve(tmp_path: Path) -> None:
    junit = tmp_path / "contract.xml"
    with mockown_server() as url:
        proc = mockown_contract(url, "--junit-xml", str(junit), "--max-examples", "3")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert int(suite.attrib["tests"]) >= 60
    assert suite.attrib["failures"] == "0" and suite.attrib["errors"] == "0"
    # the mock profile runs everything: nothing is skipped against the mock
    assert suite.attrib["skipped"] == "0", proc.stdout[-3000:]
    assert "test_refresh_rotation PASSED" in proc.stdout  # progress, one line per check


def test_real_profile_skips_with_reasons_and_never_needs_the_control_plane(tmp_path: Path) -> None:
    """Against the mock with real-profile credentials: destructive and clock checks skip, saying why."""
    env = {
        "MOCKOWN_CONTRACT_SF_CLIENT_ID": CID,
        "MOCKOWN_CONTRACT_SF_CLIENT_SECRET": SECRET,
        "MOCKOWN_CONTRACT_SF_USERNAME": ADMIN,
        "MOCKOWN_CONTRACT_SF_PASSWORD": PASSWORD,
    }
    # the control plane is locked (an admin token the suite does not have): the real profile must not care
    with mockown_server(["--admin-token", "contract-test-secret"]) as url:
        proc = mockown_contract(url, "--profile", "real", "--api", "salesforce", "-m", "rules", env=env)
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:]
    assert "checks skipped against this target (and why)" in out
    assert "SKIPPED test_session_timeout: time-based rule: needs the control plane" in out
    assert "SKIPPED test_revoking_a_refresh_token_kills_its_access_tokens: revoking the SF_REFRESH_TOKEN" in out
    assert "test_revoked_access_token_is_dead PASSED" in out


def test_real_profile_for_marketing_and_b2c_reads_env_vars_and_skips_the_rest(tmp_path: Path) -> None:
    """Real profile against the mock's demo tenants through their base-URL prefixes: the Marketing Cloud and SLAS
    checks run with MC_* / B2C_SLAS_* credentials; Account Manager and OCAPI skip naming the missing variables;
    the clock checks skip (no control plane)."""
    env = {
        "MOCKOWN_CONTRACT_MC_CLIENT_ID": "mockowndemoserver0000000a",
        "MOCKOWN_CONTRACT_MC_CLIENT_SECRET": "MockownMcServerSecret000",
        "MOCKOWN_CONTRACT_B2C_SLAS_ORG_ID": "f_ecom_zzxy_001",
        "MOCKOWN_CONTRACT_B2C_SLAS_CHANNEL_ID": "RefArch",
        "MOCKOWN_CONTRACT_B2C_SLAS_PUBLIC_CLIENT_ID": "mockown-slas-public",
        "MOCKOWN_CONTRACT_B2C_SLAS_REDIRECT_URI": "http://localhost:3000/callback",
        "MOCKOWN_CONTRACT_B2C_SLAS_PRIVATE_CLIENT_ID": "mockown-slas-private",
        "MOCKOWN_CONTRACT_B2C_SLAS_PRIVATE_CLIENT_SECRET": "MockownSlasSecret0001",
    }
    with mockown_server(["--admin-token", "contract-test-secret"]) as url:
        env["MOCKOWN_CONTRACT_MC_AUTH_URL"] = f"{url}/mc/mcmockowndemo000000000000000"
        env["MOCKOWN_CONTRACT_B2C_SLAS_URL"] = f"{url}/b2c/kv7kzm78"
        proc = mockown_contract(url, "--profile", "real", "-m", "rules", "-k", "marketing or b2c", env=env)
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:]
    assert "test_mc_invalid_client_exact_body PASSED" in out
    assert "test_slas_public_refresh_rotates PASSED" in out
    assert "test_slas_private_refresh_keeps_the_token PASSED" in out
    assert "SKIPPED test_mc_token_expires_after_expires_in: time-based rule: needs the control plane" in out
    assert "SKIPPED test_am_client_credentials_token_fields: Account Manager checks: set MOCKOWN_CONTRACT_B2C_AM" in out
    assert "test_ocapi_guest_jwt_in_the_authorization_header: OCAPI checks: set MOCKOWN_CONTRACT_B2C_INST" in out
