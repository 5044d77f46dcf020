"""The pytest plugin (entry point ``pytest11: mockown``): fixtures that give each test its own org and Own
account on a mockown server, in-process by default or external (``--mockown-url`` / ``MOCKOWN_URL``).

Light to import: nothing beyond pytest and the standard library loads until a fixture is used.

Fixtures: ``mockown`` (the per-test handle, `mockown.testing.handle.Mockown`), ``sf_org``, ``sf_app``,
``sf_user``, ``sf_token``, ``own_account``, ``own_user``, ``own_api_token``, ``own_access_token``,
``mockown_intercept`` (intercept mode for the test), and the session-level ``mockown_server`` (where the
traffic goes), ``mockown_config`` and ``mockown_defaults`` (override them in a conftest.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from .testing.handle import Mockown
    from .testing.interceptor import intercept
    from .testing.target import Target

MARKER = (
    "mockown(**options): this test's mockown org and Own account: connected-app fields (rotation=True, "
    "session_timeout='15m', refresh_token_policy='idle', ...), org={...}, users=[...], apps=[...], "
    "own={...} (own=False: none), own_user={...}, seed={...} (more sections), keep=True (no clean-up), "
    "config={...} (a private in-process server with these settings)"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockown", "mockown (Salesforce OAuth / Own API emulator)")
    group.addoption(
        "--mockown-url",
        dest="mockown_url",
        default=None,
        metavar="URL",
        help="drive the mockown server at URL through its control plane instead of an in-process app "
        "(env MOCKOWN_URL, ini mockown_url)",
    )
    group.addoption(
        "--mockown-admin-token",
        dest="mockown_admin_token",
        default=None,
        metavar="TOKEN",
        help="admin token of that server's control plane (env MOCKOWN_ADMIN_TOKEN, ini mockown_admin_token)",
    )
    parser.addini("mockown_url", "base URL of an external mockown server (see --mockown-url)", default="")
    parser.addini("mockown_admin_token", "admin token of the external server's control plane", default="")
    parser.addini("mockown_config", "YAML config file of the in-process mockown server", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


def _setting(config: pytest.Config, option: str, env: str) -> str | None:
    value = config.getoption(option, default=None) or os.environ.get(env) or config.getini(option)
    return str(value) if value else None


def pytest_report_header(config: pytest.Config) -> str | None:
    url = _setting(config, "mockown_url", "MOCKOWN_URL")
    return f"mockown: external server {url}" if url else None


# -- session level -------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def mockown_config() -> dict[str, Any]:
    """Settings of the in-process server (a conftest.py may override this fixture), over the ini file's
    ``mockown_config`` YAML and ``MOCKOWN_*`` variables. Same keys as `mockown.Config`, e.g.
    ``{"own": {"backup_mode": "polls:3"}, "frozen_at": "2026-01-01T00:00:00Z"}``."""
    return {}


@pytest.fixture(scope="session")
def mockown_defaults() -> dict[str, Any]:
    """Options every test's org gets unless its ``@pytest.mark.mockown(...)`` says otherwise
    (override in a conftest.py, e.g. ``{"rotation": True}``)."""
    return {}


class MockownSession:
    """What the session's fixtures share: the target and, in-process, the config it was built from."""

    def __init__(self, target: Target, base_config: Any = None) -> None:
        self.target = target
        self.base_config = base_config

    def private(self, overrides: dict[str, Any]) -> Target:
        """A new in-process server with `overrides` on top of the session's settings (a `seed` file among them
        is loaded, unless they say ``seed_defaults: False``). Raises `ConfigError` or `SeedError`."""
        from . import create_app
        from .testing.target import LocalTarget

        if overrides.get("seed") is not None:
            overrides = {"seed_defaults": True, **overrides}
        return LocalTarget(create_app(self.base_config.replace(**overrides)))


# The in-process server's own default, below the config file and the environment: no demo seed (each test seeds
# its own org), unless a source says seed_defaults or names a seed file.
NO_DEMO_SEED = {"seed_defaults": False}


def _load_config(file: str | None, mockown_config: dict[str, Any]) -> Any:
    """The in-process server's `Config`: `NO_DEMO_SEED` < the ini's file (or ``MOCKOWN_CONFIG``) < ``MOCKOWN_*``
    < the ``mockown_config`` fixture. A seed file named anywhere keeps the seeding on (an explicit
    ``seed_defaults`` still wins)."""
    from . import Config

    config = Config.load(file=file, overrides=mockown_config, defaults=NO_DEMO_SEED)
    if config.seed is not None:
        config = Config.load(file=file, overrides=mockown_config)
    return config


_EXIT_STATUS = pytest.StashKey[int]()  # on the xdist controller: the exit status a worker's _stop_run asked for


def _stop_run(request: pytest.FixtureRequest, message: str, returncode: int) -> NoReturn:
    """Stop the whole run with `message` and exit status `returncode`. In a pytest-xdist worker `pytest.exit`
    would crash the worker (the controller reports an INTERNALERROR and the message is lost): there the test
    fails with the message, the worker stops after it, and the controller ends the run with `returncode`."""
    config = request.config
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is None:
        pytest.exit(message, returncode=returncode)
    workeroutput["mockown_exitstatus"] = returncode
    request.session.shouldstop = message
    raise pytest.fail.Exception(message, pytrace=False) from None  # the message alone, no chained errors


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: a worker that stopped the run through `_stop_run` hands its exit status over."""
    status = getattr(node, "workeroutput", {}).get("mockown_exitstatus")
    if status is not None:
        node.config.stash[_EXIT_STATUS] = int(status)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    status = session.config.stash.get(_EXIT_STATUS, None)
    if status is not None:
        session.exitstatus = status


@pytest.fixture(scope="session")
def _mockown_session(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config, mockown_config: dict[str, Any]
) -> Iterator[MockownSession]:
    url = _setting(pytestconfig, "mockown_url", "MOCKOWN_URL")
    session: MockownSession
    if url:
        from .testing.control import ControlPlaneError
        from .testing.target import RemoteTarget

        token = _setting(pytestconfig, "mockown_admin_token", "MOCKOWN_ADMIN_TOKEN")
        target: Target = RemoteTarget(url, token)
        try:
            target.control.health()
        except ControlPlaneError as exc:
            target.close()
            _stop_run(request, f"mockown: the control plane of {url} refused us: {exc}", 3)
        except Exception as exc:
            target.close()
            _stop_run(request, f"mockown: no mockown server answers at {url}: {exc!r}", 3)
        session = MockownSession(target)
    else:
        from . import create_app
        from .config import ConfigError
        from .seed import SeedError
        from .testing.target import LocalTarget

        config_file = pytestconfig.getini("mockown_config") or None
        if config_file and not os.path.isabs(config_file):
            config_file = os.path.join(str(pytestconfig.rootpath), config_file)
        where = "mockown: the in-process server's settings (mockown_config, MOCKOWN_*):"
        try:
            base = _load_config(config_file, mockown_config)
        except ValueError as exc:  # ConfigError: the message names the setting
            _stop_run(request, f"{where} {exc}", 4)
        try:  # what only the app checks: a setting its services read, the seed file and its contents
            session = MockownSession(LocalTarget(create_app(base)), base)
        except (ConfigError, SeedError) as exc:
            _stop_run(request, f"{where} {exc}", 4)
    try:
        yield session
    finally:
        session.target.close()


@pytest.fixture(scope="session")
def mockown_server(_mockown_session: MockownSession) -> Target:
    """Where the session's mockown traffic goes: `LocalTarget` (the app in-process; ``.url`` opens a real
    socket on a free port on first use) or `RemoteTarget` (``--mockown-url``). ``.client()``, ``.control``."""
    return _mockown_session.target


# -- per test ------------------------------------------------------------------------------------------
def _options(request: pytest.FixtureRequest, defaults: Any) -> dict[str, Any]:
    """The test's options: ``mockown_defaults`` (None: no defaults) under its markers, the closest marker winning
    (function over class over module); see `merge_options`."""
    from .testing.options import merge_options

    if defaults is None:
        defaults = {}
    elif not isinstance(defaults, Mapping):
        raise ValueError(f"mockown_defaults must return a mapping of mockown options (a dict), not {defaults!r:.80}")
    layers: list[tuple[str, dict[str, Any]]] = [("mockown_defaults", dict(defaults))]
    for marker in reversed(list(request.node.iter_markers("mockown"))):  # farthest first
        if marker.args:
            raise ValueError(f"@pytest.mark.mockown takes keyword arguments only, not {marker.args!r}")
        layers.append(("", dict(marker.kwargs)))
    return merge_options(layers)


@pytest.fixture
def mockown(
    request: pytest.FixtureRequest, _mockown_session: MockownSession, mockown_defaults: dict[str, Any]
) -> Iterator[Mockown]:
    """This test's own org (two users, a connected app) and Own account (a master admin with an API token;
    made when the test first needs it) on the session's server, with clients, clock, outbox, journal, faults,
    snapshots and token shortcuts."""
    from .config import ConfigError
    from .seed import SeedError
    from .testing.control import ControlPlaneError
    from .testing.handle import Mockown

    try:
        options = _options(request, defaults=mockown_defaults)
    except ValueError as exc:
        _misuse(request, exc)
    overrides = options.pop("config", None)
    target = _mockown_session.target
    private: Target | None = None
    if overrides:
        if _mockown_session.base_config is None:
            pytest.skip("@pytest.mark.mockown(config=...) needs an in-process server (not --mockown-url)")
        try:
            private = target = _mockown_session.private(dict(overrides))
        except (ConfigError, SeedError) as exc:
            _misuse(request, exc, "@pytest.mark.mockown(config=...):")
    handle = Mockown(target, options, label=request.node.nodeid)
    try:
        try:
            handle.start()
        except ConfigError as exc:  # a setting the server checks when a service first starts
            where = "the in-process server's settings (mockown_config, MOCKOWN_*):"
            _misuse(request, exc, where if private is None else "@pytest.mark.mockown(config=...):")
        except ControlPlaneError as exc:
            if exc.status != 400:
                raise
            body = exc.body if isinstance(exc.body, dict) else {}
            detail = body.get("error_description") or body.get("message") or exc
            _misuse(request, detail, "the seed made from its mockown options was refused:")
        yield handle
        handle.close()
        _raise_app_errors(target)
    finally:
        try:
            handle.close()
        finally:
            if private is not None:
                private.close()


def _misuse(request: pytest.FixtureRequest, exc: object, what: str = "") -> NoReturn:
    """Fail the test's set-up with one line saying which option is wrong: the plugin's own traceback
    would only hide it."""
    if what and not what.endswith(" "):
        what += " "
    # from None: raised while handling the option's error, it would print that error's message first, chained
    raise pytest.fail.Exception(f"{request.node.nodeid}: {what}{exc}", pytrace=False) from None


def _raise_app_errors(target: Target) -> None:
    """An exception the app raised while serving a real socket during the test fails the test with its
    traceback (in-process calls raise it at the call already)."""
    take = getattr(target, "take_errors", None)
    errors = take() if callable(take) else []
    if errors:
        raise errors[0]


@pytest.fixture
def sf_org(mockown: Mockown) -> dict[str, Any]:
    """This test's org: ``id``, ``name``, ``users``, ``apps``."""
    return mockown.org


@pytest.fixture
def sf_app(mockown: Mockown) -> dict[str, Any]:
    """This test's connected app: ``client_id``, ``client_secret``, ``callback_urls``."""
    return mockown.app


@pytest.fixture
def sf_user(mockown: Mockown) -> dict[str, Any]:
    """This test's administrator: ``id``, ``username``, ``password``, ``security_token``."""
    return mockown.user


@pytest.fixture
def sf_token(mockown: Mockown) -> dict[str, Any]:
    """A token response for `sf_user` through `sf_app` (username-password flow)."""
    return mockown.issue_token()


@pytest.fixture
def own_account(mockown: Mockown) -> dict[str, Any]:
    """This test's Own account: ``id``, ``users``, ``services``, ``templates``, ``endpoints``."""
    account = mockown.own_account
    if account is None:
        pytest.skip(f"no Own account: {mockown.own_missing}")
    return account


@pytest.fixture
def own_user(mockown: Mockown) -> dict[str, Any]:
    """The Own account's master admin: ``id``, ``email``, ``password``, ``api_token``."""
    return mockown.own_user


@pytest.fixture
def own_api_token(mockown: Mockown) -> str:
    return mockown.own_api_token


@pytest.fixture
def own_access_token(mockown: Mockown) -> str:
    """An Own access token (the API token exchanged at the auth host)."""
    return mockown.own_access_token()


@pytest.fixture
def mockown_intercept(mockown: Mockown) -> Iterator[Mockown]:
    """Intercept mode for this test: `requests` / `httpx` calls to login.salesforce.com, *.my.salesforce.com,
    auth.owndata.com, *.owndata.com, *.ownbackup.com, ... reach this test's server. Yields the handle."""
    from .testing.interceptor import intercept as intercept_cls

    interceptor: intercept = intercept_cls(mockown.target)
    with interceptor:
        yield mockown
