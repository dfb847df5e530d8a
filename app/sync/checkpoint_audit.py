"""Completing a device that started from a checkpoint: fetch the history before it and check
the checkpoint against a full replay (issue 16: "time to usable" first, "complete" later).

In the sync round after the one that installed the checkpoint, ``complete`` pulls the
envelopes up to the checkpoint's cursor N (pages as in any pull), checks every device's hash
chain from its genesis to exactly the head the manifest names (and the signature of each
page's newest envelope per device, which vouches for its chain), and stores them below row 0
(``app/store/checkpoint.store_history``). Then the store replays its whole log from scratch
with every signature checked (``Store.replay``, as ``assistenzzeit check`` does) and compares
the result with the state the checkpoint gave: equal, the checkpoint is *verified*; not
equal — an employer's device that signed a state its log does not hold —, it is *refused*
and the replayed state stays, as if the device had never used it (a history that does
not lead to the heads: the device forgets what it received and replays from the start). Either way the device
then holds the whole log, so ``check`` replays everything as on any other device.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.errors import IntegrityError
from app.store import checkpoint as parts
from app.store.envelope import GENESIS_HASH, Envelope, verify_envelope
from app.sync import protocol, pull_page
from app.sync.checkpoint import CheckpointRefused

if TYPE_CHECKING:
    from app.sync.client import SyncClient

PAGE = protocol.MAX_PAGE


def pending(client: SyncClient) -> bool:
    rec = parts.record(client.store)
    return rec is not None and rec.get("state") == "started"


def complete(client: SyncClient) -> str:
    """Fetch the history before the checkpoint and check it; what came of it."""
    store = client.store
    rec = parts.record(store) or {}
    cursor = int(rec["cursor"])
    try:
        tips = _fetch_history(client, cursor)
        heads = {str(d): (int(s), bytes.fromhex(h)) for d, s, h in rec["heads"]}
        if tips != heads:
            raise CheckpointRefused("its chain heads are not where the log leads")
    except CheckpointRefused as err:
        return _refuse(client, str(err), replay=False)
    with store.reading():
        before = parts.state_of(store.projection)
        damaged = store.replay()
        if damaged:
            parts.set_state(store, "started", "the history has damaged envelopes")
            return "checkpoint not checked yet: damaged envelopes in the history"
        same = parts.state_of(store.projection) == before
        store.write_snapshot()
    if not same:
        return _refuse(client, "its state is not what replaying the log gives", replay=True)
    parts.set_state(store, "verified")
    client.progress("complete", cursor)
    return f"checkpoint {str(rec['id'])[:8]} verified against the whole log"


def _refuse(client: SyncClient, reason: str, replay: bool) -> str:
    """The checkpoint is refused. After a full replay its result stays; else the device
    forgets what it received and the next pull replays the log from the start."""
    store = client.store
    if not replay:
        parts.forget_received(store)
    parts.set_state(store, "refused", reason)
    return f"checkpoint refused: {reason}"


def _fetch_history(client: SyncClient, cursor: int) -> dict[str, tuple[int, bytes]]:
    """Pull, check and keep every envelope up to ``cursor``; the chain tips reached."""
    store = client.store
    tips: dict[str, tuple[int, bytes]] = {}
    after = 0
    while after < cursor:
        resp = client.relay.request(
            "GET", f"{protocol.API}/teams/{client.team}/envelopes?after={after}"
                   f"&limit={min(PAGE, cursor - after)}", extra_headers={
                "accept": pull_page.MEDIA_TYPE, "accept-encoding": "identity"})
        page = pull_page.decode_page(resp.content, client.team, after)
        newest: dict[str, Envelope] = {}
        keep: list[tuple[int, Envelope]] = []
        for item in page.items:
            if item.cursor > cursor:
                break
            env = item.envelope
            device = env.device if env else item.device
            seq, prev = (env.seq, env.prev_hash) if env else (item.seq, item.prev_hash)
            last_seq, last_hash = tips.get(device, (0, GENESIS_HASH))
            if seq != last_seq + 1 or prev != last_hash:
                raise CheckpointRefused(f"the log of device {device[:13]} breaks at {seq}")
            if env is not None:
                if env.team != client.team:
                    raise CheckpointRefused(f"{env.label} belongs to another team")
                newest[device] = env
                keep.append((item.cursor, env))
            tips[device] = (seq, item.hash or (env.hash if env else b""))
            after = item.cursor
        with store.reading():
            for env in newest.values():
                try:
                    verify_envelope(env, store.device_public(env, store.projection))
                except IntegrityError as err:
                    raise CheckpointRefused(str(err)) from err
            parts.store_history(store, keep, cursor)
        client.progress("history", after)
        if not page.more or not page.items:
            break
    return tips
