"""The outbox lists e-mails in sending order whatever the year: its ids held the milliseconds in 13 digits, which
grew to 14 after 2286-11-20 (the clock goes up to 9999), and they were sorted as text, so a later e-mail sorted
first and `outbox.last()` gave the older one. Ids of older versions (13 digits) still sort by their instant."""

from __future__ import annotations

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from mockown import Config, FrozenClock, create_app
from mockown.clock import CLOCK_LATEST, EARLIEST, iso
from mockown.outbox import Email, messages, send
from mockown.runtime import Runtime

T0 = 1767225600.0  # 2026-01-01


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.floats(min_value=EARLIEST, max_value=CLOCK_LATEST, allow_nan=False), min_size=2, max_size=6, unique=True
    )
)
def test_later_instants_list_later(instants: list[float]) -> None:
    app = create_app(Config(), clock=FrozenClock(T0), seed=False)
    runtime: Runtime = app.state.runtime
    ordered = sorted(instants)
    for n, at in enumerate(ordered):
        runtime.clock.set(at)
        send(runtime, to="o@order.test", subject=str(n), body="b")
    assert [m.subject for m in messages(runtime)] == [str(n) for n in range(len(ordered))]


def test_the_outbox_and_its_last_message_after_2286(client: httpx.Client, runtime: Runtime) -> None:
    send(runtime, to="z@order.test", subject="first", body="b")
    assert client.post("/_mockown/clock", json={"set": "2300-01-01T00:00:00Z"}).status_code == 200
    send(runtime, to="z@order.test", subject="second", body="b")
    listed = client.get("/_mockown/outbox", params={"to": "z@order.test"}).json()["messages"]
    assert [m["subject"] for m in listed] == ["first", "second"]


def test_ids_of_older_versions_sort_by_their_instant() -> None:
    app = create_app(Config(), clock=FrozenClock(T0), seed=False)
    runtime: Runtime = app.state.runtime
    table = runtime.store.table(Email)
    with runtime.store.atomic():  # as an older version wrote them: 13 digits, and no last stamp kept
        for n, at in enumerate((T0 - 60, T0 - 30)):
            table.put(Email(id=f"{int(at * 1000):013d}-{n:06d}-abcdef", to="o@x.test", subject=f"old{n}",
                            body="b", sent_at=at))  # fmt: skip
    runtime.clock.set(T0 - 90)  # behind the old e-mails: the new one still sorts after them
    send(runtime, to="o@x.test", subject="new", body="b")
    assert [m.subject for m in messages(runtime)] == ["old0", "old1", "new"]
    assert iso(messages(runtime)[-1].sent_at) == iso(T0 - 90)
