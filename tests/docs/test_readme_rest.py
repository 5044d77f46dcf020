"""The README's curl examples of the Salesforce REST API, the identity URL and the @salesforce/core Dev Hub check,
run as written (in order, as a reader would) against a real `mockown serve`, each output checked against the
comment the README prints beside it."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.docs.shell_support import ROOT, run_blocks
from tests.server_support import mockown_server

README = (ROOT / "README.md").read_text(encoding="utf-8")
ADMIN = "005g000000Adm1NAAR"


def _chapter(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _blocks(title: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", _chapter(title), re.DOTALL)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_rest_identity_and_dev_hub_examples_run_as_written() -> None:
    rest = _blocks('Salesforce REST: sObject describe, and Connect "OAuth Usage"')
    identity = _blocks("Salesforce identity URL and userinfo: formats and errors")
    sfcore = _blocks("Real clients: @salesforce/core (the Salesforce CLI's library)")
    assert len(rest) == 3 and len(identity) == 1 and len(sfcore) == 1
    # the @salesforce/core block starts with `make soak`; only its curl line is an example to run here
    dev_hub = "\n".join(line for line in sfcore[0].splitlines() if not line.startswith("make "))
    with mockown_server() as base:
        describe, resources, usage, ident, devhub = run_blocks([*rest, *identity, dev_hub], base)

    basic, fields, not_modified = [line for line in describe.replace("}User ", "}\nUser ").splitlines() if line]
    assert json.loads(basic)["objectDescribe"]["keyPrefix"] == "005"
    assert json.loads(basic)["recentItems"] == []
    assert fields == "User [('Id', 'id'), ('Username', 'string'), ('Name', 'string')]"
    assert not_modified == "304"

    decoder = json.JSONDecoder()
    query_all, end = decoder.raw_decode(resources)
    search, end2 = decoder.raw_decode(resources, end)
    assert query_all == {
        "totalSize": 1,
        "done": True,
        "records": [
            {
                "attributes": {"type": "User", "url": f"/services/data/v62.0/sobjects/User/{ADMIN}"},
                "Id": ADMIN,
                "Username": "admin@mockown.test",
            }
        ],
    }
    assert search["searchRecords"][0]["Name"] == "Ada Admin"
    assert resources[end2:].strip() == "[]"  # recent

    app = '{"developerName":"Mockown_Demo_App","identifier":"0H45g000000DemoCAC","label":"Mockown Demo App"}'
    page = '"currentPageUrl":"/services/data/v62.0/apps/oauth/usage?page=0&pageSize=100"'
    assert usage.startswith(f'{{"apps":[{app}],{page}')
    assert '"accessTokenFormat":"Opaque","appDeveloperName":"Mockown_Demo_App"' in usage
    assert usage.rstrip().endswith("}204\n401")  # the app's tokens revoked, the admin's session with them

    lines = [line for line in ident.splitlines() if line]
    assert lines[0] == f"user {base}/services/data/v62.0/"
    assert lines[1] == "Invalid_Callback 406"
    assert lines[2] == f'{{"id":"{base}/id/00D5g000004MockEAC/{ADMIN}"'[:40]  # `head -c 40` of the JSON

    assert devhub.strip() == '{"totalSize":0,"done":true,"records":[]}'
