"""The relay's hot path on PostgreSQL: one round trip for the device, one for the push.

Several relay processes share one PostgreSQL, and each statement costs a round trip and
driver work on both sides, so the common push — a device continuing its own chain — is one
statement, the function ``az_push`` (created at start), run in its own autocommit
transaction. In that one transaction it

1. spends the request nonce (``ON CONFLICT DO NOTHING``; none inserted → -1, a replay),
2. takes the team's advisory lock, held until commit, so cursors become visible in order,
3. checks that the batch continues the device's stored chain (seq and prev_hash of the
   newest stored envelope); if not → -2 and nothing but the nonce is stored,
4. bumps the team cursor and inserts the envelopes numbered from it → the new cursor.

Python has checked the batch's own links before (seq + 1, prev_hash = hash of the one
before, the device's own). Anything else — duplicates of a retried push, forks, gaps, an
empty batch — takes the general path (``plan_push`` under the same lock, explicit
transaction), which answers exactly as ``relay_store.py`` always did.
"""

from __future__ import annotations

from typing import Any

from app.store.envelope import GENESIS_HASH, Envelope
from app.sync.protocol import REPLAY_WINDOW_MS
from app.sync.relay_base import (
    REPLAYED,
    DeviceRow,
    Refused,
    fault_hook,
    faults_at,
    now_ms,
    plan_push,
)
from app.sync.relay_hot import (
    CURSOR,
    DEVICE,
    HASH,
    LAST,
    NONCE,
    PURGE,
    Connect,
    device_row,
    pg_sql,
    purge_due,
)

FUNCTION = r"""
CREATE OR REPLACE FUNCTION az_push(p_team text, p_device text, p_nonce text, p_ts bigint,
    p_scope text[], p_epoch int[], p_seq bigint[], p_prev_hash bytea[], p_env_nonce bytea[],
    p_body bytea[], p_sig bytea[], p_hash bytea[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n int := cardinality(p_seq);
    last_seq bigint;
    last_hash bytea;
    top bigint;
BEGIN
    IF p_nonce IS NOT NULL THEN
        INSERT INTO az_nonces (device, nonce, ts) VALUES (p_device, p_nonce, p_ts)
            ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            RETURN -1;
        END IF;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended(p_team, 0));
    SELECT e.seq, e.hash INTO last_seq, last_hash FROM az_envelopes e
        WHERE e.team = p_team AND e.device = p_device ORDER BY e.seq DESC LIMIT 1;
    IF coalesce(last_seq, 0) <> p_seq[1] - 1
            OR coalesce(last_hash, '\xGENESIS'::bytea) <> p_prev_hash[1] THEN
        RETURN -2;
    END IF;
    UPDATE az_teams SET cursor = cursor + n WHERE team = p_team RETURNING cursor INTO top;
    IF top IS NULL THEN
        RETURN -2;
    END IF;
    INSERT INTO az_envelopes (team, cursor, scope, epoch, device, seq, prev_hash, nonce, body,
                              sig, hash)
        SELECT p_team, top - n + v.i, v.scope, v.epoch, p_device, v.seq, v.prev_hash, v.nonce,
               v.body, v.sig, v.hash
        FROM unnest(p_scope, p_epoch, p_seq, p_prev_hash, p_env_nonce, p_body, p_sig, p_hash)
             WITH ORDINALITY AS v(scope, epoch, seq, prev_hash, nonce, body, sig, hash, i);
    RETURN top;
END $$""".replace("GENESIS", GENESIS_HASH.hex())
# The arrays go in binary (%b): no hex on the way, no text array parsing in the server.
PUSH = ("SELECT az_push(%s, %s, %s, %s::bigint, %s::text[], %b::int[], %b::bigint[],"
        " %b::bytea[], %b::bytea[], %b::bytea[], %b::bytea[], %b::bytea[])")
LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"
DDL_LOCK = "SELECT pg_advisory_xact_lock(4242)"  # relay processes starting together
P_DEVICE, P_NONCE, P_PURGE = pg_sql(DEVICE), pg_sql(NONCE), pg_sql(PURGE)
P_LAST, P_HASH, P_CURSOR = pg_sql(LAST), pg_sql(HASH), pg_sql(CURSOR)


def _continues(device: str, batch: list[Envelope]) -> list[bytes] | None:
    """The batch's hashes if it is the device's own and linked in itself, else None."""
    hashes: list[bytes] = []
    for i, env in enumerate(batch):
        if env.device != device or (i and (env.seq != batch[i - 1].seq + 1
                                           or env.prev_hash != hashes[-1])):
            return None
        hashes.append(env.hash)
    return hashes or None


class PostgresHot:
    """``connect()`` lends a raw psycopg connection in autocommit mode."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect
        with connect() as conn, conn.transaction():
            conn.execute(DDL_LOCK)
            # Replaced only when it changed: a new version makes every backend recompile it.
            same = conn.execute("SELECT 1 FROM pg_proc WHERE proname = 'az_push' AND prosrc = %s",
                                (FUNCTION.split("$$")[1],)).fetchone()
            if same is None:
                conn.execute(FUNCTION)

    def device(self, team: str, device: str) -> DeviceRow | None:
        with self._connect() as conn:
            return device_row(team, device, conn.execute(P_DEVICE, (team, device)).fetchone())

    def use_nonce(self, device: str, nonce: str, ts: int, window_ms: int) -> bool:
        with self._connect() as conn, conn.pipeline():
            # A nonce alone need not wait for the disk: losing the last few in a power cut
            # only reopens a replay window for requests that were answered anyway.
            conn.execute("BEGIN")
            conn.execute("SET LOCAL synchronous_commit TO OFF")
            cur = conn.execute(P_NONCE, (device, nonce, ts))
            if purge_due(nonce):
                conn.execute(P_PURGE, (now_ms() - 2 * window_ms,))
            conn.execute("COMMIT")
        return bool(cur.rowcount == 1)

    def purge_nonces(self, before_ms: int) -> None:
        with self._connect() as conn:
            conn.execute(P_PURGE, (before_ms,))

    def push(self, team: str, device: str, batch: list[Envelope],
             nonce: tuple[str, int] | None) -> tuple[int, int, int]:
        hashes = _continues(device, batch)
        if hashes is None:
            if nonce and not self.use_nonce(device, *nonce, REPLAY_WINDOW_MS):
                raise Refused(401, REPLAYED)
        else:
            top = self._push_fast(team, device, batch, hashes, nonce)
            if top == -1:
                raise Refused(401, REPLAYED)
            if top > 0:
                return len(batch), 0, top
            # -2: not a plain continuation; az_push spent the nonce and stored nothing else.
        return self._push_general(team, device, batch)

    def _push_fast(self, team: str, device: str, batch: list[Envelope], hashes: list[bytes],
                   nonce: tuple[str, int] | None) -> int:
        args = (team, device, nonce[0] if nonce else None, nonce[1] if nonce else None,
                [e.scope for e in batch], [e.epoch for e in batch], [e.seq for e in batch],
                [e.prev_hash for e in batch], [e.nonce for e in batch],
                [e.body for e in batch], [e.sig for e in batch], hashes)
        with self._connect() as conn:
            if not faults_at("before_commit"):
                return int(conn.execute(PUSH, args).fetchone()[0])
            with conn.pipeline() as pipeline:  # the crash test's explicit transaction
                conn.execute("BEGIN")
                cur = conn.execute(PUSH, args)
                pipeline.sync()
                fault_hook("before_commit")
                conn.execute("COMMIT")
            return int(cur.fetchone()[0])

    def _push_general(self, team: str, device: str,
                      batch: list[Envelope]) -> tuple[int, int, int]:
        with self._connect() as conn, conn.transaction():
            conn.execute(LOCK, (team,))  # held until commit: cursors visible in order
            fresh, dups = plan_push(device, batch, conn.execute(P_LAST, (team, device))
                                    .fetchone(), lambda seq: _first(conn.execute(
                                        P_HASH, (team, device, seq)).fetchone()))
            if fresh:
                top = int(conn.execute(PUSH, (
                    team, device, None, None, [e.scope for e, _ in fresh],
                    [e.epoch for e, _ in fresh], [e.seq for e, _ in fresh],
                    [e.prev_hash for e, _ in fresh], [e.nonce for e, _ in fresh],
                    [e.body for e, _ in fresh], [e.sig for e, _ in fresh],
                    [d for _, d in fresh])).fetchone()[0])
                if top < 0:
                    raise Refused(404, "unknown team")
            else:
                top = int(_first(conn.execute(P_CURSOR, (team,)).fetchone()) or 0)
            fault_hook("before_commit")
        return len(fresh), dups, top


def _first(row: Any) -> Any:
    return None if row is None else row[0]
