"""The hybrid flows' `visualforce_domain` for a sandbox or partitioned My Domain: Salesforce marks the first label
(`acme--sbx--c.sandbox.vf.force.com`, `x-dev-ed--c.develop.vf.force.com`, as public code shows them); the mock put
`--c` after the partition (`acme--sbx.sandbox--c.vf.force.com`), a host that does not exist. Lightning and content
hosts keep the partition where it is."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mockown.runtime import Runtime
from mockown.salesforce.hybrid import domains
from mockown.salesforce.seed import seed_org


@pytest.mark.parametrize(
    ("instance_url", "expected"),
    [
        ("https://acme.my.salesforce.com", ("acme.lightning.force.com", "acme--c.vf.force.com", "acme.file.force.com")),
        (
            "https://acme--sbx.sandbox.my.salesforce.com",
            (
                "acme--sbx.sandbox.lightning.force.com",
                "acme--sbx--c.sandbox.vf.force.com",
                "acme--sbx.sandbox.file.force.com",
            ),
        ),
        (
            "https://x-dev-ed.develop.my.salesforce.com",
            (
                "x-dev-ed.develop.lightning.force.com",
                "x-dev-ed--c.develop.vf.force.com",
                "x-dev-ed.develop.file.force.com",
            ),
        ),
        ("http://127.0.0.1:8080", ("127.0.0.1:8080", "127.0.0.1:8080", "127.0.0.1:8080")),
    ],
)
def test_the_hybrid_domains_of_an_instance(instance_url: str, expected: tuple[str, str, str]) -> None:
    assert domains(instance_url) == expected


def test_a_sandbox_orgs_hybrid_token_names_its_visualforce_host(client: httpx.Client, runtime: Runtime) -> None:
    host = "acme--sbx.sandbox.my.salesforce.com"
    org = seed_org(runtime, {"my_domain": host, "users": [{"username": "h@sbx.test", "password": "Secret-1"}],
                             "apps": [{"callback_urls": ["myapp://done"], "scopes": ["api", "web"]}]})  # fmt: skip
    query = {"response_type": "hybrid_token", "client_id": org["apps"][0]["client_id"], "redirect_uri": "myapp://done",
             "login_hint": "h@sbx.test"}  # fmt: skip
    response = client.get("/services/oauth2/authorize", params=query, headers={"Host": host})
    assert response.status_code == 302, response.text
    fragment = parse_qs(urlsplit(response.headers["location"]).fragment)
    assert fragment["visualforce_domain"] == ["acme--sbx--c.sandbox.vf.force.com"]
