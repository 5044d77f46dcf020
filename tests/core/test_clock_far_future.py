"""The clock stops 1,000 years (the longest TTL) before the end of the year 9999, so everything it issues expires at
an instant a date can show. At 9999-12-29 (allowed before) a 180-day Own API token and a long Salesforce session
expired in the year 10000: the dashboard and the Own Edit Profile page were 500s from then on."""

from __future__ import annotations

import re

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.clock import CLOCK_LATEST, check_clock, iso
from mockown.http.inprocess import in_process_client

FAR = {
    "salesforce": {
        "orgs": [
            {
                "name": "Far",
                "users": [{"username": "far@example.test", "password": "Far-Passw0rd"}],
                "apps": [
                    {
                        "client_id": "FarApp",
                        "client_secret": "FarSecret",
                        "callback_urls": ["https://x.example/cb"],
                        "session_timeout": 1000 * 365.25 * 86400,
                        "username_password_allowed": True,
                        "scopes": ["api"],
                    }
                ],
            }
        ]
    }
}


def test_at_the_clocks_last_instant_everything_issued_can_be_shown() -> None:
    app = create_app(Config())
    with in_process_client(app, base_url="http://testserver") as c:
        assert c.post("/_mockown/seed", json=FAR).status_code in (200, 201)
        assert c.post("/_mockown/clock", json={"set": iso(CLOCK_LATEST)}).status_code == 200
        login = {"grant_type": "password", "client_id": "FarApp", "client_secret": "FarSecret",
                 "username": "far@example.test", "password": "Far-Passw0rd"}  # fmt: skip
        assert c.post("/services/oauth2/token", data=login).status_code == 200
        page = c.get("/own/profile")
        csrf = re.search(r"name='_csrf' value='([^']*)'", page.text)
        assert csrf is not None
        form = {"_csrf": csrf.group(1), "email": "support@own.mockown.test", "password": "Supp0rtUser!"}
        assert c.post("/own/profile", data=form).status_code < 400
        assert c.post("/own/profile/token", data={"_csrf": csrf.group(1)}).status_code < 400
        assert c.get("/own/profile").status_code == 200
        assert c.get("/_mockown/ui").status_code == 200


@pytest.mark.parametrize("body", [{"set": "9999-12-29T00:00:00Z"}, {"freeze": "9000-01-01T00:00:00Z"}])
def test_the_clock_refuses_instants_after_its_last(body: dict[str, str]) -> None:
    with in_process_client(create_app(Config()), base_url="http://testserver") as c:
        before = c.get("/_mockown/clock").json()["now"]
        answer = c.post("/_mockown/clock", json=body)
        assert answer.status_code == 400
        assert "8999-12-22" in answer.json()["message"]
        assert abs(c.get("/_mockown/clock").json()["now"] - before) < 60


def test_advance_past_the_last_instant_is_refused() -> None:
    clock = FrozenClock(iso(CLOCK_LATEST))
    with pytest.raises(ValueError, match="the clock cannot be at"):
        clock.advance("1d")
    assert clock.now() == CLOCK_LATEST
    with pytest.raises(ValueError):
        FrozenClock("9500-01-01T00:00:00Z")
    assert check_clock(CLOCK_LATEST) == CLOCK_LATEST


def test_a_year_before_1000_has_four_digits() -> None:
    """strftime's %Y wrote '1-01-02T00:00:00Z', no ISO 8601, in the clock's range messages and its state."""
    from mockown.clock import EARLIEST

    assert iso(EARLIEST) == "0001-01-02T00:00:00Z"
    assert iso(EARLIEST, millis=True) == "0001-01-02T00:00:00.000Z"
    with pytest.raises(ValueError, match="from 0001-01-02T00:00:00Z to 8999-12-22T00:00:00Z"):
        check_clock(EARLIEST - 1)
