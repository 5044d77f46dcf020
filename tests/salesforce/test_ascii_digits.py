# ruff: noqa: RUF001  # the non-ASCII digits are the point
"""Numbers in URLs and queries are ASCII digits: a regex `\\d` also reads Arabic-Indic (or any Unicode) digits and
`int()` converts them, so `/services/data/v٦٢.0` was served as 62.0 and echoed into every URL it answered."""

from __future__ import annotations

import httpx
import pytest

from mockown.runtime import Runtime
from mockown.salesforce import cursors
from tests.conftest import ADMIN, PASSWORD
from tests.salesforce.helpers import code_tokens, rest
from tests.salesforce.test_query_locators import _many_users
from tests.salesforce.test_soap_login import TOKEN, fault, login_envelope, soap

V = "/services/data/v62.0"


@pytest.mark.parametrize("version", ["v٦٢.0", "v۶۲.0", "v६२.0", "v６２.0", "v6٢.0"])
def test_a_version_of_other_digits_is_the_rest_404(client: httpx.Client, version: str) -> None:
    token = code_tokens(client)["access_token"]
    for path in (f"/services/data/{version}", f"/services/data/{version}/limits"):
        r = rest(client, token, path)
        assert r.status_code == 404, r.text
        assert r.json()[0]["errorCode"] == "NOT_FOUND"


@pytest.mark.parametrize("version", ["٥٩.0", "5٩.0", "５９.0"])
def test_a_soap_version_of_other_digits_is_unsupported(client: httpx.Client, version: str) -> None:
    r = soap(client, login_envelope(ADMIN, PASSWORD + TOKEN), f"/services/Soap/u/{version}")
    assert fault(r)[0] == "sf:UNSUPPORTED_API_VERSION"


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("query?q=SELECT Id FROM User LIMIT ١", "MALFORMED_QUERY"),
        ("query?q=SELECT Id FROM User LIMIT 1٠", "MALFORMED_QUERY"),
        ("search?q=FIND {admin} LIMIT ١", "MALFORMED_SEARCH"),
    ],
)
def test_a_limit_of_other_digits_is_malformed(client: httpx.Client, path: str, code: str) -> None:
    r = rest(client, code_tokens(client)["access_token"], f"{V}/{path}")
    assert r.status_code == 400, r.text
    assert r.json()[0]["errorCode"] == code


@pytest.mark.parametrize("option", ["batchSize=٢٠٠", "batchSize=３００", "batchSize=2٠٠"])
def test_a_batch_size_of_other_digits_is_ignored(option: str) -> None:
    # read directly: HTTP headers arrive as Latin-1, whose characters include no Unicode decimal digit
    assert cursors.batch_size(option) == cursors.DEFAULT_BATCH
    assert cursors.batch_size("batchSize=300") == 300


def test_a_locator_offset_of_other_digits_is_invalid(client: httpx.Client, runtime: Runtime) -> None:
    _many_users(runtime, 250)
    token = code_tokens(client)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Sforce-Query-Options": "batchSize=200"}
    url = client.get(f"{V}/query?q=SELECT Id FROM User", headers=headers).json()["nextRecordsUrl"]
    assert url.endswith("-200")
    assert client.get(url, headers=headers).status_code == 200
    r = client.get(url.removesuffix("200") + "٢٠٠", headers=headers)
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR", r.text


@pytest.mark.parametrize(
    ("name", "value"), [("page", "٣"), ("page", "1٠"), ("page", "３"), ("pageSize", "٥٠"), ("pageSize", "۵")]
)
def test_oauth_usage_paging_of_other_digits_is_invalid(client: httpx.Client, name: str, value: str) -> None:
    token = code_tokens(client)["access_token"]  # the demo admin
    r = client.get(f"{V}/apps/oauth/usage", params={name: value}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400, r.text
    assert r.json()[0]["errorCode"] == "INVALID_API_INPUT"
    assert client.get(
        f"{V}/apps/oauth/usage", params={name: "3"}, headers={"Authorization": f"Bearer {token}"}
    ).is_success
