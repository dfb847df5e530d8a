"""Healing: a sync replaces damaged envelope rows with the relay's good copies.

The store names a row it cannot read or verify (``app/store/damage.py``) and keeps naming it.
The relay holds every envelope the team pushed, so for each such row this asks it for
(device, seq) again; the store checks the copy — signature, that it opens, that it fits the
device's chain — before it replaces the row and folds it. What the relay does not have (an
own envelope never pushed) or a copy that fails its checks stays on the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.errors import AssistenzzeitError
from app.store import damage
from app.sync import protocol

if TYPE_CHECKING:
    from app.store.store import Store
    from app.sync.client import RelayHttp


def heal(store: Store, relay: RelayHttp) -> int:
    """Try every open entry that names its envelope; returns how many were repaired."""
    healed = 0
    for entry in list(store.damaged):
        if entry.row is None or not entry.device or entry.seq is None:
            continue
        try:
            raw = relay.call("GET", f"{protocol.API}/teams/{store.team_id}/envelopes/"
                                    f"{entry.device}/{entry.seq}")
            copy = protocol.envelope_from_wire(raw.get("envelope") if isinstance(raw, dict)
                                               else None)
            damage.repair(store, entry, copy)
        except AssistenzzeitError:
            continue  # not on the relay, or a copy that fails: it stays named
        healed += 1
    return healed
