"""Envelopes whose key has not arrived wait in quarantine while everything else syncs, and
are released when the key comes: a real rotation in flight (the employer's new epoch before
its key is handed over), and Ben's garbage under that same epoch, which then shows as
damaged."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from app.store import ingest
from app.sync import device_sync
from app.sync.membership import grant_keys
from tests.hostile.conftest import forge, push_as
from tests.sync.conftest import Team, join, make_employer


def test_parked_envelopes_are_released_when_their_key_arrives(relay_factory: Any,
                                                               tmp_path: Path) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    team = Team(make_employer(tmp_path, relay.url, with_demo=False), relay_url=relay.url)
    try:
        for name in ("Ben Meyer", "Clara Schmidt"):
            team.assistants.append(join(team, tmp_path, name))
        employer, (ben, clara) = team.employer, team.assistants
        garbage = forge(ben, body=os.urandom(200), epoch=2)  # a rotation may be in flight
        assert push_as(team, ben, garbage)["accepted"] == 1

        ingest.rotate_scope_key(employer.store, "team")  # the key is not handed over yet
        employer.update_team(name="Team Neu")
        team.client(employer).sync()

        report = team.client(clara).sync()
        assert report.waiting == "waiting for the key of team/2"
        assert clara.team()["name"] == "Team Test"
        held = {(q["name"], q["kind"]) for q in device_sync.quarantined(clara)}
        assert held == {("Ben Meyer", "key"), ("Erika Muster", "key")}
        entry = clara.clock_in(clara.store.member_id)  # Clara's own work goes on meanwhile
        team.client(clara).sync()
        team.client(employer).sync()
        assert employer.store.projection.get("entry", entry) is not None

        dev = clara.store.projection.get("device", clara.store.device_id) or {}
        grant_keys(employer, team.client(employer), clara.store.device_id, str(dev["dh_pub"]),
                   "assistant", clara.store.member_id, only=[("team", 2)])
        team.client(clara).sync()
        assert clara.team()["name"] == "Team Neu"
        held_now = device_sync.quarantined(clara)
        assert [(q["name"], q["kind"]) for q in held_now] == [("Ben Meyer", "damaged")]
        assert "cannot be decrypted" in held_now[0]["reason"]
        # Released into the log: a fresh unlock folds it again from there.
        clara.store.lock()
        clara.store.unlock("correct horse battery staple")
        assert clara.team()["name"] == "Team Neu"
    finally:
        team.close()
