"""The dashboard's masked secrets show no more than the first quarter of a long secret, nothing of a short one."""

from __future__ import annotations

import re

import httpx

SHORT_SECRET = "JwtSecret"  # 9 characters: the old mask showed `JwtS…cret`
LONG_SECRET = "LongSecretValue0123456789abcdefXYZ"


def test_the_apps_table_masks_client_secrets(client: httpx.Client) -> None:
    document = {
        "salesforce": {
            "orgs": [
                {
                    "name": "Masking",
                    "apps": [
                        {"name": "Short Secret App", "client_secret": SHORT_SECRET},
                        {"name": "Long Secret App", "client_secret": LONG_SECRET},
                    ],
                }
            ]
        }
    }
    assert client.post("/_mockown/seed", json=document).status_code == 201
    page = client.get("/_mockown/ui").text
    rows = {
        name: row for row in re.findall(r"<tr>.*?</tr>", page, re.S) for name in re.findall(r"(\w+ Secret App)", row)
    }
    short, long = (re.findall(r"<td>(.*?)</td>", rows[name])[2] for name in ("Short Secret App", "Long Secret App"))
    assert short == "<code>********</code>"  # was <code>JwtS…cret</code>
    assert long == "<code>Long…</code>"


def test_the_apps_table_shows_client_ids_which_are_no_secret(client: httpx.Client) -> None:
    """Masking a consumer key as a secret showed `********` for any key under 32 characters (a seeded `JwtApp`):
    the table is where a tester looks it up."""
    document = {"salesforce": {"orgs": [{"apps": [{"name": "Short Id App", "client_id": "JwtApp"}]}]}}
    assert client.post("/_mockown/seed", json=document).status_code == 201
    page = client.get("/_mockown/ui").text
    assert "<code>JwtApp</code>" in page
    assert "<code>3MVG9Mockown…0000</code>" in page  # the demo app's 85-character key, cut for width
