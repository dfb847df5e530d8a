"""Unlocking: wrong passphrase, changed passphrase, damaged envelopes, snapshot + tail."""

from __future__ import annotations

import sqlite3

import pytest

from app.errors import StoreNotFound, WrongPassphrase
from app.store.disk import store_file
from app.store.services import Services
from app.store.store import Store
from tests.store.conftest import PASSPHRASE, Team


def test_unlock_wrong_passphrase_is_refused_and_changes_nothing(team: Team) -> None:
    team.store.close()
    before = store_file(team.path).read_bytes()
    store = Store.open(team.path)
    with pytest.raises(WrongPassphrase, match="falsch"):
        store.unlock("nicht die richtige")
    assert not store.unlocked
    assert store_file(team.path).read_bytes() == before
    store.unlock(PASSPHRASE)
    assert [m["display_name"] for m in Services(store).members()] == ["Anna Becker", "Ben Meyer"]
    store.close()


def test_change_passphrase_keeps_the_log(team: Team) -> None:
    envelopes = team.store.envelope_count()
    team.store.change_passphrase(PASSPHRASE, "neu und lang genug")
    team.store.close()
    store = Store.open(team.path)
    with pytest.raises(WrongPassphrase):
        store.unlock(PASSPHRASE)
    store.unlock("neu und lang genug")
    assert store.envelope_count() == envelopes
    assert Services(store).member_by_name("Ben Meyer")["role"] == "assistant"
    store.close()


def test_open_missing_store_says_so(tmp_path) -> None:
    with pytest.raises(StoreNotFound):
        Store.open(tmp_path / "nowhere")


def test_unlock_names_a_damaged_envelope_and_loads_the_rest(team: Team) -> None:
    sv = team.services
    first = sv.plan_shift("2026-03-10T08:00", "2026-03-10T12:00", assignee_id=team.assistant)
    second = sv.plan_shift("2026-03-11T08:00", "2026-03-11T12:00", assignee_id=team.assistant)
    third = sv.plan_shift("2026-03-12T08:00", "2026-03-12T12:00", assignee_id=team.assistant)
    team.store.crash()  # no snapshot was written
    conn = sqlite3.connect(store_file(team.path))
    seq_of_second = conn.execute("SELECT max(seq) FROM envelopes").fetchone()[0] - 1
    body = conn.execute("SELECT body FROM envelopes WHERE seq = ?", (seq_of_second,)).fetchone()[0]
    flipped = bytes([body[0] ^ 0x01]) + body[1:]
    conn.execute("UPDATE envelopes SET body = ? WHERE seq = ?", (flipped, seq_of_second))
    conn.commit()
    conn.close()

    store = Store.open(team.path)
    damaged = store.unlock(PASSPHRASE)
    assert len(damaged) == 1
    assert f"envelope {seq_of_second} of device" in damaged[0].envelope
    assert "signature" in damaged[0].reason
    shifts = store.projection.rows["shift"]
    assert first in shifts and third in shifts and second not in shifts
    store.close()


def test_unlock_uses_snapshot_and_folds_the_tail(team: Team) -> None:
    sv = team.services
    sv.plan_shift("2026-03-10T08:00", "2026-03-10T12:00", assignee_id=team.assistant)
    team.store.write_snapshot()
    tail = sv.plan_shift("2026-03-11T08:00", "2026-03-11T12:00", assignee_id=team.assistant)
    expected = team.store.projection.fingerprint()
    team.store.crash()  # the snapshot does not cover the tail
    store = Store.open(team.path)
    assert store.unlock(PASSPHRASE) == []
    assert tail in store.projection.rows["shift"]
    assert store.projection.fingerprint() == expected
    store.close()


def test_damaged_snapshot_falls_back_to_full_replay(team: Team) -> None:
    team.services.plan_shift("2026-03-10T08:00", "2026-03-10T12:00")
    expected = team.store.projection.fingerprint()
    team.store.close()
    conn = sqlite3.connect(store_file(team.path))
    blob = conn.execute("SELECT blob FROM snapshot").fetchone()[0]
    conn.execute("UPDATE snapshot SET blob = ?", (blob[:-1] + bytes([blob[-1] ^ 0xFF]),))
    conn.commit()
    conn.close()
    store = Store.open(team.path)
    damaged = store.unlock(PASSPHRASE)
    assert [d.envelope for d in damaged] == ["snapshot"]
    assert store.projection.fingerprint() == expected
    store.close()


def test_snapshot_of_another_app_version_is_replaced_by_a_replay(team: Team, monkeypatch) -> None:
    from app.store import projection

    team.services.plan_shift("2026-03-10T08:00", "2026-03-10T12:00")
    expected = team.store.projection.fingerprint()
    team.store.close()
    monkeypatch.setattr(projection, "SCHEMA", "a-newer-schema")
    store = Store.open(team.path)
    assert store.unlock(PASSPHRASE) == []  # not reported as damage: nothing was wrong
    assert store.projection.fingerprint() == expected
    store.close()
