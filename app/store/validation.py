"""Field checks of the store API: each takes what a person typed and returns it clean, or
raises ``InputError`` naming the field (its message an i18n key).

Pure functions of their input, no store: the service classes check references (is the
assignee a member?) themselves, after these, so the first error a form shows is the same
as before. Amounts, dates and wall-clock times are checked in ``app.domain`` (``limits``,
``timeutil``); this module puts them together for a shift or an entry.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.model import ROLES, SHIFT_KINDS
from app.domain.timeutil import parse_wall, require_order, wall
from app.errors import InputError

# The German states (holidays and the Minijob rules depend on them).
STATES = ("BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST",
          "SH", "TH")


def state(value: str) -> str:
    if value not in STATES:
        raise InputError("error.team.state", "state", state=value)
    return value


def tz(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise InputError("error.team.tz", "tz", tz=value) from err
    return value


def address(value: Any) -> str:
    """A postal address: up to four lines, 300 characters (it is printed on one PDF line)."""
    text = "\n".join(line.strip() for line in str(value or "").strip().splitlines())
    if len(text) > 300 or text.count("\n") > 3:
        raise InputError("error.team.address", "holder_address")
    return text


def role(value: str) -> str:
    if value not in ROLES:
        raise InputError("error.member.role", "role", role=value)
    return value


def shift_fields(spec: dict[str, Any], where: str) -> dict[str, Any]:
    """The fields of a planned shift from ``spec`` (start, end, kind, anything else kept;
    not its id), times to the minute; ``where`` prefixes the field names ("shifts[2]")."""
    start = parse_wall(spec["start"], f"{where}.start")
    end = parse_wall(spec["end"], f"{where}.end")
    require_order(start, end, f"{where}.end")
    kind = spec.get("kind", "work")
    if kind not in SHIFT_KINDS:
        raise InputError("error.shift.kind", f"{where}.kind", kind=kind)
    fields = {k: v for k, v in spec.items() if k != "id"}
    fields.update(start=wall(start), end=wall(end), kind=kind, status="planned")
    return fields


def entry_fields(start: str, end: str | None, breaks: list[dict[str, Any]],
                 reason: str) -> dict[str, Any]:
    """Start, end, breaks (each inside the entry) and the correction reason of a recorded
    entry; an entry written by hand must have an end."""
    s = parse_wall(start, "start")
    if end is None:
        raise InputError("error.entry.needs_end", "end")
    e = parse_wall(end, "end")
    require_order(s, e)
    clean = []
    for i, b in enumerate(breaks):
        bs, be = parse_wall(b["start"], f"breaks[{i}].start"), parse_wall(
            b["end"], f"breaks[{i}].end")
        require_order(bs, be, f"breaks[{i}].end")
        if bs < s or be > e:
            raise InputError("error.entry.break_outside", f"breaks[{i}]")
        clean.append({"start": wall(bs), "end": wall(be)})
    return {"start": wall(s), "end": wall(e), "breaks": clean, "correction_reason": reason}
