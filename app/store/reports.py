"""What screens show about pay: a month's figures and the warnings of a plan.

``month_report`` uses the very document the assistant would sign
(``app.store.timesheets.document_for``), so the *Stundenzettel* screen and the signed
timesheet can never disagree. ``plan_warnings`` runs the ArbZG checks over an assistant's
planned shifts (all but the break rule: breaks are recorded when worked), the Minijob limit
over the planned month and absences over days with recorded work (``ABSENCE_OVERLAP``):
they warn, never block.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.domain import checks
from app.domain.absences import Absence, overlap_warnings
from app.domain.pay import month_result
from app.domain.timesheet import contract_terms
from app.domain.timeutil import parse_wall
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
    first = date.fromisoformat(month + "-01")
    nxt = (first + timedelta(days=32)).replace(day=1)
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
