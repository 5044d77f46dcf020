"""What a client sends as JSON is read by one reader (`mockown.http.forms.parse_json`): a document Python's parser
cannot turn into a value is bad input in the API's dialect, never a 500. Besides malformed text that is a document
nested past the parser's depth (RecursionError) and an integer longer than int() reads (4,300 digits: a ValueError
that is no JSONDecodeError), in a JSON body, in a form field that carries JSON, and in the journal's redaction."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from mockown.http.forms import MAX_JSON_DEPTH, BadBody, json_loads, parse_json
from mockown.http.journal import REDACTED
from tests.own.conftest import SALES, SALES_SANDBOX, TEMPLATE, bearer

BIG = "1" * 5000
DEEP = "[" * 50_000 + "]" * 50_000


@pytest.mark.parametrize("text", ['{"a": ' + BIG + "}", DEEP, "{", b"\xff", '{"a": -' + BIG + "}"])
def test_parse_json_refuses_what_it_cannot_read(text: str | bytes) -> None:
    with pytest.raises(BadBody, match="malformed JSON"):
        parse_json(text)


@pytest.mark.parametrize("text", ['{"a": "\\ud800"}', b'["x\\udc00y"]', '{"a": {"b": "\\uDBFF"}}'])
def test_a_lone_surrogate_is_refused_as_one(text: str | bytes) -> None:
    """A lone surrogate's BadBody (a ValueError) was caught by the case for an integer too long to read: the
    client was told of "a number too long to read" in a document holding no number."""
    with pytest.raises(BadBody, match="lone surrogate") as refused:
        parse_json(text)
    assert "number" not in str(refused.value)


def test_parse_json_reads_a_document() -> None:
    assert parse_json('{"a": [1, "b", null]}') == {"a": [1, "b", None]}


@pytest.mark.parametrize(
    ("path", "dialect"),
    [
        ("/services/oauth2/token", {"error", "error_description"}),  # Salesforce OAuth
        ("/services/oauth2/register", {"error", "error_description"}),
        ("/v2/token", {"error", "error_description", "error_uri"}),  # Marketing Cloud, where JSON is documented
        ("/api/v1/services", {"error", "message"}),  # Own
    ],
)
def test_a_json_body_with_a_huge_integer_is_no_500(client: httpx.Client, path: str, dialect: set[str]) -> None:
    r = client.post(path, content='{"grant_type": ' + BIG + "}", headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert set(r.json()) == dialect


@pytest.mark.parametrize("path", ["/mc/mcmockowndemo000000000000000/v2/token", "/_mockown/clock"])
def test_a_json_body_with_a_lone_surrogate_says_so(client: httpx.Client, path: str) -> None:
    r = client.post(path, content='{"grant_type": "a\\ud800"}', headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert "lone surrogate" in r.text and "number too long" not in r.text, r.text


@pytest.mark.parametrize("value", [DEEP, "[" + BIG + "]"])
def test_an_own_list_field_holding_unreadable_json_is_a_400(client: httpx.Client, app: Starlette, value: str) -> None:
    auth = bearer(client, app.state.runtime.own)
    r = client.post(f"/api/v1/services/{SALES}/backup_specific_objects_now", data={"list_of_objects": value},
                    headers=auth)  # fmt: skip
    assert r.status_code == 400 and r.json()["error"] == "Bad Request", r.text


@pytest.mark.parametrize("value", ['{"a": ' + DEEP + "}", '{"a": ' + BIG + "}"])
def test_own_automations_holding_unreadable_json_are_a_400(client: httpx.Client, app: Starlette, value: str) -> None:
    auth = bearer(client, app.state.runtime.own)
    form = {"destination_service_id": str(SALES_SANDBOX), "disable_automations": "true"}
    form["automations_to_disable"] = value
    r = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/anonymize", data=form, headers=auth)
    assert r.status_code == 400 and "automations_to_disable" in r.json()["message"], r.text


@pytest.mark.parametrize("depth", [900, 990, 50_000])
def test_a_form_value_that_looks_like_deep_json_leaves_the_journal_readable(client: httpx.Client, depth: int) -> None:
    value = "[" * depth + "]" * depth
    assert client.post("/services/oauth2/token", data={"grant_type": "password", "x": value}).status_code == 400
    r = client.get("/_mockown/journal")
    assert r.status_code == 200, r.text
    shown = next(entry["params"]["x"] for entry in r.json()["entries"] if "x" in entry["params"])
    # what no parser reads is shown as the text it is; JSON read but too deep to look into for secrets is not
    # shown (where the one ends and the other begins depends on the stack the request runs on)
    assert shown in (value, REDACTED)


@pytest.mark.parametrize("depth", [10, 900])
def test_a_secret_deep_in_a_json_body_is_not_in_the_journal(client: httpx.Client, depth: int) -> None:
    body = '{"grant_type": "password", "a": ' + "[" * depth + '{"client_secret": "S3CRETVALUE"}' + "]" * depth + "}"
    client.post("/services/oauth2/register", content=body, headers={"Content-Type": "application/json"})
    r = client.get("/_mockown/journal")
    assert r.status_code == 200 and "S3CRETVALUE" not in r.text


@pytest.mark.parametrize("value", [DEEP, BIG])
def test_a_registration_document_no_parser_reads_is_invalid_client_metadata(client: httpx.Client, value: str) -> None:
    r = client.post("/services/oauth2/register", content='{"redirect_uris": ' + value + "}",
                    headers={"Authorization": "Bearer MOCKOWNDEMOINITIALACCESSTOKEN",
                             "Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata", r.text


@pytest.mark.parametrize("value", [DEEP, BIG])
def test_a_control_plane_body_no_parser_reads_is_a_400(client: httpx.Client, value: str) -> None:
    body = '{"advance": ' + value + "}"
    r = client.post("/_mockown/clock", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "malformed JSON" in r.text, r.text


# -- one nesting limit on every Python (3.11's parser stops near 1,000 levels, 3.12's and 3.13's further on) -------
def _nested(depth: int, inner: str = "1") -> str:
    text = inner
    for level in range(depth):
        text = f'{{"k": {text}}}' if level % 2 else f"[{text}]"
    return text


@settings(max_examples=60, deadline=None)
@given(st.integers(1, MAX_JSON_DEPTH + 300), st.integers(0, 3))
def test_json_nested_past_the_limit_is_refused_on_every_python(depth: int, siblings: int) -> None:
    text = "[" + ", ".join([_nested(depth)] + ["[1, {}]"] * siblings) + "]"  # one level more than `depth`
    if depth + 1 > MAX_JSON_DEPTH:
        with pytest.raises(BadBody, match="nested too deeply"):
            parse_json(text)
        with pytest.raises(RecursionError):
            json_loads(text.encode())
    else:
        assert parse_json(text) == json.loads(text)


def test_many_brackets_side_by_side_are_not_deep() -> None:
    """The walk only runs when a text opens more arrays and objects than the limit, and counts depth, not number."""
    wide = "[" + ", ".join(['{"a": [1]}'] * (MAX_JSON_DEPTH * 3)) + "]"
    assert len(parse_json(wide)) == MAX_JSON_DEPTH * 3
