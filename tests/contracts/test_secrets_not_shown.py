"""A failing check's report shows the repr of its fixtures (the target, the credentials): no secret may be in it."""

from __future__ import annotations

from contracts.suite.support import B2cCreds, McCreds, OwnCreds, SfApp, SfCreds, Target

SECRET = "s3cr3t-do-not-print"


def _secret(n: int) -> str:
    return f"{SECRET}-{n}"


def test_no_secret_is_in_a_repr() -> None:
    app = SfApp("3MVG9client", _secret(1), "http://localhost/cb")
    shown = [
        SfCreds(app=app, username="u@x.test", password=_secret(2), refresh_token=_secret(3), apps={"a": app}),
        OwnCreds(
            api_token=_secret(4),
            auth_url="https://a",
            api_url="https://b",
            password=_secret(5),
            spare_password=_secret(6),
        ),
        McCreds(base="https://mc", client_id="mc-client", client_secret=_secret(7)),
        B2cCreds(
            am_client_id="am",
            am_client_secret=_secret(8),
            private_client_id="p",
            private_client_secret=_secret(9),
            shopper_login="s@x.test",
            shopper_password=_secret(10),
        ),
        Target(url="http://t", profile="real", api="all", allow_writes=False, max_examples=5, admin_token=_secret(11)),
    ]
    leaks = [repr(value) for value in shown if SECRET in repr(value)]
    assert leaks == []
    # what is not secret still is shown (the report stays useful)
    assert "3MVG9client" in repr(shown[0]) and "u@x.test" in repr(shown[0]) and "mc-client" in repr(shown[2])
