"""The handle's default Own account is seeded when the test first needs it, and then exactly as it was promised:
made with the test's start time, in the outbox, in snapshots, removed with the test."""

from __future__ import annotations

from typing import Any

import pytest

from mockown.testing import Mockown


def _accounts_named(server: Any, label: str) -> list[Any]:
    return [a for a in server.runtime.own.accounts.all() if a.name == f"pytest {label}"]


def test_a_test_that_never_touches_own_seeds_no_account(mockown_server: Any) -> None:
    with Mockown(mockown_server, label="lazy untouched") as handle:
        assert handle.issue_token()["access_token"]
        handle.journal.entries()  # filters by the account id without making one
        assert _accounts_named(mockown_server, "lazy untouched") == []
        assert "own" not in handle._seeded and handle._own_id() is None
    assert _accounts_named(mockown_server, "lazy untouched") == []


@pytest.mark.parametrize(
    "first_need",
    ["own_account", "own_account_id", "own_user", "own_api_token", "own_token", "seeded", "runtime", "app_object",
     "snapshot", "outbox", "outbox_clear", "own_fault", "clock"],
)  # fmt: skip
def test_each_need_seeds_the_account_once(mockown_server: Any, first_need: str) -> None:
    label = f"lazy {first_need}"
    with Mockown(mockown_server, label=label) as handle:
        assert _accounts_named(mockown_server, label) == []
        needs = {
            "own_account": lambda: handle.own_account,
            "own_account_id": lambda: handle.own_account_id,
            "own_user": lambda: handle.own_user,
            "own_api_token": lambda: handle.own_api_token,
            "own_token": lambda: handle.own_token(),
            "seeded": lambda: handle.seeded,
            "runtime": lambda: handle.runtime,
            "app_object": lambda: handle.app_object,
            "snapshot": lambda: handle.snapshot(),
            "outbox": lambda: handle.outbox.messages(),
            "outbox_clear": lambda: handle.outbox.clear(),
            "own_fault": lambda: handle.faults.add(path="/api/v1/services", status=503),
            "clock": lambda: handle.clock.advance("1h"),
        }
        needs[first_need]()
        made = _accounts_named(mockown_server, label)
        assert len(made) == 1
        account = handle.own_account
        assert account is not None and str(account["id"]) == made[0].id
        assert handle.seeded["own"]["accounts"][0] == account and handle.own_missing is None
        handle.own_user  # noqa: B018 - a second need seeds nothing more
        assert len(_accounts_named(mockown_server, label)) == 1
    assert _accounts_named(mockown_server, label) == []  # removed with the test


def test_the_seeds_api_token_email_is_in_the_outbox_without_touching_own(mockown_server: Any) -> None:
    with Mockown(mockown_server, label="lazy outbox") as handle:
        sent = handle.outbox.assert_sent(1, kind="own.api_token.created")
        assert sent[0]["to"] == handle.own_user["email"]


def test_a_clock_move_comes_after_the_account_was_made(mockown_server: Any) -> None:
    """The API token lives 180 days from the test's start, not from the first use after a clock move."""
    with Mockown(mockown_server, label="lazy clock") as handle:
        handle.clock.advance("181d")
        refused = handle.own_token(check=False)
        assert refused["_status"] == 400 and refused["error"] == "invalid_grant", refused


def test_asked_for_own_seeds_it_at_once(mockown_server: Any) -> None:
    with Mockown(mockown_server, {"own": True}, label="eager own"):
        assert len(_accounts_named(mockown_server, "eager own")) == 1
    with Mockown(mockown_server, {"own_user": {"role": "admin"}}, label="eager own user"):
        assert len(_accounts_named(mockown_server, "eager own user")) == 1


def test_a_pending_account_is_not_made_after_the_test(mockown_server: Any) -> None:
    handle = Mockown(mockown_server, label="lazy closed")
    with handle:
        pass
    assert handle.own_account is None and _accounts_named(mockown_server, "lazy closed") == []


def test_without_the_own_api_a_lazy_account_is_missing(mockown_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import mockown.seed

    everything = mockown.seed._seeders
    monkeypatch.setattr(mockown.seed, "_seeders", lambda: {k: v for k, v in everything().items() if k != "own"})
    for options in ({}, {"own": True}):
        with Mockown(mockown_server, options, label="lazy no own") as handle:
            assert handle.own_account is None and handle.own_account_id is None
            assert handle.own_missing is not None and "no Own API" in handle.own_missing
            with pytest.raises(pytest.skip.Exception, match="no Own account: the server has no Own API"):
                handle.own_user  # noqa: B018


def test_a_restore_before_the_account_is_made_keeps_it(mockown_server: Any) -> None:
    """A snapshot taken while the account is pending cannot hold it: made before the restore, the restore would
    drop it again and leave the handle naming an account that is gone (seeded eagerly, it was in the snapshot)."""
    with Mockown(mockown_server, label="lazy restore") as handle:
        snap = handle.control.get("snapshot")
        handle.restore(snap)
        assert len(_accounts_named(mockown_server, "lazy restore")) == 1
        assert handle.own_token()["access_token"]
    assert _accounts_named(mockown_server, "lazy restore") == []


def test_a_failed_seed_is_tried_again_on_the_next_need(mockown_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockown.testing.control import ControlPlaneError

    with Mockown(mockown_server, label="lazy retry") as handle:
        seed = handle.control.seed

        def once_unavailable(document: dict[str, Any]) -> dict[str, Any]:
            monkeypatch.setattr(handle.control, "seed", seed)
            raise ControlPlaneError("POST", "seed", 503, {"message": "unavailable"})

        monkeypatch.setattr(handle.control, "seed", once_unavailable)
        with pytest.raises(ControlPlaneError):
            handle.own_account  # noqa: B018
        account = handle.own_account  # not None with no reason why (own_missing)
        assert account is not None and handle.own_missing is None
        assert [a.id for a in _accounts_named(mockown_server, "lazy retry")] == [str(account["id"])]
    assert _accounts_named(mockown_server, "lazy retry") == []


def test_threads_needing_the_account_at_once_all_get_it(mockown_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """While one thread seeds the account, another that needs it waits for it: it neither sees no account (a
    skip, "no Own account: None") nor seeds a second one."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    with Mockown(mockown_server, label="lazy threads") as handle:
        seed, seeding, other_done = handle.control.seed, threading.Event(), threading.Event()

        def slow_seed(document: dict[str, Any]) -> dict[str, Any]:
            seeding.set()
            other_done.wait(0.5)  # the other thread's need comes while this seed is under way
            return seed(document)

        def other() -> str:
            seeding.wait(5)
            try:
                return handle.own_api_token
            except pytest.skip.Exception as exc:  # a failure here, not a skip of the whole test
                return f"skipped: {exc}"
            finally:
                other_done.set()

        monkeypatch.setattr(handle.control, "seed", slow_seed)
        with ThreadPoolExecutor(2) as pool:
            theirs = pool.submit(other)
            mine = handle.own_api_token
            assert theirs.result() == mine
        assert len(_accounts_named(mockown_server, "lazy threads")) == 1
    assert _accounts_named(mockown_server, "lazy threads") == []
