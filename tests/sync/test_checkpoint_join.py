"""A device that joins starts from the employer's checkpoint and pulls only the tail, through a
real relay process (SQLite and PostgreSQL), and ends up where a device that replayed the whole
log ends up: the same projection fingerprint, before and after more ops, and after the round
that fetches the history and checks the checkpoint against a full replay."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.errors import StoreError
from app.store import checkpoint as parts
from app.store import timesheets
from app.store.services import Services
from app.store.store import Change, uuid7
from tests.sync.conftest import Team, join, make_employer


def fingerprint(services: Services) -> str:
    return json.dumps(services.store.projection.fingerprint(), sort_keys=True, default=str)


def checkpointed_team(tmp: Path, relay_url: str, signed: bool = False
                      ) -> tuple[Team, Services]:
    """The demo team; Ben's first device joins and replays everything; then the employer's
    device makes a checkpoint (``checkpoint_every = 0``: in every round). ``signed``: the
    past months are signed first, so the employer's device holds some archived."""
    team = Team(make_employer(tmp, relay_url), relay_url=relay_url)
    replayed = join(team, tmp, "Ben Meyer")
    team.assistants.append(replayed)
    if signed:
        sign_past_months(team.employer)
    team.client(team.employer).checkpoint_every = 0
    report = team.client(team.employer).sync()
    assert "made" in report.checkpoint
    return team, replayed


def sign_past_months(services: Services) -> None:
    proj = services.store.projection
    months = sorted({e["start"][:7] for e in proj.rows["entry"].values()})[:-1]
    for member in {e["member_id"] for e in proj.rows["entry"].values()}:
        for month in months:
            timesheets.submit(services, member, month)
            timesheets.approve(services, member, month)
    services.store.write_snapshot()
    assert proj.archived_months  # signed months left the employer's memory


def more_ops(team: Team, member_id: str) -> None:
    """New work on both sides of the checkpoint's cut: a shift planned by the employer."""
    day = date(2026, 3, 25)
    team.employer.store.commit([Change("shift.planned", "shift", uuid7(), {
        "start": f"{day}T08:00", "end": f"{day}T14:00", "kind": "work",
        "assignee_id": member_id, "status": "planned", "location": "Zuhause",
        "instructions": "nach dem Checkpoint", "checklist": []})])


def test_checkpoint_started_device_converges_with_full_replay(relay_db: str, relay_factory: Any,
                                                             tmp_path: Path) -> None:
    relay = relay_factory(relay_db)
    team, replayed = checkpointed_team(tmp_path, relay.url)
    try:
        started = join(team, tmp_path, "Ben Meyer")  # a second device of the same member
        team.assistants.append(started)
        rec = parts.record(started.store)
        assert rec is not None and rec["state"] == "started"
        with pytest.raises(StoreError, match="has not fetched the history"):
            started.store.verify_all("correct horse battery staple")  # would lose the state
        # Only the tail after the checkpoint was pulled; the history is not there yet.
        assert started.store.envelope_count() < replayed.store.envelope_count()
        team.client(replayed).sync()  # learns about the new device, as ``started`` did
        assert fingerprint(started) == fingerprint(replayed)
        # Only what Ben may read: no budgets (employer scope), no other member's entries.
        rows = started.store.projection.rows
        assert rows["budget"] == {} and rows["shift"]
        assert {e["member_id"] for e in rows["entry"].values()} == {started.store.member_id}

        more_ops(team, started.store.member_id)
        team.sync_all(rounds=2)  # round 2 of ``started``: history fetched, checkpoint checked
        assert parts.record(started.store)["state"] == "verified"
        assert started.store.envelope_count() == replayed.store.envelope_count()
        assert fingerprint(started) == fingerprint(replayed)
        assert any(s["instructions"] == "nach dem Checkpoint"
                   for s in started.store.projection.rows["shift"].values())

        # Both write after the cut; both merge alike (their histories came from the parts).
        started.clock_in(started.store.member_id)
        team.sync_all(rounds=2)
        assert fingerprint(started) == fingerprint(replayed)
    finally:
        team.close()


def test_checkpoint_started_store_unlocks_and_checks(relay_db: str, relay_factory: Any,
                                                     tmp_path: Path) -> None:
    """After locking, a started device unlocks from its snapshot; once complete, ``check``
    (a full replay of the local log) gives the same state."""
    relay = relay_factory(relay_db)
    team, _ = checkpointed_team(tmp_path, relay.url)
    try:
        employer2 = join(team, tmp_path, "Anna Becker", role="employer")
        team.assistants.append(employer2)
        team.client(employer2).sync()  # fetches the history, checks the checkpoint
        assert parts.record(employer2.store)["state"] == "verified"
        team.sync_all(rounds=1)
        expected = fingerprint(team.employer)
        assert fingerprint(employer2) == expected
        store = employer2.store
        store.lock()
        store.unlock("correct horse battery staple")
        assert fingerprint(employer2) == expected
        assert store.verify_all("correct horse battery staple") == []
        assert fingerprint(employer2) == expected
    finally:
        team.close()


def test_checkpoint_carries_archived_months(relay_db: str, relay_factory: Any,
                                            tmp_path: Path) -> None:
    """Signed months the employer's device keeps archived travel as months and are archived
    on the new devices at once; brought back, they hold exactly what a replay holds (the
    signed documents too), for an assistant's device and for a second employer device."""
    relay = relay_factory(relay_db)
    team, replayed = checkpointed_team(tmp_path, relay.url, signed=True)
    try:
        started = join(team, tmp_path, "Ben Meyer")
        second = join(team, tmp_path, "Anna Becker", role="employer")
        team.assistants += [started, second]
        for device in (started, second):
            assert parts.record(device.store)["state"] == "started"
            assert device.store.projection.archived_months
        team.sync_all(rounds=2)
        assert parts.record(started.store)["state"] == "verified"
        assert parts.record(second.store)["state"] == "verified"
        assert fingerprint(started) == fingerprint(replayed)
        assert fingerprint(second) == fingerprint(team.employer)
        sheets = second.store.projection.rows["timesheet"].values()
        assert any(s["document"] and s["status"] == "approved" for s in sheets)
    finally:
        team.close()
