"""What the relay's storage modules share: value types, the refusal error, the chain check of
a push, and test-only fault injection.

``relay_store.py`` (SQLAlchemy Core, every request) and ``relay_hot.py`` (raw driver SQL for
the requests every device makes all the time) both build on this, so the rule that decides
which envelopes of a push are new, duplicates, forks or gaps exists once: ``plan_push``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import Refused as Refused  # importable from here too
from app.store.envelope import GENESIS_HASH, Envelope

REPLAYED = "replayed request (nonce seen before)"


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


def plan_push(device: str, batch: list[Envelope], last: Any,
              stored_hash: Callable[[int], bytes | None]) -> tuple[list[tuple[Envelope, bytes]],
                                                                   int]:
    """Which envelopes of a device's batch (sorted by seq) are new: ``([(envelope, hash)],
    duplicates)``. ``last`` is the device's newest stored (seq, hash); ``stored_hash(seq)``
    looks an older one up. Runs under the team lock. Raises 409 on a fork or a gap, so a
    batch is stored whole or not at all."""
    last_seq, last_hash = (int(last[0]), bytes(last[1])) if last else (0, GENESIS_HASH)
    fresh: list[tuple[Envelope, bytes]] = []
    dups = 0
    for env in batch:
        if env.device != device:
            raise Refused(403, f"{env.label} is not this device's own")
        digest = env.hash
        if env.seq <= last_seq:
            stored = stored_hash(env.seq)
            if stored is not None and bytes(stored) == digest:
                dups += 1
                continue
            raise Refused(409, f"fork: {env.label} differs from the one stored")
        if env.seq != last_seq + 1:
            raise Refused(409, f"gap: {env.label} follows seq {last_seq}")
        if env.prev_hash != last_hash:
            raise Refused(409, f"fork: {env.label} does not continue the device's chain")
        fresh.append((env, digest))
        last_seq, last_hash = env.seq, digest
    return fresh, dups


_FAULTS: dict[str, float] = {}


def fault_hook(point: str) -> None:
    """Test-only fault injection (ASSISTENZZEIT_RELAY_FAULT=point:seconds): the crash test
    kills the relay while it sleeps here, i.e. in the middle of a push transaction."""
    delay = _FAULTS.get(point)
    if delay:
        time.sleep(delay)


def faults_at(point: str) -> bool:
    return bool(_FAULTS.get(point))


def set_faults(spec: str | None) -> None:
    _FAULTS.clear()
    for part in (spec or "").split(","):
        if ":" in part:
            name, seconds = part.split(":", 1)
            _FAULTS[name.strip()] = float(seconds)
