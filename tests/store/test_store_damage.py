"""A damaged row never makes the team vanish: it is named on every open, no snapshot hides
it, and a damaged key table is a clear error that changes nothing (issue 12)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.errors import DamagedKeys
from app.store import damage
from app.store.disk import store_file
from app.store.projection import Projection
from app.store.services import Services
from app.store.store import Store
from tests.store.conftest import PASSPHRASE, Team

NAMES = ["Anna Becker", "Ben Meyer"]


def _edit(path: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(store_file(path))
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def _last_row(path: Path) -> int:
    conn = sqlite3.connect(store_file(path))
    try:
        return int(conn.execute("SELECT max(id) FROM envelopes").fetchone()[0])
    finally:
        conn.close()


def _open(path: Path) -> tuple[Store, list[damage.Damage], list[str]]:
    store = Store.open(path)
    found = store.unlock(PASSPHRASE)
    return store, found, [m["display_name"] for m in Services(store).members()]


def _snapshot_upto(path: Path) -> int | None:
    conn = sqlite3.connect(store_file(path))
    try:
        row = conn.execute("SELECT upto FROM snapshot").fetchone()
        return None if row is None else int(row[0])
    finally:
        conn.close()


def _flip_body_byte(path: Path, row: int) -> None:
    conn = sqlite3.connect(store_file(path))
    body = bytearray(conn.execute("SELECT body FROM envelopes WHERE id = ?", (row,)).fetchone()[0])
    body[len(body) // 2] ^= 0x01
    conn.close()
    _edit(path, "UPDATE envelopes SET body = ? WHERE id = ?", bytes(body), row)


def test_damage_non_utf8_scope_without_snapshot_is_named_on_every_open(team: Team) -> None:
    team.store.crash()  # no snapshot yet: the whole log is folded on unlock
    row = _last_row(team.path)
    _edit(team.path, "UPDATE envelopes SET scope = CAST(x'ff74656d' AS TEXT) WHERE id = ?", row)
    for _ in range(3):
        store, found, names = _open(team.path)
        assert names == NAMES
        assert [(d.row, d.seq) for d in found] == [(row, row)]
        assert "scope is not UTF-8" in found[0].reason
        assert found[0].device == store.device_id
        store.close()
        assert _snapshot_upto(team.path) is None  # a partial fold never becomes a snapshot


def test_damage_flipped_body_byte_after_snapshot_stays_named(team: Team) -> None:
    team.store.write_snapshot()
    team.services.plan_shift("2026-03-10T08:00", "2026-03-10T12:00", assignee_id=team.assistant)
    row = _last_row(team.path)
    team.store.crash()
    upto = _snapshot_upto(team.path)
    assert upto is not None and upto < row
    _flip_body_byte(team.path, row)
    for _ in range(2):
        store, found, names = _open(team.path)
        assert names == NAMES
        assert [d.row for d in found] == [row] and "signature" in found[0].reason
        Services(store).plan_shift("2026-03-11T08:00", "2026-03-11T12:00")  # writing goes on
        store.close()
        assert _snapshot_upto(team.path) == upto


def test_damage_inside_snapshot_found_by_check_is_kept_until_it_checks_out(team: Team) -> None:
    team.store.close()  # snapshot over every row
    _flip_body_byte(team.path, 2)
    store, found, names = _open(team.path)
    assert found == [] and names == NAMES  # the snapshot still holds its ops
    store.close()
    store = Store.open(team.path)
    assert [d.row for d in store.verify_all(PASSPHRASE)] == [2]
    store.close()
    store, found, names = _open(team.path)
    assert [d.row for d in found] == [2] and names == NAMES
    store.close()
    _flip_body_byte(team.path, 2)  # restored: the next full check clears the entry
    store = Store.open(team.path)
    assert store.verify_all(PASSPHRASE) == []
    store.close()
    store, found, _ = _open(team.path)
    assert found == []
    store.close()


def test_damage_a_fold_that_fails_writes_no_snapshot(team: Team,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    team.store.crash()

    def broken(self: Projection, ops: object) -> None:
        raise RuntimeError("a bug while folding")

    with monkeypatch.context() as patched:
        patched.setattr(Projection, "fold", broken)
        store = Store.open(team.path)
        with pytest.raises(RuntimeError):
            store.unlock(PASSPHRASE)
        assert not store.unlocked
        store.close()
    assert _snapshot_upto(team.path) is None
    store, found, names = _open(team.path)
    assert found == [] and names == NAMES
    store.close()


def _keys_page(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(store_file(path))
    try:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'keys'").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    return (int(root) - 1) * int(size), int(size)


def test_damage_keys_page_is_a_clear_error_and_changes_nothing(team: Team) -> None:
    team.store.close()
    file = store_file(team.path)
    offset, size = _keys_page(team.path)
    good = file.read_bytes()
    damaged = bytearray(good)
    damaged[offset:offset + size] = b"\xa5" * size
    file.write_bytes(bytes(damaged))
    for _ in range(2):
        store = Store.open(team.path)
        with pytest.raises(DamagedKeys, match="Schlüssel dieses Geräts im Speicher sind beschädigt"):
            store.unlock(PASSPHRASE)
        with pytest.raises(DamagedKeys):
            store.verify_all(PASSPHRASE)
        store.close()
    assert file.read_bytes() == bytes(damaged)  # nothing written: a restore loses nothing
    file.write_bytes(good)
    store, found, names = _open(team.path)
    assert found == [] and names == NAMES
    store.close()


def test_damage_one_altered_key_is_named_as_damaged_keys(team: Team) -> None:
    team.store.close()
    _edit(team.path, "UPDATE keys SET blob = zeroblob(60) WHERE name = 'device.sign'")
    store = Store.open(team.path)
    with pytest.raises(DamagedKeys, match=r"key device\.sign"):
        store.unlock(PASSPHRASE)
    store.close()
