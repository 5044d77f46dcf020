"""Secrets are compared in constant time, through `mockown.security.equal` (hmac.compare_digest) only.

A lint-style check walks the AST of every module of the package and refuses an `==` / `!=` / `in` between a
value whose name says it holds a secret (secret, password, signature, verifier, challenge, csrf, digest, hash,
admin token, ...) and anything but a literal (`None`, `""`, a mode name). Unit tests then prove that the
places that do compare secrets go through `security.equal`, and that it behaves.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from mockown import Config, FrozenClock, create_app, security
from mockown.http.inprocess import in_process_client
from tests.conftest import ADMIN, CID, PASSWORD, SECRET

PACKAGE = Path(security.__file__).resolve().parent
SECRET_NAME = re.compile(
    r"(^|_)(secret|client_secret|password|passwd|password_hash|token_hash|security_token\w*|signature|csrf\w*"
    r"|admin_token|verifier|code_verifier|challenge|code_challenge|digest|hmac|mac|api_key|assertion|sid)$",
    re.IGNORECASE,
)


# (module, name): why a hit is not a comparison of a secret value
NOT_SECRETS = {
    ("mockown/http/journal.py", "secret"): "the set of parameter *names* the journal redacts",
}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else _name(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        arg = node.args[0]
        return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
    return None


def _constant(node: ast.AST) -> bool:
    """A literal (`None`, `""`, a number, a mode such as `"always"`): such a comparison is a presence or mode
    check, not a comparison of a secret with what a client sent."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_constant(e) for e in node.elts)
    return isinstance(node, ast.Constant)


def secret_comparisons(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
            if not isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn):
                continue
            for side, other in ((left, right), (right, left)):
                name = _name(side)
                if name and SECRET_NAME.search(name) and not _constant(other):
                    found.append((node.lineno, name))
    return found


def test_no_secret_is_compared_with_eq_anywhere_in_the_package() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = str(path.relative_to(PACKAGE.parent))
        for line, name in secret_comparisons(path.read_text(encoding="utf-8")):
            if (module, name) not in NOT_SECRETS:
                offenders.append(f"{module}:{line}: {name}")
    assert not offenders, "compare secrets with mockown.security.equal:\n" + "\n".join(offenders)


def test_the_lint_sees_what_it_must() -> None:
    bad = "if client_secret == given: pass\nif app.client_secret != x: pass\nok = token_hash in seen\n"
    bad += "if params.get('code_verifier') == v: pass\nif request.cookies['sid'] == s: pass\n"
    assert [name for _, name in secret_comparisons(bad)] == [
        "client_secret", "client_secret", "token_hash", "code_verifier", "sid",
    ]  # fmt: skip
    fine = "if secret is None: pass\nif password == '': pass\nif security.equal(secret, given): pass\n"
    fine += "if self.secret == 'always': pass\n"
    fine += "if grant_type == 'password': pass\nif len(signature) != 43: pass\n"
    assert secret_comparisons(fine) == []


# -- security.equal and its users ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("s3cret", "s3cret", True),
        ("s3cret", "s3cres", False),
        ("s3cret", "s3cret ", False),
        ("", "", True),
        ("", "x", False),
        (b"\x00\xff", b"\x00\xff", True),
        ("é", "é".encode(), True),
        ("\ud800", "\ud800", True),  # a lone surrogate (JSON bodies can carry one) compares, never raises
        ("\ud800", "\ud801", False),
    ],
)
def test_security_equal(a: str | bytes, b: str | bytes, same: bool) -> None:
    assert security.equal(a, b) is same
    assert security.equal(b, a) is same


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, object]]:
    seen: list[tuple[object, object]] = []
    original = security.equal

    def spy(a: str | bytes, b: str | bytes) -> bool:
        seen.append((a, b))
        return original(a, b)

    monkeypatch.setattr(security, "equal", spy)
    return seen


def test_client_secrets_go_through_equal(client: httpx.Client, calls: list[tuple[object, object]]) -> None:
    form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET + "x", "username": ADMIN}
    r = client.post("/services/oauth2/token", data={**form, "password": PASSWORD})
    assert r.status_code in (400, 401)
    assert (SECRET + "x", SECRET) in calls


def test_passwords_go_through_equal(client: httpx.Client, calls: list[tuple[object, object]]) -> None:
    form = {"grant_type": "password", "client_id": CID, "client_secret": SECRET, "username": ADMIN}
    assert client.post("/services/oauth2/token", data={**form, "password": "nope"}).status_code == 400
    hex64 = re.compile(r"[0-9a-f]{64}")
    assert any(hex64.fullmatch(str(a)) and hex64.fullmatch(str(b)) for a, b in calls)  # the two password hashes


def test_the_admin_token_goes_through_equal(calls: list[tuple[object, object]]) -> None:
    app: Starlette = create_app(Config(admin_token="the-admin-token"), clock=FrozenClock("2026-01-01T00:00:00Z"))
    with in_process_client(app) as c:
        assert c.get("/_mockown/health", headers={"Authorization": "Bearer guess"}).status_code == 401
    assert ("guess", "the-admin-token") in calls


def test_pkce_verifiers_go_through_equal(client: httpx.Client, calls: list[tuple[object, object]]) -> None:
    from tests.salesforce.helpers import exchange, get_code, pkce_pair

    verifier, challenge = pkce_pair()
    code = get_code(client, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(client, code, code_verifier=verifier + "x").status_code == 400
    assert (security.b64url_sha256(verifier + "x"), challenge) in calls
