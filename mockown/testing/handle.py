"""The per-test handle: a fresh Salesforce org and Own account on a shared server, and everything to steer it.

`Mockown(target, options).start()` seeds, through the control plane, one org (two users, one connected app)
and one Own account (a master admin with an API token), all with unique names, so tests never see each
other's tokens, even when pytest-xdist workers share one external server. The default Own account is
seeded when the test first needs it (`own_account`, `own_user`, `own_api_token`, `own_token`, an Own fault
rule, the outbox, `seeded`, `runtime`, `app_object`, `snapshot`, `restore` (after it), or before the clock
moves, so that its times are those of the test's start): a test that never touches Own does not pay for it.
`own=` or `own_user=` seeds it at once. `close()` removes what the test added: its fault rules, its clock
moves, its org and account, and what its `seed=` / `seed()` created (more orgs and accounts, Marketing Cloud
tenants, Account Manager clients and users, B2C instances, SLAS tenants).

Every helper goes through the control plane, so the same test runs against the in-process app and against
`mockown serve` in another process or a container.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .control import ControlPlaneError
from .options import APP_FIELDS, check_options
from .urls import OWN_CLIENT_ID, OWN_SCOPE, Urls

if TYPE_CHECKING:
    import httpx

    from .control import ControlClient
    from .target import Target


class MockownTokenError(AssertionError):
    """A token request that the test expected to succeed was refused; `status` and `body` say why."""

    def __init__(self, flow: str, status: int, body: Any) -> None:
        self.status, self.body = status, body
        super().__init__(f"{flow} token request answered {status}: {body}")


def unique_suffix() -> str:
    """Lower-case, collision-proof across processes and servers (usernames are unique across orgs)."""
    return secrets.token_hex(5)


def seeded_units(created: Mapping[str, Any]) -> list[dict[str, str]]:
    """The Marketing Cloud and B2C units a seed's answer names, as the control plane's reset selectors that
    remove them (``{"marketing_tenant": subdomain}``, ``{"am_client": ...}``, ``{"slas_tenant": ...}`` ...)."""
    units: list[dict[str, str]] = []
    for tenant in (created.get("marketing") or {}).get("tenants") or []:
        units.append({"marketing_tenant": str(tenant["subdomain"])})
    b2c = created.get("b2c") or {}
    am = b2c.get("account_manager") or {}
    units += [{"am_client": str(c["client_id"])} for c in am.get("clients") or []]
    units += [{"am_user": str(u["login"])} for u in am.get("users") or []]
    units += [{"b2c_instance": str(i["host"])} for i in b2c.get("instances") or []]
    units += [{"slas_tenant": str(t["org_id"])} for t in (b2c.get("slas") or {}).get("tenants") or []]
    return units


def _send(send: Callable[..., httpx.Response], url: str, **kwargs: Any) -> httpx.Response:
    """``send(url, **kwargs)`` (a client's ``get`` or ``post``) for a token helper. A failure of the client or its
    transport (the connection a ``close`` fault drops) is raised without the frames below it: they hold the
    request's form, secrets and passwords included, and pytest's ``-l`` prints their locals. An exception of
    the in-process app itself (a bug in mockown) keeps its traceback: it is what there is to see."""
    __tracebackhide__ = True
    try:
        return send(url, **kwargs)
    except Exception as exc:
        if not _in_transport(exc):
            raise
        exc.add_note(
            "(mockown: raised by a token helper's request; the frames below it hold the request's secrets, so the "
            "traceback leaves them out: send the request with mockown.client to see them)"
        )
        raise exc.with_traceback(None) from None


def _in_transport(exc: Exception) -> bool:
    """Whether `exc` was raised by the HTTP client or the in-process transport, not by the app it serves."""
    import httpx

    if isinstance(exc, httpx.HTTPError):
        return True
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    module = "" if tb is None else str(tb.tb_frame.f_globals.get("__name__", ""))
    return module == "mockown.http.inprocess" or module.split(".")[0] in ("httpx", "httpcore", "h11")


def _page_says(page: httpx.Response) -> str:
    """What a page of the browser flow says, for an error message: its error text, else its title and message,
    never the page itself (its forms carry the anti-CSRF token); a body that is not HTML, cut short."""
    import html

    if "html" not in page.headers.get("content-type", ""):
        return page.text[:500]

    def text(pattern: str) -> str:
        found = re.search(pattern, page.text, re.S)
        return html.unescape(re.sub(r"<[^>]*>", "", found.group(1))).strip() if found else ""

    error, message = text(r"<p[^>]*\bid='error'[^>]*>(.*?)</p>"), text(r"<p[^>]*\bid='message'[^>]*>(.*?)</p>")
    title = text(r"<title>(.*?)</title>") or "a page"
    return error or (f"{title}: {message}" if message else f"{title} (HTML, no message)")


def _no_own_api(exc: ControlPlaneError) -> bool:
    """The seed was refused because the server has no Own API."""
    return "unknown seed section 'own'" in str(exc.body)


def _skip(reason: str) -> None:
    """Skip the running test (or, outside pytest, refuse)."""
    try:
        import pytest
    except ImportError:  # pragma: no cover - pytest is there whenever a test runs
        raise RuntimeError(reason) from None
    pytest.skip(reason)


# -- helpers -------------------------------------------------------------------------------------------
class ClockHelper:
    """The server's virtual clock: `now()`, `advance("2h")`, `set(instant)`, `freeze()`, `unfreeze()`."""

    def __init__(self, control: ControlClient, on_change: Any = None) -> None:
        self._control = control
        self._on_change = on_change

    def _change(self, **body: Any) -> float:
        if self._on_change is not None:
            self._on_change()
        return float(self._control.clock(**body)["now"])

    def state(self) -> dict[str, Any]:
        return self._control.clock()

    def now(self) -> float:
        """Epoch seconds on the server's clock."""
        return float(self._control.clock()["now"])

    def advance(self, duration: str | float) -> float:
        """Move forward by seconds or text (``"15m"``, ``"181d"``); returns the new time."""
        return self._change(advance=duration)

    def set(self, instant: str | float) -> float:
        return self._change(set=instant)

    def freeze(self, instant: str | float | None = None) -> float:
        return self._change(freeze=True if instant is None else instant)

    def unfreeze(self) -> float:
        return self._change(unfreeze=True)


class OutboxHelper:
    """E-mails the server sent for this test's org / Own account (or its users' addresses), and for the orgs
    and accounts it seeded with `seed()`."""

    def __init__(self, handle: Mockown) -> None:
        self._handle = handle

    def messages(self, **filters: Any) -> list[dict[str, Any]]:
        """Filters: ``to``, ``kind``, ``subject`` (a substring), as the control plane's."""
        self._handle._own()  # the seed's own e-mails (the API token's) are part of what was sent
        found = self._handle.control.get("outbox", **filters)["messages"]
        mine = self._handle._owners()
        addresses = self._handle._addresses()
        return [m for m in found if m.get("account") in mine or str(m.get("to", "")).lower() in addresses]

    def last(self, **filters: Any) -> dict[str, Any]:
        found = self.messages(**filters)
        if not found:
            raise AssertionError(f"no e-mail matches {filters or 'anything'}")
        return found[-1]

    def assert_sent(self, count: int | None = None, **filters: Any) -> list[dict[str, Any]]:
        found = self.messages(**filters)
        if count is None and not found:
            raise AssertionError(f"no e-mail matches {filters or 'anything'}; sent: {self._summary()}")
        if count is not None and len(found) != count:
            raise AssertionError(
                f"expected {count} e-mail(s) matching {filters}, found {len(found)}: {self._summary()}"
            )
        return found

    def clear(self) -> int:
        self._handle._own()  # what the seed sent goes too, not just what was sent before it was made
        deleted = 0
        for account in self._handle._owners():
            deleted += int(self._handle.control.delete("outbox", account=account)["deleted"])
        return deleted

    def _summary(self) -> list[str]:
        return [f"{m['to']}: {m['subject']}" for m in self.messages()]

    def __len__(self) -> int:
        return len(self.messages())


class JournalHelper:
    """Requests the server received during this test (those of other tests' orgs and accounts left out; the
    orgs and accounts the test seeded with `seed()` are its own)."""

    def __init__(self, handle: Mockown) -> None:
        self._handle = handle
        self.since = 0

    def mark(self) -> None:
        """Forget what came before: later queries see only requests from now on."""
        self.since = self._handle.control.journal_last_id()

    def entries(self, path: str | None = None, **filters: Any) -> list[dict[str, Any]]:
        """Filters as the control plane's: ``path`` (exact or a glob, or a URL), ``method``, ``status``, ``grant_type``,
        ``client_id``, ``org``, ``account``."""
        path = _path_of(path)
        found = self._handle.control.get("journal", path=path, since=self.since, **filters)["entries"]
        orgs, accounts = self._handle._orgs() | {None}, self._handle._accounts() | {None}
        return [e for e in found if e.get("org") in orgs and e.get("account") in accounts]

    def count(self, path: str | None = None, **filters: Any) -> int:
        return len(self.entries(path, **filters))

    def last(self, path: str | None = None, **filters: Any) -> dict[str, Any]:
        found = self.entries(path, **filters)
        if not found:
            raise AssertionError(f"no request matches {path or '*'} {filters}; received: {self._summary()}")
        return found[-1]

    def assert_called(self, path: str | None = None, times: int | None = None, **filters: Any) -> list[dict[str, Any]]:
        """At least once (or exactly `times`) a request matching `path` and the filters."""
        found = self.entries(path, **filters)
        if (times is None and not found) or (times is not None and len(found) != times):
            wanted = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"expected {path or '*'} {filters} {wanted}, got {len(found)}; received: {self._summary()}"
            )
        return found

    def assert_not_called(self, path: str | None = None, **filters: Any) -> None:
        self.assert_called(path, times=0, **filters)

    def _summary(self) -> list[str]:
        return [f"{e['method']} {e['path']} -> {e['status']}" for e in self.entries()]

    def __len__(self) -> int:
        return len(self.entries())


class FaultsHelper:
    """Fault rules for this test. Without ``org`` / ``account`` a rule is scoped to this test's org (or, for
    Own paths, its account), so it never hits another test on a shared server; ``scope="server"`` opts out.
    A path whose requests name neither (Marketing Cloud, B2C, the Salesforce endpoints in `ORGLESS_PATHS` /
    `ORGLESS_PREFIXES`) is refused unscoped: such a rule would never fire. The rules this test added are
    removed when it ends."""

    OWN_PREFIXES = ("/api/", "/regions/", "/oauth2/")
    # The paths whose requests the server ties to a Salesforce org (the journal's and the fault rules' `org`).
    SALESFORCE_PREFIXES = ("/services/", "/id/", "/.well-known/")
    # Among them, those whose requests name no org when the fault rules are matched: the org comes from an
    # /id/<org>/ path, an access token, a client id, a username or a refresh token (journal.resolve), and these
    # endpoints take none: the signing keys, discovery, the API versions list, the consent form's post (its
    # client is inside `q`) and the SOAP API (its envelope is read by the endpoint, after the rules).
    ORGLESS_PATHS = ("/id/keys", "/services/oauth2/authorize/consent")
    ORGLESS_PREFIXES = ("/id/keys", "/.well-known", "/services/Soap/")
    # The API versions list takes no token, but many clients send theirs, which names the org: a rule scoped to the
    # org fires on those. Not by default (a client without a token never meets it); `scope="org"` asks for it.
    TOKEN_ONLY_PATHS = ("/services/data", "/services/data/")

    def __init__(self, handle: Mockown) -> None:
        self._handle = handle
        self.added: list[int] = []

    def _scoped(self, rule: dict[str, Any], scope: str) -> dict[str, Any]:
        match: dict[str, Any] = rule["match"] if isinstance(rule.get("match"), dict) else {}
        if scope == "server" or any(k in rule or k in match for k in ("org", "account")):
            return rule
        path = str(rule.get("path") or match.get("path") or "")
        literal = re.split(r"[*?\[]", path, maxsplit=1)[0]  # what a glob's matches all start with
        if (
            scope == "auto"
            and literal.startswith("/")
            and not any(
                literal.startswith(p) or p.startswith(literal) for p in self.SALESFORCE_PREFIXES + self.OWN_PREFIXES
            )
        ):  # Marketing Cloud, B2C, ...: no request there names an org or an Own account
            if "client_id" in rule or "client_id" in match:
                return rule
            raise ValueError(
                f"a fault rule on {path} cannot be scoped to this test's org or Own account (requests there name "
                "neither, so it would never fire): add client_id=... (matched on the requests that name their "
                "client: its client_id in the body or query, Marketing Cloud's v1 clientId, or HTTP Basic on a "
                "token, revocation or introspection request, as Account Manager's and SLAS's) or scope='server' "
                "(every test on the server sees it)"
            )
        if scope in ("auto", "org") and (path in self.ORGLESS_PATHS or literal.startswith(self.ORGLESS_PREFIXES)):
            raise ValueError(
                f"a fault rule on {path} cannot be scoped to this test's org (requests there name no org: no access "
                "token, client id or username), so it would never fire: add scope='server' (it acts on every request "
                "there until this test ends: an in-process server serves one test at a time, a shared external "
                "server other tests' too), or org=... yourself if the requests carry that org's access token"
            )
        if scope == "auto" and path in self.TOKEN_ONLY_PATHS:
            raise ValueError(
                f"a fault rule on {path} scoped to this test's org fires only on requests that carry its access token "
                "(the versions list needs none, so a client without one never meets it): add scope='org' to say "
                "so, or scope='server' for every request there until this test ends"
            )
        own = path.startswith(self.OWN_PREFIXES) or str(rule.get("preset", "")).startswith("own.")
        if scope == "account" or (scope == "auto" and own):
            if self._handle.own_account_id is None:
                raise RuntimeError("this test has no Own account to scope the fault rule to")
            return {**rule, "account": self._handle.own_account_id}
        return {**rule, "org": self._handle.org_id}

    def add(self, scope: str = "auto", **rule: Any) -> dict[str, Any]:
        """A rule in the control plane's form: ``add(path="/services/oauth2/token", status=503, times=2)``; a
        ``path`` may be a URL (``mockown.urls.token``): its path, as in the journal's queries."""
        if scope not in ("auto", "org", "account", "server"):
            raise ValueError("scope is auto, org, account or server")
        if "path" in rule:
            rule["path"] = _path_of(rule["path"])
        if isinstance(rule.get("match"), dict) and "path" in rule["match"]:
            rule["match"] = {**rule["match"], "path": _path_of(rule["match"]["path"])}
        created: dict[str, Any] = self._handle.control.post("faults", self._scoped(rule, scope))
        if "id" in created:
            self.added.append(int(created["id"]))
        return created

    def preset(self, name: str, scope: str = "auto", **params: Any) -> dict[str, Any]:
        """``preset("salesforce.invalid_session", times=1)``, ``preset("own.rate_limited")`` ..."""
        if name == "salesforce.expire_session" and not params:
            params = {"org": self._handle.org_id}
            scope = "server"
        return self.add(scope=scope, preset=name, **params)

    def rules(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = self._handle.control.get("faults")["rules"]
        return [r for r in rules if r["id"] in self.added]

    def remove(self, rule_id: int) -> None:
        self._handle.control.delete(f"faults/{rule_id}")
        if rule_id in self.added:
            self.added.remove(rule_id)

    def clear(self) -> None:
        for rule_id in list(self.added):
            try:
                self.remove(rule_id)
            except ControlPlaneError as exc:
                if exc.status != 404:
                    raise
                self.added.remove(rule_id)


# -- the handle ----------------------------------------------------------------------------------------
class Mockown:
    """One test's view of a mockown server: its own org and Own account, clients, clock, outbox, journal,
    faults, snapshots and token shortcuts."""

    def __init__(self, target: Target, options: Mapping[str, Any] | None = None, *, label: str = "test") -> None:
        options = dict(options or {})
        check_options(options)
        self.target = target
        self.control = target.control
        self.options = options
        self.label = label[:80]
        self.unique = unique_suffix()
        self._seeded: dict[str, Any] = {}
        self.org: dict[str, Any] = {}
        self._own_account: dict[str, Any] | None = None
        self._own_pending: dict[str, Any] | None = None  # the default Own account, seeded on first need
        self._own_missing: str | None = None  # why there is no Own account
        self._own_lock = threading.Lock()  # one seed; a thread needing the account meanwhile waits for it
        self.clock = ClockHelper(self.control, on_change=self._clock_moved)
        self.outbox = OutboxHelper(self)
        self.journal = JournalHelper(self)
        self.faults = FaultsHelper(self)
        self._clock_start: dict[str, Any] | None = None
        self._extra_orgs: list[str] = []  # what the test seeded besides its org and account: its own too
        self._extra_accounts: list[str] = []
        self._extra_addresses: set[str] = set()  # their users' usernames and e-mails (the outbox's `to`)
        self._units: list[dict[str, str]] = []  # Marketing Cloud / B2C units seeded: reset selectors
        self._client: httpx.Client | None = None
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> Mockown:
        document = self._document()
        if "own" in document and not ({"own", "own_user"} & set(self.options)):
            self._own_pending = document.pop("own")  # the default account: seeded on first need (`_own`)
        try:
            created = self.control.seed(document)
        except ControlPlaneError as exc:
            if "own" in document and exc.status == 400 and _no_own_api(exc):
                self._own_missing = f"the server has no Own API ({exc.body})"
                document.pop("own")
                created = self.control.seed(document)
            else:
                raise
        if "own" not in document and self._own_pending is None and self._own_missing is None:
            self._own_missing = "this test asked for no Own account (own=False)"
        self._seeded = created
        self._units += seeded_units(created)
        self.org = created["salesforce"]["orgs"][0]
        if "own" in created:
            self._own_account, *more = created["own"]["accounts"]  # own=False, seed={"own": ...}: the first
            self._note_extra({"own": {"accounts": more}})
        self.journal.mark()
        self._started = True
        return self

    def _own(self) -> dict[str, Any] | None:
        """This test's Own account, the default one seeded now if it is still pending (once, while the test
        runs); None when there is none (`own_missing` says why)."""
        if self._own_pending is not None and self._started:
            with self._own_lock:
                pending = self._own_pending
                if pending is not None and self._started:
                    try:
                        created = self.control.seed({"own": pending})
                    except ControlPlaneError as exc:
                        if exc.status == 400 and _no_own_api(exc):
                            self._own_missing = f"the server has no Own API ({exc.body})"
                            self._own_pending = None
                            return None
                        raise  # still pending: the next need tries again
                    self._seeded["own"] = created["own"]
                    self._units += seeded_units(created)
                    self._own_account = created["own"]["accounts"][0]
                    self._own_pending = None  # last: a thread that finds it no longer pending finds it made
        return self._own_account

    @property
    def own_account(self) -> dict[str, Any] | None:
        """The Own account: ``id``, ``name``, ``users``, ``services``, ``templates``, ``endpoints``; None when
        the test has none (`own_missing`)."""
        return self._own()

    @property
    def own_missing(self) -> str | None:
        """Why the test has no Own account (None when it has one)."""
        self._own()
        return self._own_missing

    @property
    def seeded(self) -> dict[str, Any]:
        """What the test's seed created (the control plane's answer), the Own account included."""
        self._own()
        return self._seeded

    def close(self) -> None:
        if not self._started:
            return
        self._started = False
        errors: list[BaseException] = []
        for step in (self.faults.clear, self._restore_clock, self._close_client, self._cleanup):
            try:
                step()
            except Exception as exc:  # every step runs; the first failure is reported
                errors.append(exc)
        if errors:
            raise errors[0]

    def __enter__(self) -> Mockown:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _cleanup(self) -> None:
        if self.options.get("keep"):
            return
        orgs = ([self.org_id] if self.org else []) + self._extra_orgs
        mine = self._own_account  # as it is: a pending default account was never seeded
        accounts = ([str(mine["id"])] if mine is not None else []) + self._extra_accounts
        bodies: list[dict[str, Any]] = [{"org": o, "delete": True} for o in orgs] + [{"account": a} for a in accounts]
        for body in bodies + list(self._units):
            try:
                self.control.reset(**body)
            except ControlPlaneError as exc:
                if exc.status != 404:  # gone already: a reset or a restored snapshot took it
                    raise

    def _clock_moved(self) -> None:
        self._own()  # the default Own account's times are those of the test's start, not the moved clock's
        self._note_clock()

    def _note_clock(self) -> None:
        """The clock as the test found it, noted before its first move (put back when the test ends)."""
        if self._clock_start is None:
            self._clock_start = self.control.clock()

    def _restore_clock(self) -> None:
        start, self._clock_start = self._clock_start, None
        if start is None:
            return
        if start["frozen"]:
            self.control.clock(freeze=start["now"])
        else:
            self.control.clock(unfreeze=True, set=time.time() + float(start["offset"]))

    def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- the seed --------------------------------------------------------------------------------------
    def _document(self) -> dict[str, Any]:
        opts, u = self.options, self.unique
        from ..ids import ORG, new_id

        org: dict[str, Any] = {"id": new_id(ORG), "name": f"pytest {self.label}"}
        org.update(opts.get("org") or {})
        users = opts.get("users")
        if users is None:  # the org's own users, if it has them (check_options refuses both)
            users = org.get("users")
        if users is None:
            users = [
                {"username": f"admin.{u}@pytest.mockown.test", "first_name": "Ada", "last_name": "Admin",
                 "security_token": f"SecTok{u}"},
                {"username": f"integration.{u}@pytest.mockown.test", "first_name": "Ivan",
                 "last_name": "Integration", "profile": "Minimum Access - API Only Integrations"},
            ]  # fmt: skip
        org["users"] = users
        apps = opts.get("apps")
        if apps is None:  # the org's own apps, if it has them; an explicit [] is no app
            apps = org.get("apps")
        if apps is None:
            app: dict[str, Any] = {"name": "pytest app"}
            if len(users) > 1 and users[1].get("username"):
                app["client_credentials_user"] = users[1]["username"]
            app["callback_urls"] = ["http://localhost:8080/callback", "http://localhost/callback"]
            app.update({k: v for k, v in opts.items() if k in APP_FIELDS})
            apps = [app]
        org["apps"] = apps
        document: dict[str, Any] = {"salesforce": {"orgs": [org]}}
        own = opts.get("own", {})
        if own is not False:
            account: dict[str, Any] = {"name": f"pytest {self.label}"}
            account.update(own if isinstance(own, dict) else {})  # own=True (or None): the default account
            if "services" not in account:
                account["services"] = [{"business_unit": "Default", "backups": 2, "org_id": org["id"],
                                        "displayed_name": users[0].get("username") if users else None}]  # fmt: skip
            if "users" not in account:
                owner: dict[str, Any] = {
                    "email": f"owner.{u}@pytest.own.mockown.test",
                    "role": "master_admin",
                    "name": "Olga Owner",
                    "api_token": True,
                }
                owner.update(opts.get("own_user") or {})
                account["users"] = [owner]
            document["own"] = {"accounts": [account]}
        for section, body in (opts.get("seed") or {}).items():
            if section in document:
                raise ValueError(f"seed= adds other sections; use org= / own= for {section!r}")
            document[section] = body
        return document

    def seed(self, document: dict[str, Any]) -> dict[str, Any]:
        """Seed more (any section); the answer holds the credentials created. What it creates is removed
        when the test ends: orgs, Own accounts, Marketing Cloud tenants, Account Manager clients and users, B2C
        instances, SLAS tenants. Names are unique across the whole server (usernames, e-mails, subdomains,
        client ids): put `unique` in them on a shared server, where tests run at the same time."""
        created = self.control.seed(document)
        self._note_extra(created)
        self._units += seeded_units(created)
        return created

    def _note_extra(self, created: Mapping[str, Any]) -> None:
        """Orgs and Own accounts the test seeded besides its own: removed when it ends, and part of what its
        journal and outbox show."""
        for org in (created.get("salesforce") or {}).get("orgs") or []:
            self._extra_orgs.append(str(org["id"]))
            self._extra_addresses |= {str(u.get("username", "")).lower() for u in org.get("users") or []}
        for account in (created.get("own") or {}).get("accounts") or []:
            self._extra_accounts.append(str(account["id"]))
            self._extra_addresses |= {str(u.get("email", "")).lower() for u in account.get("users") or []}

    # -- credentials -----------------------------------------------------------------------------------
    @property
    def org_id(self) -> str:
        return str(self.org["id"])

    @property
    def users(self) -> list[dict[str, Any]]:
        users: list[dict[str, Any]] = self.org["users"]
        return users

    @property
    def user(self) -> dict[str, Any]:
        """The org's first user (an administrator): ``id``, ``username``, ``password``, ``security_token``."""
        if not self.users:
            raise LookupError("this test's org has no user (@pytest.mark.mockown(users=[]))")
        return self.users[0]

    @property
    def app(self) -> dict[str, Any]:
        """The org's first connected app: ``client_id``, ``client_secret``, ``callback_urls``."""
        apps: list[dict[str, Any]] = self.org["apps"]
        if not apps:
            raise LookupError("this test's org has no connected app (@pytest.mark.mockown(apps=[]))")
        return apps[0]

    def _require_own(self) -> dict[str, Any]:
        account = self._own()
        if account is None:
            _skip(f"no Own account: {self._own_missing}")
        assert account is not None
        return account

    def _require_in_process(self, what: str) -> None:
        if self.target.mode != "in-process":
            _skip(f"mockown.{what} needs an in-process server (not --mockown-url)")

    @property
    def own_account_id(self) -> str | None:
        account = self._own()
        return None if account is None else str(account["id"])

    def _own_id(self) -> str | None:
        """The Own account's id without seeding a pending one (filters: nothing names an account not yet made)."""
        return None if self._own_account is None else str(self._own_account["id"])

    @property
    def own_user(self) -> dict[str, Any]:
        """The Own account's first user: ``id``, ``email``, ``password``, ``role``, ``api_token``."""
        user: dict[str, Any] = self._require_own()["users"][0]
        return user

    @property
    def own_api_token(self) -> str:
        token = self.own_user.get("api_token")
        if not token:
            raise RuntimeError("the Own user has no API token (own_user={'api_token': False}?)")
        return str(token)

    def _orgs(self) -> set[str]:
        """The org ids this test seeded: its org and those of `seed()`."""
        return {self.org_id, *self._extra_orgs}

    def _accounts(self) -> set[str]:
        """The Own account ids this test seeded (a pending default account is none yet)."""
        account = self._own_id()
        return {*self._extra_accounts, *([] if account is None else [account])}

    def _owners(self) -> set[str]:
        return self._orgs() | self._accounts()

    def _addresses(self) -> set[str]:
        found = {str(u.get("username", "")).lower() for u in self.users} | self._extra_addresses
        if self._own_account is not None:
            found |= {str(u.get("email", "")).lower() for u in self._own_account["users"]}
        return found - {""}

    # -- where and how to talk to it -------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self.target.mode

    @property
    def base_url(self) -> str:
        """The base URL of `client` (``http://testserver`` in-process)."""
        return self.target.base_url

    @property
    def urls(self) -> Urls:
        """Every endpoint on `base_url`: ``urls.token``, ``urls.rest("limits")``, ``urls.own_api("services")``."""
        return Urls(self.base_url)

    @property
    def url(self) -> str:
        """A base URL reachable over a real socket (in-process, this starts the server's socket on first use)."""
        return self.target.url

    @property
    def live_urls(self) -> Urls:
        return Urls(self.url)

    @property
    def client(self) -> httpx.Client:
        """A synchronous `httpx.Client` on `base_url` (closed when the test ends)."""
        if self._client is None:
            self._client = self.target.client()
        return self._client

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """A new `httpx.AsyncClient` on `base_url`: ``async with mockown.async_client() as c: ...``."""
        return self.target.async_client(**kwargs)

    @property
    def app_object(self) -> Any:
        """The ASGI app (in-process only: against an external server the test is skipped)."""
        self._require_in_process("app_object")
        self._own()  # the app's state holds everything the test's seed promised
        return self.target.app

    @property
    def runtime(self) -> Any:
        """The app's `Runtime`: store, clock, services (in-process only: against an external server the
        test is skipped)."""
        self._require_in_process("runtime")
        self._own()  # the runtime's state holds everything the test's seed promised
        return self.target.runtime

    # -- snapshots -------------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The whole server's state (every org: the server is shared) and its clock."""
        self._own()  # the test's Own account is part of the state a restore brings back
        snap: dict[str, Any] = self.control.get("snapshot")
        return snap

    def restore(self, snapshot: dict[str, Any]) -> None:
        self._note_clock()  # the restore sets the clock
        self.control.post("restore", snapshot)
        self._own()  # a pending default account is in no snapshot: made in the restored state, not dropped by it

    # -- signing keys ----------------------------------------------------------------------------------
    def rotate_keys(self, key: str | None = None) -> dict[str, Any]:
        """Rotate the server's signing keys (`POST /_mockown/keys/rotate`): `"rsa"` (Salesforce `/id/keys`),
        `"ec"` (SLAS `/jwks`), `"own"` (Own's Okta server), `"am"` (Account Manager), `"ocapi"` (OCAPI customer
        JWTs), or every ring. The previous key stays published (its tokens still verify) until the
        next rotation. Server-wide, like `snapshot`: every test on a shared server sees it. Returns the kid in
        each slot, e.g. ``{"rsa": {"past": "311", "current": "317"}, "ec": {...}}``."""
        answer: dict[str, Any] = self.control.post("keys/rotate", {} if key is None else {"key": key})
        keys: dict[str, Any] = answer["keys"]
        return keys

    # -- token shortcuts -------------------------------------------------------------------------------
    # The token helpers hide their frames from pytest's tracebacks (`__tracebackhide__`): their locals hold the
    # app's secret, the user's password, API and refresh tokens, which `--showlocals` (-l) would print.
    def _token(self, flow: str, url: str, data: dict[str, Any], check: bool) -> dict[str, Any]:
        __tracebackhide__ = True
        response = _send(self.client.post, url, data={k: v for k, v in data.items() if v is not None})
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        if check and response.status_code != 200:
            raise MockownTokenError(flow, response.status_code, body)
        out: dict[str, Any] = body if isinstance(body, dict) else {"body": body}
        if not check:
            out.setdefault("_status", response.status_code)
        return out

    def issue_token(
        self,
        flow: str = "password",
        *,
        user: dict[str, Any] | str | None = None,
        app: dict[str, Any] | None = None,
        scope: str | None = None,
        check: bool = True,
        **params: Any,
    ) -> dict[str, Any]:
        """A Salesforce token response (``access_token``, ``refresh_token``, ``instance_url``, ...).

        `flow`: ``password`` (default: the org's admin; no refresh token, as on Salesforce),
        ``authorization_code`` (the browser flow: authorize with S256 PKCE, log in on the login page, consent if
        the app asks for it, redeem the code with the verifier; gives a refresh token when the app's scopes allow
        one; ``authorize={...}`` adds or replaces authorize parameters, and the caller's PKCE values win: a
        ``code_challenge`` of the caller's replaces the helper's PKCE (``None``: none is sent), its
        ``code_verifier=`` then goes with the exchange; a ``code_challenge_method`` without a challenge gets one
        made for it (``S256`` or ``plain``, from ``code_verifier=`` if given; ``None`` sends no method, an S256
        challenge; another method is a ValueError)),
        ``client_credentials`` (the app's run-as user), or ``refresh_token`` (give ``refresh_token=...``).
        A refusal raises `MockownTokenError` unless
        ``check=False`` (then the error body comes back with ``_status``).
        """
        __tracebackhide__ = True
        app = app or self.app
        data: dict[str, Any] = {"client_id": app["client_id"], "client_secret": app.get("client_secret")}
        if flow == "password":
            who = self._who(user)
            data.update(grant_type="password", username=who["username"], password=who["password"])
        elif flow == "client_credentials":
            data.update(grant_type="client_credentials")
        elif flow in ("authorization_code", "code"):
            return self._code_flow(app, user, scope, check, params)
        elif flow == "refresh_token":
            if "refresh_token" not in params:
                raise ValueError("the refresh_token flow needs refresh_token=...")
            data.update(grant_type="refresh_token")
        else:
            raise ValueError("flow is password, authorization_code, client_credentials or refresh_token")
        data["scope"] = scope
        data.update(params)
        return self._token(flow, self.urls.token, data, check)

    def _who(self, user: dict[str, Any] | str | None) -> dict[str, Any]:
        if isinstance(user, dict):
            return user
        if not user:
            return self.user
        found = next((u for u in self.users if u["username"] == user.lower()), None)
        if found is None:
            raise ValueError(f"no user {user!r} in this test's org")
        return found

    def _code_flow(
        self, app: dict[str, Any], user: dict[str, Any] | str | None, scope: str | None, check: bool, params: Any
    ) -> dict[str, Any]:
        __tracebackhide__ = True
        import html
        import re
        from urllib.parse import parse_qs, urljoin, urlsplit

        who = self._who(user)
        redirect_uri = params.pop("redirect_uri", None) or app["callback_urls"][0]
        query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": redirect_uri,
                 "scope": scope, "state": "mockown", **params.pop("authorize", {})}  # fmt: skip
        _add_pkce(query, params)
        with self.target.client(follow_redirects=False) as browser:  # its own cookie jar: a fresh browser
            page = _send(browser.get, self.urls.authorize, params={k: v for k, v in query.items() if v is not None})
            logged_in = False
            for _ in range(3):
                if page.status_code in (302, 303):
                    break
                form = re.search(r"<form method='post' action='([^']+)'[^>]*>(.*?)</form>", page.text, re.S)
                if page.status_code != 200 or form is None:
                    raise MockownTokenError("authorization_code", page.status_code, _page_says(page))
                fields = {
                    html.unescape(n): html.unescape(v)
                    for n, v in re.findall(r"<input type='hidden' name='([^']*)' value='([^']*)'>", form.group(2))
                }
                if "id='login'" in page.text:
                    if logged_in:  # the login page again: the login failed (one attempt per call: lockouts count)
                        failure = f"the login page refused {who['username']}: {_page_says(page)}"
                        raise MockownTokenError("authorization_code", page.status_code, failure)
                    fields.update(username=who["username"], password=who["password"])
                    logged_in = True
                else:
                    fields["decision"] = "allow"
                page = _send(browser.post, urljoin(str(page.url), html.unescape(form.group(1))), data=fields)
            location = page.headers.get("location", "")
            answer = parse_qs(urlsplit(location).query)
            if "code" not in answer:
                raise MockownTokenError("authorization_code", page.status_code, location or _page_says(page))
        data = {"grant_type": "authorization_code", "code": answer["code"][0], "redirect_uri": redirect_uri,
                "client_id": app["client_id"], "client_secret": app.get("client_secret"), **params}  # fmt: skip
        return self._token("authorization_code", self.urls.token, data, check)

    def refresh(self, refresh_token: str, *, app: dict[str, Any] | None = None, check: bool = True) -> dict[str, Any]:
        __tracebackhide__ = True
        return self.issue_token("refresh_token", app=app, refresh_token=refresh_token, check=check)

    def access_token(self, **kwargs: Any) -> str:
        """Just the access token of `issue_token(**kwargs)`."""
        __tracebackhide__ = True
        return str(self.issue_token(**kwargs)["access_token"])

    def own_token(self, api_token: str | None = None, *, check: bool = True) -> dict[str, Any]:
        """The Own auth host's answer to exchanging an API token (the test user's by default)."""
        __tracebackhide__ = True
        data = {
            "grant_type": "refresh_token",
            "refresh_token": api_token or self.own_api_token,
            "client_id": OWN_CLIENT_ID,
            "scope": OWN_SCOPE,
        }
        return self._token("own", self.urls.own_token, data, check)

    def own_access_token(self, api_token: str | None = None) -> str:
        __tracebackhide__ = True
        return str(self.own_token(api_token)["access_token"])

    def __repr__(self) -> str:
        return f"<Mockown {self.mode} org={self.org.get('id')} own={self._own_id()}>"


def _path_of(value: Any) -> Any:
    """A path as the journal's queries and the fault rules take it: a URL (one from `urls`) stands for its path."""
    if isinstance(value, str) and "://" in value:
        from urllib.parse import urlsplit

        return urlsplit(value).path
    return value


def _add_pkce(query: dict[str, Any], params: dict[str, Any]) -> None:
    """PKCE for the code flow's authorize `query`, as a browser client sends it (a pkce_required app needs it); the
    caller's values win. A `code_challenge` of the caller's (None: send none) is sent as given, with no PKCE of the
    helper's. Otherwise the challenge is made from the caller's `code_verifier` (else a fresh one, which then goes
    with the exchange) for the caller's `code_challenge_method` (None: send no method, the challenge S256, as
    Salesforce takes it), else S256; a method other than S256 and plain is refused: the helper cannot make a
    challenge for it."""
    if "code_challenge" in query:
        return
    method = query.get("code_challenge_method", "S256")
    if method not in (None, "S256", "plain"):
        raise ValueError(
            f"issue_token makes a code_challenge for code_challenge_method S256 or plain, not {method!r}: give "
            "authorize={'code_challenge': ..., 'code_challenge_method': ...} (and code_verifier=...) yourself"
        )
    verifier = params.setdefault("code_verifier", _pkce_verifier())
    query["code_challenge"] = verifier if method == "plain" else _s256(verifier)
    query.setdefault("code_challenge_method", "S256")


def _pkce_verifier() -> str:
    """A fresh RFC 7636 code verifier (43 characters of the unreserved set)."""
    return secrets.token_urlsafe(32)


def _s256(verifier: str) -> str:
    """The S256 code challenge of `verifier` (RFC 7636 4.2)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


__all__ = [
    "APP_FIELDS",
    "ClockHelper",
    "FaultsHelper",
    "JournalHelper",
    "Mockown",
    "MockownTokenError",
    "OutboxHelper",
    "check_options",
]
