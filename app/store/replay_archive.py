"""Closed months of a projection that is being replayed, kept out of it on the way (issue 16).

A full replay (``check``, ``Store.replay``, the check of a checkpoint in
``app/sync/checkpoint_audit.py``) folds years of envelopes into a new projection. Without
this it holds the whole history in memory before the first snapshot archives it; with it,
every ``CHUNK`` envelopes the months that are closed by then (``archive.closed_months``)
leave the projection as ``take_out`` payloads, compressed in memory: about 120 kB a month
for the ten assistants of ``bench/bench_join.py`` (14 MB for ten years), where the month
held in the projection takes megabytes. Ops that touch such a month bring it back as with
the store's archive (``Projection.archive_loader``).

The months are not in the store's file yet: the projection keeps this archive as
``scratch`` until the store's next snapshot writes them into its archive, sealed, in the
same transaction as the snapshot (``archive.archive_closed``). Nothing here touches the
disk, so a replay that stops half-way leaves nothing behind.
"""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from app.errors import IntegrityError
from app.store.archive import take_out_closed

if TYPE_CHECKING:
    from app.store.damage import Damage
    from app.store.envelope import Envelope
    from app.store.projection import Projection
    from app.store.store import Store

CHUNK = 5000  # envelopes folded between two looks for closed months (a few months of a team)
# Received ops folded into a store's projection between two looks (``after_ingest``).
LOOK_EVERY_OPS = 15_000
LEVEL = 1  # compression while replaying; the store's archive compresses again when saving


class ReplayArchive:
    """Compressed ``take_out`` payloads by month, for one projection."""

    def __init__(self) -> None:
        self._months: dict[str, bytes] = {}
        self.folded = 0  # received ops since the last look (``after_ingest``)

    def __contains__(self, month: object) -> bool:
        return month in self._months

    @property
    def size(self) -> int:
        """Bytes held (compressed payloads)."""
        return sum(map(len, self._months.values()))

    def attach(self, proj: Projection) -> None:
        """Be ``proj``'s archive (a projection of no store: the store's own gets this
        archive as ``scratch`` and a loader that asks it first, ``archive.attach``)."""
        proj.scratch = self
        proj.archive_loader = self.load

    def load(self, month: str) -> dict[str, Any]:
        data = self._months.get(month)
        if data is None:
            raise IntegrityError("error.archive.missing", month=month)
        payload: dict[str, Any] = json.loads(zlib.decompress(data))
        return payload

    def archive_closed(self, proj: Projection) -> list[str]:
        """Take the months closed by now out of ``proj`` into this archive; which."""
        # A month brought back since it left is not archived any more: forget its copy.
        for month in [m for m in self._months if m not in proj.archived_months]:
            del self._months[month]
        taken = []
        for payload in take_out_closed(proj):
            self._months[payload["month"]] = zlib.compress(
                json.dumps(payload, separators=(",", ":")).encode(), LEVEL)
            taken.append(payload["month"])
        if taken:  # the ids just archived, as 18-byte records rather than a dict
            proj.archived = proj.archived.compacted()
        return taken

    def carried(self, proj: Projection, but: Iterable[str] = ()) -> Iterator[dict[str, Any]]:
        """The payloads of the months ``proj`` keeps archived here (except ``but``), one
        at a time, for the store's archive."""
        skip = set(but)
        for month in sorted(self._months):
            if month in proj.archived_months and month not in skip:
                yield self.load(month)


def fold_archiving(store: Store, proj: Projection, rows: Iterable[tuple[int, Envelope]],
                   damaged: list[Damage]) -> None:
    """``store.fold_rows`` a chunk at a time, taking the months closed by then out into the
    projection's scratch archive after each chunk."""
    scratch = proj.scratch
    if scratch is None:
        scratch = proj.scratch = ReplayArchive()
    it = iter(rows)
    while chunk := list(itertools.islice(it, CHUNK)):
        store.fold_rows(proj, chunk, damaged)
        scratch.archive_closed(proj)


def after_ingest(proj: Projection, n_ops: int) -> None:
    """A page of received ops was folded into the store's projection (under the store's
    lock). A device that joins without a checkpoint receives years this way: every
    ``LOOK_EVERY_OPS`` ops, the months closed by then leave memory into the scratch archive,
    which the store's next snapshot writes into its archive."""
    scratch = proj.scratch
    if scratch is None:
        scratch = proj.scratch = ReplayArchive()
    scratch.folded += n_ops
    if scratch.folded >= LOOK_EVERY_OPS:
        scratch.folded = 0
        scratch.archive_closed(proj)
