"""An org's daily API request limit (`api_limit` in a seed, `salesforce.daily_api_limit` for the default) is a
32-bit integer on Salesforce (Apex `OrgLimit.getLimit()` is an `Integer`): a negative limit or one beyond 2**31 - 1
is refused (400 `invalid_seed` naming the field, nothing stored; a `ConfigError` naming the setting); the largest
is served as it is by `/limits`, and 0 (no API calls left) refuses every call, `/limits` too, with
`403 REQUEST_LIMIT_EXCEEDED` and `Sforce-Limit-Info: api-usage=1/0`."""

from __future__ import annotations

import pytest

from mockown import Config, create_app
from mockown.config import API_LIMIT_MAX, ConfigError
from mockown.http.inprocess import in_process_client

BAD = [-1, API_LIMIT_MAX + 1, -(2**63), 10**30]


def _org(api_limit: int, username: str) -> dict[str, object]:
    user = {"username": username, "password": "P4ssw0rd!x"}
    return {"salesforce": {"orgs": [{"api_limit": api_limit, "users": [user], "apps": [{"name": "App"}]}]}}


@pytest.mark.parametrize("value", BAD)
def test_an_api_limit_out_of_range_is_refused_and_nothing_is_stored(value: int) -> None:
    app = create_app(Config())
    orgs = app.state.runtime.salesforce.orgs
    before = len(orgs.all())
    with in_process_client(app) as client:
        response = client.post("/_mockown/seed", json=_org(value, "limit@x.test"))
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_seed"
    assert f"salesforce org api_limit must be between 0 and {API_LIMIT_MAX}" in response.json()["message"]
    assert len(orgs.all()) == before


@pytest.mark.parametrize("value", [0, 1, API_LIMIT_MAX])
def test_an_api_limit_in_range_is_what_limits_answers(value: int) -> None:
    with in_process_client(create_app(Config())) as client:
        org = client.post("/_mockown/seed", json=_org(value, f"l{value}@x.test")).json()["salesforce"]["orgs"][0]
        app = org["apps"][0]
        token = client.post("/services/oauth2/token", data={
            "grant_type": "password", "username": f"l{value}@x.test", "password": "P4ssw0rd!x",
            "client_id": app["client_id"], "client_secret": app["client_secret"]}).json()  # fmt: skip
        limits = client.get("/services/data/v62.0/limits", headers={"Authorization": f"Bearer {token['access_token']}"})
    if value == 0:
        assert limits.status_code == 403, limits.text
        assert limits.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
        assert limits.headers["Sforce-Limit-Info"] == "api-usage=1/0"
        return
    assert limits.status_code == 200, limits.text
    assert limits.json()["DailyApiRequests"]["Max"] == value


@pytest.mark.parametrize("value", BAD)
def test_a_daily_api_limit_setting_out_of_range_is_refused(value: int) -> None:
    message = f"salesforce.daily_api_limit must be between 0 and {API_LIMIT_MAX}"
    with pytest.raises(ConfigError, match=message):
        Config.load(env={"MOCKOWN_SALESFORCE__DAILY_API_LIMIT": str(value)})
    assert Config.load(env={"MOCKOWN_SALESFORCE__DAILY_API_LIMIT": "0"}).salesforce.daily_api_limit == 0
