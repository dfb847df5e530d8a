"""What screens show about pay: a month's figures, the warnings of a plan, and planned
against actual cost per budget.

``month_report`` uses the very document the assistant would sign
(``app.store.timesheets.document_for``), so the *Stundenzettel* screen and the signed
timesheet can never disagree. ``plan_warnings`` runs the ArbZG checks over an assistant's
planned shifts (all but the break rule: breaks are recorded when worked), the Minijob limit
over the planned month and absences over days with recorded work (``ABSENCE_OVERLAP``):
they warn, never block. ``budget_costs`` prices hours at the wage of the contract valid on
the day.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.domain import checks
from app.domain.absences import Absence, overlap_warnings
from app.domain.pay import month_result
from app.domain.timesheet import contract_terms
from app.domain.timeutil import iso_month, month_bounds, parse_wall, worked_minutes
from app.domain.worktime import RuleWarning, WorkShift
from app.errors import InputError
from app.store import timesheets
from app.store.services import Services


def month_report(services: Services, member_id: str, month: str) -> dict[str, Any]:
    """Entries, hours per pay class, pay and warnings of a month. While the member is still
    on duty, or has no contract, the figures are left out and ``problem`` says why."""
    entries = services.month_entries(member_id, month)
    report: dict[str, Any] = {
        "member": services.member(member_id)["display_name"], "month": month,
        "entries": entries, "hours": None, "pay": None, "minijob": None, "warnings": [],
        "problem": None}
    try:
        doc = timesheets.document_for(services, member_id, month)
    except InputError as err:
        report["problem"] = str(err)
        return report
    report.update(hours=doc["hours"], pay=doc["pay"], minijob=doc["minijob"],
                  warnings=doc["warnings"])
    return report


def plan_warnings(services: Services, member_id: str, month: str) -> list[dict[str, Any]]:
    """Warnings of the planned shifts of one assistant in a month, each with its shift id
    (None for a warning about the whole month, such as the Minijob limit)."""
    first, nxt = month_bounds(month)
    contract = services.contract_on(member_id, first.isoformat()) or services.contract_on(
        member_id, (nxt - timedelta(days=1)).isoformat())
    if contract is None:
        return []
    team = services.team()
    # A day either side, so rest periods across the month's edges are seen.
    rows = services.shifts_between((first - timedelta(days=1)).isoformat(),
                                   (nxt + timedelta(days=1)).isoformat(), member_id)
    shifts = [WorkShift(parse_wall(r["start"], "start"), parse_wall(r["end"], "end"), r["kind"])
              for r in rows]
    terms = contract_terms(contract)
    found: list[dict[str, Any]] = []
    for row, warnings in zip(rows, checks.check_planned(shifts, terms, team["tz"]), strict=True):
        if row["start"][:7] != month:
            continue
        # Planned shifts carry no breaks (they are taken and recorded on the day), so the
        # break rule is judged on the timesheet, not on the plan.
        found += [_warning(w, row["id"]) for w in warnings if w.code != "ARBZG_BREAK"]
    in_month = [s for s, r in zip(shifts, rows, strict=True) if r["start"][:7] == month]
    if in_month:
        result = month_result(in_month, terms, team["tz"], team["state"], month=first)
        found += [_warning(w, None) for w in result.warnings
                  if w.code.startswith(("MINIJOB", "MINDESTLOHN"))]
    return found + [_warning(w, None) for w in _overlaps(services, member_id, month)]


def _overlaps(services: Services, member_id: str, month: str) -> list[RuleWarning]:
    """Absences of the month over days on which work was recorded."""
    worked = [WorkShift(parse_wall(e["start"], "start"), parse_wall(e["end"], "end"))
              for e in services.month_entries(member_id, month) if e["end"]]
    absences = [Absence(date.fromisoformat(a["start_date"]), date.fromisoformat(a["end_date"]),
                        a["kind"]) for a in services.absences(member_id)]
    return overlap_warnings(absences, worked)


def _warning(w: Any, shift_id: str | None) -> dict[str, Any]:
    return {"shift_id": shift_id, "code": w.code, "message_de": w.message_de,
            "message_en": w.message_en, "day": w.day.isoformat() if w.day else ""}


def budget_costs(services: Services, month: str) -> list[dict[str, Any]]:
    """Planned and actual cost per Teilbudget in a month: hours × the hourly wage of the
    contract valid on that day. Shifts without a budget count under "" (no budget)."""
    first, nxt = month_bounds(iso_month(month))
    tz = services.tz()
    start, end = f"{first.isoformat()}T00:00", f"{nxt.isoformat()}T00:00"
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
