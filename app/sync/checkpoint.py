"""Checkpoints for new devices (issue 16): a joining device starts from the state the
employer's device signed, then pulls only the tail of the log after it.

**Made** by an employer's or proxy's device at the end of a sync round, once
``SyncClient.checkpoint_every`` envelopes came since its last one (``due``/``make``), and
only at a clean cut: everything of its own pushed, nothing parked or quarantined. It holds

* a *manifest* (canonical JSON, Ed25519-signed by the making device): team, id, signer,
  the relay cursor N it covers, the *heads* — for every device, the seq and hash of its
  newest envelope at cursor ≤ N —, the newest HLC stamp, the projection schema, the id table
  of the packed histories (device and member ids, which membership shows anyway) and the
  pieces with their SHA-256;
* *pieces*: the parts of ``app/store/checkpoint.py`` (one per scope), compressed, cut into
  pieces of at most ``PIECE_BYTES`` and sealed with AES-256-GCM under the scope's newest key
  (membership, readable by all, is only signed through its hash in the manifest). The AAD
  names team, checkpoint, piece, scope and epoch, so no piece can stand in for another.

The relay (``relay_checkpoint.py``) stores ciphertext and the manifest, checks the signature
and that the heads are its log's at cursor N, keeps the newest checkpoint of each admin
device (a few per team; a joining device asks for its inviter's) and hands each
device only the pieces of the scopes it may read.

**Used** by a device that has received nothing yet (``start``), before its first pull. It is
refused — recorded, never retried, and the device replays the log as before — unless the
manifest is signed by the device that invited it (whose key it checked against the invite
code's fingerprint), the heads are the relay's, every piece of a scope it holds a key for is
there, hashes as signed and opens, and the schema is this app's. Then the tail after N is
pulled; ingest checks that every device's first tail envelope continues its head. The
history before N is fetched later and replayed to check the checkpoint (``checkpoint_audit``).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from app.errors import IntegrityError, RelayRefused, SyncError
from app.store import checkpoint as parts
from app.store import disk, ingest
from app.store.crypto import open_sealed, seal, verify_signature
from app.store.projection import SCHEMA
from app.sync import protocol

if TYPE_CHECKING:
    from app.sync.client import SyncClient

PIECE_BYTES = 1024 * 1024
MAX_PIECE_BYTES = 2 * 1024 * 1024  # what the relay takes (sealing adds 28 bytes)
MAX_PIECES = 512
MAX_MANIFEST_BYTES = 1024 * 1024
CHECKPOINT_EVERY = 5000  # envelopes since the last checkpoint before an admin makes one
_SIG_PREFIX = b"assistenzzeit/checkpoint/1\n"
FORMAT = 2  # 2: archived months travel as sections a joining device stores as they are
# Where an admin device notes the cursor of its last checkpoint, per format: after an
# update that changes the format, the next round makes one a joining device can use.
MADE = f"checkpoint_made/{FORMAT}"


class CheckpointRefused(SyncError):
    """A checkpoint that must not be used; the device replays the log instead."""


@dataclass(frozen=True)
class Manifest:
    text: str  # the signed bytes, as sent
    raw: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    @property
    def cursor(self) -> int:
        return int(self.raw["cursor"])

    def heads(self) -> list[tuple[str, int, bytes]]:
        return [(str(d), int(s), bytes.fromhex(h)) for d, s, h in self.raw["heads"]]


def signing_bytes(manifest_text: str) -> bytes:
    return _SIG_PREFIX + manifest_text.encode()


def piece_aad(team: str, cid: str, n: int, scope: str, epoch: int) -> bytes:
    return f"assistenzzeit/checkpoint/{team}/{cid}/{n}/{scope}/{epoch}".encode()


def canonical(raw: dict[str, Any]) -> str:
    return json.dumps(raw, sort_keys=True, separators=(",", ":"))


# ---------------------------------------------------------------------- making
def due(client: SyncClient) -> bool:
    store = client.store
    if store.projection.role_of(store.member_id) not in protocol.ADMIN_ROLES:
        return False
    pulled = ingest.get_cursor(store, "pull", 0)
    made = ingest.get_cursor(store, MADE, -1)
    if made < 0 and store.meta("inviter_pub"):
        # A device that joined counts from its first round: its inviter made the team's
        # checkpoint, and a first round should not spend seconds cutting another one.
        ingest.set_cursor(store, MADE, pulled)
        return False
    rec = parts.record(store)
    if rec is not None and rec.get("state") == "started":
        return False  # its own state is not checked against the log yet
    return pulled - max(made, 0) >= client.checkpoint_every


def make_due(client: SyncClient) -> str:
    """``make`` as a sync round calls it: a refusal by the relay (an older relay, a limit)
    costs this round nothing, and the next try waits for as many envelopes again."""
    try:
        cid = make(client)
    except RelayRefused as err:
        ingest.set_cursor(client.store, MADE, ingest.get_cursor(
            client.store, "pull", 0))
        return f"no checkpoint made: {err.reason}"
    return f"checkpoint {cid[:8]} made" if cid else ""


def make(client: SyncClient) -> str | None:
    """Cut, seal, sign and upload a checkpoint of this (admin) device's state at its pull
    cursor; its id, or None when the state is not a clean cut of the log right now."""
    store = client.store
    with store.reading():  # nothing folds or commits while the state is cut
        own_seq = int(store.meta("seq") or 0)
        if (own_seq > ingest.get_cursor(store, "push_seq", 0) or store.quarantined()
                or any(d.row is not None for d in store.damaged)):
            return None
        cursor = ingest.get_cursor(store, "pull", 0)
        # Closed months go to the archive first: they then travel as months, and a new
        # device writes them to its archive instead of holding them in memory.
        store.write_snapshot()
        with store.exclusive() as conn:
            conn.execute(disk.CHAIN_DDL)
            heads = [[d, int(s), bytes(h).hex()] for d, s, h in
                     conn.execute("SELECT device, seq, hash FROM sync_chains ORDER BY device")]
        if own_seq:
            heads.append([store.device_id, own_seq, str(store.meta("prev_hash"))])
        try:
            cut, ids = parts.cut(store.projection)
            newest = store.hlc.last  # not below any stamp this device folded
        except parts.Unplaceable:
            return None
        ring = store.ring
        epochs = {s: 0 if s == "membership" else ring.scope_key(s)[0] for s in cut}
    # Encoding needs no lock: the parts are copies (only their values are shared, and
    # folding replaces values, it does not change them).
    sealed: list[tuple[str, int, bytes]] = []
    for scope in sorted(cut):
        data = parts.encode_part(cut.pop(scope))
        for at in range(0, max(len(data), 1), PIECE_BYTES):
            sealed.append((scope, epochs[scope], data[at:at + PIECE_BYTES]))
    if len(sealed) > MAX_PIECES:
        return None  # larger than a relay keeps: joiners replay, as before
    team, cid = store.team_id, os.urandom(16).hex()
    pieces = []
    for n, (scope, epoch, chunk) in enumerate(sealed):
        blob = chunk if scope == "membership" else seal(
            ring.scopes[(scope, epoch)], chunk, piece_aad(team, cid, n, scope, epoch))
        client.relay.request("PUT", f"{protocol.API}/teams/{team}/checkpoints/{cid}/pieces/{n}",
                             blob, extra_headers={"content-type": "application/octet-stream"})
        pieces.append({"n": n, "scope": scope, "epoch": epoch, "size": len(blob),
                       "hash": hashlib.sha256(blob).hexdigest()})
    text = canonical({"v": FORMAT, "team": team, "id": cid, "signer": store.device_id,
                      "made_ms": int(time.time() * 1000), "cursor": cursor,
                      "heads": sorted(heads), "newest": newest, "schema": SCHEMA,
                      "ids": ids, "pieces": pieces})
    client.relay.call("POST", f"{protocol.API}/teams/{team}/checkpoints", {
        "manifest": text, "sig": ring.signing.sign(signing_bytes(text)).hex()})
    ingest.set_cursor(store, MADE, cursor)
    client.progress("checkpoint_made", cursor)
    return cid


# ---------------------------------------------------------------------- starting from one
def wanted(client: SyncClient) -> bool:
    """A fresh device that was told who invited it and never tried a checkpoint."""
    store = client.store
    return (parts.record(store) is None and bool(store.meta("inviter_pub"))
            and any(s != "membership" for s, _ in store.ring.scopes)  # approved: has keys
            and ingest.get_cursor(store, "pull", 0) == 0 and store.envelope_count() == 0)


def start(client: SyncClient) -> str:
    """Try the team's checkpoint; what happened, for the sync report. A refusal is recorded
    (not tried again) and the pull that follows replays the log from the start."""
    try:
        manifest = fetch_manifest(client)
        if manifest is None:
            return ""
        use(client, manifest)
        return f"started from checkpoint {manifest.id[:8]} at {manifest.cursor}"
    except CheckpointRefused as err:
        parts.set_state(client.store, "refused", str(err))
        return f"checkpoint refused: {err}"


def fetch_manifest(client: SyncClient) -> Manifest | None:
    """The inviting device's checkpoint (the relay keeps one per admin device), checked."""
    store = client.store
    inviter, public = store.meta("inviter"), bytes.fromhex(store.meta("inviter_pub") or "")
    try:
        answer = client.relay.call(
            "GET", f"{protocol.API}/teams/{client.team}/checkpoint?signer={quote(inviter or '')}")
    except RelayRefused as err:
        if err.status == 404:
            return None
        raise
    text, sig = str(answer.get("manifest", "")), str(answer.get("sig", ""))
    try:
        raw = json.loads(text)
        signed = verify_signature(public, bytes.fromhex(sig), signing_bytes(text))
    except ValueError as err:
        raise CheckpointRefused(f"its manifest does not decode ({err})") from err
    if not signed:
        raise CheckpointRefused("its signature is not the inviting device's")
    if not isinstance(raw, dict) or raw.get("signer") != inviter or raw.get("team") != client.team:
        raise CheckpointRefused("it was not made for this team by the inviting device")
    return Manifest(text, raw)


def use(client: SyncClient, manifest: Manifest) -> None:
    """Check the pieces this device can read, put the projection together, install it."""
    store, team, raw = client.store, client.team, manifest.raw
    try:
        heads = manifest.heads()
        if raw.get("schema") != SCHEMA or raw.get("v") != FORMAT:
            raise CheckpointRefused("it was made by another app version")
        wanted_pieces = []
        for piece in sorted(raw["pieces"], key=lambda p: int(p["n"])):
            scope, epoch = str(piece["scope"]), int(piece["epoch"])
            key = None if scope == "membership" else store.ring.scopes.get((scope, epoch))
            if scope != "membership" and key is None:
                continue  # a scope this device does not read: the relay does not serve it
            wanted_pieces.append((piece, scope, epoch, key))
        # The heads and the pieces are fetched two at a time while this thread checks and
        # opens the pieces already here: the relay and the network work meanwhile. Nothing
        # is used before every check below has passed.
        pool = ThreadPoolExecutor(2, thread_name_prefix="az-checkpoint")
        try:
            asked = pool.submit(client.relay.call, "GET",
                                f"{protocol.API}/teams/{team}/heads?cursor={manifest.cursor}")
            blobs = pool.map(lambda p: _fetch_piece(client, manifest, int(p[0]["n"])),
                             wanted_pieces)
            relay_heads = asked.result()["heads"]
            if sorted(heads) != sorted((d, int(s), bytes.fromhex(h)) for d, s, h in relay_heads):
                raise CheckpointRefused("its chain heads are not the log's")
            chunks: dict[str, list[bytes]] = {}
            for (piece, scope, epoch, key), blob in zip(wanted_pieces, blobs, strict=True):
                n = int(piece["n"])
                if hashlib.sha256(blob).hexdigest() != piece["hash"]:
                    raise CheckpointRefused(f"piece {n} is not the signed one")
                chunks.setdefault(scope, []).append(blob if key is None else open_sealed(
                    key, blob, piece_aad(team, manifest.id, n, scope, epoch), f"piece {n}"))
        finally:
            pool.shutdown(cancel_futures=True)  # a refusal fetches no further piece
        with ingest.gc_paused():  # hundreds of thousands of objects, none in cycles
            proj, months = parts.assemble(
                # Each scope's pieces are let go once joined: one copy of them at a time.
                (parts.decode_part(b"".join(chunks.pop(scope))) for scope in list(chunks)),
                [str(i) for i in raw["ids"]], str(raw["schema"]))
            parts.install(store, proj, months, heads, manifest.cursor, int(raw["newest"]),
                          {"id": manifest.id, "cursor": manifest.cursor,
                           "signer": raw["signer"], "made_ms": raw.get("made_ms"),
                           "heads": raw["heads"]})
    except IntegrityError as err:
        raise CheckpointRefused(str(err)) from err
    except RelayRefused as err:
        raise CheckpointRefused(f"the relay refused a part of it ({err.reason})") from err
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointRefused(f"its manifest is malformed ({err!r})") from err
    client.progress("checkpoint", manifest.cursor)


def _fetch_piece(client: SyncClient, manifest: Manifest, n: int) -> bytes:
    return client.relay.request(
        "GET", f"{protocol.API}/teams/{client.team}/checkpoints/{manifest.id}/pieces/{n}",
        extra_headers={"accept-encoding": "identity"}).content
