"""Taking in what other devices wrote: received envelopes and scope keys (DESIGN.md, "Sync").

The sync client hands over a page of pulled items; ``ingest`` accepts an envelope only when

1. it belongs to this team;
2. it continues its device's hash chain: the next ``seq`` and ``prev_hash`` = the hash of the
   device's previous envelope (skips — envelopes of scopes this device cannot read — carry
   seq, prev_hash and hash, so the chain is checked across them too). A lower seq with the same
   hash is a harmless repeat; with another hash it is a fork and refused; a higher seq is a gap
   and ingest stops there, so the client fetches from the last good cursor again;
3. its signature verifies against the device's key as membership published it (membership
   envelopes first, so a device added in this very page is known when its envelopes follow);
   checked once per run of chained envelopes, see ``_Ingest``;
4. this device holds the scope key of that epoch (else ingest stops: keys are fetched first).

Accepted envelopes, the chain tips and the pull cursor are written in one durable transaction;
only then are the ops folded, so a crash in between is repaired by the fold on the next unlock.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.domain.hlc import ClockSkewError
from app.domain.ops import Op
from app.errors import IntegrityError, ProtocolError
from app.store import disk, keys
from app.store.envelope import (
    GENESIS_HASH,
    Envelope,
    decode_ops,
    decrypt_batch,
    open_envelope,
    seal_envelope,
    verify_envelope,
)

if TYPE_CHECKING:
    from app.store.store import Store

CHAIN_DDL = ("CREATE TABLE IF NOT EXISTS sync_chains (device TEXT PRIMARY KEY,"
             " seq INTEGER NOT NULL, hash BLOB NOT NULL)")
FREEZE_AFTER_OPS = 10_000


@dataclass(slots=True)
class Received:
    """One pulled item: an envelope, or a skip (chain data of an envelope we cannot read).
    ``hash`` is the envelope's own hash when the page decoder computed it already; ``batch``
    its decrypted op batch when a helper process did that (``app/sync/page_opener.py``)."""

    cursor: int
    envelope: Envelope | None = None
    device: str = ""
    seq: int = 0
    prev_hash: bytes = b""
    hash: bytes = b""
    batch: bytes | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Through the constructor: faster than the default (see ``Envelope.__reduce__``).
        return (Received, (self.cursor, self.envelope, self.device, self.seq, self.prev_hash,
                           self.hash, self.batch))


@dataclass
class IngestResult:
    cursor: int  # the last cursor fully handled; the next pull starts after it
    envelopes: int = 0
    ops: int = 0
    stopped: str | None = None  # "gap" or "key:<scope>/<epoch>" when ingest stopped early
    refused: list[str] = field(default_factory=list)


def get_cursor(store: Store, name: str, default: int = 0) -> int:
    row = store._conn.execute("SELECT value FROM cursors WHERE name = ?", (name,)).fetchone()
    return default if row is None else int(row[0])


def set_cursor(store: Store, name: str, value: int) -> None:
    with store._lock, disk.write_tx(store._conn):
        store._conn.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?)", (name, value))


def unpushed(store: Store, after_seq: int, limit: int) -> list[Envelope]:
    """This device's own envelopes after ``after_seq``, in chain order."""
    rows = store._conn.execute(
        "SELECT team, scope, epoch, device, seq, prev_hash, nonce, body, sig FROM envelopes"
        " WHERE device = ? AND seq > ? ORDER BY seq LIMIT ?",
        (store.device_id, after_seq, limit)).fetchall()
    return [Envelope(*r) for r in rows]


def add_scope_keys(store: Store, granted: list[tuple[str, int, bytes]]) -> int:
    """Keep scope keys wrapped for this device (already unwrapped and checked by the caller)."""
    with store._lock:
        ring = store.ring
        fresh = [(s, e, k) for s, e, k in granted if (s, e) not in ring.scopes]
        if fresh:
            with disk.write_tx(store._conn):
                for scope, epoch, key in fresh:
                    keys.add_scope_key(store._conn, ring, scope, epoch, key)
        return len(fresh)


@contextmanager
def gc_paused() -> Iterator[None]:
    """A page allocates hundreds of thousands of small objects next to a projection of
    millions; the cyclic GC would rescan all of them again and again (measured: about a
    third of an initial sync). Nothing here makes cycles, so collection waits for the page."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def settle(ops: int) -> None:
    """After a bulk fold (an initial sync) the projection is millions of long-lived objects.
    Freezing moves them out of the cyclic GC's sight, so later collections do not rescan
    them three times over; reference counting still frees them. ``Store.lock`` unfreezes,
    so a dropped projection is collected as usual."""
    if ops >= FREEZE_AFTER_OPS:
        gc.freeze()


def ingest(store: Store, items: list[Received]) -> IngestResult:
    with store._lock, gc_paused():
        return _Ingest(store).run(items)


class _Ingest:
    """One page. Signatures are checked per *run*: a run is consecutive envelopes of one
    device linked by ``prev_hash``; checking the newest one's signature authenticates the
    whole run (each signed header holds the hash of the envelope before it), which turns one
    Ed25519 check per envelope into about one per device and page. A skip or a fold ends the
    runs first, so nothing unauthenticated is ever folded or stored."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store._conn
        self.conn.execute(CHAIN_DDL)
        self.proj = store.projection
        self.ring = store.ring
        self.tips: dict[str, tuple[int, bytes]] = {}
        self.publics: dict[str, bytes] = {}
        self.pending_ops: list[Op] = []
        self.runs: dict[str, Envelope] = {}  # device → newest envelope of its unchecked run

    def tip(self, device: str) -> tuple[int, bytes]:
        if device not in self.tips:
            row = self.conn.execute("SELECT seq, hash FROM sync_chains WHERE device = ?",
                                    (device,)).fetchone()
            self.tips[device] = (int(row[0]), bytes(row[1])) if row else (0, GENESIS_HASH)
        return self.tips[device]

    def run(self, items: list[Received]) -> IngestResult:
        store = self.store
        result = IngestResult(get_cursor(store, "pull"))
        accepted: list[Envelope] = []
        changed_tips: set[str] = set()
        n_ops = 0
        for item in items:
            env = item.envelope
            device = env.device if env else item.device
            if env is not None and env.team != store.team_id:
                raise ProtocolError(f"{env.label} belongs to another team; refused")
            if device == store.device_id:
                result.cursor = item.cursor  # our own, already here
                continue
            seq = env.seq if env else item.seq
            prev = env.prev_hash if env else item.prev_hash
            last_seq, last_hash = self.tip(device)
            if seq <= last_seq:
                if env is not None and not self._have_same(env):
                    raise ProtocolError(f"fork: {env.label} differs from the one received "
                                        "before; refused")
                result.cursor = item.cursor
                continue
            if seq != last_seq + 1:
                result.stopped = "gap"
                break
            if prev != last_hash:
                raise ProtocolError(f"fork: envelope {seq} of device {device[:13]} does not "
                                    "continue its chain; refused")
            if env is None:
                self._check_run(device)  # the skip's hash is the relay's word, not signed
                self.tips[device] = (seq, item.hash)
            else:
                key = None
                if env.scope != "membership":
                    key = self.ring.scopes.get((env.scope, env.epoch))
                    if key is None:
                        result.stopped = f"key:{env.scope}/{env.epoch}"
                        break
                ops = self._open(env, key, item.batch)
                digest = item.hash or env.hash
                try:
                    if ops:  # the newest stamp says all: receive() keeps the maximum
                        store.hlc.receive(max(op.hlc for op in ops))
                except ClockSkewError as err:
                    # Authentic, so refusing it would block this device's chain for good;
                    # it is kept, but our clock does not jump to its future stamp.
                    result.refused.append(str(err))
                accepted.append(env)
                n_ops += len(ops)
                self.pending_ops.extend(ops)
                self.runs[device] = env
                self.tips[device] = (seq, digest)
                if env.scope == "membership":
                    self._fold_pending()  # later envelopes may come from a device added here
            changed_tips.add(device)
            result.cursor = item.cursor
        self._check_runs()
        with disk.write_tx(self.conn, durable=False):
            self.conn.executemany(
                "INSERT OR IGNORE INTO envelopes (team, scope, epoch, device, seq, prev_hash,"
                " nonce, body, sig) VALUES (?,?,?,?,?,?,?,?,?)",
                [(e.team, e.scope, e.epoch, e.device, e.seq, e.prev_hash, e.nonce, e.body,
                  e.sig) for e in accepted])
            self.conn.executemany("INSERT OR REPLACE INTO sync_chains VALUES (?,?,?)",
                                  [(d, *self.tips[d]) for d in changed_tips])
            self.conn.execute("INSERT OR REPLACE INTO cursors VALUES ('pull', ?)",
                              (result.cursor,))
            disk.set_meta(self.conn, "hlc", str(store.hlc.last))
        self._fold_pending()
        result.envelopes, result.ops = len(accepted), n_ops
        store._ops_since_snapshot += n_ops
        return result

    def _check_run(self, device: str) -> None:
        env = self.runs.pop(device, None)
        if env is not None:
            try:
                verify_envelope(env, self._public(env))
            except IntegrityError as err:
                raise ProtocolError(f"{err}; refused") from err

    def _check_runs(self) -> None:
        for device in list(self.runs):
            self._check_run(device)

    def _fold_pending(self) -> None:
        self._check_runs()
        if self.pending_ops:
            self.proj.fold(self.pending_ops)
            self.pending_ops = []

    def _have_same(self, env: Envelope) -> bool:
        row = self.conn.execute("SELECT prev_hash, nonce, body, sig FROM envelopes WHERE"
                                " device = ? AND seq = ?", (env.device, env.seq)).fetchone()
        if row is None:
            return True  # a skip we once passed over: nothing stored to contradict
        return (bytes(row[0]), bytes(row[1]), bytes(row[2]), bytes(row[3])) == (
            env.prev_hash, env.nonce, env.body, env.sig)

    def _open(self, env: Envelope, key: bytes | None, batch: bytes | None) -> list[Op]:
        try:
            return decode_ops(env, batch if batch is not None else decrypt_batch(env, key))
        except IntegrityError as err:
            raise ProtocolError(f"{err}; refused") from err

    def _public(self, env: Envelope) -> bytes:
        cached = self.publics.get(env.device)
        if cached is not None:
            return cached
        row: dict[str, Any] | None = self.proj.get("device", env.device)
        public = b""
        if row and row.get("sign_pub"):
            public = bytes.fromhex(str(row["sign_pub"]))
        elif env.scope == "membership":
            # The founding device introduces itself in its own first membership envelope.
            for op in open_envelope(env, None):
                if op.entity == "device" and op.entity_id == env.device:
                    public = bytes.fromhex(str(op.fields.get("sign_pub", "")))
        if not public:
            raise ProtocolError(f"{env.label}: unknown device; refused")
        self.publics[env.device] = public
        return public


def rotate_scope_key(store: Store, scope: str) -> tuple[int, bytes]:
    """A new epoch for ``scope`` (after a revocation): new envelopes use it from now on."""
    with store._lock:
        ring = store.ring
        epoch = max((e for (s, e) in ring.scopes if s == scope), default=0) + 1
        with disk.write_tx(store._conn):
            key = keys.add_scope_key(store._conn, ring, scope, epoch)
        return epoch, key


def batch_unpushed(store: Store, after_seq: int, max_ops: int = 2000) -> int:
    """Re-seal this device's envelopes after ``after_seq`` as one envelope per scope (and
    epoch), the "per push batch" envelopes of DESIGN.md: a backlog of single clock events
    then costs one signature, one nonce and one hash on the wire instead of one per event.

    Only envelopes never offered to a relay may be rewritten (the caller passes the highest
    seq it ever sent), so no relay can ever see two versions of one seq. Returns how many
    envelopes there are fewer. One transaction; a crash leaves the old ones."""
    with store._lock:
        old = unpushed(store, after_seq, 1_000_000)
        if len(old) < 2:
            return 0
        ring = store.ring
        groups: dict[tuple[str, int], list[Op]] = {}
        for env in old:
            key = None if env.scope == "membership" else ring.scopes[(env.scope, env.epoch)]
            groups.setdefault((env.scope, env.epoch), []).extend(open_envelope(env, key))
        prev = old[0].prev_hash
        seq = after_seq
        fresh: list[Envelope] = []
        # Membership first: a receiver then knows a new member before their data arrives.
        for (scope, epoch), ops in sorted(groups.items(), key=lambda g: g[0][0] != "membership"):
            key = None if scope == "membership" else ring.scopes[(scope, epoch)]
            for i in range(0, len(ops), max_ops):
                seq += 1
                env = seal_envelope(ops[i:i + max_ops], team=store.team_id, scope=scope,
                                    epoch=epoch, device=store.device_id, seq=seq,
                                    prev_hash=prev, scope_key=key, signer=ring.signing)
                fresh.append(env)
                prev = env.hash
        if len(fresh) >= len(old):
            return 0
        with disk.write_tx(store._conn):
            store._conn.execute("DELETE FROM envelopes WHERE device = ? AND seq > ?",
                                (store.device_id, after_seq))
            for env in fresh:
                disk.insert_envelope(store._conn, env)
            disk.set_meta(store._conn, "seq", str(seq))
            disk.set_meta(store._conn, "prev_hash", prev.hex())
        return len(old) - len(fresh)
