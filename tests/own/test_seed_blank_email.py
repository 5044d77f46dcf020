"""An Own user seeded with an e-mail of only white space was stored with the e-mail "" (the default applied before
the text was stripped): a user no one could sign in as, and a second one was "taken". Such an e-mail is left out,
as an empty one: the user gets the generated address."""

from __future__ import annotations

import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client


@pytest.mark.parametrize("blank", ["", "  ", "\t\n"])
def test_a_blank_email_is_the_generated_one(blank: str) -> None:
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    users = [{"id": 55501, "email": blank}, {"id": 55502, "email": blank}]
    with in_process_client(app) as client:
        answer = client.post("/_mockown/seed", json={"own": {"accounts": [{"users": users}]}})
    assert answer.status_code == 201, answer.text
    own = app.state.runtime.own
    assert [own.user(n).email for n in (55501, 55502)] == ["user-55501@own.mockown.test", "user-55502@own.mockown.test"]


def test_a_given_email_is_stripped_and_lower_cased() -> None:
    app = create_app(Config(), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as client:
        answer = client.post(
            "/_mockown/seed", json={"own": {"accounts": [{"users": [{"id": 55503, "email": " A@X.test "}]}]}}
        )
    assert answer.status_code == 201, answer.text
    assert app.state.runtime.own.user(55503).email == "a@x.test"
