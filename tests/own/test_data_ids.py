"""The record ids and snapshots of a service's backups are a pure function of the service's data seed: the same
seed gives the same ids in every version (pinned values), and `record_id` computes what the documented recipe
says (a reference implementation, property-tested)."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from mockown import ids
from mockown.own import data

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _reference_record_id(data_seed: str, obj: str, index: int) -> str:
    """Prefix, ``5g``, 10 base-62 digits (lowest first) of the SHA-256's first 8 bytes, then to18."""
    prefix = {"accounts": "001", "contacts": "003", "opportunities": "006", "leads": "00Q", "cases": "500"}
    raw = int.from_bytes(hashlib.sha256("\x1f".join([data_seed, obj, str(index)]).encode()).digest()[:8], "big")
    body = ""
    for _ in range(10):
        raw, rem = divmod(raw, 62)
        body += _B62[rem]
    return ids.to18(prefix.get(obj, "a00") + "5g" + body)


def test_record_ids_are_pinned() -> None:
    assert data.record_id("1000:us-east-1:1", "accounts", 0) == "0015gIfsWd7MXDnAJO"
    assert data.record_id("1000:us-east-1:1", "contacts", 7) == "0035gAyQmHIvPvRAVV"
    assert data.record_id("42:eu-west-1:3", "widgets__c", 123) == "a005grTz8oLQFUaACP"


def test_snapshots_are_pinned() -> None:
    first = data.first_snapshot("1000:us-east-1:1", "accounts", 8)
    assert list(first.records.values()) == [1] * 8 and first.added == list(first.records) and first.next_index == 8
    nxt = data.next_snapshot("1000:us-east-1:1", first, 1)
    assert nxt.records == {
        "0015g09qNu6p4QNAIY": 1, "0015g91RRxCvuOPAMZ": 1, "0015gF8c8kjQ0DcABK": 1, "0015gIfsWd7MXDnAJO": 1,
        "0015gQU4WlJ1nwRALR": 2, "0015ghtpR8b6majAIA": 1, "0015gmupnRtOUnyAQG": 2, "0015gcJOC4wuxV4AOI": 1,
    }  # fmt: skip
    assert nxt.added == ["0015gcJOC4wuxV4AOI"]
    assert nxt.changed == ["0015gQU4WlJ1nwRALR", "0015gmupnRtOUnyAQG"]
    assert nxt.removed == {"0015gtaja01Ya5XAAS": 1}
    assert nxt.next_index == 9


@given(
    st.text(min_size=0, max_size=30),
    st.sampled_from(["accounts", "contacts", "opportunities", "leads", "cases", "widgets__c", ""]),
    st.integers(min_value=0, max_value=10**12),
)
def test_record_id_follows_the_recipe(data_seed: str, obj: str, index: int) -> None:
    made = data.record_id(data_seed, obj, index)
    assert made == _reference_record_id(data_seed, obj, index)
    assert ids.to18(made) == made  # a valid 18-character id: its checksum is right
