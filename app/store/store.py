"""The local encrypted store: the one object that turns changes into durable envelopes.

    store = Store.create(path, passphrase)      # a new device with its keys
    store = Store.open(path); store.unlock(pw)  # later
    store.commit([Change("shift.planned", "shift", sid, {...})])
    store.lock()                                # writes the snapshot, forgets the keys

``commit`` checks each op against the projection (role, locked month) first, so a refused
change writes nothing; then it writes one envelope per scope in one transaction; then folds.
Everything above (services, CLI, views) goes through ``commit`` and the projection's reads.
"""

from __future__ import annotations

import gc
import itertools
import json
import sqlite3
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.domain.hlc import Hlc
from app.domain.ops import Op, op_id_for, scope_of
from app.errors import AssistenzzeitError, IntegrityError, SnapshotOutdated, StoreError, StoreLocked
from app.store import archive, damage, disk, keys, quarantine, replay_archive
from app.store.crypto import open_sealed, seal
from app.store.damage import Damage
from app.store.envelope import (
    GENESIS_HASH,
    Envelope,
    open_envelope,
    seal_envelope,
    verify_envelope,
)
from app.store.projection import Projection

# Envelopes fetched after a checkpoint lie below row 0 (``checkpoint.store_history``).
BEFORE_ALL = -(2**62)
SNAPSHOT_EVERY = 5000  # ops folded since the last snapshot before a new one is written
DEFAULT_KDF_N = 2**16


def uuid7() -> str:
    """A time-ordered UUID (RFC 9562 version 7): ids sort by creation, which keeps indexes
    and logs in a useful order."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(uuid.uuid4().bytes[6:], "big") & ((1 << 74) - 1)
    value = (ms << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


@dataclass(frozen=True)
class Change:
    """One intended change, before it becomes ops: op name, entity, id and changed fields."""

    name: str
    entity: str
    entity_id: str
    fields: dict[str, Any]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, directory: Path, conn: Any,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self.directory = Path(directory)
        self._conn = conn
        self._lock = threading.RLock()
        self.clock = clock
        self._ring: keys.KeyRing | None = None
        self._proj: Projection | None = None
        self.damaged: list[Damage] = []
        self.device_id = disk.get_meta(conn, "device") or ""
        self.member_id = disk.get_meta(conn, "member") or ""
        self.team_id = disk.get_meta(conn, "team") or ""
        self.acting_member = self.member_id
        self.hlc = Hlc(lambda: int(self.clock().timestamp() * 1000),
                       int(disk.get_meta(conn, "hlc") or 0))
        self._ops_since_snapshot = 0
        self._closed = False

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, directory: Path, passphrase: str, *, kdf_n: int = DEFAULT_KDF_N,
               clock: Callable[[], datetime] = _utc_now) -> Store:
        """A new, empty store for a new device; unlocked. The team comes with services."""
        if disk.store_file(directory).exists():
            raise IntegrityError("error.store.exists", directory=directory)
        conn = disk.connect(directory, create=True)
        with disk.write_tx(conn):
            ring = keys.create(conn, passphrase, kdf_n)
            disk.set_meta(conn, "device", uuid7())
        store = cls(directory, conn, clock)
        store._ring = ring
        store._proj = Projection()
        archive.attach(store, store._lock)  # a first sync may archive months already
        return store

    @classmethod
    def open(cls, directory: Path, *, clock: Callable[[], datetime] = _utc_now) -> Store:
        conn = disk.connect(directory)
        try:
            return cls(directory, conn, clock)
        except sqlite3.DatabaseError as err:  # its ids cannot be read: say so, not a traceback
            conn.close()
            raise StoreError("error.store.damaged", path=disk.store_file(directory),
                             reason=err) from err

    @property
    def unlocked(self) -> bool:
        return self._proj is not None

    def unlock(self, passphrase: str) -> list[Damage]:
        """Unwrap the keys, load the snapshot and fold the envelopes after it. Damaged
        envelopes are named in the result (and ``self.damaged``); the rest is loaded."""
        with self._lock:
            ring = keys.load(self._conn, passphrase)
            self.damaged = []
            proj, upto = self._load_snapshot(ring)
            return self._fold_into(ring, proj, upto)

    def verify_all(self, passphrase: str) -> list[Damage]:
        """Check every envelope from the start, ignoring the snapshot (``assistenzzeit check``).
        Leaves the store unlocked with a projection rebuilt from the whole log."""
        with self._lock:
            if json.loads(self.meta("checkpoint") or "{}").get("state") == "started":
                # Started from a checkpoint: the history before it is not here yet, and a
                # replay of the tail alone would lose the state (``checkpoint_audit``).
                raise StoreError("this device started from a checkpoint and has not fetched "
                                 "the history yet; sync first, then check")
            ring = keys.load(self._conn, passphrase)
            self.damaged = []
            return self._fold_into(ring, Projection(), BEFORE_ALL, complete=True)

    def replay(self) -> list[Damage]:
        """``verify_all`` of an unlocked store (a device started from a checkpoint checks
        it so, once it has the history)."""
        with self._lock:
            return self._fold_into(self.ring, Projection(), BEFORE_ALL, complete=True)

    def adopt(self, proj: Projection) -> None:
        """Take ``proj`` (put together from a checkpoint) as this unlocked store's state."""
        with self._lock:
            self.ring  # noqa: B018 - raises StoreLocked when locked
            self._proj, self.damaged = proj, []
            archive.attach(self, self._lock)

    def _fold_into(self, ring: keys.KeyRing, proj: Projection, upto: int,
                   complete: bool = False) -> list[Damage]:
        self._ring, self._proj = ring, proj
        archive.attach(self, self._lock)  # issue 16: signed months are fetched when needed
        try:
            found = self._fold_from(upto, archiving=upto <= 0)
        except BaseException:
            # A fold that failed must not stay unlocked: ``lock`` would write it as the
            # snapshot, and its cursor would then pass over everything it never folded.
            self._ring = self._proj = None
            raise
        self.damaged = damage.remember(self._conn, found, complete=complete)
        return self.damaged

    def lock(self) -> None:
        """Write the snapshot and forget keys and plaintext."""
        with self._lock:
            if self._proj is None:
                return
            self.write_snapshot()
            self._ring = None
            self._proj = None
            gc.unfreeze()  # see ``ingest.settle``: let the cyclic GC reach the old projection

    def close(self) -> None:
        """Lock and close the file; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self.lock()
            self._conn.close()
            self._closed = True

    def crash(self) -> None:
        """Close the file without a snapshot, as a killed process would (for tests)."""
        with self._lock:
            self._conn.close()
            self._closed = True

    def change_passphrase(self, old: str, new: str) -> None:
        with self._lock:
            keys.change_passphrase(self._conn, old, new)

    def check_passphrase(self, passphrase: str) -> None:
        """Raises WrongPassphrase unless ``passphrase`` unwraps this store's master key."""
        with self._lock:
            keys.unwrap_master(self._conn, passphrase)

    def device_secret(self, name: str) -> bytes | None:
        """A small record of this device only (never synced), sealed under the master key."""
        with self._lock:
            return keys.get(self._conn, self.ring, f"local/{name}")

    def put_device_secret(self, name: str, secret: bytes) -> None:
        with self._lock, disk.write_tx(self._conn):
            keys.put(self._conn, self.ring, f"local/{name}", secret)

    # ------------------------------------------------------------------ reading
    @property
    def projection(self) -> Projection:
        if self._proj is None:
            raise StoreLocked("error.store.locked")
        return self._proj

    @property
    def ring(self) -> keys.KeyRing:
        if self._ring is None:
            raise StoreLocked("error.store.locked")
        return self._ring

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold off background sync while a screen reads several things that must agree
        (folding received envelopes takes the same lock)."""
        with self._lock:
            yield

    @contextmanager
    def acting_as(self, member_id: str) -> Iterator[None]:
        """Write on behalf of another member from this device (a shared tablet in the flat,
        or the demo's *Rolle wechseln*). Rights are those of that member."""
        with self._lock:
            previous, self.acting_member = self.acting_member, member_id
            try:
                yield
            finally:
                self.acting_member = previous

    # ------------------------------------------------------------------ writing
    def commit(self, changes: list[Change]) -> list[Op]:
        """Make the changes durable as envelopes, then fold them. All or nothing."""
        with self._lock:
            proj, ring = self.projection, self.ring
            ops_by_scope: dict[str, list[Op]] = {}
            ops: list[Op] = []
            for change in changes:
                for scope, fields in self._split(change).items():
                    hlc = self.hlc.now()
                    op = Op(op_id_for(self.device_id, hlc), change.name, change.entity,
                            change.entity_id, fields,
                            proj.version_of(change.entity, change.entity_id), hlc,
                            self.acting_member, self.device_id)
                    ops_by_scope.setdefault(scope, []).append(op)
                    ops.append(op)
            self._check(ops)
            with disk.write_tx(self._conn):
                seq = int(disk.get_meta(self._conn, "seq") or 0)
                prev = bytes.fromhex(disk.get_meta(self._conn, "prev_hash") or GENESIS_HASH.hex())
                for scope, scope_ops in ops_by_scope.items():
                    epoch, key = (0, None) if scope == "membership" else ring.scope_key(scope)
                    seq += 1
                    env = seal_envelope(scope_ops, team=self.team_id, scope=scope, epoch=epoch,
                                        device=self.device_id, seq=seq, prev_hash=prev,
                                        scope_key=key, signer=ring.signing)
                    disk.insert_envelope(self._conn, env)
                    prev = env.hash
                disk.set_meta(self._conn, "seq", str(seq))
                disk.set_meta(self._conn, "prev_hash", prev.hex())
                disk.set_meta(self._conn, "hlc", str(self.hlc.last))
            proj.fold(ops)
            self._ops_since_snapshot += len(ops)
            if self._ops_since_snapshot >= SNAPSHOT_EVERY:
                self.write_snapshot()
            return ops

    def _split(self, change: Change) -> dict[str, dict[str, Any]]:
        """Fields of one change grouped by the scope they travel in."""
        row = self.projection.get(change.entity, change.entity_id) or {}
        owner = change.fields.get("member_id") or row.get("member_id")
        split: dict[str, dict[str, Any]] = {}
        for name, value in change.fields.items():
            split.setdefault(scope_of(change.entity, name, owner), {})[name] = value
        return split or {scope_of(change.entity, "id", owner): {}}

    def _check(self, ops: list[Op]) -> None:
        """Refuse before writing: a scratch fold must accept every op."""
        proj = self.projection
        for op in ops:
            refusal = proj.check(op)
            if refusal is not None and not self._earlier_op_enables(op, ops):
                raise refusal

    def _earlier_op_enables(self, op: Op, ops: list[Op]) -> bool:
        # Team founding: the genesis ops enable each other within one commit.
        return op.entity in ("team", "member", "device") and not self.projection.rows["member"]

    def new_scope_key(self, scope: str) -> None:
        """Create the first key of a scope (team, employer, member:<id>) on this device."""
        with self._lock, disk.write_tx(self._conn):
            if not any(s == scope for (s, _) in self.ring.scopes):
                keys.add_scope_key(self._conn, self.ring, scope, 1)

    def set_identity(self, team_id: str, member_id: str) -> None:
        with self._lock, disk.write_tx(self._conn):
            disk.set_meta(self._conn, "team", team_id)
            disk.set_meta(self._conn, "member", member_id)
        self.team_id, self.member_id, self.acting_member = team_id, member_id, member_id

    # ------------------------------------------------------------------ snapshot and fold
    def write_snapshot(self) -> None:
        with self._lock:
            proj, ring = self.projection, self.ring
            if any(d.row is not None for d in self.damaged):
                # Partial: the projection lacks a damaged envelope's ops, and a snapshot's
                # cursor would pass over it for good. Unlock folds the tail again until the
                # row is repaired (``app/store/damage.py``).
                return
            row = self._conn.execute("SELECT max(id) FROM envelopes").fetchone()
            upto = int(row[0] or 0)
            # Issue 16: signed months leave memory, written with the snapshot or not at all.
            months = archive.archive_closed(self, self._lock)
            try:
                # SQLite pages of text compress about fivefold; level 1 keeps it quick.
                data = zlib.compress(proj.serialize(), 1)
                blob = seal(ring.master, data, f"snapshot/{upto}".encode())
                with disk.write_tx(self._conn):
                    archive.save(self, months)
                    self._conn.execute("INSERT OR REPLACE INTO snapshot VALUES (1, ?, ?)",
                                       (upto, blob))
            except BaseException:
                archive.undo(self, months)
                raise
            self._ops_since_snapshot = 0

    def _load_snapshot(self, ring: keys.KeyRing) -> tuple[Projection, int]:
        try:
            row = self._conn.execute("SELECT upto, blob FROM snapshot WHERE id = 1").fetchone()
        except sqlite3.DatabaseError:
            row = (0, b"")  # an unreadable page: as a damaged snapshot, rebuilt below
        if row is None:
            return Projection(), 0
        try:
            data = open_sealed(ring.master, row[1], f"snapshot/{row[0]}".encode(), "snapshot")
            return Projection.load(zlib.decompress(data)), int(row[0])
        except SnapshotOutdated:
            return Projection(), 0  # an app update: fold the whole log again, nothing lost
        except (IntegrityError, zlib.error, ValueError, KeyError):
            # A damaged snapshot costs time, not data: replay the whole log.
            self.damaged.append(Damage("snapshot", "failed its check; rebuilt from the log"))
            return Projection(), 0

    def _fold_from(self, after: int, archiving: bool = False) -> list[Damage]:
        damaged: list[Damage] = list(self.damaged)
        rows = disk.iter_envelopes(self._conn, after, _unreadable(damaged))
        if archiving:  # from the start: closed months leave memory on the way (issue 16)
            replay_archive.fold_archiving(self, self.projection, rows, damaged)
        else:
            self.fold_rows(self.projection, rows, damaged)
        return damaged

    def fold_apart(self, proj: Projection, after: int, limit: int
                   ) -> tuple[int, list[Damage]]:
        """Fold up to ``limit`` envelopes after row ``after`` into ``proj``, a projection
        other than the store's, holding the lock only while reading them (issue 16: a
        checkpoint is checked by a replay while the app goes on); the last row folded."""
        damaged: list[Damage] = []
        with self._lock:
            rows = list(itertools.islice(
                disk.iter_envelopes(self._conn, after, _unreadable(damaged)), limit))
        self.fold_rows(proj, rows, damaged)
        return (rows[-1][0] if rows else after), damaged

    def fold_rows(self, proj: Projection, rows: Iterable[tuple[int, Envelope]],
                  damaged: list[Damage]) -> None:
        """Verify, open and fold ``rows`` into ``proj``; what fails goes to ``damaged``."""
        ops: list[Op] = []
        ring = self.ring
        for row, env in rows:
            try:
                try:
                    env_ops = self._open_verified(env, proj, ring)
                except IntegrityError:
                    if not ops:
                        raise
                    # Received envelopes: the device may be added by ops not folded yet.
                    proj.fold(ops)
                    ops = []
                    env_ops = self._open_verified(env, proj, ring)
            except (IntegrityError, ValueError, TypeError) as err:
                # ValueError, TypeError: a column of a value SQLite accepted but the codec
                # cannot take (a damaged hex key, a body stored as text).
                reason = (err.text("en") if isinstance(err, AssistenzzeitError) else str(err)
                          ).removeprefix(f"{env.label}: ")  # the damage list keeps English
                damaged.append(Damage(env.label, reason, row, env.device, env.seq))
                continue
            ops.extend(env_ops)
            if len(ops) > 20000:
                proj.fold(ops)
                ops = []
        proj.fold(ops)

    def _open_verified(self, env: Envelope, proj: Projection, ring: keys.KeyRing) -> list[Op]:
        public = self.device_public(env, proj)
        verify_envelope(env, public)
        key = None if env.scope == "membership" else ring.scopes.get((env.scope, env.epoch))
        return open_envelope(env, key)

    def device_public(self, env: Envelope, proj: Projection) -> bytes:
        """The signing key of ``env``'s device as ``proj`` knows it; IntegrityError when
        the device is unknown."""
        if env.device == self.device_id:
            return self.ring.signing.public
        row = proj.get("device", env.device)
        if row and row.get("sign_pub"):
            return bytes.fromhex(str(row["sign_pub"]))
        if env.scope == "membership":
            # A device introduces itself in its first membership envelope; whether its ops
            # count is then up to the rights of their author when folding.
            for op in open_envelope(env, None):
                if op.entity == "device" and op.entity_id == env.device and op.fields.get(
                        "sign_pub"):
                    return bytes.fromhex(str(op.fields["sign_pub"]))
        raise IntegrityError("error.envelope.unknown_device", label=env.label)

    def envelope_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM envelopes").fetchone()[0])

    def meta_json(self) -> str:
        return json.dumps({"device": self.device_id, "member": self.member_id,
                           "team": self.team_id})

    # ------------------------------------------------------------------ the file, sealed
    # What the store's neighbours need of the file (ingest, damage, sync, pairing), so none
    # of them holds the connection or the lock: SQL stays in ``disk``.
    @contextmanager
    def exclusive(self) -> Iterator[sqlite3.Connection]:
        """The file with the store's lock held, for store modules that read it and write it
        (``ingest``, ``damage``) in ``disk.write_tx`` transactions of their own."""
        with self._lock:
            yield self._conn

    @contextmanager
    def transaction(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction under the store's lock, all or nothing."""
        with self._lock, disk.write_tx(self._conn, durable) as conn:
            yield conn

    def count_folded(self, n_ops: int) -> None:
        """Ops folded outside ``commit`` (received ones) count towards the next snapshot."""
        self._ops_since_snapshot += n_ops

    def meta(self, key: str) -> str | None:
        return disk.get_meta(self._conn, key)

    def set_meta(self, values: dict[str, str]) -> None:
        """Set meta values in one transaction."""
        with self.transaction() as conn:
            for key, value in values.items():
                disk.set_meta(conn, key, value)

    def relay_url(self) -> str | None:
        """The relay this device syncs with, once it has one."""
        return self.meta("relay")

    def set_relay_url(self, url: str) -> bool:
        """Keep ``url`` as the relay; False when it was that already."""
        if self.relay_url() == url:
            return False
        self.set_meta({"relay": url})
        return True

    def cursor(self, name: str, default: int = 0) -> int:
        """A sync position (``pull``, ``push_seq``, ``sent_seq``, ``last_synced``, …)."""
        return disk.get_cursor(self._conn, name, default)

    def set_cursor(self, name: str, value: int) -> None:
        with self.transaction() as conn:
            disk.set_cursor(conn, name, value)

    def unpushed(self, after_seq: int, limit: int) -> list[Envelope]:
        """This device's own envelopes after ``after_seq``, in chain order."""
        return disk.own_envelopes(self._conn, self.device_id, after_seq, limit)

    def quarantined(self) -> list[quarantine.Quarantined]:
        return quarantine.listed(self._conn)


def _unreadable(damaged: list[Damage]) -> Callable[[disk.UnreadableRow], None]:
    def note(bad: disk.UnreadableRow) -> None:
        label = f"envelope {bad.seq} of device {bad.device[:13]} (row {bad.row})"
        damaged.append(Damage(label, bad.reason, bad.row, bad.device, bad.seq))
    return note
