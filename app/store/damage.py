"""Damage to the store's file: named on every open until it is repaired.

A damaged envelope row (a flipped byte, text that is not UTF-8, an unreadable page) is
skipped when folding and recorded here, in the ``damage`` table beside the envelopes. The
list is kept on disk because a fold only sees the envelopes after the snapshot: without it,
damage would be named once and then forgotten. It holds only what the envelope's plaintext
header holds anyway (device id, seq, scope) and a reason, nothing readable.

An entry goes away when the row checks out again: ``assistenzzeit check`` verifies every
row and rewrites the list, and a sync replaces the row with the relay's good copy
(``app/sync/heal.py``). While any entry is open the store writes no snapshot
(``Store.write_snapshot``): the projection lacks that envelope's ops, and a snapshot whose
cursor passed over it would hide them for good.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.errors import IntegrityError
from app.store import disk
from app.store.envelope import Envelope

if TYPE_CHECKING:
    from app.store.store import Store

DDL = ("CREATE TABLE IF NOT EXISTS damage (row INTEGER PRIMARY KEY, device TEXT NOT NULL,"
       " seq INTEGER, label TEXT NOT NULL, reason TEXT NOT NULL)")


@dataclass(frozen=True)
class Damage:
    """Something that failed its check on unlock; the rest was loaded. ``row`` is the
    envelope's row id (None for the snapshot, which is simply rebuilt); ``device`` and
    ``seq`` say which envelope a sync should fetch again ("" / None when unreadable)."""

    envelope: str
    reason: str
    row: int | None = None
    device: str = ""
    seq: int | None = None


def load(conn: sqlite3.Connection) -> list[Damage]:
    """The open entries, in row order."""
    conn.execute(DDL)
    return [Damage(label, reason, int(row), device, seq) for row, device, seq, label, reason
            in conn.execute("SELECT row, device, seq, label, reason FROM damage ORDER BY row")]


def remember(conn: sqlite3.Connection, found: Iterable[Damage], *,
             complete: bool = False) -> list[Damage]:
    """Add what a fold found to the list and return all open entries (plus ``found``'s
    entries without a row, e.g. a rebuilt snapshot). ``complete``: the fold checked every
    row (``check``), so entries it did not find again are resolved."""
    found = list(found)
    rows = [d for d in found if d.row is not None]
    try:
        if rows or complete:  # else nothing to write (the common case: no fsync)
            with disk.write_tx(conn):
                conn.execute(DDL)
                if complete:
                    conn.execute("DELETE FROM damage")
                conn.executemany("INSERT OR REPLACE INTO damage VALUES (?,?,?,?,?)",
                                 [(d.row, d.device, d.seq, d.envelope, d.reason) for d in rows])
        kept = load(conn)
    except sqlite3.DatabaseError:
        kept = rows  # a file too damaged to write to: still name what was found
    return [d for d in found if d.row is None] + kept


def resolve(conn: sqlite3.Connection, row: int) -> None:
    """The row checks out again (call inside the caller's write transaction)."""
    conn.execute(DDL)
    conn.execute("DELETE FROM damage WHERE row = ?", (row,))


def repair(store: Store, entry: Damage, env: Envelope) -> None:
    """Put a good copy of a damaged envelope in its row and fold its ops. The copy must be
    that envelope: same device and seq, its device's signature, it opens, and it links
    into the chain around it (the hashes of the stored neighbours, the sync chain's tip).
    Raises IntegrityError otherwise, and the entry stays open."""
    with store.exclusive() as conn:
        proj = store.projection
        if entry.row is None or (env.team, env.device, env.seq) != (
                store.team_id, entry.device, entry.seq):
            raise IntegrityError("error.damage.other", label=env.label, damaged=entry.envelope)
        ops = store._open_verified(env, proj, store.ring)
        damaged = {d.row for d in store.damaged}
        before = _readable(conn, env.device, env.seq - 1, damaged)
        after = _readable(conn, env.device, env.seq + 1, damaged)
        if (before is not None and before.hash != env.prev_hash) or (
                after is not None and after.prev_hash != env.hash):
            raise IntegrityError("error.damage.chain", label=env.label)
        with disk.write_tx(conn):
            disk.replace_envelope(conn, entry.row, env)
            resolve(conn, entry.row)
        # The merge is order-free (last writer by (hlc, device)), so folding late is exact.
        proj.fold(ops)
        store.damaged = [d for d in store.damaged if d.row != entry.row]


def _readable(conn: sqlite3.Connection, device: str, seq: int,
              damaged: set[int | None]) -> Envelope | None:
    """A stored neighbour to check a copy against; not one that is damaged itself."""
    try:
        found = disk.envelope_at(conn, device, seq)
    except sqlite3.DatabaseError:
        return None
    return None if found is None or found[0] in damaged else found[1]
