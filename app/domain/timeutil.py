"""Wall-clock strings and the durations between them.

Times in the model are wall-clock strings in the team's zone ("2026-03-08T22:00"); a
duration is always taken between the UTC instants they name, so the night the clocks go
forward has 7 hours from 22:00 to 06:00, not 8 (DESIGN.md, "Pay and law").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.domain import limits
from app.errors import InputError

WALL_FORMAT = "%Y-%m-%dT%H:%M"


def parse_wall(text: str, field: str) -> datetime:
    """'2026-03-08T22:00' (or with seconds, or with a space) → naive datetime, to the minute."""
    try:
        value = datetime.fromisoformat(str(text).strip().replace(" ", "T"))
    except ValueError as err:
        raise InputError("error.time.wall", field, value=text) from err
    if value.tzinfo is not None:
        raise InputError("error.time.no_zone", field, value=text)
    limits.check_day(value, field)
    return value.replace(second=0, microsecond=0)


def iso_date(value: str, field: str) -> str:
    """'2026-03-08' → the same day as text; InputError for anything else or out of bounds."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except (TypeError, ValueError) as err:
        raise InputError("error.time.date", field, value=value) from err
    limits.check_day(day, field)
    return day.strftime("%Y-%m-%d")


def iso_month(value: str) -> str:
    """'2026-03' → the same month as text; InputError (field ``month``) for anything else."""
    try:
        return datetime.strptime(value, "%Y-%m").strftime("%Y-%m")
    except (TypeError, ValueError) as err:
        raise InputError("error.time.month", "month", value=value) from err


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-12' → (1 December 2026, 1 January 2027): the month is first ≤ day < after.
    Unchecked (``ValueError`` for junk): callers that take typed input check ``iso_month``."""
    first = date.fromisoformat(month + "-01")
    return first, (first + timedelta(days=32)).replace(day=1)


def month_before(text: str) -> str:
    """'YYYY-MM' of the month before ``text`` (any ISO date or time); '' when not a date."""
    try:
        year, month = int(text[:4]), int(text[5:7])
    except ValueError:
        return ""
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def wall(value: datetime) -> str:
    return value.strftime(WALL_FORMAT)


def to_utc(value: datetime, tz: ZoneInfo) -> datetime:
    return value.replace(tzinfo=tz).astimezone(UTC)


def minutes_between(start: datetime, end: datetime, tz: ZoneInfo) -> int:
    return int((to_utc(end, tz) - to_utc(start, tz)) // timedelta(minutes=1))


def now_wall(now_utc: datetime, tz: ZoneInfo) -> str:
    return wall(now_utc.astimezone(tz).replace(tzinfo=None))


def require_order(start: datetime, end: datetime, field: str = "end") -> None:
    """End after start, and no longer than a shift or entry may last (``limits``)."""
    if end <= start:
        raise InputError("error.time.end_not_after_start", field)
    limits.check_span(start, end, field)


def worked_minutes(start: str, end: str, breaks: list[dict[str, str | None]], tz: ZoneInfo) -> int:
    """Minutes of an entry without its finished breaks."""
    s, e = parse_wall(start, "start"), parse_wall(end, "end")
    total = minutes_between(s, e, tz)
    for b in breaks:
        if b.get("start") and b.get("end"):
            total -= minutes_between(parse_wall(str(b["start"]), "break.start"),
                                     parse_wall(str(b["end"]), "break.end"), tz)
    return max(total, 0)
