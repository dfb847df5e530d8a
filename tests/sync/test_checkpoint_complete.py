"""The round that completes a device started from a checkpoint replays the whole log apart
from the app: a clock-in on the same store goes through while the replay runs, is not lost,
and the device ends up where a device that replayed everything ends up. A device whose own
state is not checked yet, or that just joined, makes no checkpoint."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from app.store import checkpoint as parts
from app.store import ingest
from app.store.projection import Projection
from app.store.replay_archive import ReplayArchive
from app.sync import checkpoint, checkpoint_audit
from tests.sync.conftest import join
from tests.sync.test_checkpoint_join import checkpointed_team, fingerprint, more_ops


@pytest.mark.parametrize("stage", ["replay", "compare"])
def test_checkpoint_check_does_not_block_a_clock_in(stage: str, relay_db: str,
                                                    relay_factory: Any, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``compare``: the clock-in comes between two months of the comparison (signed months
    are archived), which then starts again once the replay has folded it."""
    monkeypatch.setattr(checkpoint_audit, "CHUNK", 7)  # several chunks, and rows meanwhile
    relay = relay_factory(relay_db)
    team, replayed = checkpointed_team(tmp_path, relay.url, signed=stage == "compare")
    try:
        started = join(team, tmp_path, "Ben Meyer")
        team.assistants.append(started)
        more_ops(team, started.store.member_id)
        team.client(team.employer).sync()
        member = started.store.member_id
        seen: dict[str, Any] = {}

        def clock_in_meanwhile(now: str, n: int) -> None:
            if now != stage or "state" in seen:
                return
            # Another thread, as the app's screen would be: it blocks if the replay held
            # the store lock (a reentrant lock would let this thread through).
            worker = threading.Thread(target=lambda: seen.update(
                entry=started.clock_in(member)), daemon=True)
            worker.start()
            worker.join(120)  # a deadlock guard, not a timing assert
            seen["state"] = parts.record(started.store)["state"]
            seen["during"] = "entry" in seen

        outcomes: list[bool | None] = []
        real_compare = checkpoint_audit._compare

        def compare(*args: Any) -> bool | None:
            outcomes.append(real_compare(*args))
            return outcomes[-1]

        monkeypatch.setattr(checkpoint_audit, "_compare", compare)
        client = team.client(started)
        client.progress = clock_in_meanwhile
        report = client.sync()  # round 2 of ``started``: history fetched, replayed, checked
        assert seen["during"], "the clock-in did not get through while the check ran"
        # Compared once caught up; a row that came while comparing: compared again.
        assert outcomes == ([None, True] if stage == "compare" else [True])
        assert seen["state"] == "started"  # it ran during the check, not after
        assert parts.record(started.store)["state"] == "verified", report.checkpoint
        assert seen["entry"] in started.store.projection.rows["entry"]
        team.sync_all(rounds=2)
        assert seen["entry"] in replayed.store.projection.rows["entry"]
        assert fingerprint(started) == fingerprint(replayed)
    finally:
        team.close()


def test_checkpoint_not_made_by_unchecked_or_just_joined_device(
        relay_db: str, relay_factory: Any, tmp_path: Path) -> None:
    relay = relay_factory(relay_db)
    team, _ = checkpointed_team(tmp_path, relay.url)
    try:
        second = join(team, tmp_path, "Anna Becker", role="employer")  # round 1 in ``join``
        team.assistants.append(second)
        assert parts.record(second.store)["state"] == "started"
        client = team.client(second)
        # Its first round made none (the relay's is still the inviter's), and counts from it.
        manifest = checkpoint.fetch_manifest(client)
        assert manifest is not None and manifest.raw["signer"] == team.employer.store.device_id
        assert ingest.get_cursor(second.store, checkpoint.MADE, -1) == ingest.get_cursor(
            second.store, "pull")
        client.checkpoint_every = 0  # would make one in every round it may
        more_ops(team, second.store.member_id)
        team.client(team.employer).sync()
        assert not checkpoint.due(client)  # its state is not checked yet
        assert "verified" in client.sync().checkpoint
        assert "made" in client.sync().checkpoint  # checked now: it may make one
    finally:
        team.close()


def test_checkpoint_of_the_inviter_is_used_when_another_admin_made_a_newer_one(
        relay_db: str, relay_factory: Any, tmp_path: Path) -> None:
    """The relay keeps one checkpoint per admin device: a second employer device's newer
    checkpoint does not replace the inviting device's, which a new device starts from."""
    relay = relay_factory(relay_db)
    team, replayed = checkpointed_team(tmp_path, relay.url)
    try:
        first = checkpoint.fetch_manifest(team.client(replayed))  # Ben's inviter: employer
        second = join(team, tmp_path, "Anna Becker", role="employer")
        team.assistants.append(second)
        client = team.client(second)
        client.checkpoint_every = 0
        assert "verified" in client.sync().checkpoint
        assert "made" in client.sync().checkpoint
        newest = client.relay.call("GET", f"/v1/teams/{team.employer.store.team_id}/checkpoint")
        assert json.loads(newest["manifest"])["signer"] == second.store.device_id

        third = join(team, tmp_path, "Ben Meyer")  # invited by the first employer device
        team.assistants.append(third)
        rec = parts.record(third.store)
        assert first is not None and rec is not None
        assert (rec["state"], rec["id"]) == ("started", first.id)
        team.sync_all(rounds=2)
        assert parts.record(third.store)["state"] == "verified"
        assert fingerprint(third) == fingerprint(replayed)
    finally:
        team.close()


def test_checkpoint_check_takes_closed_months_out_of_the_replay(
        relay_db: str, relay_factory: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The replay that checks a checkpoint takes signed months out of its memory on the way
    (``replay_archive``) and compares one month at a time (``state_compare``): it holds
    fewer months than the history has, and the checkpoint is verified all the same."""
    monkeypatch.setattr(checkpoint_audit, "CHUNK", 1)  # the demo history is a few envelopes
    relay = relay_factory(relay_db)
    team, _ = checkpointed_team(tmp_path, relay.url, signed=True)
    rounds: list[set[str]] = []
    compared: dict[str, Any] = {}
    real_round, real_compare = ReplayArchive.archive_closed, checkpoint_audit.same_rest

    def archive_round(self: ReplayArchive, proj: Projection) -> list[str]:
        taken = real_round(self, proj)
        rounds.append(set(proj.archived_months))
        return taken

    def compare(store_state: Projection, replay: Projection) -> bool:
        compared["archived"] = set(replay.archived_months)
        compared["in memory"] = {e["start"][:7] for e in replay.rows["entry"].values()}
        return real_compare(store_state, replay)

    monkeypatch.setattr(ReplayArchive, "archive_closed", archive_round)
    monkeypatch.setattr(checkpoint_audit, "same_rest", compare)
    try:
        signed = set(team.employer.store.projection.archived_months)
        history = {e["start"][:7] for e in team.employer.store.projection.fingerprint()[
            "rows"]["entry"].values()}  # brings the employer's months back
        second = join(team, tmp_path, "Anna Becker", role="employer")  # reads every scope
        team.assistants.append(second)
        report = team.client(second).sync()
        assert parts.record(second.store)["state"] == "verified", report.checkpoint
        assert any(rounds[:-1]), "no month left the replay before its last chunk"
        assert compared["archived"] == signed and len(signed) < len(history)
        assert len(compared["in memory"]) < len(history)
        assert not compared["in memory"] & signed
        assert fingerprint(second) == fingerprint(team.employer)
    finally:
        team.close()
