"""The request journal: newest last, filterable, counted, clearable, secrets redacted."""

from __future__ import annotations

import json
import string

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import CID, ORG, SECRET
from .helpers import access_token, password_token, rest


def test_journal_records_requests_newest_last(api: httpx.Client) -> None:
    token = access_token(api)
    rest(api, token)
    api.get("/services/data")
    body = api.get("/_mockown/journal").json()
    assert body["count"] == 3
    paths = [e["path"] for e in body["entries"]]
    assert paths == ["/services/oauth2/token", "/services/data/v62.0/limits", "/services/data"]
    first, second = body["entries"][:2]
    assert first["grant_type"] == "password" and first["status"] == 200 and first["org"] == ORG
    assert first["client_id"] == CID and first["user"] == "admin@mockown.test"
    assert second["org"] == ORG and second["status"] == 200
    assert first["id"] < second["id"]
    assert first["time"] == "2026-01-01T00:00:00.000Z"


def test_control_plane_calls_are_not_journaled(api: httpx.Client) -> None:
    api.get("/_mockown/health")
    api.get("/_mockown/clock")
    assert api.get("/_mockown/journal").json()["count"] == 0


def test_filters_and_counts(api: httpx.Client) -> None:
    token = access_token(api)
    password_token(api, password="wrong")
    rest(api, token)
    cc = {"grant_type": "client_credentials", "client_id": CID, "client_secret": SECRET}
    api.post("/services/oauth2/token", data=cc)
    refresh = {"grant_type": "refresh_token", "client_id": CID, "refresh_token": "nope"}
    api.post("/services/oauth2/token", data=refresh)

    def count(**params: str) -> int:
        n: int = api.get("/_mockown/journal", params=params).json()["count"]
        assert api.get("/_mockown/journal/counts", params=params).json()["count"] == n
        return n

    assert count(path="/services/oauth2/token") == 4
    assert count(path="/services/data/*") == 1
    assert count(method="post") == 4
    assert count(method="GET") == 1
    assert count(grant_type="password") == 2
    assert count(grant_type="refresh_token") == 1
    assert count(path="/services/oauth2/token", grant_type="client_credentials", status="200") == 1
    assert count(status="400") == 2
    assert count(org=ORG[:15]) == 5  # 15- or 18-character ids
    assert count(org="00D000000000001AAA") == 0
    assert count(client_id=CID) == 4
    counts = api.get("/_mockown/journal/counts").json()
    assert counts["by_path"] == {"POST /services/oauth2/token": 4, "GET /services/data/v62.0/limits": 1}
    assert counts["by_grant_type"] == {"password": 2, "client_credentials": 1, "refresh_token": 1}
    assert counts["by_status"] == {"200": 3, "400": 2}
    last_two = api.get("/_mockown/journal", params={"limit": "2"}).json()["entries"]
    assert [e["grant_type"] for e in last_two] == ["client_credentials", "refresh_token"]
    since = last_two[0]["id"]
    assert [e["id"] for e in api.get("/_mockown/journal", params={"since": str(since)}).json()["entries"]] == [
        since + 1
    ]
    assert api.get("/_mockown/journal", params={"status": "x"}).status_code == 400
    assert api.get("/_mockown/journal", params={"limit": "x"}).status_code == 400


def test_secrets_are_redacted(api: httpx.Client) -> None:
    token = access_token(api)
    api.get("/services/oauth2/userinfo", params={"oauth_token": token})
    api.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {token}", "Cookie": "sid=abc123"})
    api.post(
        "/services/oauth2/token",
        data={"grant_type": "authorization_code", "code": "aPrx.SECRETCODE", "code_verifier": "VERIFIERVALUE"},
    )
    api.post("/services/oauth2/token", json={"grant_type": "urn:x", "assertion": "ASSERTIONVALUE"})
    api.post("/services/oauth2/introspect", data={"token": token}, auth=(CID, SECRET))
    text = json.dumps(api.get("/_mockown/journal").json())
    for secret in (token, "Passw0rd!", SECRET, "SECRETCODE", "VERIFIERVALUE", "ASSERTIONVALUE", "abc123"):
        assert secret not in text
    entries = api.get("/_mockown/journal").json()["entries"]
    assert entries[0]["params"]["password"] == "[redacted]"
    assert entries[0]["params"]["client_secret"] == "[redacted]"
    assert entries[0]["params"]["username"] == "admin@mockown.test"  # what is not secret stays readable
    assert entries[1]["query"] == "oauth_token=[redacted]"
    assert entries[2]["headers"]["authorization"] == "Bearer [redacted]"
    assert entries[2]["headers"]["cookie"] == "[redacted]"
    assert entries[3]["params"]["code"] == "[redacted]" and entries[3]["params"]["grant_type"] == "authorization_code"
    assert entries[4]["params"]["assertion"] == "[redacted]"
    assert entries[5]["headers"]["authorization"] == "Basic [redacted]"
    assert entries[5]["client_id"] == CID  # read from the Basic header


def test_clear(api: httpx.Client) -> None:
    api.get("/services/data")
    assert api.delete("/_mockown/journal").json() == {"deleted": 1}
    assert api.get("/_mockown/journal").json()["count"] == 0


def test_journal_is_bounded() -> None:
    from mockown import Config, FrozenClock, create_app
    from mockown.http.inprocess import in_process_client

    app = create_app(Config(journal_size=3), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        for _ in range(5):
            client.get("/services/data")
        entries = client.get("/_mockown/journal").json()["entries"]
    assert [e["id"] for e in entries] == [3, 4, 5]


SECRET_NAMES = ["password", "client_secret", "refresh_token", "access_token", "token", "code", "assertion",
                "client_assertion", "code_verifier", "device_code", "id_token", "subject_token", "api_key", "sid",
                "otp", "dwsid", "dwsgst", "dwsrst"]  # fmt: skip
# a marker first: without it a generated value can be a piece of what every journal holds (e.g. "authorizatio",
# from the header's name) and "appear" there however well the value itself is redacted
_SECRETISH = st.text(alphabet=string.ascii_letters + string.digits + "!._-", min_size=6, max_size=34).map(
    lambda rest: "zQ9xSecret" + rest
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    secret=_SECRETISH,
    name=st.sampled_from(SECRET_NAMES),
    where=st.sampled_from(["form", "json", "nested-json", "query", "bearer"]),
)
def test_no_secret_reaches_the_journal(client: httpx.Client, secret: str, name: str, where: str) -> None:
    """Whatever the parameter, encoding or place, a secret value never appears in the journal."""
    client.delete("/_mockown/journal")
    if where == "form":
        client.post("/services/oauth2/token", data={"grant_type": "password", name: secret})
    elif where == "json":
        client.post("/services/oauth2/token", json={"grant_type": "password", name: secret})
    elif where == "nested-json":
        client.post("/services/oauth2/token", json={"grant_type": "password", "extra": [{"deep": {name: secret}}]})
    elif where == "query":
        client.get("/services/oauth2/userinfo", params={name: secret})
    else:
        client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {secret}"})
    text = json.dumps(client.get("/_mockown/journal").json())
    assert secret not in text
    assert "[redacted]" in text


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_no_secret_reaches_the_log_text(name: str) -> None:
    """The logs' second line of defence: a `name=value` pair in a message loses its value."""
    from mockown.logs import redact_text

    assert redact_text(f"POST /x?grant_type=password&{name}=zQ9xSecretValue&a=b") == (
        f"POST /x?grant_type=password&{name}=[redacted]&a=b"
    )
