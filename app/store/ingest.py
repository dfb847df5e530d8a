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
4. this device holds the scope key of that epoch (else ingest stops: keys are fetched first;
   when they do not come, ``park=True`` parks the envelope in quarantine and goes on).

An authentic envelope that does not open (garbage ciphertext, a body that does not decode or
inflates past the cap) is quarantined on its own (``app/store/quarantine.py``): recorded,
skipped, and the device's chain moves past it, so one device cannot stop everyone's sync.

Accepted envelopes, the chain tips and the pull cursor are written in one durable transaction;
only then are the ops folded, so a crash in between is repaired by the fold on the next unlock.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.domain.hlc import ClockSkewError
from app.domain.ops import Op
from app.errors import DamagedEnvelope, IntegrityError, ProtocolError
from app.store import disk, keys, quarantine, replay_archive
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
    damaged: str = ""  # why it does not open (found by the helper, or by the relay: a skip)
    scope: str = ""  # a skip's scope, for the quarantine record of a damaged one

    def __reduce__(self) -> tuple[Any, ...]:
        # Through the constructor: faster than the default (see ``Envelope.__reduce__``).
        return (Received, (self.cursor, self.envelope, self.device, self.seq, self.prev_hash,
                           self.hash, self.batch, self.damaged, self.scope))


@dataclass
class IngestResult:
    cursor: int  # the last cursor fully handled; the next pull starts after it
    envelopes: int = 0
    ops: int = 0
    stopped: str | None = None  # "gap" or "key:<scope>/<epoch>" when ingest stopped early
    refused: list[str] = field(default_factory=list)
    quarantined: int = 0  # envelopes recorded as damaged in this page
    parked: set[str] = field(default_factory=set)  # "<scope>/<epoch>" keys waited for


def get_cursor(store: Store, name: str, default: int = 0) -> int:
    return store.cursor(name, default)


def set_cursor(store: Store, name: str, value: int) -> None:
    store.set_cursor(name, value)


def unpushed(store: Store, after_seq: int, limit: int) -> list[Envelope]:
    """This device's own envelopes after ``after_seq``, in chain order."""
    return store.unpushed(after_seq, limit)


def add_scope_keys(store: Store, granted: list[tuple[str, int, bytes]]) -> int:
    """Keep scope keys wrapped for this device (already unwrapped and checked by the caller)."""
    with store.exclusive() as conn:
        ring = store.ring
        fresh = [(s, e, k) for s, e, k in granted if (s, e) not in ring.scopes]
        if fresh:
            with disk.write_tx(conn):
                for scope, epoch, key in fresh:
                    keys.add_scope_key(conn, ring, scope, epoch, key)
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


def ingest(store: Store, items: list[Received], park: bool = False) -> IngestResult:
    """Take a page in. ``park``: an envelope whose key is missing is parked in quarantine
    (the caller asked the relay for keys already) instead of stopping the page there."""
    with store.exclusive() as conn, gc_paused():
        result = _Ingest(store, conn, park).run(items)
        if result.ops:
            replay_archive.after_ingest(store.projection, result.ops)
        return result


class _Ingest:
    """One page. Signatures are checked per *run*: a run is consecutive envelopes of one
    device linked by ``prev_hash``; checking the newest one's signature authenticates the
    whole run (each signed header holds the hash of the envelope before it), which turns one
    Ed25519 check per envelope into about one per device and page. A skip or a fold ends the
    runs first, so nothing unauthenticated is ever folded or stored."""

    def __init__(self, store: Store, conn: sqlite3.Connection, park: bool = False) -> None:
        self.store = store
        self.park = park
        self.conn = conn
        self.conn.execute(disk.CHAIN_DDL)
        quarantine.ensure(self.conn)
        self.held: list[tuple[Envelope, str, str]] = []  # (envelope, kind, reason)
        self.proj = store.projection
        self.ring = store.ring
        self.tips: dict[str, tuple[int, bytes]] = {}
        self.publics: dict[str, bytes] = {}
        self.pending_ops: list[Op] = []
        self.runs: dict[str, Envelope] = {}  # device → newest envelope of its unchecked run

    def tip(self, device: str) -> tuple[int, bytes]:
        if device not in self.tips:
            self.tips[device] = disk.chain_tip(self.conn, device) or (0, GENESIS_HASH)
        return self.tips[device]

    def run(self, items: list[Received]) -> IngestResult:
        store = self.store
        result = IngestResult(get_cursor(store, "pull"))
        accepted: list[Envelope] = []
        undeliverable: list[Received] = []
        changed_tips: set[str] = set()
        n_ops = 0
        for item in items:
            env = item.envelope
            device = env.device if env else item.device
            if env is not None and env.team != store.team_id:
                raise ProtocolError("error.sync.other_team", label=env.label)
            if device == store.device_id:
                result.cursor = item.cursor  # our own, already here
                continue
            seq = env.seq if env else item.seq
            prev = env.prev_hash if env else item.prev_hash
            last_seq, last_hash = self.tip(device)
            if seq <= last_seq:
                if env is not None and not self._have_same(env):
                    raise ProtocolError("error.sync.fork_differs", label=env.label)
                result.cursor = item.cursor
                continue
            if seq != last_seq + 1:
                result.stopped = "gap"
                break
            if prev != last_hash:
                raise ProtocolError("error.sync.fork_chain", seq=seq, device=device[:13])
            if env is None:
                self._check_run(device)  # the skip's hash is the relay's word, not signed
                self.tips[device] = (seq, item.hash)
                if item.damaged:
                    undeliverable.append(item)
            else:
                key = None
                digest = item.hash or env.hash
                if env.scope != "membership":
                    key = self.ring.scopes.get((env.scope, env.epoch))
                    if key is None:
                        if not self.park:
                            result.stopped = f"key:{env.scope}/{env.epoch}"
                            break
                        result.parked.add(f"{env.scope}/{env.epoch}")
                        self._hold(env, digest, quarantine.KEY,
                                   f"no key for {env.scope}/{env.epoch}")
                        changed_tips.add(device)
                        result.cursor = item.cursor
                        continue
                try:
                    ops = self._open(env, key, item)
                except DamagedEnvelope as err:
                    result.quarantined += 1
                    self._hold(env, digest, quarantine.DAMAGED, err.text("en"))  # kept in English
                    changed_tips.add(device)
                    result.cursor = item.cursor
                    continue
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
            disk.insert_envelopes(self.conn, accepted)
            disk.set_chain_tips(self.conn, [(d, *self.tips[d]) for d in changed_tips])
            for env, kind, reason in self.held:
                quarantine.put(self.conn, env, kind, reason)
            for skip in undeliverable:
                quarantine.put_undeliverable(self.conn, store.team_id, skip.device, skip.seq,
                                             skip.scope, skip.damaged)
            disk.set_cursor(self.conn, "pull", result.cursor)
            disk.set_meta(self.conn, "hlc", str(store.hlc.last))
        self._fold_pending()
        result.envelopes, result.ops = len(accepted), n_ops
        result.quarantined += len(undeliverable)
        store.count_folded(n_ops)
        return result

    def _check_run(self, device: str) -> None:
        env = self.runs.pop(device, None)
        if env is not None:
            try:
                verify_envelope(env, self._public(env))
            except IntegrityError as err:
                raise ProtocolError("error.sync.refused", reason=err) from err

    def _check_runs(self) -> None:
        for device in list(self.runs):
            self._check_run(device)

    def _fold_pending(self) -> None:
        self._check_runs()
        if self.pending_ops:
            self.proj.fold(self.pending_ops)
            self.pending_ops = []

    def _have_same(self, env: Envelope) -> bool:
        found = disk.envelope_at(self.conn, env.device, env.seq)
        if found is None:
            return True  # a skip we once passed over: nothing stored to contradict
        had = found[1]
        return (bytes(had.prev_hash), bytes(had.nonce), bytes(had.body), bytes(had.sig)) == (
            env.prev_hash, env.nonce, env.body, env.sig)

    def _hold(self, env: Envelope, digest: bytes, kind: str, reason: str) -> None:
        """Quarantine an envelope: its chain moves on, its signature is checked with its
        run (so what is recorded is authentic), and nothing of it is folded."""
        self.held.append((env, kind, reason))
        self.runs[env.device] = env
        self.tips[env.device] = (env.seq, digest)

    def _open(self, env: Envelope, key: bytes | None, item: Received) -> list[Op]:
        """The ops; DamagedEnvelope when it does not open (the helper may know already)."""
        if item.damaged:
            raise DamagedEnvelope(item.damaged)
        return decode_ops(env, item.batch if item.batch is not None
                          else decrypt_batch(env, key))

    def _public(self, env: Envelope) -> bytes:
        cached = self.publics.get(env.device)
        if cached is not None:
            return cached
        # IntegrityError for an unknown device: ``_check_run`` refuses the page with it.
        public = self.store.device_public(env, self.proj)
        self.publics[env.device] = public
        return public


def release_parked(store: Store) -> int:
    """Open the parked envelopes whose key has arrived: store and fold them, and leave the
    ones that still do not open in quarantine as damaged. Their chains and signatures were
    checked when they were parked. The merge does not depend on the order ops arrive in, so
    folding them late gives the same state as folding them in turn."""
    with store.exclusive() as conn:
        ring = store.ring
        ready = [e for e in quarantine.parked(conn) if (e.scope, e.epoch) in ring.scopes]
        if not ready:
            return 0
        ops: list[Op] = []
        opened: list[Envelope] = []
        damaged: list[tuple[Envelope, str]] = []
        for env in ready:
            try:
                ops.extend(open_envelope(env, ring.scopes[(env.scope, env.epoch)]))
                opened.append(env)
            except DamagedEnvelope as err:
                damaged.append((env, err.text("en")))
        with disk.write_tx(conn):
            for env in opened:
                disk.insert_envelope(conn, env)
                quarantine.remove(conn, env.device, env.seq)
            for env, reason in damaged:
                quarantine.mark_damaged(conn, env.device, env.seq, reason)
        if ops:
            with contextlib.suppress(ClockSkewError):
                store.hlc.receive(max(op.hlc for op in ops))
            store.projection.fold(ops)
            store.count_folded(len(ops))
        return len(opened)


def rotate_scope_key(store: Store, scope: str) -> tuple[int, bytes]:
    """A new epoch for ``scope`` (after a revocation): new envelopes use it from now on."""
    with store.exclusive() as conn:
        ring = store.ring
        epoch = max((e for (s, e) in ring.scopes if s == scope), default=0) + 1
        with disk.write_tx(conn):
            key = keys.add_scope_key(conn, ring, scope, epoch)
        return epoch, key


def batch_unpushed(store: Store, after_seq: int, max_ops: int = 2000) -> int:
    """Re-seal this device's envelopes after ``after_seq`` as one envelope per scope (and
    epoch), the "per push batch" envelopes of DESIGN.md: a backlog of single clock events
    then costs one signature, one nonce and one hash on the wire instead of one per event.

    Only envelopes never offered to a relay may be rewritten (the caller passes the highest
    seq it ever sent), so no relay can ever see two versions of one seq. Returns how many
    envelopes there are fewer. One transaction; a crash leaves the old ones."""
    with store.exclusive() as conn:
        old = store.unpushed(after_seq, 1_000_000)
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
        with disk.write_tx(conn):
            # Above every row there was: SQLite would reuse the dropped rows' ids, and rows
            # at or below the snapshot's ``upto`` are not folded again on unlock.
            top = disk.last_row(conn)
            disk.drop_envelopes_after(conn, store.device_id, after_seq)
            disk.insert_envelopes_at(conn, [(top + n, env) for n, env in enumerate(fresh, 1)])
            disk.set_meta(conn, "seq", str(seq))
            disk.set_meta(conn, "prev_hash", prev.hex())
        return len(old) - len(fresh)
