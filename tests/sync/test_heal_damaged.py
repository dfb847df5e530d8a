"""A sync heals a damaged envelope row with the relay's good copy (issue 12): the row is
named on every open until then, and after the heal its ops are back and the list is empty."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.errors import NotFound
from app.store.disk import store_file
from app.store.store import Store
from app.sync import protocol
from app.sync.client import RelayRefused, SyncClient
from tests.sync.conftest import PW, Team, join, make_employer, open_store


def _flip(path: Path, row: int) -> None:
    conn = sqlite3.connect(store_file(path))
    body = bytearray(conn.execute("SELECT body FROM envelopes WHERE id = ?", (row,)).fetchone()[0])
    body[len(body) // 2] ^= 0x01
    conn.execute("UPDATE envelopes SET body = ? WHERE id = ?", (bytes(body), row))
    conn.commit()
    conn.close()


def _has_shift(services: Any, shift_id: str) -> bool:
    try:
        services.shift(shift_id)
    except NotFound:
        return False
    return True


def _scope_not_utf8(path: Path, row: int) -> None:
    conn = sqlite3.connect(store_file(path))
    conn.execute("UPDATE envelopes SET scope = CAST(x'ff74656d' AS TEXT) WHERE id = ?", (row,))
    conn.commit()
    conn.close()


@pytest.mark.parametrize("damage", [_flip, _scope_not_utf8])
def test_heal_damaged_row_from_relay(relay_factory: Any, tmp_path: Path, damage) -> None:
    relay = relay_factory(str(tmp_path / "relay.db"))
    team = Team(make_employer(tmp_path, relay.url, with_demo=False), relay_url=relay.url)
    ben = join(team, tmp_path, "Ben Meyer")
    employer = team.employer
    shift = employer.plan_shift("2026-03-10T08:00", "2026-03-10T12:00",
                                assignee_id=ben.store.member_id)
    team.client(employer).sync()
    team.client(ben).sync()
    assert _has_shift(ben, shift)
    path = ben.store.directory
    conn = sqlite3.connect(store_file(path))
    row, seq = conn.execute(
        "SELECT id, seq FROM envelopes WHERE device = ? AND scope = 'team' ORDER BY id DESC",
        (employer.store.device_id,)).fetchone()
    conn.close()
    team.client(ben).close()
    team.clients.pop(ben.store.device_id)
    ben.store.crash()  # as if the byte flipped on disk before this start
    damage(path, row)
    try:
        for _ in range(2):
            ben = open_store(path)
            assert [(d.row, d.seq) for d in ben.store.damaged] == [(row, seq)]
            assert not _has_shift(ben, shift)
            ben.store.close()
        ben = open_store(path)
        team.assistants = [ben]
        with SyncClient(ben.store, relay.url) as client:
            client.sync()
            # The relay hands out only what the asking device may read, and refuses junk.
            own = f"{protocol.API}/teams/{ben.store.team_id}/envelopes"
            conn = sqlite3.connect(store_file(employer.store.directory))
            emp_seq = conn.execute("SELECT seq FROM envelopes WHERE scope = 'employer'"
                                   " LIMIT 1").fetchone()[0]
            conn.close()
            for target, status in ((f"{own}/{employer.store.device_id}/{emp_seq}", 404),
                                   (f"{own}/{employer.store.device_id}/{2**70}", 400),
                                   (f"{own}/{employer.store.device_id}/999999", 404)):
                with pytest.raises(RelayRefused) as err:
                    client.relay.call("GET", target)
                assert err.value.status == status
        assert ben.store.damaged == []
        assert _has_shift(ben, shift)
        ben.store.close()
        store = Store.open(path)
        assert store.unlock(PW) == []
        assert store.verify_all(PW) == []  # the row itself is good again
        store.close()
        ben = open_store(path)
        team.assistants = [ben]
        assert _has_shift(ben, shift)
    finally:
        team.close()
