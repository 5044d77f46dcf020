"""`b2c.slas_channel_id: warn` accepts a SLAS call without `channel_id` "and logs it" (config.py): a warning on the
`mockown.b2c` logger naming the client and the missing channel_id, once per such call; `required` refuses it (400)
and a call with a channel_id logs nothing."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client

from .test_slas import BASE, PRIVATE, PUBLIC, SECRET, basic, guest_code, pkce_token


@pytest.fixture
def warn_client() -> Iterator[httpx.Client]:
    app = create_app(Config().replace(b2c={"slas_channel_id": "warn"}), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as c:
        yield c


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mockown.b2c" and r.levelname == "WARNING"]


def test_a_missing_channel_id_is_accepted_and_logged(
    warn_client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="mockown.b2c"):
        response = warn_client.post(
            BASE + "/token", data={"grant_type": "client_credentials"}, headers=basic(PRIVATE, SECRET)
        )
    assert response.status_code == 200, response.text
    [message] = _warnings(caplog)
    assert PRIVATE in message and "channel_id" in message


def test_a_public_exchange_without_channel_id_names_its_client(
    warn_client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    code, usid = guest_code(warn_client)
    with caplog.at_level("WARNING", logger="mockown.b2c"):
        response = pkce_token(warn_client, code, usid, channel_id="")
    assert response.status_code == 200, response.text
    [message] = _warnings(caplog)
    assert PUBLIC in message and "channel_id" in message


def test_a_channel_id_given_logs_nothing(warn_client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="mockown.b2c"):
        data = {"grant_type": "client_credentials", "channel_id": "RefArch"}
        assert warn_client.post(BASE + "/token", data=data, headers=basic(PRIVATE, SECRET)).status_code == 200
    assert _warnings(caplog) == []


def test_required_refuses_and_logs_nothing(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="mockown.b2c"):
        response = client.post(
            BASE + "/token", data={"grant_type": "client_credentials"}, headers=basic(PRIVATE, SECRET)
        )
    assert response.status_code == 400 and _warnings(caplog) == []
