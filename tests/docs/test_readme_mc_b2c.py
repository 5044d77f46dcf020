"""The README's Marketing Cloud and B2C Commerce curl examples, run as written against a real `mockown serve`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.server_support import mockown_server

README = Path(__file__).resolve().parents[2] / "README.md"
DEFAULT = "http://127.0.0.1:8080"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def _example(chapter: str) -> str:
    section = README.read_text(encoding="utf-8").split(f"\n## {chapter}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, f"the README lost its {chapter} example"
    assert DEFAULT in match.group(1)
    return match.group(1)


def _run(script: str, base: str) -> str:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.replace(DEFAULT, base)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _objects(text: str) -> list[dict[str, object]]:
    """The JSON objects curl printed back to back (the examples add no newlines)."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while (at := text.find("{", at)) != -1:
        try:
            value, end = decoder.raw_decode(text, at)
        except ValueError:
            at += 1
            continue
        found.append(value)
        at = end
    return found


def test_readme_marketing_cloud_example() -> None:
    with mockown_server() as base:
        out = _run(_example("Marketing Cloud Engagement"), base)
    userinfo, error, grant_error = _objects(out)
    assert userinfo["organization"]["member_id"] == 10123457  # type: ignore[index]
    redirect = re.search(r"http://localhost:8080/callback\?(\S+)$", out, re.MULTILINE)
    assert redirect, out
    assert {part.split("=")[0] for part in redirect.group(1).split("&")} == {"code", "state", "tssd"}
    assert "state=s1" in redirect.group(1)
    assert error["error"] == "invalid_client"
    assert grant_error["error"] == "unsupported_grant_type"
    assert re.findall(r"} (\d{3})$", out, re.MULTILINE) == ["401", "400"]  # the statuses the comment names


def test_readme_b2c_example() -> None:
    with mockown_server() as base:
        out = _run(_example("B2C Commerce"), base)
    am, bm, customer, guest, private, jwks = _objects(out)
    assert (am["token_type"], am["expires_in"]) == ("Bearer", 1799)
    assert (bm["token_type"], bm["expires_in"]) == ("Bearer", 900)
    assert re.search(r"^authorization: Bearer eyJ", out, re.MULTILINE | re.IGNORECASE)
    assert customer["login"] == "shopper@mockown.test"
    assert guest["usid"] and guest["refresh_token"] and guest["expires_in"] == 1800
    assert private["customer_id"] and private["refresh_token"] != guest["refresh_token"]
    keys = jwks["keys"]
    assert keys and all(key["kty"] == "EC" and key["crv"] == "P-256" for key in keys)  # type: ignore[union-attr]
