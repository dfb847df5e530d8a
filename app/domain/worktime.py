"""Shared vocabulary of the pay engine: shifts, breaks, contract terms and warnings.

Kept apart from ``pay`` and ``checks`` so both can use it without importing each other.
Times are naive wall-clock datetimes in the team's zone; ``to_minute`` turns them into whole
UTC minutes since the epoch, so durations are right across DST (a Berlin night from
28 to 29 March 2026, 22:00–06:00, is 7 h; from 24 to 25 October 2026 it is 9 h).
Seconds are dropped: time sheets are kept to the minute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain import limits
from app.errors import InputError

KINDS = ("work", "standby", "on_call")
EMPLOYMENTS = ("minijob", "midijob", "part_time", "full_time")
# The 16 Länder as ISO 3166-2:DE suffixes; the `holidays` package also knows "Augsburg",
# which is a city, not a Land, so we do not accept it as one.
LAENDER = ("BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN",
           "ST", "TH")


@dataclass(frozen=True)
class Break:
    """A rest break (Ruhepause, §4 ArbZG) inside a shift, in local wall time."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class WorkShift:
    """One duty of one assistant.

    ``kind`` is ``work``; ``standby`` (Bereitschaftsdienst: on site, ready to act, working
    time under the ArbZG); or ``on_call`` (Rufbereitschaft: reachable elsewhere, rest time).
    """

    start: datetime
    end: datetime
    kind: str = "work"
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True)
class ContractTerms:
    """The pay-relevant part of an employment contract.

    ``standby_wage`` defaults to ``hourly_wage``. ``surcharges`` overrides the §3b default
    rate of single classes (e.g. ``{"sunday50": Decimal("0.30")}``); classes left out keep
    the default. ``live_in`` marks a household community (§18 (1) Nr. 3 ArbZG), for which the
    ArbZG does not apply. ``days_per_week`` feeds the vacation entitlement.
    """

    hourly_wage: Decimal
    employment: str = "part_time"
    standby_wage: Decimal | None = None
    surcharges: Mapping[str, Decimal] | None = None
    live_in: bool = False
    days_per_week: Decimal | None = None


@dataclass(frozen=True)
class RuleWarning:
    """A finding of a check: it warns, it never blocks.

    ``code`` is stable (``ARBZG_BREAK``); messages are short plain sentences; ``day`` is the
    local day it concerns; ``shift`` the index of the shift in the list that was checked.
    """

    code: str
    message_de: str
    message_en: str
    day: date | None = None
    shift: int | None = field(default=None, compare=False)


@lru_cache(maxsize=32)
def zone(tz: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name; an unknown name is an ``InputError`` on ``tz``."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise InputError("error.case.tz", "tz", tz=tz) from err


def check_state(state: str) -> str:
    """Return ``state`` if it is one of the 16 Länder, else raise ``InputError``."""
    if state not in LAENDER:
        raise InputError("error.case.state", "state", state=state)
    return state


def to_minute(local: datetime, tz: ZoneInfo) -> int:
    """Whole UTC minutes since the epoch for a naive wall-clock time.

    An ambiguous time (the repeated hour in October) is read as its first occurrence
    (``fold=0``); a time that does not exist (the skipped hour in March) is refused by
    ``validate_shift``.
    """
    return int(local.replace(second=0, microsecond=0, tzinfo=tz).timestamp()) // 60


def _exists(local: datetime, tz: ZoneInfo) -> bool:
    """False for a wall time inside the skipped hour of spring (e.g. 2026-03-29 02:30)."""
    aware = local.replace(second=0, microsecond=0, tzinfo=tz)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back == aware.replace(tzinfo=None)


def validate_shift(shift: WorkShift, tz: ZoneInfo, where: str = "") -> tuple[int, int]:
    """Check one shift and return its (start, end) in UTC minutes.

    ``where`` prefixes field names in messages (``"shifts[0]."``), so a file reader can
    point at the exact place: "shifts[0].end is before shifts[0].start". Results are
    memoized per (shift, zone): a month is checked, classified and judged by the ArbZG,
    and each pass would otherwise convert the same times again.
    """
    try:
        return _validated(shift, tz)
    except TypeError:  # unhashable parts (a list of breaks): check without the memo
        return _validate(shift, tz, where)
    except InputError:
        if not where:
            raise
        return _validate(shift, tz, where)  # raises again, naming the field in full


def _validate(shift: WorkShift, tz: ZoneInfo, where: str) -> tuple[int, int]:
    for name in ("start", "end"):
        value = getattr(shift, name)
        if not isinstance(value, datetime) or value.tzinfo is not None:
            raise InputError("error.case.local_time_only", f"{where}{name}", name=f"{where}{name}")
        limits.check_day(value, f"{where}{name}")
        if not _exists(value, tz):
            raise InputError("error.case.skipped_hour", f"{where}{name}", name=f"{where}{name}",
                             time=f"{value:%Y-%m-%dT%H:%M}", zone=tz.key)
    limits.check_span(shift.start, shift.end, f"{where}end")
    if shift.kind not in KINDS:
        raise InputError("error.case.one_of", f"{where}kind", name=f"{where}kind",
                             choices=", ".join(KINDS))
    start, end = to_minute(shift.start, tz), to_minute(shift.end, tz)
    if end < start:
        raise InputError("error.case.end_before_start_at", f"{where}end", end=f"{where}end",
                         start=f"{where}start")
    spans = []
    for i, brk in enumerate(shift.breaks):
        b = f"{where}breaks[{i}]"
        if not isinstance(brk, Break):
            raise InputError("error.case.not_break", b, name=b)
        for name in ("start", "end"):
            value = getattr(brk, name)
            if not isinstance(value, datetime) or value.tzinfo is not None \
                    or not _exists(value, tz):
                raise InputError("error.case.break_time", f"{b}.{name}", name=f"{b}.{name}")
        b_start, b_end = to_minute(brk.start, tz), to_minute(brk.end, tz)
        if b_end < b_start:
            raise InputError("error.case.end_before_start", f"{b}.end", name=b)
        if b_start < start or b_end > end:
            raise InputError("error.case.break_outside", b, name=b)
        spans.append((b_start, b_end, b))
    spans.sort()
    for (_, prev_end, _), (b_start, _, b) in pairwise(spans):
        if b_start < prev_end:
            raise InputError("error.case.break_overlap", b, name=b)
    return start, end


@lru_cache(maxsize=65536)
def _validated(shift: WorkShift, tz: ZoneInfo) -> tuple[int, int]:
    return _validate(shift, tz, "")


def worked_intervals(shift: WorkShift, tz: ZoneInfo) -> list[tuple[int, int]]:
    """The shift minus its breaks, as sorted UTC-minute intervals ``[a, b)``."""
    try:
        return list(_intervals(shift, tz))
    except TypeError:
        return _worked(shift, tz)


@lru_cache(maxsize=65536)
def _intervals(shift: WorkShift, tz: ZoneInfo) -> tuple[tuple[int, int], ...]:
    return tuple(_worked(shift, tz))


def _worked(shift: WorkShift, tz: ZoneInfo) -> list[tuple[int, int]]:
    start, end = validate_shift(shift, tz)
    out: list[tuple[int, int]] = []
    cursor = start
    # Sorted in UTC: naive wall times ignore ``fold``, so 02:01 of the repeated October hour
    # would sort before 02:59 of the first one.
    for b_start, b_end in sorted((to_minute(b.start, tz), to_minute(b.end, tz))
                                 for b in shift.breaks):
        if b_start > cursor:
            out.append((cursor, b_start))
        cursor = max(cursor, b_end)
    if end > cursor:
        out.append((cursor, end))
    return out


def validate_all(shifts: Sequence[WorkShift], tz: ZoneInfo, name: str = "shifts") -> None:
    """Validate a list of shifts, naming the bad one by its index."""
    for i, shift in enumerate(shifts):
        validate_shift(shift, tz, where=f"{name}[{i}].")


@lru_cache(maxsize=8192)
def local_midnight(tz: ZoneInfo, day: date) -> int:
    """UTC minute at which the local ``day`` begins (00:00 wall time)."""
    return to_minute(datetime(day.year, day.month, day.day), tz)


def local_date(minute: int, tz: ZoneInfo) -> date:
    """The local calendar day that contains the UTC ``minute``."""
    return datetime.fromtimestamp(minute * 60, tz).date()
