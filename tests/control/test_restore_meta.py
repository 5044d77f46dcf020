"""`POST /_mockown/restore` checks a snapshot's ``_meta`` values (mockown/metakeys.py): every meta key mockown
reads holds the type and shape its reader needs, else the snapshot is refused (400 naming ``_meta.<key>``) and
the state is unchanged. On both stores. A key nothing reads is kept as it is."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from mockown import metakeys, outbox
from mockown.own import service as own_service
from mockown.own.progress import KINDS
from mockown.salesforce import oauth_tokens
from mockown.store import is_answer
from mockown.store.decode import META_CHECKS
from tests.own.conftest import OWNER, PASSWORDS

from . import test_restore_types
from .test_restore_types import JSON, Snapshot, Used

used = test_restore_types.used  # the fixture: an app with tokens issued, on each store

HEX = "ab" * 32


def _meta(snap: Snapshot) -> dict[str, Any]:
    values: dict[str, Any] = snap["store"].setdefault("_meta", [{}])[0]
    return values


def _service(used: Used) -> int:
    listed = used.client.get("/regions/app1/api/v1/services", headers={"Authorization": f"Bearer {used.own_access}"})
    assert listed.status_code == 200, listed.text
    num: int = listed.json()[0]["id"]
    return num


def meta_probes(used: Used) -> dict[str, str]:
    """What reads each meta value, and how it went ("ok", an answer's status, or the exception a request would
    have turned into a 500)."""
    runtime, out = used.runtime, {}
    own = {"Authorization": f"Bearer {used.own_access}"}
    backup = used.client.post(f"/regions/app1/api/v1/services/{_service(used)}/backup_now", headers=own)
    out["backup now"] = "500" if backup.status_code >= 500 else "ok"
    reads = {
        "ui secret": lambda: runtime.ui_secret,
        "delete-token key": lambda: oauth_tokens.signing_key(runtime.salesforce),
        "api token (outbox, event ids)": lambda: runtime.own.generate_api_token(OWNER, PASSWORDS[OWNER]),
        **{f"{kind} progression": (lambda kind=kind: runtime.own.new_progression(kind)) for kind in KINDS},
        "job id": lambda: runtime.own.next_num("app1", "job"),
    }
    for name, read in reads.items():
        try:
            read()
            out[name] = "ok"
        except Exception as exc:  # what a request would have answered 500
            out[name] = "ok" if is_answer(exc) else f"{type(exc).__name__}: {exc}"
    return out


def _fine(used: Used) -> None:
    probes = meta_probes(used)
    assert probes == dict.fromkeys(probes, "ok")
    answers = used.probes()
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 200)


def test_every_meta_key_mockown_reads_has_a_check() -> None:
    """The readers' keys (grep get_meta): a key added without a check here would be restored as given."""
    read = {outbox._LAST_STAMP, outbox._LAST_SEQ, own_service._MODES, "own.seq.app1.backup"}
    assert metakeys.META_CHECKS is META_CHECKS
    unchecked = {key for key in read if key not in META_CHECKS and not any(key.startswith(k[:-1]) for k in META_CHECKS)}
    assert not unchecked


WRONG: list[tuple[str, Any, str]] = [
    ("outbox.last_stamp", "1767225600000", "years 0001 to 9999 or null, got '1767225600000'"),
    ("outbox.last_stamp", 10**20, "years 0001 to 9999 or null, got 100000000000000000000"),
    ("outbox.last_stamp", 1.5e12, "years 0001 to 9999 or null, got 1500000000000.0"),
    ("outbox.last_seq", "7", "expected a whole number from 0 or null, got '7'"),
    ("outbox.last_seq", -1, "expected a whole number from 0 or null, got -1"),
    ("own.progression", "polls:3", "expected an object of kind: mode or null, got 'polls:3'"),
    ("own.progression", {"backup": "soon"}, "expected backup: immediate, seconds:N or polls:N"),
    ("own.progression", {"backup": "polls:-1"}, "N must not be negative"),
    ("own.progression", {"backup": 3}, "expected backup: immediate, seconds:N or polls:N, got an object"),
    ("own.progression", {"restore": "immediate"}, "expected kinds among backup, export, gdpr, seed, not 'restore'"),
    ("own.seq.app1.backup", "420007", "expected a whole number from 0 to 2147483647 or null, got '420007'"),
    ("own.seq.app1.backup", -1, "expected a whole number from 0 to 2147483647 or null, got -1"),
    ("own.seq.app1.service", 2**31, "expected a whole number from 0 to 2147483647 or null, got 2147483648"),
    ("own.seq.event", 1.5, "expected a whole number from 0 or null, got 1.5"),
    ("own.seq.user", True, "expected a whole number from 0 to 2147483647 or null, got true"),
]


@pytest.mark.parametrize(("key", "value", "problem"), WRONG, ids=[f"{k}={v!r}" for k, v, _ in WRONG])
def test_a_wrong_meta_value_refuses_the_snapshot_and_changes_nothing(
    used: Used, key: str, value: Any, problem: str
) -> None:
    bad = copy.deepcopy(used.snapshot())
    _meta(bad)[key] = value
    before = used.state()
    response = used.restore(bad)
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert message.startswith(f"cannot restore the snapshot: _meta.{key}: "), message
    assert problem in message
    assert used.state() == before
    _fine(used)


def test_meta_values_of_the_right_shape_are_restored(used: Used) -> None:
    snap = copy.deepcopy(used.snapshot())
    good = {
        "outbox.last_stamp": 1767225600000,
        "outbox.last_seq": 41,
        "own.progression": {"backup": "polls:3", "export": "seconds:2m"},
        "own.seq.app1.job": 70010,
        "own.seq.app1.service": 2**31 - 1,  # as a seeded id at the bound makes it (models.MAX_OWN_ID)
        "own.seq.event": 10**20,  # audit event ids have no bound
        "someone.elses": {"kept": ["as", "it", "is"]},  # nothing reads it
    }
    _meta(snap).update(good)
    assert used.restore(snap).status_code == 200
    assert {k: v for k, v in _meta(used.snapshot()).items() if k in good} == good
    assert used.runtime.own.new_progression("backup") == {"mode": "polls", "n": 3, "polls": 0}
    _fine(used)
    nulls = copy.deepcopy(snap)
    _meta(nulls).update(dict.fromkeys(("outbox.last_stamp", "own.progression", "own.seq.app1.job")))
    assert used.restore(nulls).status_code == 200
    _fine(used)


def test_a_meta_list_of_two_objects_is_refused(used: Used) -> None:
    bad = copy.deepcopy(used.snapshot())
    bad["store"]["_meta"] = [{}, {"outbox.last_stamp": 1767225600000}]
    before = used.state()
    response = used.restore(bad)
    assert response.status_code == 400
    assert response.json()["message"] == "cannot restore the snapshot: _meta: expected a list of one object, got 2"
    assert used.state() == before


# -- the property: one meta value (one the snapshot has, or one a reader reads) replaced by any JSON value -------
READ = (
    "ui_secret",
    "sf_oauth_token_delete_key",
    "outbox.last_stamp",
    "outbox.last_seq",
    "own.progression",
    "own.seq.app1.job",
)
MODES = st.sampled_from(["immediate", "polls:3", "seconds:30", "polls:0", "polls:-1", "soon", ""])
VALUES = (
    JSON
    | st.dictionaries(st.sampled_from([*KINDS, "restore"]), MODES | JSON, max_size=2)
    | st.text(alphabet="0123456789abcdefABCDEF ", max_size=8)
    | st.integers(min_value=-(2**64), max_value=2**64)
)


def test_any_meta_value_is_refused_or_served_without_a_500(used: Used) -> None:
    snap = used.snapshot()
    original = json.loads(json.dumps(snap))
    keys = sorted({*_meta(copy.deepcopy(original)), *READ})

    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(key=st.sampled_from(keys), value=VALUES)
    def prop(key: str, value: Any) -> None:
        assert used.restore(original).status_code == 200
        before = used.state()
        note(f"_meta.{key} = {value!r}")
        mutated = copy.deepcopy(original)
        _meta(mutated)[key] = value
        response = used.restore(mutated)
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            assert response.json()["message"].startswith(f"cannot restore the snapshot: _meta.{key}: ")
            assert used.state() == before
        probes = meta_probes(used)
        assert probes == dict.fromkeys(probes, "ok")
        for probe, answer in used.probes().items():
            assert answer.status_code < 500, (probe, answer.text)

    prop()


def test_a_state_with_a_seeded_big_id_restores_itself(used: Used) -> None:
    """A seed takes any id up to the bound (models.MAX_OWN_ID) and moves the counter to it: the state's own
    snapshot restores."""
    seeded = used.client.post("/_mockown/seed", json={"own": {"accounts": [{"services": [{"id": 2**31 - 1}]}]}})
    assert seeded.status_code == 201, seeded.text
    snap = used.snapshot()
    assert _meta(copy.deepcopy(snap))["own.seq.app1.service"] == 2**31 - 1
    assert used.restore(snap).status_code == 200
    _fine(used)
