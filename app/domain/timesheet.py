"""Month close: the canonical document of one assistant's month, its hash, and diffs.

Public API::

    build_document(team=…, member=…, month=…, version=…, contract=…, entries=…,
                   paid_absence=…, absences=…, budgets=…) -> dict
    canonical(document) -> bytes          # RFC 8785 (JSON Canonicalization Scheme)
    document_hash(document) -> str        # SHA-256 of the canonical bytes, hex
    counter_message(doc_hash, assistant_sig) -> bytes
    diff(old, new) -> list[dict]          # what changed from version n-1 to n

What is signed (DESIGN.md, "Signed timesheets"): the assistant signs the 32 raw bytes of
``SHA-256(canonical(document))``; the employer or proxy signs
``SHA-256(doc_hash ‖ assistant_sig)`` (raw bytes), so the countersignature covers the very
signature it approves and not just the figures.

This module is also the small adapter onto the pay engine (``app.domain.pay.month_result``)
until the lead's ``app/store/reports.py`` exists: the store gathers rows, this module turns
them into ``WorkShift``s, computes, and lays out the figures. Money figures come from the
engine; the *lines* (one per pay class and Teilbudget, what payroll books) are computed per
budget group and then reconciled to the engine's totals: a rounding cent that the split
creates is booked on the largest line of its component, so lines always add up to the total.

Paid absence is laid out the same way: base hours as ``absence`` and each continued
surcharge as ``absence_<class>`` (sick on a planned 22–06 h night at 16 €/h → ``absence
8.00 h × 16.00``, ``absence_night25 4.00 h × 4.00``, ``absence_night40 4.00 h × 6.40``).
Where work was recorded during a paid-absence shift, only the unworked part is paid as
absence and the day gets ``ABSENCE_OVERLAP`` (``app.domain.absences.unworked``).

Worked example (fixture minijob-april-ok, one budget): 43 h at 14 €/h, 8 Sunday hours →
lines ``base 43.00 h × 14.00 = 602.00`` and ``sunday50 8.00 h × 7.00 = 56.00``; gross 658.00.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import rfc8785

from app.domain.absences import Absence, overlap_warnings, unworked
from app.domain.pay import CENT, SURCHARGE_CLASSES, PayResult, month_result, surcharge_rates
from app.domain.timeutil import parse_wall, wall, worked_minutes
from app.domain.worktime import Break, ContractTerms, WorkShift, zone

FORMAT = "assistenzzeit.timesheet/1"
# Paid absence (Lohnausfallprinzip) pays what the planned shifts would have earned: the base
# hours ("absence"), each continued surcharge and standby on its own line, so that every
# line is hours × rate and payroll books each with its own Lohnart.
ABSENCE_CLASSES = ("absence", *(f"absence_{c}" for c in SURCHARGE_CLASSES), "absence_standby")
# Pay lines in booking order.
LINE_CLASSES = ("base", *SURCHARGE_CLASSES, "standby", "on_call", *ABSENCE_CLASSES)
# Which engine total each line class adds up to.
COMPONENT = {"base": "base", **{c: "surcharges" for c in SURCHARGE_CLASSES},
             "standby": "standby", "on_call": "standby",
             **dict.fromkeys(ABSENCE_CLASSES, "absence")}
NO_BUDGET = ""
# Classes whose hours are time (the others are surcharges on top of that time).
HOUR_CLASSES = ("base", "standby", "absence", "absence_standby")


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(CENT, ROUND_HALF_UP)


def _rate(value: Decimal) -> str:
    """A rate per hour: cents, or more places where a percentage needs them (20.625)."""
    exact = value.quantize(Decimal("0.0001"), ROUND_HALF_UP).normalize()
    exponent = exact.as_tuple().exponent
    return str(exact if isinstance(exponent, int) and exponent < -2 else exact.quantize(CENT))


def _shift(row: Mapping[str, Any], where: str) -> WorkShift:
    breaks = tuple(Break(parse_wall(b["start"], f"{where}.breaks.start"),
                         parse_wall(b["end"], f"{where}.breaks.end"))
                   for b in row.get("breaks") or [] if b.get("end"))
    return WorkShift(parse_wall(row["start"], f"{where}.start"),
                     parse_wall(row["end"], f"{where}.end"), row.get("kind") or "work", breaks)


def contract_terms(contract: Mapping[str, Any]) -> ContractTerms:
    """The pay-relevant part of a contract row."""
    standby = contract.get("standby_wage")
    return ContractTerms(
        hourly_wage=_d(contract["hourly_wage"]), employment=contract["employment"],
        standby_wage=_d(standby) if standby not in (None, "") else None,
        surcharges={k: _d(v) for k, v in (contract.get("surcharges") or {}).items()} or None,
        live_in=bool(contract.get("live_in")))


def _group_lines(result: PayResult, terms: ContractTerms, rates: Mapping[str, Decimal],
                 budget_id: str) -> list[dict[str, Any]]:
    """Exact (unrounded) lines of one budget group: worked classes, then paid absence."""
    wage = terms.hourly_wage
    standby_wage = terms.standby_wage if terms.standby_wage is not None else wage
    per_hour = {"base": wage, **{c: wage * rates[c] for c in SURCHARGE_CLASSES},
                "standby": standby_wage, "on_call": Decimal(0)}
    worked, absent = result.minutes.as_dict(), result.absence_minutes.as_dict()
    # Absence class → the pay class whose minutes and rate it continues.
    sources = {cls: cls for cls in per_hour}
    sources |= {"absence": "base", "absence_standby": "standby",
                **{f"absence_{c}": c for c in SURCHARGE_CLASSES}}
    lines = []
    for cls in LINE_CLASSES:
        source = sources[cls]
        minutes = (absent if cls in ABSENCE_CLASSES else worked)[source]
        if minutes:
            lines.append({"class": cls, "minutes": minutes, "rate": per_hour[source],
                          "amount": per_hour[source] * minutes / 60, "budget_id": budget_id})
    return lines


def _reconcile(lines: list[dict[str, Any]], totals: Mapping[str, Decimal]) -> None:
    """Round each line to cents, then put a split's rounding residue on the largest line."""
    for line in lines:
        line["amount"] = line["amount"].quantize(CENT, ROUND_HALF_UP)
    for component, total in totals.items():
        mine = [ln for ln in lines if COMPONENT[ln["class"]] == component]
        residue = total - sum((ln["amount"] for ln in mine), Decimal(0))
        if mine and residue:
            max(mine, key=lambda ln: ln["amount"])["amount"] += residue


def build_document(*, team: Mapping[str, Any], member: Mapping[str, Any], month: str,
                   version: int, contract: Mapping[str, Any],
                   entries: Sequence[Mapping[str, Any]],
                   paid_absence: Sequence[Mapping[str, Any]] = (),
                   absences: Sequence[Mapping[str, Any]] = (),
                   budgets: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The month document: JSON-ready, strings for every decimal (RFC 8785 has no decimals).

    ``entries`` are finished time entries with a resolved ``budget_id`` ("" for none);
    ``paid_absence`` planned shifts that became paid absence (with ``budget_id``);
    ``absences`` the absence records touching the month; ``budgets`` id → {name,
    cost_center, funder_id, funder}.
    """
    budgets = budgets or {}
    tz, state = team.get("tz") or "Europe/Berlin", team.get("state") or "NW"
    first = date.fromisoformat(month + "-01")
    terms = contract_terms(contract)
    rates = surcharge_rates(terms, first)
    shifts = [_shift(e, f"entries[{i}]") for i, e in enumerate(entries)]
    # No hour is paid twice: paid absence keeps only the planned time nobody worked.
    kept = unworked([_shift(s, f"paid_absence[{i}]") for i, s in enumerate(paid_absence)],
                    shifts)
    paid_absence = [{**paid_absence[i], "start": wall(w.start), "end": wall(w.end)}
                    for i, w in kept]
    absent = [w for _, w in kept]
    overlaps = overlap_warnings([Absence(date.fromisoformat(a["start_date"]),
                                         date.fromisoformat(a["end_date"]), a["kind"])
                                 for a in absences], shifts)
    total = month_result(shifts, terms, tz, state, paid_absence=absent, month=first)

    groups = sorted({e["budget_id"] or NO_BUDGET for e in (*entries, *paid_absence)})
    lines: list[dict[str, Any]] = []
    for bid in groups:
        g_shifts = [s for s, e in zip(shifts, entries, strict=True)
                    if (e["budget_id"] or NO_BUDGET) == bid]
        g_absent = [s for s, e in zip(absent, paid_absence, strict=True)
                    if (e["budget_id"] or NO_BUDGET) == bid]
        part = month_result(g_shifts, terms, tz, state, paid_absence=g_absent, month=first)
        lines += _group_lines(part, terms, rates, bid)
    _reconcile(lines, {"base": total.pay.base, "surcharges": total.pay.surcharges,
                       "standby": total.pay.standby, "absence": total.pay.absence})

    hours = {k: str(v) for k, v in total.hours.items()}
    hours["absence"] = str(_hours(total.absence_minutes.base))
    split = []
    for bid in groups:
        mine = [ln for ln in lines if ln["budget_id"] == bid]
        info = budgets.get(bid, {})
        split.append({
            "budget_id": bid, "name": info.get("name", ""),
            "cost_center": info.get("cost_center", ""),
            "funder_id": info.get("funder_id", ""), "funder": info.get("funder", ""),
            "hours": str(_hours(sum(ln["minutes"] for ln in mine
                                    if ln["class"] in HOUR_CLASSES))),
            "gross": str(sum((ln["amount"] for ln in mine), Decimal("0.00")))})
    return {
        "format": FORMAT,
        # Land and zone make the document self-contained: the PDF marks holidays and shows
        # signature times in the team's zone from the signed data alone.
        "team": {"id": team["id"], "name": team.get("name", ""), "state": state, "tz": tz},
        "assistant": {"id": member["id"], "name": member.get("display_name", ""),
                      "staff_number": member.get("staff_number", "")},
        "month": month,
        "version": int(version),
        "contract": {"id": contract["id"], "valid_from": contract["valid_from"],
                     "hourly_wage": str(terms.hourly_wage), "employment": terms.employment,
                     "standby_wage": str(terms.standby_wage or terms.hourly_wage),
                     "surcharges": {c: str(rates[c]) for c in SURCHARGE_CLASSES}},
        "entries": [{"id": e.get("id", ""), "start": e["start"], "end": e["end"],
                     "breaks": [{"start": b["start"], "end": b["end"]}
                                for b in e.get("breaks") or [] if b.get("end")],
                     "kind": e.get("kind") or "work",
                     "minutes": worked_minutes(e["start"], e["end"], e.get("breaks") or [],
                                               zone(tz)),
                     "note": e.get("note") or "",
                     "correction_reason": e.get("correction_reason") or "",
                     "budget_id": e["budget_id"] or NO_BUDGET}
                    for e in entries],
        "absences": [{"kind": a["kind"], "start_date": a["start_date"],
                      "end_date": a["end_date"]} for a in absences],
        "paid_absence": [{"start": s["start"], "end": s["end"], "kind": s.get("kind") or "work",
                          "budget_id": s["budget_id"] or NO_BUDGET} for s in paid_absence],
        "hours": hours,
        "pay": {"base": str(total.pay.base), "surcharges": str(total.pay.surcharges),
                "standby": str(total.pay.standby), "absence": str(total.pay.absence),
                "gross": str(total.pay.gross)},
        "minijob": None if total.minijob is None else {
            "counted": str(total.minijob.counted), "limit": f"{total.minijob.limit:.2f}"},
        "lines": [{"class": ln["class"], "budget_id": ln["budget_id"],
                   "hours": str(_hours(ln["minutes"])), "rate": _rate(ln["rate"]),
                   "amount": str(ln["amount"])} for ln in lines],
        "budgets": split,
        "warnings": [{"code": w.code, "day": w.day.isoformat() if w.day else "",
                      "message_de": w.message_de, "message_en": w.message_en}
                     for w in (*total.warnings, *overlaps)],
    }


def canonical(document: Mapping[str, Any]) -> bytes:
    """RFC 8785 bytes: the same document gives the same bytes on every machine."""
    return rfc8785.dumps(dict(document))


def document_hash(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def counter_message(doc_hash: str, assistant_sig: bytes) -> bytes:
    """What the employer signs: SHA-256(doc_hash bytes ‖ assistant signature bytes)."""
    return hashlib.sha256(bytes.fromhex(doc_hash) + assistant_sig).digest()


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Changes from ``old`` (version n-1) to ``new``: entries added, removed or changed (by
    entry id), absences, hours per class and pay. Each item: {what, key, old, new}."""
    if old is None:
        return []
    out: list[dict[str, Any]] = []
    before = {e["id"] or e["start"]: e for e in old.get("entries", [])}
    after = {e["id"] or e["start"]: e for e in new.get("entries", [])}
    for key in sorted(before.keys() | after.keys(),
                      key=lambda k: (after.get(k) or before[k])["start"]):
        a, b = before.get(key), after.get(key)
        if a != b:
            out.append({"what": "entry", "key": key, "old": a, "new": b})
    if old.get("absences") != new.get("absences"):
        out.append({"what": "absences", "key": "", "old": old.get("absences"),
                    "new": new.get("absences")})
    for section in ("hours", "pay"):
        for name in sorted(set(old.get(section, {})) | set(new.get(section, {}))):
            a, b = old.get(section, {}).get(name), new.get(section, {}).get(name)
            if a != b:
                out.append({"what": section, "key": name, "old": a, "new": b})
    return out
