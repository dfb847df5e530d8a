"""The merge rule, in one documented place (STYLE.md #5).

Per field, the last writer wins by ``(hlc, device)``: a total order, so every replica that
has seen the same ops holds the same value, whatever order they arrived in.

Two versions of one field *conflict* when different members wrote them and neither had seen
the other: ``a.base < b.hlc and b.base < a.hlc`` (``base`` is the entity version its author
saw). The relation depends only on the two ops, never on delivery order, so every replica
records the same conflicts. The loser is kept and shown to the employer, never dropped.

Example: the employer moves a shift to 09:00 (hlc 5, base 3) while the proxy, offline, moves
it to 10:00 (hlc 6, base 3). 10:00 wins (higher hlc); 09:00 is recorded as the loser.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Version(NamedTuple):
    hlc: int
    device: str
    author: str
    base: int
    op_id: str
    value: Any


def wins(a: Version, b: Version) -> bool:
    """True when ``a`` beats ``b``."""
    return (a.hlc, a.device) > (b.hlc, b.device)


def concurrent(a: Version, b: Version) -> bool:
    """Different authors, and neither saw the other."""
    return a.author != b.author and a.base < b.hlc and b.base < a.hlc
