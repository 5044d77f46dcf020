"""The outbox is in sending order across processes sharing one state file (a restart, `--workers N`): the id's
sequence number is the store's, not a counter of each process. On a frozen clock every e-mail has the same stamp,
and a counter that began at 1 in each process let the ids' random part decide the order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mockown import Config, FrozenClock, create_app
from mockown.outbox import Email, messages, send
from mockown.runtime import Runtime

T0 = 1767225600.0  # 2026-01-01, frozen
ROOT = Path(__file__).resolve().parents[2]

_SEND = """
import sys
from mockown import Config, FrozenClock, create_app
from mockown.outbox import send
app = create_app(Config(state_file=sys.argv[1]), clock=FrozenClock(1767225600.0), seed=False)
for n in range(3):
    send(app.state.runtime, to=f"{sys.argv[2]}{n}@order.test", subject="s", body="b")
"""


def _process_sends(state: Path, tag: str) -> None:
    """Three e-mails sent by a process of its own on the state file (one run of a server, or one worker)."""
    done = subprocess.run(
        [sys.executable, "-c", _SEND, str(state), tag],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_e_mails_of_a_restarted_server_list_after_the_earlier_ones(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    _process_sends(state, "b")
    _process_sends(state, "c")  # the server again, on the same file and the same frozen instant
    app = create_app(Config(state_file=str(state)), clock=FrozenClock(T0), seed=False)
    listed = [m.to.split("@")[0] for m in messages(app.state.runtime)]
    assert listed == ["b0", "b1", "b2", "c0", "c1", "c2"]


def test_a_store_without_the_sequence_continues_past_its_e_mails() -> None:
    """A state file or snapshot of an older mockown has e-mails (numbered by each process) but no stored sequence:
    the next e-mail, at the same instant, still lists last."""
    app = create_app(Config(), clock=FrozenClock(T0), seed=False)
    runtime: Runtime = app.state.runtime
    table = runtime.store.table(Email)
    with runtime.store.atomic():  # as an older version wrote them: its process had sent many before
        for n in (999_990, 999_991):
            table.put(Email(id=f"{int(T0 * 1000):013d}-{n:06d}-abcdef", to="o@x.test", subject=f"old{n}",
                            body="b", sent_at=T0))  # fmt: skip
        runtime.store.set_meta("outbox.last_stamp", int(T0 * 1000))
    send(runtime, to="o@x.test", subject="new", body="b")
    send(runtime, to="o@x.test", subject="newer", body="b")
    assert [m.subject for m in messages(runtime)] == ["old999990", "old999991", "new", "newer"]
