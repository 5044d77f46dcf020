"""The BM grant under `/b2c/instances/{instance}/dw/oauth2/access_token` answers its generic errors (wrong method,
body too large, unknown path) in OAuth JSON, as `/dw/oauth2/access_token` on the instance's host does, not in the
OCAPI fault envelope of the rest of `/b2c/instances/`. The dialect table matches that path with a `*` segment
(`mockown.errors.dialect_for`)."""

from __future__ import annotations

import httpx
import pytest

from mockown.errors import ControlError, DialectTable, MockownError, dialect_for

HOST = "zzxy-001.dx.commercecloud.salesforce.com"
ON_HOST = f"https://{HOST}/dw/oauth2/access_token"
EXPLICIT = f"/b2c/instances/{HOST}/dw/oauth2/access_token"
OVERSIZED = "a=" + "x" * (1024 * 1024)
FORM = {"content-type": "application/x-www-form-urlencoded"}


def _same(a: httpx.Response, b: httpx.Response) -> None:
    assert (a.status_code, a.headers["content-type"], a.json()) == (b.status_code, b.headers["content-type"], b.json())


def test_a_wrong_method_is_oauth_json_as_on_the_instance_host(client: httpx.Client) -> None:
    explicit = client.get(EXPLICIT)
    assert explicit.status_code == 405 and set(explicit.json()) == {"error", "error_description"}, explicit.text
    _same(explicit, client.get(ON_HOST))


def test_an_oversized_body_is_oauth_json_as_on_the_instance_host(client: httpx.Client) -> None:
    explicit = client.post(EXPLICIT, content=OVERSIZED, headers=FORM)
    assert explicit.status_code == 413 and set(explicit.json()) == {"error", "error_description"}, explicit.text
    _same(explicit, client.post(ON_HOST, content=OVERSIZED, headers=FORM))


def test_the_rest_of_an_explicit_instance_keeps_the_ocapi_fault(client: httpx.Client) -> None:
    response = client.get(f"/b2c/instances/{HOST}/s/RefArch/dw/shop/v24_5/sessions")
    assert response.status_code == 405 and "fault" in response.json(), response.text


def _one(status: int, reason: str, message: str) -> MockownError:
    return ControlError(status, "one", message)  # a dialect told apart by its code


def _two(status: int, reason: str, message: str) -> MockownError:
    return ControlError(status, "two", message)


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("/x/host/oauth/token", "two"),  # the `*` is one whole segment
        ("/x/host/oauth/", "two"),
        ("/x/host/other", "one"),  # the longer pattern does not match: the prefix does
        ("/x/a/b/oauth/token", "one"),  # a `*` never spans a `/`
        ("/x//oauth/token", "one"),  # nor matches an empty segment
        ("/y/host/oauth/token", "control"),  # nothing matches: the dialect of paths no API owns (the reason)
    ],
)
def test_a_star_in_a_dialect_prefix_stands_for_one_path_segment(path: str, found: str) -> None:
    table: DialectTable = [("/x/", _one), ("/x/*/oauth/", _two)]
    error = dialect_for(table, path)(400, "Bad Request", "m")
    assert getattr(error, "error", None) == (found if found != "control" else "Bad Request")
