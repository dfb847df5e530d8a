"""Hybrid logical clock: timestamps that follow wall time but never go backwards.

An HLC is one integer, ``physical_ms << 16 | counter``, so comparing two is comparing ints,
and ``(hlc, device)`` totally orders every op in a team (the merge rule in
``app/domain/merge.py``). The clock is passed in, so this module stays pure.

Guard: a device whose clock is far in the future would win every last-writer-wins merge
forever. ``Hlc.receive`` refuses remote stamps more than ``MAX_DRIFT_MS`` ahead of the local
wall clock instead of adopting them.

Example: at wall time 1_700_000_000_000 ms, two calls to ``now()`` give
``1_700_000_000_000 << 16`` and ``(1_700_000_000_000 << 16) + 1``.
"""

from __future__ import annotations

from collections.abc import Callable

from app.errors import ClockSkewError as ClockSkewError  # importable from here too

COUNTER_BITS = 16
MAX_DRIFT_MS = 60 * 60 * 1000  # one hour: phones drift, years-off clocks are a fault


def physical_ms(hlc: int) -> int:
    return hlc >> COUNTER_BITS


def pack(ms: int, counter: int = 0) -> int:
    return (ms << COUNTER_BITS) | counter


class Hlc:
    """The clock of one device. ``wall_ms`` returns the wall clock in milliseconds."""

    def __init__(self, wall_ms: Callable[[], int], last: int = 0) -> None:
        self._wall_ms = wall_ms
        self.last = last

    def now(self) -> int:
        """A fresh timestamp, greater than every one seen so far."""
        candidate = pack(self._wall_ms())
        self.last = candidate if candidate > self.last else self.last + 1
        return self.last

    def receive(self, remote: int) -> None:
        """Take a remote timestamp into account so later local ones sort after it."""
        wall = self._wall_ms()
        if physical_ms(remote) > wall + MAX_DRIFT_MS:
            raise ClockSkewError("error.sync.clock_ahead",
                                 minutes=(physical_ms(remote) - wall) // 60000)
        if remote > self.last:
            self.last = remote
