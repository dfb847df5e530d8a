"""The relay's hot path in raw driver SQL: the statements, and the SQLite implementation.

Every request of every device looks its device up and spends a nonce, and most requests are
pushes. Through SQLAlchemy Core each statement pays for compilation and result wrapping, and
each step was its own transaction; here the statements go straight to the driver, and a push
spends its request nonce in the transaction that stores its envelopes. ``relay_pg.py`` is the
PostgreSQL twin (one round trip per push).

The semantics are ``relay_store.py``'s (see its docstring): the per-team lock is held until
commit, so cursors become visible in order; ``plan_push`` decides new/duplicate/fork/gap;
all or nothing; a replayed nonce is refused, across processes too, because it lives in the
database. ``push(…, nonce)`` spends the nonce whatever its answer (a refused push cannot be
replayed either). Nothing is cached between requests, so a revocation holds at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from app.store.envelope import Envelope
from app.sync.relay_base import REPLAYED, DeviceRow, Refused, fault_hook, now_ms, plan_push

DEVICE = ("SELECT d.member, d.sign_pub, d.dh_pub, d.revoked, m.role, m.active FROM az_devices d"
          " LEFT JOIN az_members m ON m.team = d.team AND m.member = d.member"
          " WHERE d.team = ? AND d.device = ?")
NONCE = "INSERT INTO az_nonces (device, nonce, ts) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
PURGE = "DELETE FROM az_nonces WHERE ts < ?"
LAST = ("SELECT seq, hash FROM az_envelopes WHERE team = ? AND device = ?"
        " ORDER BY seq DESC LIMIT 1")
HASH = "SELECT hash FROM az_envelopes WHERE team = ? AND device = ? AND seq = ?"
CURSOR = "SELECT cursor FROM az_teams WHERE team = ?"
BUMP = "UPDATE az_teams SET cursor = cursor + ? WHERE team = ? RETURNING cursor"
INSERT = ("INSERT INTO az_envelopes (team, cursor, scope, epoch, device, seq, prev_hash, nonce,"
          " body, sig, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

Connect = Callable[[], AbstractContextManager[Any]]


def pg_sql(sql: str) -> str:
    """The same statement in psycopg's placeholder style."""
    return sql.replace("?", "%s")


def device_row(team: str, device: str, row: Any) -> DeviceRow | None:
    if row is None:
        return None
    member, sign_pub, dh_pub, revoked, role, active = row
    return DeviceRow(team, device, member, bytes.fromhex(sign_pub), dh_pub, bool(revoked), role,
                     bool(active))


def purge_due(nonce: str) -> bool:
    return nonce[:2] == "00"  # now and then (1 in 256 requests), not on every request


class SqliteHot:
    """``connect()`` lends a raw ``sqlite3`` connection in autocommit mode; ``writer`` is the
    process's one-writer lock, shared with the SQLAlchemy path (STYLE.md #8)."""

    def __init__(self, connect: Connect, writer: threading.Lock) -> None:
        self._connect, self._writer = connect, writer

    def device(self, team: str, device: str) -> DeviceRow | None:
        with self._connect() as conn:
            return device_row(team, device, _one(conn.execute(DEVICE, (team, device))))

    def use_nonce(self, device: str, nonce: str, ts: int, window_ms: int) -> bool:
        with self._connect() as conn, self._writer:
            fresh = conn.execute(NONCE, (device, nonce, ts)).rowcount == 1
            if fresh and purge_due(nonce):
                conn.execute(PURGE, (now_ms() - 2 * window_ms,))
            return bool(fresh)

    def purge_nonces(self, before_ms: int) -> None:
        with self._connect() as conn, self._writer:
            conn.execute(PURGE, (before_ms,))

    def push(self, team: str, device: str, batch: list[Envelope],
             nonce: tuple[str, int] | None) -> tuple[int, int, int]:
        with self._connect() as conn, self._writer:
            conn.execute("BEGIN IMMEDIATE")  # the database lock is the team lock
            try:
                if nonce and conn.execute(NONCE, (device, *nonce)).rowcount != 1:
                    raise Refused(401, REPLAYED)
                result = self._store(conn, team, device, batch)
                fault_hook("before_commit")
                conn.execute("COMMIT")
                return result
            except BaseException as err:
                conn.execute("ROLLBACK")
                if nonce and isinstance(err, Refused) and str(err) != REPLAYED:
                    conn.execute(NONCE, (device, *nonce))  # refused, but spent all the same
                raise

    @staticmethod
    def _store(conn: Any, team: str, device: str,
               batch: list[Envelope]) -> tuple[int, int, int]:
        fresh, dups = plan_push(device, batch, _one(conn.execute(LAST, (team, device))),
                                lambda seq: _first(_one(conn.execute(HASH, (team, device, seq)))))
        if not fresh:
            return 0, dups, int(_first(_one(conn.execute(CURSOR, (team,)))) or 0)
        top = _one(conn.execute(BUMP, (len(fresh), team)))
        if top is None:
            raise Refused(404, "unknown team")
        first = top[0] - len(fresh) + 1
        conn.executemany(INSERT, [
            (team, first + i, e.scope, e.epoch, device, e.seq, e.prev_hash, e.nonce, e.body,
             e.sig, digest) for i, (e, digest) in enumerate(fresh)])
        return len(fresh), dups, int(top[0])


def _one(cur: Any) -> Any:
    """The first row or None, reading the cursor to its end: an SQLite statement left half
    stepped would keep the transaction from committing."""
    rows = cur.fetchall()
    return rows[0] if rows else None


def _first(row: Any) -> Any:
    return None if row is None else row[0]
