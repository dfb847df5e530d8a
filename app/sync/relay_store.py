"""The relay's storage port: one interface, SQLite and PostgreSQL implementations.

The relay keeps opaque envelopes, the plaintext membership (ids, roles, public keys — no
names), invites (hashes only), join requests, wrapped scope keys, request nonces and
published calendars. Nothing here can decrypt anything.

The one subtle part is the per-team cursor. ``push`` assigns cursors under a per-team lock
(``pg_advisory_xact_lock`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) held until commit,
so cursors of a team become visible in order: a reader that has seen cursor N never later
finds a row N' < N it skipped. ``UNIQUE(team, device, seq)`` makes pushes idempotent and a
fork impossible to store; the device's hash chain is checked inside the same lock.
Everything is in the database, so any number of relay processes can share one PostgreSQL.

What every device does all the time — its device looked up, a request nonce spent, a push —
goes through raw driver SQL with the same semantics: ``relay_hot.py`` (SQLite) and
``relay_pg.py`` (PostgreSQL); this module's SQLAlchemy Core does the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import (
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError as SqlIntegrityError

from app.store.envelope import Envelope
from app.sync.protocol import REPLAY_WINDOW_MS
from app.sync.relay_base import (
    REPLAYED,
    DeviceRow,
    MembershipChange,
    Refused,
    fault_hook,
    now_ms,
    plan_push,
)
from app.sync.relay_hot import SqliteHot, purge_due
from app.sync.relay_pg import PostgresHot
from app.sync.relay_schema import (
    calendars,
    devices,
    envelopes,
    grants,
    invites,
    joins,
    md,
    members,
    teams,
    upgrade,
)

HOT_POOL = 8  # PostgreSQL connections per relay process for the hot path

__all__ = ["DeviceRow", "MembershipChange", "Refused", "RelayStore", "open_relay_store"]


class RelayStore:
    """The port. ``open_relay_store(url)`` picks the implementation."""

    engine: Engine
    hot: SqliteHot | PostgresHot  # raw driver SQL for device lookups, nonces and pushes

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer: AbstractContextManager[Any] = nullcontext()
        md.create_all(engine)
        upgrade(engine)

    @staticmethod
    @contextmanager
    def _lend(engine: Engine) -> Iterator[Any]:
        """A raw DBAPI connection from ``engine``'s pool; dropped (not reused) after an
        error other than a refusal, since its session state is then unknown."""
        fairy = engine.raw_connection()
        try:
            yield fairy.driver_connection
        except Refused:
            fairy.close()
            raise
        except BaseException:
            fairy.invalidate()
            raise
        fairy.close()

    # -------------------------------------------------------------- transactions
    @contextmanager
    def _write(self, team: str | None = None) -> Iterator[Connection]:
        with self._writer, self.engine.connect() as conn:
            conn = conn.execution_options(az_write=True)
            with conn.begin():
                if team is not None:
                    self._lock_team(conn, team)
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _lock_team(self, conn: Connection, team: str) -> None:
        raise NotImplementedError

    def ping(self) -> bool:
        with self._read() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    # -------------------------------------------------------------- teams and membership
    def create_team(self, team: str, genesis: Envelope, changes: list[MembershipChange]) -> int:
        try:
            with self._write(team) as conn:
                if conn.execute(select(teams.c.team).where(teams.c.team == team)).first():
                    raise Refused(409, "the team exists already")
                conn.execute(insert(teams).values(team=team, cursor=0, created_ms=now_ms()))
                self._apply(conn, team, changes)
                return self._append(conn, team, [genesis])
        except SqlIntegrityError as err:
            raise Refused(409, "the team exists already") from err

    def device(self, team: str, device: str) -> DeviceRow | None:
        return self.hot.device(team, device)

    def team_exists(self, team: str) -> bool:
        with self._read() as conn:
            return conn.execute(select(teams.c.team).where(teams.c.team == team)).first() is not None

    def membership(self, team: str) -> dict[str, Any]:
        with self._read() as conn:
            ms = [dict(r._mapping) for r in conn.execute(
                select(members.c.member, members.c.role, members.c.active)
                .where(members.c.team == team))]
            ds = [dict(r._mapping) for r in conn.execute(
                select(devices.c.device, devices.c.member, devices.c.sign_pub, devices.c.dh_pub,
                       devices.c.revoked).where(devices.c.team == team))]
        return {"members": ms, "devices": ds}

    def _apply(self, conn: Connection, team: str, changes: list[MembershipChange]) -> None:
        for ch in changes:
            table, keycol = (members, members.c.member) if ch.table == "member" else (
                devices, devices.c.device)
            values = dict(ch.values)
            if ch.table == "device" and conn.execute(
                    select(devices.c.revoked).where(devices.c.team == team,
                                                    keycol == ch.key)).scalar():
                values["revoked"] = True  # revocation is final, whatever comes later
            exists = conn.execute(select(keycol).where(table.c.team == team,
                                                       keycol == ch.key)).first()
            if exists:
                if values:
                    conn.execute(update(table).where(table.c.team == team, keycol == ch.key)
                                 .values(**values))
            else:
                base = ({"role": "assistant", "active": True} if ch.table == "member" else
                        {"member": "", "sign_pub": "", "dh_pub": "", "revoked": False})
                conn.execute(insert(table).values(team=team, **{keycol.name: ch.key},
                                                  **{**base, **values}))
            if ch.table == "device" and "sign_pub" in values:
                conn.execute(update(joins).where(joins.c.team == team, joins.c.device == ch.key)
                             .values(status="approved"))
            self._withdraw_feeds(conn, team, ch)

    @staticmethod
    def _withdraw_feeds(conn: Connection, team: str, ch: MembershipChange) -> None:
        """A revoked device's calendars (or those of a deactivated member's devices) go."""
        if ch.table == "device" and ch.values.get("revoked"):
            conn.execute(delete(calendars).where(calendars.c.team == team,
                                                 calendars.c.device == ch.key))
        elif ch.table == "member" and ch.values.get("active") is False:
            theirs = select(devices.c.device).where(devices.c.team == team,
                                                    devices.c.member == ch.key)
            conn.execute(delete(calendars).where(calendars.c.team == team,
                                                 calendars.c.device.in_(theirs)))

    # -------------------------------------------------------------- envelopes
    def push(self, team: str, device: str, batch: list[Envelope],
             changes: list[MembershipChange],
             nonce: tuple[str, int] | None = None) -> tuple[int, int, int]:
        """Store a device's envelopes (sorted by seq): (accepted, duplicates, team cursor).
        All or nothing. ``nonce`` (nonce, time) of the request is spent whatever the answer,
        in the same transaction when it can be (401 if it was seen before)."""
        if nonce and purge_due(nonce[0]):
            self.hot.purge_nonces(now_ms() - 2 * REPLAY_WINDOW_MS)
        if not changes:
            return self.hot.push(team, device, batch, nonce)
        # Membership envelopes (rare) also change the membership tables: the Core path.
        if nonce and not self.use_nonce(device, *nonce, REPLAY_WINDOW_MS):
            raise Refused(401, REPLAYED)
        with self._write(team) as conn:

            def stored_hash(seq: int) -> bytes | None:
                return conn.execute(select(envelopes.c.hash).where(
                    envelopes.c.team == team, envelopes.c.device == device,
                    envelopes.c.seq == seq)).scalar()

            fresh, dups = plan_push(device, batch, conn.execute(
                select(envelopes.c.seq, envelopes.c.hash)
                .where(envelopes.c.team == team, envelopes.c.device == device)
                .order_by(envelopes.c.seq.desc()).limit(1)).first(), stored_hash)
            self._apply(conn, team, changes)
            cursor = self._append(conn, team, [e for e, _ in fresh]) if fresh else int(
                conn.execute(select(teams.c.cursor).where(teams.c.team == team)).scalar() or 0)
            return len(fresh), dups, cursor

    def _append(self, conn: Connection, team: str, batch: list[Envelope]) -> int:
        top = int(conn.execute(update(teams).where(teams.c.team == team)
                               .values(cursor=teams.c.cursor + len(batch))
                               .returning(teams.c.cursor)).scalar_one())
        first = top - len(batch) + 1
        conn.execute(insert(envelopes), [
            {"team": team, "cursor": first + i, "scope": e.scope, "epoch": e.epoch,
             "device": e.device, "seq": e.seq, "prev_hash": e.prev_hash, "nonce": e.nonce,
             "body": e.body, "sig": e.sig, "hash": e.hash} for i, e in enumerate(batch)])
        fault_hook("before_commit")
        return top

    def known_epoch(self, team: str, scope: str) -> int:
        """The newest epoch of ``scope`` an employer or proxy has shown: in a key grant, or
        else in one of their envelopes (a scope whose keys nobody else holds yet). Only
        asked for an epoch above 1, so the common push never pays for it."""
        with self._read() as conn:
            granted = int(conn.execute(select(func.max(grants.c.epoch)).where(
                grants.c.team == team, grants.c.scope == scope)).scalar() or 0)
            admin = select(func.max(envelopes.c.epoch)).select_from(
                envelopes.join(devices, (devices.c.team == envelopes.c.team)
                               & (devices.c.device == envelopes.c.device))
                .join(members, (members.c.team == devices.c.team)
                      & (members.c.member == devices.c.member))
            ).where(envelopes.c.team == team, envelopes.c.scope == scope,
                    envelopes.c.epoch > granted, members.c.role.in_(("employer", "proxy")))
            return max(granted, int(conn.execute(admin).scalar() or 0))

    def pull(self, team: str, after: int, limit: int) -> list[Any]:
        with self._read() as conn:
            return list(conn.execute(
                select(envelopes.c.cursor, envelopes.c.scope, envelopes.c.epoch,
                       envelopes.c.device, envelopes.c.seq, envelopes.c.prev_hash,
                       envelopes.c.nonce, envelopes.c.body, envelopes.c.sig, envelopes.c.hash)
                .where(envelopes.c.team == team, envelopes.c.cursor > after)
                .order_by(envelopes.c.cursor).limit(limit)))

    def envelope(self, team: str, device: str, seq: int) -> Envelope | None:
        """One stored envelope by its author and seq: a device fetches a good copy of one
        that is damaged in its own file (``app/sync/heal.py``)."""
        with self._read() as conn:
            r = conn.execute(select(
                envelopes.c.scope, envelopes.c.epoch, envelopes.c.prev_hash, envelopes.c.nonce,
                envelopes.c.body, envelopes.c.sig).where(
                envelopes.c.team == team, envelopes.c.device == device,
                envelopes.c.seq == seq)).first()
        if r is None:
            return None
        return Envelope(team, r.scope, r.epoch, device, seq, bytes(r.prev_hash), bytes(r.nonce),
                        bytes(r.body), bytes(r.sig))

    def counts(self) -> dict[str, int]:
        with self._read() as conn:
            return {"teams": int(conn.execute(select(func.count()).select_from(teams))
                                 .scalar_one()),
                    "envelopes": int(conn.execute(select(func.count()).select_from(envelopes))
                                     .scalar_one())}

    # -------------------------------------------------------------- nonces
    def use_nonce(self, device: str, nonce: str, ts: int, window_ms: int) -> bool:
        """False when the nonce was seen before (a replay). Old nonces are purged."""
        return self.hot.use_nonce(device, nonce, ts, window_ms)

    # -------------------------------------------------------------- invites and joins
    def add_invite(self, team: str, invite: str, member: str, role: str, inviter: str,
                   expires_ms: int) -> None:
        try:
            with self._write() as conn:
                conn.execute(insert(invites).values(invite=invite, team=team, member=member,
                                                    role=role, inviter=inviter,
                                                    expires_ms=expires_ms, used_ms=None))
        except SqlIntegrityError as err:
            raise Refused(409, "this invite exists already") from err

    def invite(self, team: str, invite: str) -> Any:
        with self._read() as conn:
            return conn.execute(select(invites).where(invites.c.team == team,
                                                      invites.c.invite == invite)).first()

    def join(self, team: str, invite: str, row: dict[str, Any]) -> str:
        """Use the invite (once) and record the join request; returns the member id."""
        with self._write(team) as conn:
            inv = conn.execute(select(invites).where(invites.c.team == team,
                                                     invites.c.invite == invite)).first()
            if inv is None:
                raise Refused(404, "unknown invite")
            if inv.used_ms is not None:
                raise Refused(409, "this invite code has been used already")
            if inv.expires_ms < now_ms():
                raise Refused(410, "this invite code has expired")
            conn.execute(update(invites).where(invites.c.invite == invite)
                         .values(used_ms=now_ms()))
            if conn.execute(select(devices.c.device).where(
                    devices.c.team == team, devices.c.device == row["device"])).first():
                raise Refused(409, "this device is a member already")
            conn.execute(insert(joins).values(team=team, invite=invite, member=inv.member,
                                              created_ms=now_ms(), status="pending", **row))
            return str(inv.member)

    def joins(self, team: str) -> list[dict[str, Any]]:
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(joins).where(joins.c.team == team, joins.c.status == "pending"))]

    # -------------------------------------------------------------- wrapped keys
    def add_grants(self, team: str, granter: str, rows: list[dict[str, Any]]) -> int:
        with self._write() as conn:
            n = 0
            for r in rows:
                exists = conn.execute(select(grants.c.id).where(
                    grants.c.team == team, grants.c.recipient == r["recipient"],
                    grants.c.scope == r["scope"], grants.c.epoch == r["epoch"])).first()
                if not exists:
                    conn.execute(insert(grants).values(team=team, granter=granter, **r))
                    n += 1
            return n

    def grants_for(self, team: str, device: str) -> list[dict[str, Any]]:
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(grants.c.recipient, grants.c.scope, grants.c.epoch, grants.c.wrapped,
                       grants.c.granter, grants.c.sig)
                .where(grants.c.team == team, grants.c.recipient == device))]

    # -------------------------------------------------------------- calendars
    def put_calendar(self, team: str, name: str, token_hash: str | None, ics: bytes,
                     etag: str, owner: tuple[str, bool]) -> bool:
        """Store or replace; False when new and no token was given. ``owner`` is (device,
        is the employer's): only the publishing device or the employer may replace it."""
        try:
            with self._write(team) as conn:
                where = (calendars.c.team == team, calendars.c.name == name)
                found = conn.execute(select(calendars.c.device).where(*where)).first()
                if found:
                    values: dict[str, Any] = {"ics": ics, "etag": etag, "updated_ms": now_ms(),
                                              "device": _owned(found.device, owner)}
                    if token_hash:
                        values["token_hash"] = token_hash
                    conn.execute(update(calendars).where(*where).values(**values))
                    return True
                if not token_hash:
                    return False
                conn.execute(insert(calendars).values(
                    team=team, name=name, token_hash=token_hash, ics=ics, etag=etag,
                    updated_ms=now_ms(), device=owner[0]))
                return True
        except SqlIntegrityError as err:  # the token of another calendar
            raise Refused(409, "this token is in use by another calendar") from err

    def delete_calendar(self, team: str, name: str, owner: tuple[str, bool]) -> bool:
        with self._write(team) as conn:
            where = (calendars.c.team == team, calendars.c.name == name)
            found = conn.execute(select(calendars.c.device).where(*where)).first()
            if found is None:
                return False
            _owned(found.device, owner)
            return bool(conn.execute(delete(calendars).where(*where)).rowcount)

    def calendar_by_token(self, token_hash: str) -> tuple[bytes, str] | None:
        with self._read() as conn:
            row = conn.execute(select(calendars.c.ics, calendars.c.etag)
                               .where(calendars.c.token_hash == token_hash)).first()
        return None if row is None else (bytes(row.ics), str(row.etag))


def _owned(device: str | None, owner: tuple[str, bool]) -> str:
    """Who owns a calendar after ``owner`` changes it: 403 unless it is theirs (or they are
    the employer). A calendar from before owners were kept goes to the first to change it."""
    who, employer = owner
    if device is None:
        return who
    if device != who and not employer:
        raise Refused(403, "this calendar belongs to another device")
    return device


class SqliteRelayStore(RelayStore):
    """The default: one file. Writers take the database lock with ``BEGIN IMMEDIATE``, which
    is the per-team lock too (one writer at a time, STYLE.md #8)."""

    def __init__(self, url: str) -> None:
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=20, max_overflow=20)

        @event.listens_for(engine, "connect")
        def _connect(dbapi: Any, _rec: Any) -> None:
            dbapi.isolation_level = None  # let the "begin" hook issue BEGIN itself
            cur = dbapi.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL survives a killed process; only a power cut may lose the tail,
            # which clients push again (pushes are idempotent).
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("az_write")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        super().__init__(engine)
        # One writer per process (STYLE.md #8): threads queue here instead of in SQLite's
        # busy handler, which backs off in sleeps of up to 100 ms under contention.
        self._writer = writer = threading.Lock()
        self.hot = SqliteHot(lambda: self._lend(engine), writer)

    def _lock_team(self, conn: Connection, team: str) -> None:
        pass  # BEGIN IMMEDIATE already holds the only write lock


class PostgresRelayStore(RelayStore):
    """For several relay processes: the per-team lock is a transaction advisory lock."""

    def __init__(self, url: str) -> None:
        super().__init__(create_engine(url, pool_size=30, max_overflow=30, pool_pre_ping=True))
        # The hot path's own pool: autocommit connections; no ping per checkout (a dead one
        # fails once and ``_lend`` drops it); few and kept (more pushes in flight do not make
        # a few cores faster, and a new backend costs a fork and plan caching), all opened at
        # start rather than in the first burst of requests.
        hot = create_engine(url, pool_size=HOT_POOL, max_overflow=0, pool_reset_on_return=None)

        @event.listens_for(hot, "connect")
        def _connect(dbapi: Any, _rec: Any) -> None:
            dbapi.autocommit = True

        @event.listens_for(self.engine, "engine_disposed")
        def _disposed(_engine: Engine) -> None:
            hot.dispose()

        self.hot = PostgresHot(lambda: self._lend(hot))
        for conn in [hot.raw_connection() for _ in range(HOT_POOL)]:
            conn.close()

    def _lock_team(self, conn: Connection, team: str) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:t, 0))"), {"t": team})


def open_relay_store(url: str) -> RelayStore:
    """``sqlite:///path``, a plain file path, or ``postgresql://…``."""
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+psycopg://"):
        return PostgresRelayStore(url)
    if not url.startswith("sqlite:"):
        url = f"sqlite:///{url}"
    return SqliteRelayStore(url)
