"""Completing a device that started from a checkpoint: fetch the history before it and check
the checkpoint against a full replay (issue 16: "time to usable" first, "complete" later).

In the sync round after the one that installed the checkpoint, ``complete`` pulls the
envelopes up to the checkpoint's cursor N (pages as in any pull), checks every device's hash
chain from its genesis to exactly the head the manifest names (and the signature of each
page's newest envelope per device, which vouches for its chain), and stores them below row 0
(``app/store/checkpoint.store_history``), each page under a short hold of the store lock.
Then the whole local log is replayed from scratch into a projection of its own, with every
signature checked (as ``assistenzzeit check`` does), in chunks of ``CHUNK`` envelopes: the
store lock is held only to read a chunk, so the app goes on (a clock-in, a pull) while years
are replayed. Once the replay has folded every row the store holds — new rows that came
meanwhile are replayed too —, it is compared with the store's state, which folded exactly
the same rows on top of the checkpoint, the lock held for one month at a time (a row that
comes meanwhile is replayed and the comparison starts again): equal, the checkpoint is
*verified*; not equal — an employer's device that signed a state its log does not hold —,
it is *refused* and the replayed state takes the store's place, as if the device had never
used it (a history that does not lead to the heads: the device forgets what it received and
replays from the start). Either way the device then holds the whole log, so ``check``
replays everything as on any other device. The replay's projection holds the open months
only: closed ones leave it after each chunk, compressed in memory (``replay_archive``), and
the comparison loads one month of each side at a time (``state_compare``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.errors import IntegrityError
from app.store import checkpoint as parts
from app.store.envelope import GENESIS_HASH, Envelope, verify_envelope
from app.store.projection import Projection
from app.store.replay_archive import ReplayArchive
from app.store.state_compare import Side, months_of, same_month, same_rest
from app.store.store import BEFORE_ALL
from app.sync import protocol, pull_page
from app.sync.checkpoint import CheckpointRefused

if TYPE_CHECKING:
    from app.store.store import Store
    from app.sync.client import SyncClient

PAGE = protocol.MAX_PAGE
CHUNK = 5000  # envelopes replayed per hold of the store lock (reading them only)


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
    same, damaged = _replay_apart(client)
    if damaged:
        parts.set_state(store, "started", "the history has damaged envelopes")
        return "checkpoint not checked yet: damaged envelopes in the history"
    if not same:
        return _refuse(client, "its state is not what replaying the log gives", replay=True)
    parts.set_state(store, "verified")
    client.progress("complete", cursor)
    return f"checkpoint {str(rec['id'])[:8]} verified against the whole log"


def _replay_apart(client: SyncClient) -> tuple[bool, bool]:
    """Replay the whole local log into a projection of its own, the store lock held only
    while a chunk of rows is read, so the app goes on meanwhile (clock-ins, pulls); closed
    months leave the replay's memory on the way (``replay_archive``). Then, caught up with
    the rows that came meanwhile, compare it with the store's state (which folded the same
    rows on top of the checkpoint), one month at a time; not equal, the replayed state
    takes its place, its archived months written into the store's archive with the
    snapshot. (state equal, damaged envelopes found)."""
    store = client.store
    proj, scratch, after = Projection(), ReplayArchive(), BEFORE_ALL
    scratch.attach(proj)
    while True:
        after, damaged = store.fold_apart(proj, after, CHUNK)
        if damaged:
            return False, True
        scratch.archive_closed(proj)  # outside the lock: only this replay changes ``proj``
        client.progress("replay", after)  # called without the store lock (tests wait here)
        if _more_after(store, after):
            continue  # the next chunk (of history, tail or rows that came meanwhile)
        same = _compare(client, proj, after)
        if same is not None:
            return same, False
        # Rows came, or the store's months moved, while comparing: catch up, compare again.


def _compare(client: SyncClient, replay: Projection, after: int) -> bool | None:
    """Compare the replay (caught up to row ``after``) with the store's state, the store
    lock held for one month at a time (the replay's side of a month is read before taking
    it), the rest under a last hold in which a replayed state that differs takes the
    store's place. None: the store changed meanwhile (a row folded, a month taken out or
    brought back), so the comparison says nothing."""
    store = client.store
    mine = Side(replay)
    with store.exclusive():
        if _more_after(store, after):
            return None
        theirs = Side(store.projection)
        seen = theirs.proj.archive_changes
        months = months_of(theirs.proj, replay)

    def changed() -> bool:
        return (store.projection is not theirs.proj or theirs.proj.archive_changes != seen
                or _more_after(store, after))

    same = True
    for month in months:
        mine.month(month)  # outside the lock: only this replay changes ``replay``
        client.progress("compare", after)  # without the store lock (tests write here)
        with store.exclusive():
            if changed():
                return None
            try:
                same = same_month(theirs, mine, month)
            except IntegrityError:  # the store's copy of the month does not open or decode
                same = False
            if not same:
                break
    with store.exclusive():
        if changed():
            return None
        # Nothing folded since row ``after`` on either side: both saw the same rows.
        same = same and same_rest(theirs.proj, replay)
        if not same:
            store.adopt(replay)
            store.write_snapshot()
        return same


def _more_after(store: Store, row: int) -> bool:
    with store.exclusive() as conn:
        return conn.execute("SELECT 1 FROM envelopes WHERE id > ? LIMIT 1",
                            (row,)).fetchone() is not None


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
