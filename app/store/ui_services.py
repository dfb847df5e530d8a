"""Store API additions the screens need beyond ``Services``: handover notes, requests
(claim an open shift, offer a swap, ask for a correction) and their decisions, availability,
recurring weekly plans, copying a week, appointments, and planned vs actual cost per budget.

Every function takes a ``Services``, validates input (``InputError`` naming the field) and
writes through ``store.commit`` like ``Services`` itself does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.domain.inputs import required
from app.domain.timeutil import iso_date, iso_month, worked_minutes
from app.errors import InputError
from app.store import conflicts
from app.store.services import Services
from app.store.store import Change, uuid7

REQUEST_KINDS = ("claim", "swap", "correction", "timesheet")


# ---------------------------------------------------------------------- handover
def write_handover(services: Services, author_id: str, text: str,
                   shift_id: str | None = None) -> str:
    hid = uuid7()
    services.store.commit([Change("handover.written", "handover", hid, {
        "author_id": author_id, "shift_id": shift_id, "written_at": services.now(),
        "text": required(text, "handover")})])
    return hid


def handovers(services: Services, limit: int = 5) -> list[dict[str, Any]]:
    rows = [dict(h) for h in services.store.projection.rows["handover"].values()
            if not h["deleted"]]
    return sorted(rows, key=lambda h: h["written_at"], reverse=True)[:limit]


# ---------------------------------------------------------------------- requests
def make_request(services: Services, member_id: str, kind: str, shift_id: str | None = None,
                 entry_id: str | None = None, comment: str = "") -> str:
    if kind not in REQUEST_KINDS:
        raise InputError("error.request.kind", "kind", kind=kind)
    if kind == "claim":
        shift = services.shift(shift_id or "")
        if shift["assignee_id"]:
            raise InputError("error.request.taken", "shift")
    elif kind == "swap":
        shift = services.shift(shift_id or "")
        if shift["assignee_id"] != member_id:
            raise InputError("error.request.own_only", "shift")
    if any(r["kind"] == kind and r["member_id"] == member_id and r["status"] == "open"
           and r["shift_id"] == shift_id and r["entry_id"] == entry_id
           for r in requests(services)):
        raise InputError("error.request.open", "kind")
    rid = uuid7()
    services.store.commit([Change("request.made", "request", rid, {
        "kind": kind, "member_id": member_id, "shift_id": shift_id, "entry_id": entry_id,
        "comment": comment, "status": "open"})])
    return rid


def requests(services: Services, status: str | None = None) -> list[dict[str, Any]]:
    rows = [dict(r) for r in services.store.projection.rows["request"].values()
            if not r["deleted"] and status in (None, r["status"])]
    return sorted(rows, key=lambda r: r["id"])


def decide_request(services: Services, request_id: str, approve: bool, decided_by: str,
                   comment: str = "") -> None:
    """Approve or reject. An approved claim assigns the shift to the claimant; an approved
    swap makes the shift open again so someone else can claim it."""
    row = services._row("request", request_id)
    if row["status"] != "open":
        raise InputError("error.request.decided", "request")
    changes = [Change("request.decided", "request", request_id, {
        "status": "approved" if approve else "rejected", "decided_by": decided_by,
        "decision_comment": comment})]
    if approve and row["kind"] == "claim" and row["shift_id"]:
        changes.append(Change("shift.claimed", "shift", row["shift_id"],
                              {"assignee_id": row["member_id"]}))
    if approve and row["kind"] == "swap" and row["shift_id"]:
        changes.append(Change("shift.updated", "shift", row["shift_id"], {"assignee_id": None}))
    services.store.commit(changes)


# ---------------------------------------------------------------------- availability
def set_availability(services: Services, member_id: str, start: str, end: str,
                     available: bool = True, note: str = "") -> str:
    s = services._entry_fields(start, end, [], "-")  # same checks as an entry: order, format
    aid = uuid7()
    services.store.commit([Change("availability.set", "availability", aid, {
        "member_id": member_id, "start": s["start"], "end": s["end"], "available": available,
        "note": note})])
    return aid


def availability(services: Services, member_id: str | None = None) -> list[dict[str, Any]]:
    rows = [dict(a) for a in services.store.projection.rows["availability"].values()
            if not a["deleted"] and member_id in (None, a["member_id"])]
    return sorted(rows, key=lambda a: a["start"])


# ---------------------------------------------------------------------- planning
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


def open_shifts(services: Services, start: str, end: str) -> list[dict[str, Any]]:
    return [s for s in services.shifts_between(start, end) if not s["assignee_id"]]


def appointments(services: Services, start: str, end: str) -> list[dict[str, Any]]:
    rows = [dict(a) for a in services.store.projection.rows["appointment"].values()
            if not a["deleted"] and a["start"] < end and a["end"] > start]
    return sorted(rows, key=lambda a: a["start"])


# ---------------------------------------------------------------------- money
def budget_costs(services: Services, month: str) -> list[dict[str, Any]]:
    """Planned and actual cost per Teilbudget in a month: hours × the hourly wage of the
    contract valid on that day. Shifts without a budget count under "" (no budget)."""
    iso_month(month)
    tz = services.tz()
    start, end = f"{month}-01T00:00", _next_month(month) + "-01T00:00"
    planned: dict[str, Decimal] = {}
    actual: dict[str, Decimal] = {}
    shift_budget: dict[str, str] = {}
    for s in services.shifts_between(start, end):
        shift_budget[s["id"]] = s["budget_id"] or ""
        if not s["assignee_id"]:
            continue
        cost = _cost(services, s["assignee_id"], s["start"],
                     worked_minutes(s["start"], s["end"], [], tz))
        planned[s["budget_id"] or ""] = planned.get(s["budget_id"] or "", Decimal(0)) + cost
    for member in services.members():
        for e in services.month_entries(member["id"], month):
            if e["minutes"] is None:
                continue
            budget = shift_budget.get(e["shift_id"] or "", "")
            if not budget:
                contract = services.contract_on(member["id"], e["start"][:10]) or {}
                budget = contract.get("default_budget_id") or ""
            actual[budget] = actual.get(budget, Decimal(0)) + _cost(
                services, member["id"], e["start"], e["minutes"])
    rows = []
    for b in services.budgets():
        amount = Decimal(b["monthly_amount"])
        p, a = planned.pop(b["id"], Decimal(0)), actual.pop(b["id"], Decimal(0))
        rows.append({"id": b["id"], "name": b["name"], "monthly_amount": _money(amount),
                     "planned": _money(p), "actual": _money(a), "over": p > amount})
    rest_p, rest_a = sum(planned.values(), Decimal(0)), sum(actual.values(), Decimal(0))
    if rest_p or rest_a:
        rows.append({"id": "", "name": "", "monthly_amount": "0.00", "planned": _money(rest_p),
                     "actual": _money(rest_a), "over": False})
    return rows


def _cost(services: Services, member_id: str, start: str, minutes: int) -> Decimal:
    contract = services.contract_on(member_id, start[:10])
    wage = Decimal(contract["hourly_wage"]) if contract else Decimal(0)
    return wage * Decimal(minutes) / Decimal(60)


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + (m == 12)}-{m % 12 + 1:02d}"


# ---------------------------------------------------------------------- conflicts
def open_conflicts(services: Services) -> list[dict[str, Any]]:
    """Unsettled conflicts as stored rows (``app.store.conflicts`` decides which)."""
    rows = services.store.projection.conflicts
    return [dict(rows[c["id"]]) for c in conflicts.open_conflicts(services)]


def resolve_conflict(services: Services, conflict_id: str, keep: str) -> None:
    """Keep the ``"winner"`` or the ``"loser"`` value (see ``app.store.conflicts.resolve``)."""
    conflicts.resolve(services, conflict_id, keep)
