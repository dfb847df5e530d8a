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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
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

from app.errors import SyncError
from app.store.envelope import GENESIS_HASH, Envelope
from app.sync.relay_schema import (
    calendars,
    devices,
    envelopes,
    grants,
    invites,
    joins,
    md,
    members,
    nonces,
    teams,
)


class Refused(SyncError):
    """A request the relay refuses; ``status`` is the HTTP status, the message the reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class DeviceRow:
    team: str
    device: str
    member: str
    sign_pub: bytes
    dh_pub: str
    revoked: bool
    role: str | None
    active: bool


@dataclass(frozen=True)
class MembershipChange:
    """What a membership op means to the relay: set these columns of a member or device."""

    table: str  # "member" or "device"
    key: str
    values: dict[str, Any]


def now_ms() -> int:
    return int(time.time() * 1000)


class RelayStore:
    """The port. ``open_relay_store(url)`` picks the implementation."""

    engine: Engine

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer: AbstractContextManager[Any] = nullcontext()
        md.create_all(engine)

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

    def _relaxed(self, conn: Connection) -> None:
        """This transaction need not wait for the disk (a nonce: losing the last few in a
        power cut only reopens a replay window for requests that were answered anyway)."""

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
        with self._read() as conn:
            row = conn.execute(
                select(devices, members.c.role, members.c.active)
                .select_from(devices.outerjoin(members, (members.c.team == devices.c.team)
                                               & (members.c.member == devices.c.member)))
                .where(devices.c.team == team, devices.c.device == device)).first()
        if row is None:
            return None
        return DeviceRow(row.team, row.device, row.member, bytes.fromhex(row.sign_pub),
                         row.dh_pub, bool(row.revoked), row.role, bool(row.active))

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

    # -------------------------------------------------------------- envelopes
    def push(self, team: str, device: str, batch: list[Envelope],
             changes: list[MembershipChange]) -> tuple[int, int, int]:
        """Store a device's envelopes: (accepted, duplicates, team cursor). All or nothing."""
        with self._write(team) as conn:
            last = conn.execute(
                select(envelopes.c.seq, envelopes.c.hash)
                .where(envelopes.c.team == team, envelopes.c.device == device)
                .order_by(envelopes.c.seq.desc()).limit(1)).first()
            last_seq, last_hash = (int(last.seq), bytes(last.hash)) if last else (0, GENESIS_HASH)
            fresh: list[Envelope] = []
            dups = 0
            for env in batch:
                if env.seq <= last_seq:
                    stored = conn.execute(select(envelopes.c.hash).where(
                        envelopes.c.team == team, envelopes.c.device == device,
                        envelopes.c.seq == env.seq)).scalar()
                    if stored is not None and bytes(stored) == env.hash:
                        dups += 1
                        continue
                    raise Refused(409, f"fork: {env.label} differs from the one stored")
                if env.seq != last_seq + 1:
                    raise Refused(409, f"gap: {env.label} follows seq {last_seq}")
                if env.prev_hash != last_hash:
                    raise Refused(409, f"fork: {env.label} does not continue the device's chain")
                fresh.append(env)
                last_seq, last_hash = env.seq, env.hash
            if changes:
                self._apply(conn, team, changes)
            cursor = self._append(conn, team, fresh) if fresh else int(conn.execute(
                select(teams.c.cursor).where(teams.c.team == team)).scalar() or 0)
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

    def pull(self, team: str, after: int, limit: int) -> list[Any]:
        with self._read() as conn:
            return list(conn.execute(
                select(envelopes.c.cursor, envelopes.c.scope, envelopes.c.epoch,
                       envelopes.c.device, envelopes.c.seq, envelopes.c.prev_hash,
                       envelopes.c.nonce, envelopes.c.body, envelopes.c.sig, envelopes.c.hash)
                .where(envelopes.c.team == team, envelopes.c.cursor > after)
                .order_by(envelopes.c.cursor).limit(limit)))

    def counts(self) -> dict[str, int]:
        with self._read() as conn:
            return {"teams": int(conn.execute(select(func.count()).select_from(teams))
                                 .scalar_one()),
                    "envelopes": int(conn.execute(select(func.count()).select_from(envelopes))
                                     .scalar_one())}

    # -------------------------------------------------------------- nonces
    def use_nonce(self, device: str, nonce: str, ts: int, window_ms: int) -> bool:
        """False when the nonce was seen before (a replay). Old nonces are purged."""
        try:
            with self._write() as conn:
                self._relaxed(conn)
                conn.execute(insert(nonces).values(device=device, nonce=nonce, ts=ts))
                if int(nonce[:2], 16) == 0:  # now and then, not on every request
                    conn.execute(delete(nonces).where(nonces.c.ts < now_ms() - 2 * window_ms))
        except SqlIntegrityError:
            return False
        return True

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
                     etag: str) -> bool:
        """Store or replace; False when new and no token was given."""
        with self._write(team) as conn:
            where = (calendars.c.team == team, calendars.c.name == name)
            if conn.execute(select(calendars.c.name).where(*where)).first():
                values: dict[str, Any] = {"ics": ics, "etag": etag, "updated_ms": now_ms()}
                if token_hash:
                    values["token_hash"] = token_hash
                conn.execute(update(calendars).where(*where).values(**values))
                return True
            if not token_hash:
                return False
            conn.execute(insert(calendars).values(team=team, name=name, token_hash=token_hash,
                                                  ics=ics, etag=etag, updated_ms=now_ms()))
            return True

    def delete_calendar(self, team: str, name: str) -> bool:
        with self._write(team) as conn:
            return bool(conn.execute(delete(calendars).where(
                calendars.c.team == team, calendars.c.name == name)).rowcount)

    def calendar_by_token(self, token_hash: str) -> tuple[bytes, str] | None:
        with self._read() as conn:
            row = conn.execute(select(calendars.c.ics, calendars.c.etag)
                               .where(calendars.c.token_hash == token_hash)).first()
        return None if row is None else (bytes(row.ics), str(row.etag))


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
        self._writer = threading.Lock()

    def _lock_team(self, conn: Connection, team: str) -> None:
        pass  # BEGIN IMMEDIATE already holds the only write lock


class PostgresRelayStore(RelayStore):
    """For several relay processes: the per-team lock is a transaction advisory lock."""

    def __init__(self, url: str) -> None:
        super().__init__(create_engine(url, pool_size=30, max_overflow=30, pool_pre_ping=True))

    def _lock_team(self, conn: Connection, team: str) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:t, 0))"), {"t": team})

    def _relaxed(self, conn: Connection) -> None:
        conn.execute(text("SET LOCAL synchronous_commit TO OFF"))


def open_relay_store(url: str) -> RelayStore:
    """``sqlite:///path``, a plain file path, or ``postgresql://…``."""
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+psycopg://"):
        return PostgresRelayStore(url)
    if not url.startswith("sqlite:"):
        url = f"sqlite:///{url}"
    return SqliteRelayStore(url)


_FAULTS: dict[str, float] = {}


def fault_hook(point: str) -> None:
    """Test-only fault injection (ASSISTENZZEIT_RELAY_FAULT=point:seconds): the crash test
    kills the relay while it sleeps here, i.e. in the middle of a push transaction."""
    delay = _FAULTS.get(point)
    if delay:
        time.sleep(delay)


def set_faults(spec: str | None) -> None:
    _FAULTS.clear()
    for part in (spec or "").split(","):
        if ":" in part:
            name, seconds = part.split(":", 1)
            _FAULTS[name.strip()] = float(seconds)
