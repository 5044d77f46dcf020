"""The contract suite's options and fixtures (`pytest contracts --target URL`, or `mockown contract`).

Options: `--target URL` (required), `--profile mock|real` (default mock), `--api salesforce|own|all`,
`--allow-writes` (real profile: also run checks that change state), `--max-examples N` (schema runs).
Checks marked `salesforce` / `own` follow `--api`; every skip says why, and the terminal summary lists them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from .suite.support import ENV, ENV_PREFIX, ControlPlane, OwnCreds, SfApp, SfCreds, Target, env


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockown contract")
    group.addoption("--target", default=None, help="base URL of the backend under test (mock or real)")
    group.addoption("--profile", default="mock", choices=["mock", "real"], help="mock: also use the control plane")
    group.addoption("--api", default="all", choices=["salesforce", "own", "all"], help="which API to check")
    group.addoption("--allow-writes", action="store_true", default=False, help="real profile: run state changes")
    group.addoption("--max-examples", type=int, default=None, help="examples per operation in schema runs")


def pytest_configure(config: pytest.Config) -> None:
    for name, text in [
        ("salesforce", "a check of the Salesforce contract"),
        ("own", "a check of the Own contract"),
        ("schema", "a schemathesis run over the OpenAPI document"),
        ("rules", "a behavioural check"),
    ]:
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    api = config.getoption("--api")
    if api == "all":
        return
    keep, drop = [], []
    for item in items:
        other = "own" if api == "salesforce" else "salesforce"
        (drop if item.get_closest_marker(other) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> list[str]:
    target = config.getoption("--target")
    return [
        f"mockown contract: target={target} profile={config.getoption('--profile')} api={config.getoption('--api')}"
        f" allow_writes={config.getoption('--allow-writes')}"
    ]


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section("checks skipped against this target (and why)")
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        terminalreporter.write_line(f"SKIPPED {report.nodeid.split('::', 1)[-1]}: {reason}")


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    url = pytestconfig.getoption("--target")
    if not url:
        raise pytest.UsageError("the contract suite needs --target URL (e.g. --target http://127.0.0.1:8080)")
    profile = pytestconfig.getoption("--profile")
    max_examples = pytestconfig.getoption("--max-examples") or (25 if profile == "mock" else 5)
    return Target(
        url=url.rstrip("/"),
        profile=profile,
        api=pytestconfig.getoption("--api"),
        allow_writes=pytestconfig.getoption("--allow-writes"),
        max_examples=max_examples,
        admin_token=env("ADMIN_TOKEN") or __import__("os").environ.get("MOCKOWN_ADMIN_TOKEN") or None,
    )


@pytest.fixture(scope="session")
def control(target: Target) -> Iterator[ControlPlane | None]:
    if not target.mock:
        yield None
        return
    plane = ControlPlane(target)
    try:
        yield plane
    finally:
        plane.close()


def _suffix() -> str:
    return secrets.token_hex(4)


@pytest.fixture(scope="session")
def mock_seed(control: ControlPlane | None) -> dict[str, Any]:
    """Mock profile: a fresh org (one app per refresh-token policy) and a fresh Own account, ours alone."""
    if control is None:
        return {}
    tag = _suffix()
    app_defaults = {"scopes": ["api", "refresh_token", "openid", "id", "web", "full"], "auto_approve": True,
                    "callback_urls": ["http://localhost:8080/callback"], "pre_approved_users": ["*"]}  # fmt: skip
    document = {
        "salesforce": {
            "orgs": [
                {
                    "name": f"Contract org {tag}",
                    "users": [{"username": f"contract-{tag}@mockown.test", "password": f"Contract-{tag}!"}],
                    "apps": [
                        {"name": "standard", **app_defaults, "introspect_all": True},
                        {"name": "rotating", **app_defaults, "rotation": True},
                        {"name": "idle", **app_defaults, "refresh_token_policy": "idle", "refresh_token_ttl": "1h"},
                        {"name": "immediately", **app_defaults, "refresh_token_policy": "immediately"},
                        {"name": "short_session", **app_defaults, "session_timeout": "15m"},
                    ],
                }
            ]
        },
        "own": {
            "accounts": [
                {
                    "name": f"Contract account {tag}",
                    "services": [{"business_unit": "Default", "backups": 3, "objects": ["accounts", "contacts"]}],
                    "users": [
                        {
                            "email": f"owner-{tag}@own.mockown.test",
                            "role": "master_admin",
                            "api_token": True,
                            "password": f"Owner-{tag}!",
                        },
                        {
                            "email": f"spare-{tag}@own.mockown.test",
                            "role": "master_admin",
                            "password": f"Spare-{tag}!",
                        },
                    ],
                }
            ]
        },
    }
    return control.seed(document)


@pytest.fixture(scope="session")
def sf(target: Target, mock_seed: dict[str, Any]) -> SfCreds:
    if target.mock:
        org = mock_seed["salesforce"]["orgs"][0]
        user = org["users"][0]
        apps = {a["name"]: SfApp(a["client_id"], a["client_secret"], a["callback_urls"][0]) for a in org["apps"]}
        return SfCreds(app=apps["standard"], username=user["username"], password=user["password"], apps=apps)
    client_id = env("SF_CLIENT_ID")
    if not client_id:
        pytest.skip(f"no Salesforce connected app: set {ENV_PREFIX}SF_CLIENT_ID (and SF_CLIENT_SECRET)")
    rotation = env("SF_ROTATION")
    return SfCreds(
        app=SfApp(client_id, env("SF_CLIENT_SECRET")),
        username=env("SF_USERNAME"),
        password=env("SF_PASSWORD"),
        jwt_key=env("SF_JWT_KEY"),
        jwt_audience=env("SF_JWT_AUDIENCE") or "https://login.salesforce.com",
        refresh_token=env("SF_REFRESH_TOKEN"),
        rotation=None if rotation is None else rotation.lower() in ("1", "true", "yes", "on"),
    )


@pytest.fixture(scope="session")
def own(target: Target, mock_seed: dict[str, Any]) -> OwnCreds:
    if target.mock:
        account = mock_seed["own"]["accounts"][0]
        owner, spare = account["users"][0], account["users"][1]
        return OwnCreds(
            api_token=owner["api_token"],
            auth_url=target.url,
            api_url=target.url,
            region="app1",
            email=owner["email"],
            password=owner["password"],
            spare_email=spare["email"],
            spare_password=spare["password"],
        )
    token = env("OWN_API_TOKEN")
    if not token:
        pytest.skip(f"no Own credentials: set {ENV_PREFIX}OWN_API_TOKEN (and OWN_REGION)")
    region = env("OWN_REGION") or "app1"
    return OwnCreds(
        api_token=token,
        auth_url=(env("OWN_AUTH_URL") or "https://auth.owndata.com").rstrip("/"),
        api_url=(env("OWN_API_URL") or f"https://{region}.owndata.com").rstrip("/"),
        region=region,
    )


__all__ = ["ENV"]
