"""Integration changes on their way (`Integration.queued`): each shows `propagation_delay` seconds after it was made
("up to 5 minutes" in reality, spec: marketing-cloud-and-b2c.md 1.0), on its own time, so a later change never
holds back an earlier one; of two changes to one field the later one's value is the one that stays, as the
service's last write is."""

from __future__ import annotations

from typing import Any

Queued = list[dict[str, Any]]  # `QueuedChange` dicts: {"due": instant, "changes": {field: value}}, in the order made


def settle(queued: Queued, now: float) -> tuple[dict[str, Any], Queued]:
    """The fields the changes due at `now` set (a later change's value over an earlier one's), and the changes
    still on their way. An earlier change still on its way loses the fields a later one that is due set (else it
    would show over the later one when it came due: the clock can be set back, a restore can bring any times)."""
    shown: dict[str, Any] = {}
    waiting: Queued = []
    for change in queued:  # in the order made
        changes = change["changes"]
        if change["due"] <= now:
            shown.update(changes)
            waiting = [{**older, "changes": _without(older["changes"], changes)} for older in waiting]
        else:
            waiting.append(change)
    return shown, [change for change in waiting if change["changes"]]


def _without(changes: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in changes.items() if name not in names}


def due(queued: Queued, now: float) -> bool:
    """Whether a change shows at `now` (`settle` has something to do)."""
    return any(change["due"] <= now for change in queued)
