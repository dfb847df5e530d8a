"""Planning aids for the *Dienstplan*: the employer's needs (*Assistenzbedarf*) and the gaps
no assigned shift covers, reusable templates of instructions and checklists, recurring
weekly plans, copying a week, and what the roster shows beside the shifts (open shifts,
appointments).

Every function takes a ``Services``, validates input (``InputError`` naming the field) and
writes through ``store.commit`` like ``Services`` itself does. Gap arithmetic is pure and
lives in ``app.domain.coverage``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from app.domain.coverage import need_interval, subtract
from app.domain.inputs import required
from app.domain.timeutil import iso_date
from app.errors import InputError
from app.store.services import Services
from app.store.store import Change, uuid7


def _hhmm(value: str, field: str) -> str:
    try:
        return datetime.strptime((value or "").strip(), "%H:%M").strftime("%H:%M")
    except ValueError as err:
        raise InputError("error.time.hhmm", field, value=value) from err


# ---------------------------------------------------------------------- needs
def set_need(services: Services, weekday: int, start: str, end: str, label: str = "",
             need_id: str | None = None) -> str:
    """Add (or, with ``need_id``, change) a weekly need; returns its id."""
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise InputError("error.weekday", "weekday")
    fields = {"weekday": weekday, "start": _hhmm(start, "start_time"),
              "end": _hhmm(end, "end_time"), "label": (label or "").strip()}
    if need_id is not None:
        services._row("need", need_id)  # NotFound for an unknown id
    nid = need_id or uuid7()
    services.store.commit([Change("need.set", "need", nid, fields)])
    return nid


def delete_need(services: Services, need_id: str) -> None:
    services._row("need", need_id)
    services.store.commit([Change("need.deleted", "need", need_id, {"deleted": True})])


def needs(services: Services) -> list[dict[str, Any]]:
    """All needs, by weekday and start."""
    rows = [dict(n) for n in services.store.projection.rows["need"].values()
            if not n["deleted"]]
    return sorted(rows, key=lambda n: (n["weekday"], n["start"], n["id"]))


def uncovered(services: Services, start_day: str | date, end_day: str | date
              ) -> list[dict[str, str]]:
    """Gaps of the needs of the days ``start_day`` ≤ day < ``end_day``: each need minus the
    union of planned shifts that have an assignee. A gap belongs to the day its need starts
    on. Returns ``[{"start", "end", "label"}]`` (wall-clock "YYYY-MM-DDTHH:MM"), sorted."""
    first = date.fromisoformat(iso_date(str(start_day), "start_day"))
    after = date.fromisoformat(iso_date(str(end_day), "end_day"))
    all_needs = needs(services)
    if not all_needs or after <= first:
        return []
    # One day more: a night need of the last day reaches into the next morning.
    shifts = services.shifts_between(f"{first.isoformat()}T00:00",
                                     f"{(after + timedelta(days=1)).isoformat()}T00:00")
    covers = [(s["start"], s["end"]) for s in shifts
              if s["assignee_id"] and s["status"] == "planned"]
    out: list[dict[str, str]] = []
    day = first
    while day < after:
        for need in all_needs:
            if need["weekday"] != day.weekday():
                continue
            for start, end in subtract(need_interval(day, need["start"], need["end"]),
                                       covers):
                out.append({"start": start, "end": end, "label": need["label"]})
        day += timedelta(days=1)
    return sorted(out, key=lambda g: (g["start"], g["end"]))


# ---------------------------------------------------------------------- templates
def save_template(services: Services, name: str, instructions: str = "",
                  checklist: list[str] | None = None, template_id: str | None = None) -> str:
    """Save a template; a template with the same name is replaced (one name, one template)."""
    name = required(name, "template_name")
    items = [str(x).strip() for x in checklist or [] if str(x).strip()]
    if template_id is None:
        same = [t for t in templates(services) if t["name"].casefold() == name.casefold()]
        template_id = same[0]["id"] if same else uuid7()
    else:
        services._row("template", template_id)
    services.store.commit([Change("template.set", "template", template_id, {
        "name": name, "instructions": instructions or "", "checklist": items})])
    return template_id


def delete_template(services: Services, template_id: str) -> None:
    services._row("template", template_id)
    services.store.commit([Change("template.deleted", "template", template_id,
                                  {"deleted": True})])


def templates(services: Services) -> list[dict[str, Any]]:
    rows = [dict(t) for t in services.store.projection.rows["template"].values()
            if not t["deleted"]]
    return sorted(rows, key=lambda t: (t["name"].casefold(), t["id"]))


def template(services: Services, template_id: str) -> dict[str, Any]:
    return dict(services._row("template", template_id))


# ---------------------------------------------------------------------- weekly plans
def weekly_specs(first_day: str, weekdays: list[int], start: str, end: str, weeks: int,
                 except_dates: list[str] | None = None, **extra: Any) -> list[dict[str, Any]]:
    """Shift specs of a weekly pattern: ``weekdays`` (0 = Monday) from the week of
    ``first_day`` for ``weeks`` weeks; an end at or before the start ends the next day.
    Days in ``except_dates`` ("YYYY-MM-DD", the plan's exceptions) are skipped."""
    day0 = date.fromisoformat(iso_date(first_day, "first_day"))
    skip = {date.fromisoformat(iso_date(d.strip(), "except_dates"))
            for d in except_dates or [] if d.strip()}
    if not weekdays:
        raise InputError("error.weekdays", "weekdays")
    if not 1 <= weeks <= 53:
        raise InputError("error.weeks", "weeks")
    for name, value in (("start_time", start), ("end_time", end)):
        try:
            datetime.strptime(value, "%H:%M")
        except ValueError as err:
            raise InputError("error.time.hhmm", name, value=value) from err
    monday = day0 - timedelta(days=day0.weekday())
    specs = []
    for week in range(weeks):
        for wd in sorted(set(weekdays)):
            d = monday + timedelta(days=7 * week + wd)
            if d < day0 or d in skip:
                continue
            end_day = d + timedelta(days=1) if end <= start else d
            specs.append({"start": f"{d.isoformat()}T{start}",
                          "end": f"{end_day.isoformat()}T{end}", **extra})
    return specs


def plan_weekly(services: Services, first_day: str, weekdays: list[int], start: str,
                end: str, weeks: int, **extra: Any) -> list[str]:
    plan_id = uuid7()
    specs = weekly_specs(first_day, weekdays, start, end, weeks, plan_id=plan_id, **extra)
    return services.plan_shifts(specs)


def copy_week(services: Services, from_monday: str, to_monday: str) -> list[str]:
    """Copy every planned shift of one week to another week (assignees and texts kept)."""
    src = date.fromisoformat(iso_date(from_monday, "from"))
    dst = date.fromisoformat(iso_date(to_monday, "to"))
    shift = dst - src
    specs = []
    for s in services.shifts_between(f"{src.isoformat()}T00:00",
                                     f"{(src + timedelta(days=7)).isoformat()}T00:00"):
        if s["start"] < f"{src.isoformat()}T00:00":
            continue
        spec = {k: s[k] for k in ("kind", "location", "instructions", "checklist",
                                  "assignee_id", "budget_id")}
        spec["start"] = _moved(s["start"], shift)
        spec["end"] = _moved(s["end"], shift)
        specs.append(spec)
    return services.plan_shifts(specs) if specs else []


def _moved(wall: str, by: timedelta) -> str:
    return (datetime.fromisoformat(wall) + by).strftime("%Y-%m-%dT%H:%M")


# ---------------------------------------------------------------------- beside the shifts
def open_shifts(services: Services, start: str, end: str) -> list[dict[str, Any]]:
    return [s for s in services.shifts_between(start, end) if not s["assignee_id"]]


def appointments(services: Services, start: str, end: str) -> list[dict[str, Any]]:
    rows = [dict(a) for a in services.store.projection.rows["appointment"].values()
            if not a["deleted"] and a["start"] < end and a["end"] > start]
    return sorted(rows, key=lambda a: a["start"])
