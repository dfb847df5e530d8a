"""Quarantine: received envelopes that are authentic but cannot be used, each on its own.

A member's device can push an envelope that is validly signed and chained but does not open:
ciphertext that does not decrypt, a body that does not decode or inflates past the cap, an
epoch whose key nobody has. Stopping sync at such an envelope would let one device stop the
whole team, so ``ingest`` records it here instead — author device, scope, epoch, seq and the
reason — moves the chain past it and goes on with everything else.

Two kinds:

* ``damaged``: it will never open; it stays here for the employer to see (with its author,
  under *Geräte & Sync*) until they revoke the device or dismiss it.
* ``key``: the key of its scope and epoch has not arrived (yet). The envelope is kept whole;
  once the key arrives, ``ingest.release_parked`` opens, stores and folds it, and if it still
  does not open it becomes ``damaged``.

The table lives beside the envelopes in the store's file; like them it holds only signed
ciphertext and ids, nothing readable without the keys.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from app.store.envelope import Envelope

DAMAGED, KEY = "damaged", "key"

DDL = ("CREATE TABLE IF NOT EXISTS quarantine (device TEXT NOT NULL, seq INTEGER NOT NULL,"
       " scope TEXT NOT NULL, epoch INTEGER NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL,"
       " at_ms INTEGER NOT NULL, team TEXT NOT NULL, prev_hash BLOB NOT NULL,"
       " nonce BLOB NOT NULL, body BLOB NOT NULL, sig BLOB NOT NULL,"
       " PRIMARY KEY (device, seq))")
_COLUMNS = "team, scope, epoch, device, seq, prev_hash, nonce, body, sig"


@dataclass(frozen=True)
class Quarantined:
    """One envelope in quarantine, as the screens and the CLI show it."""

    device: str
    seq: int
    scope: str
    epoch: int
    kind: str  # DAMAGED or KEY
    reason: str
    at_ms: int


def ensure(conn: sqlite3.Connection) -> None:
    conn.execute(DDL)


def put(conn: sqlite3.Connection, env: Envelope, kind: str, reason: str) -> None:
    """Record ``env`` (inside the caller's transaction). A repeat keeps the first record."""
    conn.execute(
        f"INSERT OR IGNORE INTO quarantine (kind, reason, at_ms, {_COLUMNS})"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (kind, reason[:500], int(time.time() * 1000), env.team, env.scope, env.epoch,
         env.device, env.seq, env.prev_hash, env.nonce, env.body, env.sig))


def put_undeliverable(conn: sqlite3.Connection, team: str, device: str, seq: int, scope: str,
                      reason: str) -> None:
    """An envelope the relay could not even deliver (its header is out of the wire format's
    range): only what the relay told us about it is kept."""
    conn.execute(
        f"INSERT OR IGNORE INTO quarantine (kind, reason, at_ms, {_COLUMNS})"
        " VALUES (?,?,?,?,?,0,?,?,x'',x'',x'',x'')",
        (DAMAGED, reason[:500], int(time.time() * 1000), team, scope, device, seq))


def listed(conn: sqlite3.Connection) -> list[Quarantined]:
    ensure(conn)
    return [Quarantined(str(r[0]), int(r[1]), str(r[2]), int(r[3]), str(r[4]), str(r[5]),
                        int(r[6]))
            for r in conn.execute("SELECT device, seq, scope, epoch, kind, reason, at_ms"
                                  " FROM quarantine ORDER BY at_ms, device, seq")]


def parked(conn: sqlite3.Connection) -> list[Envelope]:
    """Envelopes waiting for a key, oldest first."""
    ensure(conn)
    return [Envelope(*r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM quarantine WHERE kind = ? ORDER BY device, seq", (KEY,))]


def mark_damaged(conn: sqlite3.Connection, device: str, seq: int, reason: str) -> None:
    conn.execute("UPDATE quarantine SET kind = ?, reason = ? WHERE device = ? AND seq = ?",
                 (DAMAGED, reason[:500], device, seq))


def remove(conn: sqlite3.Connection, device: str, seq: int) -> None:
    conn.execute("DELETE FROM quarantine WHERE device = ? AND seq = ?", (device, seq))
