"""Property-based tests where the input space is large: request bodies, list/boolean parsing, paging, progress."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockown import FrozenClock
from mockown.http.forms import Params
from mockown.own import progress
from mockown.own.errors import OwnError
from mockown.own.params import boolean, names
from mockown.own.service import OwnService
from tests.own.conftest import SALES, bearer

FIXTURE_OK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
EXPORT_FIELDS = ["export_format", "sql_dialect", "include_attachments", "objects"]
VALUES = st.one_of(
    st.sampled_from(["csv", "sql", "CSV", "mysql", "oracle", "postgresql", "mssql", "true", "False", "1", "accounts",
                     "Contacts", "opportunities,accounts", '["accounts"]', "", " "]),
    st.text(max_size=20),
)  # fmt: skip


@FIXTURE_OK
@given(body=st.dictionaries(st.sampled_from(EXPORT_FIELDS), VALUES, max_size=4), as_json=st.booleans())
def test_export_bodies_get_a_job_or_a_400_naming_a_field(
    client: httpx.Client, auth: dict[str, str], body: dict[str, str], as_json: bool
) -> None:
    url = f"/api/v1/services/{SALES}/backups/last/export"
    r = client.post(url, headers=auth, json=body) if as_json else client.post(url, headers=auth, data=body)
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        payload = r.json()
        assert payload["error"] == "Bad Request"
        assert any(payload["message"].startswith(f) for f in EXPORT_FIELDS)
    else:
        assert set(r.json()) == {"job_id"}
        assert (body.get("export_format") or "").strip().lower() in ("csv", "sql")


GDPR_FIELDS = ["record_id", "table_name", "field", "value", "comment"]


@FIXTURE_OK
@given(
    body=st.dictionaries(
        st.sampled_from(GDPR_FIELDS),
        st.one_of(st.sampled_from(["Contact", "accounts", "Email", "0033z000033pldQAAQ", "0033z000033pldQ"]),
                  st.text(max_size=24)),
        max_size=5,
    ),
    forget=st.booleans(),
)  # fmt: skip
def test_gdpr_bodies(client: httpx.Client, auth: dict[str, str], body: dict[str, str], forget: bool) -> None:
    url = f"/api/v1/services/{SALES}/gdpr/{'forget' if forget else 'rectify'}"
    r = client.post(url, headers=auth, files={k: (None, v) for k, v in body.items()} or None, data=None)
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert any(r.json()["message"].startswith(f) for f in GDPR_FIELDS)


@given(value=st.text(max_size=12))
def test_loose_booleans(value: str) -> None:
    params = Params([("flag", value)])
    lowered = value.strip().lower()
    try:
        result = boolean(params, "flag")
    except OwnError as exc:
        assert exc.status == 400 and exc.message.startswith("flag must be a boolean")
        assert lowered not in ("true", "false", "1", "0", "yes", "no", "")
        return
    if lowered in ("true", "1", "yes", "on", "t", "y"):
        assert result is True
    else:
        assert result is False


NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True)


@given(
    items=st.lists(NAME, min_size=1, max_size=6, unique=True),
    style=st.sampled_from(["repeat", "comma", "json", "brackets"]),
)
def test_list_fields_in_every_style(items: list[str], style: str) -> None:
    import json

    if style == "repeat":
        params = Params([("objects", i) for i in items])
    elif style == "comma":
        params = Params([("objects", ",".join(items))])
    elif style == "json":
        params = Params([("objects", json.dumps(items))])
    else:
        params = Params([("objects[]", i) for i in items])
    assert names(params, "objects") == items


@pytest.mark.parametrize("page_size", [1, 7, 1000])
def test_event_paging_walks_everything_once(clock: FrozenClock, page_size: int) -> None:
    from mockown import Config, create_app
    from mockown.http.inprocess import in_process_client

    app = create_app(Config().replace(own={"events_page_size": page_size}), clock=clock)
    own: OwnService = app.state.runtime.own
    with in_process_client(app) as client:
        auth = bearer(client, own)

        @settings(max_examples=10, deadline=None)
        @given(extra=st.integers(min_value=0, max_value=25))
        def walk(extra: int) -> None:
            for _ in range(extra):
                own.record_event("1001", "user_login")
            expected = sorted(e.event_id for e in own.events.find("account_id", "1001"))
            seen: list[int] = []
            url = "/api/v1/events"
            while True:
                page = client.get(url, headers=auth).json()
                seen += [e["event_id"] for e in page]
                if len(page) < page_size:
                    break
                assert len(page) == page_size
                url = f"/api/v1/events?from={page[-1]['event_id']}"
            assert seen == expected

        walk()


@given(
    n=st.floats(min_value=0.5, max_value=1e6, allow_nan=False),
    times=st.lists(st.floats(min_value=0, max_value=2e6, allow_nan=False), min_size=2, max_size=10),
)
def test_seconds_progress_is_monotonic_and_reaches_100_exactly_at_n(n: float, times: list[float]) -> None:
    p = progress.parse(f"seconds:{n!r}")
    ordered = sorted(times)
    values = [progress.percent(p, 0.0, t) for t in ordered]
    assert values == sorted(values)
    for t, v in zip(ordered, values, strict=True):
        assert (v == 100) == (t >= p["n"])
        assert (progress.finished_at(p, 0.0, t) is not None) == (t >= p["n"])


@given(n=st.integers(min_value=1, max_value=50), polls=st.integers(min_value=0, max_value=60))
def test_polls_progress(n: int, polls: int) -> None:
    p = progress.parse(f"polls:{n}")
    for _ in range(polls):
        progress.count_poll(p)
    assert (progress.percent(p, 0.0, 1e9) == 100) == (polls >= n)
    assert (progress.finished_at(p, 0.0, 5.0) == 5.0) == (polls >= n)


ENDPOINTS = [
    f"/api/v1/services/{SALES}/backup_now",
    f"/api/v1/services/{SALES}/backup_specific_objects_now",
    f"/api/v1/services/{SALES}/backups/last/export",
    f"/api/v1/services/{SALES}/backups/last/export_to_endpoint",
    f"/api/v1/services/{SALES}/gdpr/rectify",
    f"/api/v1/services/{SALES}/gdpr/forget",
    "/api/v1/seeding/templates/501/seed",
    "/api/v1/seeding/templates/501/anonymize",
]
ALL_FIELDS = [*EXPORT_FIELDS, *GDPR_FIELDS, "list_of_objects", "endpoint_id", "destination", "seeding_method",
              "disable_automations", "disable_validation_rules", "reindex", "backup_id", "service_id",
              "destination_service_id", "automations_to_disable"]  # fmt: skip
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10), st.sampled_from(["300002", "last"]))
JSONISH = st.one_of(
    SCALAR, st.lists(SCALAR, max_size=3), st.dictionaries(st.text(max_size=5), st.lists(SCALAR, max_size=2), max_size=2)
)


@FIXTURE_OK
@given(
    url=st.sampled_from(ENDPOINTS),
    body=st.dictionaries(st.sampled_from(ALL_FIELDS), JSONISH, max_size=6),
    encoding=st.sampled_from(["json", "form", "multipart"]),
)
def test_every_post_answers_in_the_own_dialect(
    client: httpx.Client, auth: dict[str, str], own: OwnService, url: str, body: dict[str, object], encoding: str
) -> None:
    import json

    own.set_progression("backup", "immediate")
    if encoding == "json":
        r = client.post(url, headers=auth, json=body)
    else:
        flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        if encoding == "form":
            r = client.post(url, headers=auth, data=flat)
        else:
            r = client.post(url, headers=auth, files={k: (None, v) for k, v in flat.items()} or {"x": (None, "")})
    assert r.status_code in (200, 400, 403, 404, 409), r.text
    payload = r.json()
    if r.status_code != 200:
        assert set(payload) == {"error", "message"}
