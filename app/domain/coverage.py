"""Coverage of the employer's needs (*Assistenzbedarf*): which parts of a need no assigned
shift covers. Pure interval arithmetic on wall-clock strings "YYYY-MM-DDTHH:MM".

Such strings sort like the times they name, so comparing them is comparing times; no time
zone is involved because needs and shifts are both wall-clock in the team's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

Interval = tuple[str, str]


def need_interval(day: date, start: str, end: str) -> Interval:
    """The wall-clock interval of a need "HH:MM"–"HH:MM" on ``day``; an end at or before
    the start ends the next day (a night need)."""
    end_day = day + timedelta(days=1) if end <= start else day
    return f"{day.isoformat()}T{start}", f"{end_day.isoformat()}T{end}"


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of intervals as sorted, non-overlapping, non-touching intervals."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract(need: Interval, covers: Iterable[Interval]) -> list[Interval]:
    """The parts of ``need`` that no interval of ``covers`` covers, in order."""
    gaps: list[Interval] = []
    cursor, end = need
    for c_start, c_end in merge(covers):
        if c_end <= cursor:
            continue
        if c_start >= end:
            break
        if c_start > cursor:
            gaps.append((cursor, c_start))
        cursor = max(cursor, c_end)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return gaps
