"""A My Domain signs in its own org's users only. On Salesforce another org's username at an org's My Domain login
URL is an authentication failure, exactly as a wrong password (password grant: 400 `invalid_grant` `authentication
failure`; login page: the wrong username/password message), so nothing is issued there. The mock let a user of org A
(with or without a My Domain) sign in at org B's My Domain and issued an `instance_url` / `id` on B's host, where the
session was then refused (`foreign_session`). The login hosts are another org's host alike for the other kind of
org (spec 1.1): login.salesforce.com serves production orgs, test.salesforce.com sandboxes. The mock's own address
keeps serving every org; an org's users keep signing in at its own My Domain in the spellings the session rule
accepts (any case, a port), on a My Domain two orgs share, and at the login host of their org's kind."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from mockown.runtime import Runtime
from tests.conftest import ADMIN, CID
from tests.conftest import PASSWORD as DEMO_PASSWORD
from tests.conftest import SECRET as DEMO_SECRET

PASSWORD = "Md-Passw0rd"
SECRET = "MdSecret"
ORGS = {
    "acme": "acme.my.salesforce.com",
    "beta": "beta.my.salesforce.com",
    "sbx": "sbx--dev.sandbox.my.salesforce.com",
    "plain": None,  # an org without a My Domain
}
FOREIGN = [
    ("acme", "beta.my.salesforce.com"),
    ("plain", "beta.my.salesforce.com"),
    ("beta", ORGS["sbx"]),
    ("acme", "beta.my.salesforce.com."),  # an absolute name (RFC 1034 3.1): the same host
]
OWN = [
    ("acme", "acme.my.salesforce.com"),
    ("acme", "ACME.My.Salesforce.com"),
    ("acme", "acme.my.salesforce.com:8443"),
    ("acme", "acme.my.salesforce.com."),
    ("acme", "acme.lightning.force.com"),
    ("sbx", ORGS["sbx"]),
]
SANDBOXES = {"sbx"}  # seeded with is_sandbox: true


def login_host(name: str, *, own: bool = True) -> str:
    """The login host of an org's kind (spec 1.1: test.salesforce.com a sandbox's, login.salesforce.com
    production's), or with `own=False` the other one."""
    return "test.salesforce.com" if (name in SANDBOXES) is own else "login.salesforce.com"


# the hosts that serve the org although they are not its My Domain: its kind's login host and the mock's address
OPEN = [(n, h) for n in ORGS for h in (login_host(n), "testserver")]
# the login host of the other kind of org serves its users no more than another org's My Domain does
FOREIGN += [(n, login_host(n, own=False)) for n in ORGS]


def seed(client: httpx.Client, orgs: dict[str, str | None] | None = None, **app: object) -> None:
    for name, domain in (orgs or ORGS).items():
        org: dict[str, object] = {
            "users": [{"username": f"u@{name}.test", "password": PASSWORD}],
            "apps": [
                {
                    "client_id": f"App{name}",
                    "client_secret": SECRET,
                    "scopes": ["api", "web", "openid", "refresh_token"],
                    "callback_urls": ["https://client.test/cb"],
                    **app,
                }
            ],
        }
        if domain:
            org["my_domain"] = domain
        if name in SANDBOXES:
            org["is_sandbox"] = True
        assert client.post("/_mockown/seed", json={"salesforce": {"orgs": [org]}}).status_code == 201


def password_grant(client: httpx.Client, name: str, host: str, password: str = PASSWORD) -> httpx.Response:
    form = {"grant_type": "password", "client_id": f"App{name}", "client_secret": SECRET, "username": f"u@{name}.test"}
    return client.post("/services/oauth2/token", data={**form, "password": password}, headers={"Host": host})


# -- password grant, JWT bearer -------------------------------------------------------------------------
def jwt_bearer_at(client: httpx.Client, name: str, host: str) -> httpx.Response:
    from tests.salesforce.flows.support import assertion

    form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}
    form["assertion"] = assertion(iss=f"App{name}", sub=f"u@{name}.test", aud=f"https://{login_host(name)}")
    return client.post("/services/oauth2/token", data=form, headers={"Host": host})


def seed_for_jwt(client: httpx.Client) -> None:
    from tests.salesforce.flows.support import KEYS

    seed(client, jwt_certificate=(KEYS / "jwt-bearer.crt").read_text(), pre_approved_users=["*"])


# the grants that name a user: (seed, request); a JWT bearer assertion's subject is unknown on another org's My
# Domain as the password grant's username is
SIGN_IN_GRANTS = {"password": (seed, password_grant), "jwt_bearer": (seed_for_jwt, jwt_bearer_at)}


def sign_in_grant(client: httpx.Client, grant: str, name: str, host: str) -> httpx.Response:
    seeded, request = SIGN_IN_GRANTS[grant]
    seeded(client)
    return request(client, name, host)


@pytest.mark.parametrize("grant", SIGN_IN_GRANTS)
@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_a_user_grant_at_another_orgs_my_domain_is_an_authentication_failure(
    client: httpx.Client, grant: str, name: str, host: str
) -> None:
    r = sign_in_grant(client, grant, name, host)
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "authentication failure"}


@pytest.mark.parametrize("grant", SIGN_IN_GRANTS)
@pytest.mark.parametrize(("name", "host"), OWN + OPEN)
def test_a_user_grant_at_its_own_my_domain_or_a_login_host(
    client: httpx.Client, grant: str, name: str, host: str
) -> None:
    r = sign_in_grant(client, grant, name, host)
    assert r.status_code == 200, r.text
    assert r.json()["id"].startswith(f"http://{host}/id/") or r.json()["id"].startswith(f"https://{host}/id/")
    assert "refresh_token" not in r.json()  # neither grant issues one


def test_password_grant_on_a_shared_my_domain_signs_in_each_orgs_users(client: httpx.Client) -> None:
    seed(client, {"first": "shared.my.salesforce.com", "second": "shared.my.salesforce.com"})
    for name in ("first", "second"):
        assert password_grant(client, name, "shared.my.salesforce.com").status_code == 200, name


def test_failed_sign_ins_at_another_orgs_my_domain_do_not_lock_the_user_out(client: httpx.Client) -> None:
    """The user is unknown there: the password is never read, so even wrong ones count toward no lockout (a mock
    choice: another org's login page cannot lock this org's users out)."""
    seed(client)
    for _ in range(12):
        assert password_grant(client, "acme", "beta.my.salesforce.com", "wrong").status_code == 400
    assert password_grant(client, "acme", "acme.my.salesforce.com").status_code == 200


# -- the login form of /services/oauth2/authorize (code, user-agent and hybrid response types) -------------
AUTHORIZE = "/services/oauth2/authorize"
RESPONSE_TYPES = ["code", "token", "token id_token", "hybrid_token"]
BAD_LOGIN = "Please check your username and password."


def hidden(page: str) -> dict[str, str]:
    return {html.unescape(n): html.unescape(v) for n, v in re.findall(r"name='([^']*)' value='([^']*)'", page)}


def login_form(
    client: httpx.Client, name: str, host: str, response_type: str = "code", password: str = PASSWORD
) -> httpx.Response:
    """The authorize request's login page at `host` (prompt=login: never the browser's session), then its form."""
    params = {
        "response_type": response_type,
        "client_id": f"App{name}",
        "redirect_uri": "https://client.test/cb",
        "scope": "api openid",
        "nonce": "n-1",
        "prompt": "login",
    }
    page = client.get(AUTHORIZE, params=params, headers={"Host": host})
    assert page.status_code == 200 and "id='login'" in page.text, page.text
    form = {**hidden(page.text), "username": f"u@{name}.test", "password": password}
    return client.post(f"{AUTHORIZE}/login", data=form, headers={"Host": host})


@pytest.mark.parametrize("response_type", RESPONSE_TYPES)
@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_the_login_page_of_another_orgs_my_domain_refuses_the_user(
    client: httpx.Client, name: str, host: str, response_type: str
) -> None:
    seed(client)
    r = login_form(client, name, host, response_type)
    assert r.status_code == 200
    assert BAD_LOGIN in r.text and "id='login'" in r.text  # the page again, with the wrong username/password text
    assert "sid" not in r.cookies  # no browser session either


@pytest.mark.parametrize("response_type", RESPONSE_TYPES)
@pytest.mark.parametrize(("name", "host"), OWN + OPEN)
def test_the_login_page_of_its_own_my_domain_or_a_login_host_signs_in(
    client: httpx.Client, name: str, host: str, response_type: str
) -> None:
    seed(client)
    r = login_form(client, name, host, response_type)
    assert r.status_code == 302, r.text
    assert r.headers["location"].startswith("https://client.test/cb")
    assert "code=" in r.headers["location"] or "access_token=" in r.headers["location"]


def test_the_login_page_of_another_orgs_my_domain_does_not_say_the_user_is_locked_out(client: httpx.Client) -> None:
    """Another org's user is unknown there: the wrong username/password text, never the lockout text."""
    seed(client)
    for _ in range(10):
        password_grant(client, "acme", "acme.my.salesforce.com", "wrong")
    assert "locked" in login_form(client, "acme", "acme.my.salesforce.com").text
    r = login_form(client, "acme", "beta.my.salesforce.com")
    assert BAD_LOGIN in r.text and "locked" not in r.text


# -- authorize without the form: login_hint's auto-approve shortcut and the browser's session -------------------
def authorize(client: httpx.Client, name: str, host: str, **extra: str) -> httpx.Response:
    params = {"response_type": "code", "client_id": f"App{name}", "redirect_uri": "https://client.test/cb", **extra}
    return client.get(AUTHORIZE, params=params, headers={"Host": host})


@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_login_hint_signs_no_one_in_at_another_orgs_my_domain(client: httpx.Client, name: str, host: str) -> None:
    """The mock's shortcut (an auto-approved app, `login_hint` naming its user: the code at once) is a sign-in: at
    another org's My Domain that user is unknown, so the login page is shown."""
    seed(client)
    r = authorize(client, name, host, login_hint=f"u@{name}.test")
    assert r.status_code == 200 and "id='login'" in r.text
    own = ORGS[name] or "login.salesforce.com"
    assert authorize(client, name, own, login_hint=f"u@{name}.test").status_code == 302


def browser_session(client: httpx.Client, name: str) -> None:
    """Log this browser in as `name`'s user on the mock's own address (a host that serves every org)."""
    assert login_form(client, name, "testserver").status_code == 302
    assert "sid" in client.cookies


@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_a_browser_session_signs_no_one_in_at_another_orgs_my_domain(
    client: httpx.Client, name: str, host: str
) -> None:
    seed(client)
    browser_session(client, name)
    r = authorize(client, name, host)
    assert r.status_code == 200 and "id='login'" in r.text
    none = authorize(client, name, host, prompt="none")
    assert "error=login_required" in none.headers["location"]
    own = ORGS[name] or "login.salesforce.com"
    assert "code=" in authorize(client, name, own).headers["location"]


def test_the_consent_page_of_another_orgs_my_domain_is_the_login_page(client: httpx.Client) -> None:
    """An app that is not auto-approved: the browser's session of another org neither reaches nor answers the
    Allow / Deny page there."""
    seed(client, auto_approve=False)
    page = login_form(client, "acme", "testserver")
    assert "id='consent'" in page.text
    r = authorize(client, "acme", "beta.my.salesforce.com")
    assert r.status_code == 200 and "id='login'" in r.text and "id='consent'" not in r.text
    form = {**hidden(page.text), "decision": "allow"}
    r = client.post(f"{AUTHORIZE}/consent", data=form, headers={"Host": "beta.my.salesforce.com"})
    assert r.status_code == 200 and "id='login'" in r.text
    r = client.post(f"{AUTHORIZE}/consent", data=form, headers={"Host": "acme.my.salesforce.com"})
    assert r.status_code == 302 and "code=" in r.headers["location"]


# -- the My Domain's own login page (/) ------------------------------------------------------------------
def home_login(client: httpx.Client, name: str, host: str) -> httpx.Response:
    page = client.get("/", headers={"Host": host})
    assert page.status_code == 200 and "id='login'" in page.text
    form = {**hidden(page.text), "username": f"u@{name}.test", "password": PASSWORD}
    return client.post("/", data=form, headers={"Host": host})


@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_the_home_login_page_of_another_orgs_my_domain_refuses_the_user(
    client: httpx.Client, name: str, host: str
) -> None:
    seed(client)
    r = home_login(client, name, host)
    assert r.status_code == 200 and BAD_LOGIN in r.text and "sid" not in client.cookies


@pytest.mark.parametrize(("name", "host"), OWN + OPEN)
def test_the_home_login_page_of_its_own_my_domain_or_a_login_host_signs_in(
    client: httpx.Client, name: str, host: str
) -> None:
    seed(client)
    r = home_login(client, name, host)
    assert r.status_code == 302 and "sid" in client.cookies


def test_the_home_page_of_another_orgs_my_domain_does_not_take_the_browsers_session(client: httpx.Client) -> None:
    seed(client)
    browser_session(client, "acme")
    r = client.get("/", params={"startURL": "/home"}, headers={"Host": "beta.my.salesforce.com"})
    assert r.status_code == 200 and "id='login'" in r.text
    r = client.get("/", params={"startURL": "/home"}, headers={"Host": "acme.my.salesforce.com"})
    assert r.status_code == 302 and r.headers["location"] == "/home"


# -- the device flow's verification page (/setup/connect) -------------------------------------------------
def device_login(client: httpx.Client, name: str, host: str) -> httpx.Response:
    page = client.get("/setup/connect", headers={"Host": host})
    assert page.status_code == 200 and "id='login'" in page.text
    form = {**hidden(page.text), "username": f"u@{name}.test", "password": PASSWORD}
    return client.post("/setup/connect", data=form, headers={"Host": host})


@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_the_device_page_of_another_orgs_my_domain_refuses_the_user(client: httpx.Client, name: str, host: str) -> None:
    seed(client)
    r = device_login(client, name, host)
    assert r.status_code == 200 and BAD_LOGIN in r.text and "Enter the code" not in r.text
    assert "sid" not in client.cookies


@pytest.mark.parametrize(("name", "host"), OWN + OPEN)
def test_the_device_page_of_its_own_my_domain_or_a_login_host_signs_in(
    client: httpx.Client, name: str, host: str
) -> None:
    seed(client)
    r = device_login(client, name, host)
    assert r.status_code == 200 and "Enter the code" in r.text and "sid" in client.cookies


def test_the_device_page_of_another_orgs_my_domain_does_not_take_the_browsers_session(client: httpx.Client) -> None:
    seed(client)
    browser_session(client, "acme")
    r = client.get("/setup/connect", headers={"Host": "beta.my.salesforce.com"})
    assert r.status_code == 200 and "id='login'" in r.text and "Enter the code" not in r.text
    assert "Enter the code" in client.get("/setup/connect", headers={"Host": "acme.my.salesforce.com"}).text


# -- SOAP login() at /services/Soap/u/... and /services/Soap/c/... ----------------------------------------------
SOAP_HEADERS = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "login"}


def soap_login(client: httpx.Client, name: str, host: str, letter: str = "u") -> httpx.Response:
    ns = "urn:partner.soap.sforce.com" if letter == "u" else "urn:enterprise.soap.sforce.com"
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:n1="{ns}"><env:Body><n1:login><n1:username>u@{name}.test</n1:username>'
        f"<n1:password>{PASSWORD}</n1:password></n1:login></env:Body></env:Envelope>"
    )
    return client.post(f"/services/Soap/{letter}/59.0", content=body, headers={**SOAP_HEADERS, "Host": host})


@pytest.mark.parametrize("letter", ["u", "c"])
@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_soap_login_at_another_orgs_my_domain_is_invalid_login(
    client: httpx.Client, name: str, host: str, letter: str
) -> None:
    seed(client)
    r = soap_login(client, name, host, letter)
    assert r.status_code == 500
    assert "sf:INVALID_LOGIN" in r.text and "Invalid username, password, security token; or user locked out." in r.text
    assert "sessionId" not in r.text


@pytest.mark.parametrize("letter", ["u", "c"])
@pytest.mark.parametrize(("name", "host"), OWN + OPEN)
def test_soap_login_at_its_own_my_domain_or_a_login_host(
    client: httpx.Client, name: str, host: str, letter: str
) -> None:
    seed(client)
    r = soap_login(client, name, host, letter)
    assert r.status_code == 200 and "<sessionId>" in r.text, r.text


# -- client_credentials: served on the app's org's My Domain (spec 3.4, "only served on the org's My Domain") -----
def client_credentials(client: httpx.Client, name: str, host: str) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": f"App{name}", "client_secret": SECRET}
    return client.post("/services/oauth2/token", data=form, headers={"Host": host})


def seed_cc(client: httpx.Client) -> None:
    for name, domain in ORGS.items():
        seed(client, {name: domain}, client_credentials_user=f"u@{name}.test")


@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_client_credentials_at_another_orgs_my_domain_is_not_supported_on_this_domain(
    client: httpx.Client, name: str, host: str
) -> None:
    """Another org's My Domain is not the org's My Domain: refused as on login/test, with nothing issued."""
    seed_cc(client)
    r = client_credentials(client, name, host)
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "request not supported on this domain"}


@pytest.mark.parametrize(("name", "host"), [*OWN, ("plain", "testserver"), ("acme", "testserver")])
def test_client_credentials_at_its_own_my_domain_or_the_mocks_address(
    client: httpx.Client, name: str, host: str
) -> None:
    seed_cc(client)
    r = client_credentials(client, name, host)
    assert r.status_code == 200, r.text


# -- frontdoor.jsp's one-time password (singleaccess) ----------------------------------------------------------
def otp_uri(client: httpx.Client, name: str) -> str:
    """A frontdoor URI of `name`'s user, from singleaccess on the mock's own address (a host of every org)."""
    token = password_grant(client, name, "testserver").json()["access_token"]
    r = client.post("/services/oauth2/singleaccess", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    uri: str = r.json()["frontdoor_uri"]
    return uri.replace("http://testserver", "")


@pytest.mark.parametrize(("name", "host"), FOREIGN)
def test_a_frontdoor_one_time_password_signs_no_one_in_at_another_orgs_my_domain(
    client: httpx.Client, name: str, host: str
) -> None:
    seed(client)
    r = client.get(otp_uri(client, name) + "&retURL=/home", headers={"Host": host})
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/?ec=302")
    assert "sid" not in client.cookies
    own = ORGS[name] or "login.salesforce.com"
    r = client.get(otp_uri(client, name) + "&retURL=/home", headers={"Host": own})
    assert r.headers["location"] == "/home" and "sid" in client.cookies


# -- token exchange: the external IdP's user and the asset token's session (the demo org: no My Domain) ---------
def demo_exchange(client: httpx.Client, host: str, subject: str, kind: str, **extra: str) -> httpx.Response:
    from tests.salesforce.flows.support import TOKEN_EXCHANGE, URN

    data = {"grant_type": TOKEN_EXCHANGE, "client_id": CID, "client_secret": DEMO_SECRET, "subject_token": subject}
    data["subject_token_type"] = URN + kind
    return client.post("/services/oauth2/token", data={**data, **extra}, headers={"Host": host})


def test_token_exchange_signs_no_user_in_at_another_orgs_my_domain(client: httpx.Client) -> None:
    """The handler maps the subject to a user of the app's org: at another org's My Domain that user is unknown,
    the grant's own refusal for a subject that maps to no user."""
    seed(client)
    r = demo_exchange(client, "beta.my.salesforce.com", "mockown-demo-external-token", "access_token")
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "no user for the subject token"}
    assert (
        demo_exchange(client, "login.salesforce.com", "mockown-demo-external-token", "access_token").status_code == 200
    )


def test_an_asset_token_takes_no_session_of_another_org_on_its_my_domain(client: httpx.Client) -> None:
    """The subject access token is no session on another org's My Domain (as REST and identity say there)."""
    import jwt

    from tests.salesforce.flows.support import JWT_KEY, URN

    seed(client)
    form = {"grant_type": "password", "client_id": CID, "client_secret": DEMO_SECRET, "username": ADMIN}
    access = client.post("/services/oauth2/token", data={**form, "password": DEMO_PASSWORD}).json()["access_token"]
    actor = {"actor_token": jwt.encode({"did": "d-1"}, JWT_KEY, "RS256"), "actor_token_type": URN + "jwt"}
    r = demo_exchange(client, "beta.my.salesforce.com", access, "access_token", **actor)
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_grant", "error_description": "invalid subject token"}
    assert demo_exchange(client, "testserver", access, "access_token", **actor).status_code == 200


def test_a_my_domain_seeded_with_the_final_dot_is_that_host(client: httpx.Client, runtime: Runtime) -> None:
    """The seed stores a My Domain as requests are read (`host_of` drops an absolute name's final dot): one seeded
    as `dot.my.salesforce.com.` is the org's My Domain, with or without the dot, and foreign to the demo org."""
    seeded = client.post(
        "/_mockown/seed",
        json={"salesforce": {"orgs": [{"name": "Dot", "my_domain": "Dot.My.Salesforce.com."}]}},
    )
    assert seeded.status_code == 201, seeded.text
    org = seeded.json()["salesforce"]["orgs"][0]
    service = runtime.salesforce
    stored = service.orgs.get(org["id"])
    assert stored is not None and stored.my_domain == "dot.my.salesforce.com"
    admin = service.user_by_username(ADMIN)
    assert admin is not None
    demo = admin.org_id
    for base in ("https://dot.my.salesforce.com", "https://dot.my.salesforce.com."):
        assert service.foreign_org(demo, base) and not service.foreign_org(org["id"], base)
