"""The contract suite's options and fixtures (`pytest contracts --target URL`, or `mockown contract`).

Options: `--target URL` (required), `--profile mock|real` (default mock), `--api salesforce|own|marketing|b2c|all`,
`--allow-writes` (real profile: also run checks that change state), `--max-examples N` (schema runs).
Checks marked `salesforce` / `own` / `marketing` / `b2c` follow `--api`; every skip says why, and the terminal
summary lists them.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .suite.real_target import NEEDED, has_credentials, real_target_problem
from .suite.support import (
    ENV,
    ENV_PREFIX,
    B2cCreds,
    ControlPlane,
    McCreds,
    OwnCreds,
    SfApp,
    SfCreds,
    Target,
    env,
    last_answer,
)

APIS = ["salesforce", "own", "marketing", "b2c"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockown contract")
    group.addoption("--target", default=None, help="base URL of the backend under test (mock or real)")
    group.addoption("--profile", default="mock", choices=["mock", "real"], help="mock: also use the control plane")
    group.addoption("--api", default="all", choices=[*APIS, "all"], help="which API to check")
    group.addoption("--allow-writes", action="store_true", default=False, help="real profile: run state changes")
    group.addoption("--max-examples", type=int, default=None, help="examples per operation in schema runs")


def pytest_configure(config: pytest.Config) -> None:
    for name, text in [
        ("salesforce", "a check of the Salesforce contract"),
        ("own", "a check of the Own contract"),
        ("marketing", "a check of the Marketing Cloud Engagement contract"),
        ("b2c", "a check of the B2C Commerce contract (Account Manager, OCAPI, SLAS)"),
        ("schema", "a schemathesis run over the OpenAPI document"),
        ("rules", "a behavioural check"),
    ]:
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    api = config.getoption("--api")
    if api == "all":
        return
    keep, drop = [], []
    others = [name for name in APIS if name != api]
    for item in items:
        (drop if any(item.get_closest_marker(other) for other in others) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed check's report carries the rule it enforces (its docstring: the documented behaviour and where the
    spec says so), printed with the failure, so a CI log names the broken promise and not only the assertion."""
    outcome = yield
    report = outcome.get_result()
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    if report.failed and report.when == "call" and doc:
        name = getattr(item, "originalname", item.name)
        report.sections.append((f"the rule {name} checks", " ".join(doc.split())))
    if report.failed and call.excinfo is not None and isinstance(call.excinfo.value, json.JSONDecodeError):
        answer = last_answer()
        if answer is not None:
            report.sections.append(("the answer that was not JSON", answer))


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
    target = Target(
        url=url.rstrip("/"),
        profile=profile,
        api=pytestconfig.getoption("--api"),
        allow_writes=pytestconfig.getoption("--allow-writes"),
        max_examples=max_examples,
        admin_token=env("ADMIN_TOKEN") or os.environ.get("MOCKOWN_ADMIN_TOKEN") or None,
    )
    # the real profile: credentials for some chosen API, and every host the chosen checks call answers (Salesforce
    # calls --target, Own, Marketing Cloud and B2C their own hosts); the mock profile asks the control plane, see
    # `control`
    if profile == "real":
        problem = real_target_problem(target, APIS if target.api == "all" else [target.api])
        if problem is not None:
            pytest.exit(problem, returncode=2)  # not 1: nothing was checked
    return target


@pytest.fixture(autouse=True)
def _credentials_of_its_api(request: pytest.FixtureRequest, target: Target) -> None:
    """Real profile: a check of an API without credentials skips, naming the variables, even one that needs no login
    (discovery, revoking an unknown token): under `--api all` it would call `--target`, another API's host."""
    if target.mock:
        return
    for api in APIS:
        if request.node.get_closest_marker(api) is not None and not has_credentials(api):
            pytest.skip(f"no {api} credentials: set {NEEDED[api]}")


@pytest.fixture(scope="session")
def control(target: Target) -> Iterator[ControlPlane | None]:
    if not target.mock:
        yield None
        return
    plane = ControlPlane(target)
    problem = plane.problem()
    if problem is not None:
        plane.http.close()
        pytest.exit(problem, returncode=2)  # not 1: nothing was checked, the backend did not fail a rule
    try:
        yield plane
    finally:
        plane.close()


@pytest.fixture(scope="module")
def http(target: Target) -> Iterator[httpx.Client]:
    with target.client() as client:
        yield client


@pytest.fixture
def clock(target: Target, control: ControlPlane | None) -> Iterator[ControlPlane]:
    """The mock's clock, frozen for one time-based rule and put back afterwards (skips without the control plane)."""
    target.need_mock("time-based rule")
    assert control is not None
    control.freeze()
    try:
        yield control
    finally:
        control.restore_clock()


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


@pytest.fixture(scope="session")
def mc(target: Target, control: ControlPlane | None) -> McCreds:
    """Marketing Cloud: mock: a fresh tenant with a server-to-server integration; real: MC_* env vars."""
    if control is not None:
        created = control.seed({"marketing": {"tenants": [{"name": f"Contract tenant {_suffix()}"}]}})
        tenant = created["marketing"]["tenants"][0]
        server = tenant["integrations"][0]
        return McCreds(
            base=f"{target.url}/mc/{tenant['subdomain']}",
            client_id=server["client_id"],
            client_secret=server["client_secret"],
            subdomain=tenant["subdomain"],
        )
    base, client_id, secret = env("MC_AUTH_URL"), env("MC_CLIENT_ID"), env("MC_CLIENT_SECRET")
    if not (base and client_id and secret):
        pytest.skip(f"no Marketing Cloud integration: set {ENV_PREFIX}MC_AUTH_URL, MC_CLIENT_ID and MC_CLIENT_SECRET")
    return McCreds(base=base.rstrip("/"), client_id=client_id, client_secret=secret)


@pytest.fixture(scope="session")
def b2c(target: Target, control: ControlPlane | None) -> B2cCreds:
    """B2C Commerce: mock: an Account Manager client, an instance with a site, a SLAS tenant with a public and a
    private client, all fresh; real: B2C_* env vars (each group of checks skips when its variables are missing)."""
    if control is None:

        def url(name: str) -> str | None:
            value = env(name)
            return value.rstrip("/") if value else None

        return B2cCreds(
            am_url=url("B2C_AM_URL") or "https://account.demandware.com",
            am_client_id=env("B2C_AM_CLIENT_ID"),
            am_client_secret=env("B2C_AM_CLIENT_SECRET"),
            instance_url=url("B2C_INSTANCE_URL"),
            site=env("B2C_SITE"),
            ocapi_client_id=env("B2C_OCAPI_CLIENT_ID"),
            ocapi_version=env("B2C_OCAPI_VERSION") or "v24_5",
            slas_url=url("B2C_SLAS_URL"),
            org_id=env("B2C_SLAS_ORG_ID"),
            channel_id=env("B2C_SLAS_CHANNEL_ID"),
            public_client_id=env("B2C_SLAS_PUBLIC_CLIENT_ID"),
            redirect_uri=env("B2C_SLAS_REDIRECT_URI"),
            private_client_id=env("B2C_SLAS_PRIVATE_CLIENT_ID"),
            private_client_secret=env("B2C_SLAS_PRIVATE_CLIENT_SECRET"),
            shopper_login=env("B2C_SLAS_SHOPPER_LOGIN"),
            shopper_password=env("B2C_SLAS_SHOPPER_PASSWORD"),
        )
    tag = _suffix()
    host, site, ocapi_client = f"contract-{tag}.dx.mockown.test", "ContractSite", f"contract-ocapi-{tag}"
    org, short_code, callback = f"f_ecom_{tag[:4]}_{tag[4:7]}", f"c{tag}", "http://localhost:3000/callback"
    slas_client = {"redirect_uris": [callback], "channels": [site]}
    document = {
        "b2c": {
            "account_manager": {"clients": [{"client_id": f"contract-am-{tag}", "name": f"Contract {tag}"}]},
            "instances": [{"host": host, "sites": [{"id": site, "client_ids": [ocapi_client]}]}],
            "slas": {
                "tenants": [
                    {
                        "org_id": org,
                        "short_code": short_code,
                        "clients": [
                            {"client_id": f"contract-public-{tag}", **slas_client},
                            {"client_id": f"contract-private-{tag}", "client_secret": f"Private-{tag}", **slas_client},
                        ],
                        "shoppers": [{"login": f"shopper-{tag}@mockown.test", "password": f"Shopper-{tag}!"}],
                    }
                ]
            },
        }
    }
    created = control.seed(document)["b2c"]
    am_client = created["account_manager"]["clients"][0]
    public, private = created["slas"]["tenants"][0]["clients"]
    shopper = created["slas"]["tenants"][0]["shoppers"][0]
    return B2cCreds(
        am_url=f"{target.url}/b2c/am",
        am_client_id=am_client["client_id"],
        am_client_secret=am_client["client_secret"],
        instance_url=f"{target.url}/b2c/instances/{host}",
        site=site,
        ocapi_client_id=ocapi_client,
        slas_url=f"{target.url}/b2c/{short_code}",
        org_id=org,
        channel_id=site,
        public_client_id=public["client_id"],
        redirect_uri=callback,
        private_client_id=private["client_id"],
        private_client_secret=private["client_secret"],
        shopper_login=shopper["login"],
        shopper_password=shopper["password"],
    )


__all__ = ["ENV"]
