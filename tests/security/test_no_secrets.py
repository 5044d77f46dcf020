"""No raw token, secret, password or API token is written anywhere it could leak: not in the state file (its
WAL included), not in any log line the server prints (stdout and stderr, at debug level), not in the request
journal or a snapshot of the control plane. The test drives a real `mockown serve --state-file` through every
kind of secret, then searches every byte it can find for each one (raw and URL-encoded).

Two documented exceptions: consumer secrets of connected apps are kept as given in the state file and snapshots
(Salesforce shows them to admins again; README, "A state file"), and the start-up banner of `mockown serve`
repeats the credentials the seed document itself declares (the demo passwords of `fixtures/default.yaml`), so
that a developer can copy them. Nothing a client sent or the server generated is ever printed. The keys the server
makes for itself (the one that signs browser sessions, the one `OauthToken.DeleteToken`s are derived under) are
kept in the state file with the signing keys, and nowhere else: a snapshot holds none.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

import httpx

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from mockown.salesforce.models import RefreshToken
from tests.conftest import ADMIN, CALLBACK, CID, PASSWORD, SECRET, T0
from tests.persistence.servers import serve
from tests.salesforce.helpers import password_token

ADMIN_TOKEN = "adm1n-T0ken-for-the-no-secrets-test"
OWN_TOKEN = "/oauth2/aus4c3z3l8FqrbqDU4h7/v1/token"
MC_SECRET = "MockownMcServerSecret000"
# what fixtures/default.yaml declares (and the banner repeats)
KEYS = ("ui_secret", "sf_oauth_token_delete_key")  # the keys the server makes for itself, by their names in the file
SEED_DECLARED = {PASSWORD, "SecTok3nAdmin", "0wnerPassw0rd!", "Sa1esAdmin!", SECRET, MC_SECRET}


def forms(secret: str) -> set[bytes]:
    out = {secret, quote(secret, safe=""), quote_plus(secret)}
    return {s.encode() for s in out if len(s) >= 8}


def drive(http: httpx.Client) -> tuple[dict[str, str], set[str]]:
    """Every flow that makes or carries a secret; returns {what: value} and the app secrets (file-allowed)."""
    found: dict[str, str] = {"password": PASSWORD, "security token": "SecTok3nAdmin", "admin token": ADMIN_TOKEN}
    token = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    r = http.post("/services/oauth2/token", data={**token, "password": PASSWORD + "SecTok3nAdmin"})
    found["password-flow access token"] = r.json()["access_token"]
    r = http.post("/services/oauth2/token?" + urlencode({**token, "password": PASSWORD}))  # secrets in the query
    found["query-string access token"] = r.json()["access_token"]
    query = {"response_type": "code", "client_id": CID, "redirect_uri": CALLBACK, "login_hint": ADMIN}
    r = http.get("/services/oauth2/authorize", params={**query, "scope": "api refresh_token openid"})
    code = re.search(r"code=([^&]+)", r.headers["location"])
    assert code
    found["authorization code"] = httpx.URL("?code=" + code.group(1)).params["code"]
    form = {"grant_type": "authorization_code", "code": found["authorization code"], "redirect_uri": CALLBACK}
    r = http.post("/services/oauth2/token", data=form, auth=(CID, SECRET))
    body = r.json()
    found["code access token"], found["refresh token"] = body["access_token"], body["refresh_token"]
    found["id token"] = body["id_token"]
    r = http.post("/services/oauth2/token", data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                                                  "client_id": CID, "client_secret": SECRET})  # fmt: skip
    found["refreshed access token"] = r.json()["access_token"]
    exchange = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "client_id": CID,
                "client_secret": SECRET, "subject_token": "mockown-demo-external-token",
                "subject_token_type": "urn:ietf:params:oauth:token-type:access_token"}  # fmt: skip
    r = http.post("/services/oauth2/token", data=exchange)
    found["token-exchange subject token"] = "mockown-demo-external-token"  # the handler's mapping table's
    found["token-exchange access token"] = r.json()["access_token"]
    bearer = {"Authorization": f"Bearer {found['code access token']}"}
    assert http.get("/services/data/v62.0/limits", headers=bearer).status_code == 200
    r = http.get("/services/data/v62.0/query", params={"q": "SELECT DeleteToken FROM OauthToken"}, headers=bearer)
    found["OauthToken delete token"] = r.json()["records"][0]["DeleteToken"]  # made under the delete-token key
    assert http.post("/services/oauth2/introspect", data={"token": body["refresh_token"]}, auth=(CID, SECRET))
    assert http.get("/services/oauth2/revoke", params={"token": found["refreshed access token"]}).status_code == 200
    # Own: the Edit Profile page, the exchange, the API, the legacy session API
    csrf = re.search(r"name='_csrf' value='([^']+)'", http.get("/own/profile").text)  # the page's form guard
    assert csrf
    r = http.post("/own/profile", data={"email": "owner@own.mockown.test", "password": "0wnerPassw0rd!",
                                        "_csrf": csrf.group(1)})  # fmt: skip
    found["own password"] = "0wnerPassw0rd!"
    found["anti-CSRF token"] = csrf.group(1)
    found["own profile cookie"] = r.cookies["own_profile"]
    r = http.post("/own/profile/token", data={"_csrf": csrf.group(1)})
    api_token = re.search(r"<code id='api-token'>([^<]+)</code>", r.text)
    assert api_token
    found["own API token"] = api_token.group(1)
    form = {"grant_type": "refresh_token", "client_id": "0oa4c413eq8wwcEzP4h7", "refresh_token": found["own API token"]}
    found["own access token"] = http.post(OWN_TOKEN, data=form).json()["access_token"]
    assert http.get("/api/v1/services", headers={"Authorization": f"Bearer {found['own access token']}"})
    r = http.post("/api/auth/v1/login", data={"email": "sales-admin@own.mockown.test", "password": "Sa1esAdmin!"})
    found["own legacy password"] = "Sa1esAdmin!"
    found["own session id"] = r.json()["session_id"]
    assert http.get("/api/v1/services", headers={"X-SESSION-ID": found["own session id"]}).status_code == 200
    # Marketing Cloud: client credentials in JSON
    mc = {"grant_type": "client_credentials", "client_id": "mockowndemoserver0000000a", "client_secret": MC_SECRET}
    r = http.post("/mc/mcmockowndemo000000000000000/v2/token", json=mc)
    found["marketing access token"] = r.json()["access_token"]
    found["marketing client secret"] = MC_SECRET
    found["consumer secret"] = SECRET
    # failures log too: a wrong password, a wrong secret, a bad token
    http.post("/services/oauth2/token", data={**token, "password": PASSWORD + "-wrong"})
    found["wrong password"] = PASSWORD + "-wrong"
    http.post("/services/oauth2/introspect", data={"token": "00Dbogus!" + "x" * 40}, auth=(CID, SECRET + "bad"))
    found["wrong secret"] = SECRET + "bad"
    # the SOAP API's login() (the body is XML, read by no form parser) and a failed one, then logout()
    soap = ('<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:u="urn:partner.soap.sforce.com">'
            "<e:Header>{}</e:Header><e:Body>{}</e:Body></e:Envelope>")  # fmt: skip
    login = "<u:login><u:username>{}</u:username><u:password>{}</u:password></u:login>"
    xml = {"Content-Type": "text/xml"}
    r = http.post("/services/Soap/u/59.0", content=soap.format("", login.format(ADMIN, "S0apWrongGuess!")), headers=xml)
    assert r.status_code == 500
    found["wrong SOAP password"] = "S0apWrongGuess!"
    r = http.post("/services/Soap/u/59.0", content=soap.format("", login.format(ADMIN, PASSWORD + "SecTok3nAdmin")),
                  headers=xml)  # fmt: skip
    found["SOAP session id"] = r.text.split("<sessionId>")[1].split("</sessionId>")[0]
    header = f"<u:SessionHeader><u:sessionId>{found['SOAP session id']}</u:sessionId></u:SessionHeader>"
    r = http.post("/services/Soap/u/59.0", content=soap.format(header, "<u:logout/>"), headers=xml)
    assert r.status_code == 200
    assert all(found.values())
    return found, {SECRET, MC_SECRET, SECRET + "bad"}


def test_no_secret_in_the_state_file_the_logs_or_the_journal(tmp_path: Path) -> None:
    env = {"MOCKOWN_LOG_LEVEL": "debug", "MOCKOWN_ADMIN_TOKEN": ADMIN_TOKEN}
    with serve(tmp_path, ["--state-file", str(tmp_path / "state.db")], env) as server, server.client() as http:
        secrets, app_secrets = drive(http)
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        journal = http.get("/_mockown/journal", headers=admin)
        snapshot = http.get("/_mockown/snapshot", headers=admin)
        assert journal.status_code == 200 and snapshot.status_code == 200
        assert journal.json()["count"] >= 15
        basic = base64.b64encode(f"{CID}:{SECRET}".encode()).decode()
        secrets["basic credentials"] = basic
    output = server.output()
    first_log_line = output.index("ts=")
    banner, log = output[:first_log_line].encode(), output[first_log_line:].encode()
    assert b"seeded demo credentials" in banner and b"logger=mockown.request" in log
    state = b"".join(p.read_bytes() for p in tmp_path.glob("state.db*"))
    assert len(state) > 10_000
    # the keys the server made for itself, kept in the state file with the signing keys (and nowhere else): the
    # browser-session key signs a login cookie for any user, the delete-token key makes every approval's DeleteToken
    db = sqlite3.connect(tmp_path / "state.db")
    kept = {name: value for table in ("mockown_state", "meta")  # (wherever the file has them)
            for name, value in db.execute(f"SELECT name, value FROM {table} WHERE name IN (?, ?)", KEYS)}  # fmt: skip
    db.close()
    assert set(kept) == set(KEYS)
    keys = {f"{name} key": json.loads(value) for name, value in kept.items()}
    secrets.update(keys)
    places = {"log": log, "banner": banner, "journal": journal.content, "state file": state}
    places["snapshot"] = snapshot.content
    leaks = []
    for what, value in secrets.items():
        for where, data in places.items():
            if where in ("state file", "snapshot") and value in app_secrets:
                continue  # the documented exception (consumer secrets are kept as given)
            if where == "state file" and what in keys:
                continue  # where the keys are kept, as the signing keys are
            if where == "banner" and value in SEED_DECLARED:
                continue
            if any(form in data for form in forms(value)):
                leaks.append(f"{what} in the {where}")
    assert not leaks, "\n".join(leaks)


def test_a_paged_oauth_token_query_keeps_no_delete_token(tmp_path: Path) -> None:
    """An OauthToken query answered in batches keeps its later batches in a query cursor, so in the state file and
    a snapshot: its rows' DeleteTokens (bearer secrets that revoke their approval) are not kept, yet every batch
    shows them, and one from a later batch revokes its approval. (The test above makes too few approvals to page.)"""
    app = create_app(Config(state_file=str(tmp_path / "state.db")), clock=FrozenClock(T0))
    runtime = app.state.runtime
    try:
        with in_process_client(app) as http:
            session = password_token(http).json()["access_token"]
            bearer = {"Authorization": f"Bearer {session}"}
            admin = runtime.salesforce.user_by_username(ADMIN)
            demo = runtime.salesforce.app_by_client_id(CID)
            now = runtime.clock.now()
            with runtime.store.atomic():  # 250 approvals of the admin (an admin sees them all): more than a batch
                for n in range(250):
                    family = f"paged{n:059d}"
                    runtime.salesforce.refresh_tokens.put(
                        RefreshToken(id=family, org_id=admin.org_id, user_id=admin.id, app_id=demo.id, scopes=["api"],
                                     issued_at=now, last_used=now, family_id=family, approval=f"{admin.id}|{demo.id}")
                    )  # fmt: skip
            query = {"q": "SELECT AppName, DeleteToken FROM OauthToken"}
            first = http.get("/services/data/v62.0/query", params=query,
                             headers={**bearer, "Sforce-Query-Options": "batchSize=200"}).json()  # fmt: skip
            assert (first["totalSize"], len(first["records"]), first["done"]) == (250, 200, False)
            later = http.get(first["nextRecordsUrl"], headers=bearer).json()
            assert len(later["records"]) == 50
            shown = [row["DeleteToken"] for row in first["records"] + later["records"]]
            assert len(set(shown)) == 250 and all(isinstance(token, str) and len(token) > 20 for token in shown)
            whole = http.get("/services/data/v62.0/query", params=query, headers=bearer).json()  # one batch of 2000
            assert whole["done"] and [row["DeleteToken"] for row in whole["records"]] == shown
            snapshot = http.get("/_mockown/snapshot")
            assert snapshot.status_code == 200 and snapshot.json()["store"]["sf_query_cursors"]
            assert http.post("/services/oauth2/revoke", data={"token": shown[-1]}).status_code == 200
            again = http.get("/services/data/v62.0/query", params=query, headers=bearer).json()
            assert again["totalSize"] == 249 and shown[-1] not in [row["DeleteToken"] for row in again["records"]]
    finally:
        runtime.store.close()
    state = b"".join(p.read_bytes() for p in tmp_path.glob("state.db*"))
    leaks = [token for token in shown if any(form in state or form in snapshot.content for form in forms(token))]
    assert not leaks, f"{len(leaks)} DeleteTokens kept in the state file or the snapshot"


GENERATED_SEED = """\
salesforce:
  orgs:
    - name: Generated Org
      users:
        - username: generated@mockown.test
        - username: declared@mockown.test
          password: Decl4red-Passw0rd
          security_token: Decl4redTok3n
      apps:
        - name: Generated Secret App
        - name: Declared Secret App
          client_secret: DECLAREDSECRET0123456789ABCDEF
own:
  accounts:
    - name: Generated Account
      users:
        - email: generated@own.mockown.test
          api_token: true
        - email: declared@own.mockown.test
          password: Decl4red-0wn-Passw0rd
          api_token: Decl4redOwnApiT0kenValue0123456789
"""


def test_the_banner_never_prints_a_generated_credential(tmp_path: Path) -> None:
    """A seed document that leaves passwords and secrets out, or asks for `api_token: true`: the server generates
    them, and the banner (stdout, container logs) shows a pointer instead; what the document declares it repeats."""
    seed = tmp_path / "generated.yaml"
    seed.write_text(GENERATED_SEED)
    with serve(tmp_path, ["--seed", str(seed)]) as server, server.client() as http:
        snapshot = http.get("/_mockown/snapshot").json()
    output = server.output()
    banner = output[: output.index("ts=")] if "ts=" in output else output
    lines = {line.split()[1]: line for line in banner.splitlines() if line.strip().startswith(("user ", "app "))}
    apps = {app["name"]: app for app in snapshot["store"]["sf_apps"]}
    generated_secret = apps["Generated Secret App"]["client_secret"]
    assert generated_secret and generated_secret not in banner  # its consumer secret, generated
    assert "client_secret <generated" in banner
    assert re.search(r"user generated@mockown\.test password <generated[^>]*>$", lines["generated@mockown.test"])
    assert re.search(r"user generated@own\.mockown\.test password <generated[^>]*> API token <generated[^>]*>$",
                     lines["generated@own.mockown.test"])  # fmt: skip
    assert "user declared@mockown.test password Decl4red-Passw0rd security token Decl4redTok3n" in banner
    assert "client_secret DECLAREDSECRET0123456789ABCDEF" in banner
    assert "password Decl4red-0wn-Passw0rd API token Decl4redOwnApiT0kenValue0123456789" in banner
    assert "mockown seed" in banner or "/_mockown/seed" in banner  # where generated credentials come from
