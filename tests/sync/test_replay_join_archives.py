"""A device that joins without a checkpoint replays the team's years through ``ingest``:
signed months leave its memory while it syncs, not only at its first snapshot, and come
back exactly (issue 16: memory follows open data while joining, too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.store import checkpoint as parts
from app.store import replay_archive
from app.store.services import Services
from app.store.store import Store
from tests.sync.conftest import PW, Team, join, make_employer
from tests.sync.test_checkpoint_join import fingerprint, sign_past_months


def test_joining_by_full_replay_archives_signed_months_on_the_way(
        relay_db: str, relay_factory: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay_archive, "LOOK_EVERY_OPS", 1)  # a look after every page
    relay = relay_factory(relay_db)
    team = Team(make_employer(tmp_path, relay.url), relay_url=relay.url)
    try:
        sign_past_months(team.employer)
        team.client(team.employer).sync()  # no checkpoint: fewer envelopes than it waits for
        tablet = join(team, tmp_path, "Anna Becker", role="employer")
        team.assistants.append(tablet)
        assert parts.record(tablet.store) is None  # it replayed the log
        proj = tablet.store.projection
        # Taken out while syncing, before any snapshot: kept aside, not in the file yet.
        assert proj.archived_months == team.employer.store.projection.archived_months
        assert proj.scratch is not None and all(m in proj.scratch for m in proj.archived_months)
        expected = fingerprint(team.employer)
        months = set(proj.archived_months)
        assert fingerprint(tablet) == expected  # read back from where they were kept aside
        assert not proj.archived_months
        where = tablet.store.directory
        tablet.store.close()  # the first snapshot writes them into the archive
        reopened = Store.open(where)
        assert reopened.unlock(PW) == []
        assert reopened.projection.archived_months == months  # archived again at close
        assert reopened.projection.scratch is None or not any(
            m in reopened.projection.scratch for m in reopened.projection.archived_months)
        team.assistants[-1] = Services(reopened)
        assert fingerprint(team.assistants[-1]) == expected
    finally:
        team.close()
