"""Signed monthly timesheets: month close, signatures, states and versions (issue #5).

    submit(services, member_id, month)            draft → submitted (assistant signs)
    approve(services, member_id, month, comment)  submitted → approved (employer/proxy)
    reject(services, member_id, month, comment)   submitted → rejected
    reopen(services, member_id, month, comment)   approved/exported → new draft version n+1
    mark_exported(services, member_id, month)     approved → exported
    document_for(services, member_id, month)      the draft document (not stored)
    bundle(services, member_id, month)            the signed bundle (dict) for exports
    version_diff(services, member_id, month)      latest version against the one before

Every version is its own ``timesheet`` row; reopening never touches version n, so its
signatures stay verifiable. The projection locks entries of an approved or exported month
(``projection._month_locked``); ``Store.commit`` refuses such ops before writing. What is
signed is defined in ``app.domain.timesheet``; the bundle layout in ``app.exports.bundle``.

Writes are made *as* the member concerned (``store.acting_as``), so the op's author is the
assistant for a submission and the employer or proxy for a countersignature; the rights in
``app.domain.rights`` then apply exactly as they would on that person's own device.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date
from typing import Any

from app.domain import timesheet as ts
from app.domain.absences import Absence, split_absences
from app.domain.timeutil import iso_month, month_bounds, parse_wall
from app.domain.worktime import WorkShift
from app.errors import InputError, NotFound, PermissionDenied
from app.store.crypto import SigningKey, verify_signature
from app.store.services import Services
from app.store.store import Change, uuid7

OPEN_STATUSES = ("draft", "rejected")
# Model absence kinds → kinds of app.domain.absences; "other" is unpaid leave.
PAID_ABSENCE_KINDS = {"vacation": "vacation", "sick": "sick"}


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _stamp(services: Services) -> str:
    """UTC time of a signature, to the second: '2026-05-02T09:15:00Z'."""
    return services.store.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------- reading
def versions(services: Services, member_id: str, month: str) -> list[dict[str, Any]]:
    """All versions of a member's month, oldest first."""
    services.store.projection.need(month, month)  # a signed month's documents come back
    return sorted((dict(r) for r in services.store.projection.rows["timesheet"].values()
                   if r["member_id"] == member_id and r["month"] == month
                   and not r["deleted"]), key=lambda r: r["version"])


def latest(services: Services, member_id: str, month: str) -> dict[str, Any] | None:
    rows = versions(services, member_id, month)
    return rows[-1] if rows else None


def status(services: Services, member_id: str, month: str) -> str:
    row = latest(services, member_id, month)
    return row["status"] if row else "draft"


def _month_range(month: str) -> tuple[str, str, date, date]:
    first, nxt = month_bounds(iso_month(month))
    return first.isoformat() + "T00:00", nxt.isoformat() + "T00:00", first, nxt


def _contract(services: Services, member_id: str, month: str) -> dict[str, Any]:
    _, _, first, nxt = _month_range(month)
    contract = services.contract_on(member_id, first.isoformat())
    if contract is None:  # a contract that starts during the month
        inside = [c for c in services.contracts(member_id) if c["valid_from"] < nxt.isoformat()]
        contract = inside[-1] if inside else None
    if contract is None:
        raise InputError("error.timesheet.no_contract", "contract", month=month)
    return contract


def month_inputs(services: Services, member_id: str, month: str) -> dict[str, Any]:
    """The rows ``app.domain.timesheet.build_document`` needs, except the version."""
    start, end, first, nxt = _month_range(month)
    member = services.member(member_id)
    contract = _contract(services, member_id, month)
    default_budget = contract.get("default_budget_id") or ""
    shifts = services.store.projection.rows["shift"]
    entries = []
    for e in services.month_entries(member_id, month):
        if e["end"] is None:
            raise InputError("error.timesheet.still_on_duty", "entries",
                             name=member["display_name"], since=e["start"])
        shift = shifts.get(e["shift_id"] or "") or {}
        entries.append({**e, "budget_id": shift.get("budget_id") or default_budget})
    records = [a for a in services.absences(member_id)
               if a["start_date"] < nxt.isoformat() and a["end_date"] >= first.isoformat()]
    paid = [Absence(date.fromisoformat(a["start_date"]), date.fromisoformat(a["end_date"]),
                    PAID_ABSENCE_KINDS[a["kind"]])
            for a in records if a["kind"] in PAID_ABSENCE_KINDS]
    planned = services.shifts_between(start, end, member_id)
    by_shift = {}
    for s in planned:
        if s["start"] >= start:
            ws = WorkShift(parse_wall(s["start"], "start"), parse_wall(s["end"], "end"),
                           s["kind"])
            by_shift[ws] = s
    employed_since = date.fromisoformat(min(c["valid_from"]
                                            for c in services.contracts(member_id)))
    split = split_absences(list(by_shift), paid, employed_since) if paid else None
    paid_absence = [{"start": by_shift[w]["start"], "end": by_shift[w]["end"],
                     "kind": w.kind, "budget_id": by_shift[w]["budget_id"] or default_budget}
                    for w in (split.paid if split else ())]
    funders = {f["id"]: f for f in services.funders()}
    budgets = {b["id"]: {**b, "funder": funders.get(b["funder_id"], {}).get("name", "")}
               for b in services.budgets()}
    return {"team": services.team(), "member": member, "month": month, "contract": contract,
            "entries": entries, "paid_absence": paid_absence, "absences": records,
            "budgets": budgets}


def document_for(services: Services, member_id: str, month: str,
                 version: int | None = None) -> dict[str, Any]:
    """The document the month would be signed as now (the draft)."""
    if version is None:
        row = latest(services, member_id, month)
        version = 1 if row is None else (row["version"] if row["status"] == "draft"
                                         else row["version"] + 1)
    return ts.build_document(version=version, **month_inputs(services, member_id, month))


def stored_document(row: dict[str, Any]) -> dict[str, Any] | None:
    return json.loads(row["document"]) if row.get("document") else None


def version_diff(services: Services, member_id: str, month: str) -> list[dict[str, Any]]:
    """What the latest version changes against the one before (empty for version 1)."""
    rows = versions(services, member_id, month)
    if not rows:
        return []
    current = stored_document(rows[-1]) or document_for(services, member_id, month)
    earlier = [stored_document(r) for r in rows[:-1] if r.get("document")]
    return ts.diff(earlier[-1] if earlier else None, current)


# ---------------------------------------------------------------------------- writing
def _role(services: Services, member_id: str) -> str:
    return str(services.member(member_id)["role"])


def _actor(services: Services, by: str | None, allowed: tuple[str, ...], what: str) -> str:
    actor = by or services.store.acting_member
    role = _role(services, actor)
    if role not in allowed:
        raise PermissionDenied("error.timesheet.role", role=role, what=what)
    return actor


def _require(row: dict[str, Any] | None, statuses: tuple[str, ...], month: str,
             what: str) -> dict[str, Any]:
    current = row["status"] if row else "draft"
    if row is None or current not in statuses:
        raise InputError("error.timesheet.status", "status", month=month, current=current,
                         what=what, statuses=" / ".join(statuses))
    return row


def submit(services: Services, member_id: str, month: str, *,
           signer: SigningKey | None = None, device_id: str | None = None) -> dict[str, Any]:
    """The assistant signs the month. ``signer``/``device_id`` default to this device."""
    month = iso_month(month)
    if _role(services, member_id) != "assistant":
        raise InputError("error.timesheet.only_assistants", "member")
    signer = signer or services.store.ring.signing
    device_id = device_id or services.store.device_id
    device = services.store.projection.get("device", device_id)
    if device is None or device.get("revoked") or device["sign_pub"] != signer.public.hex():
        raise PermissionDenied("error.timesheet.device")
    row = latest(services, member_id, month)
    if row is not None and row["status"] not in OPEN_STATUSES:
        raise InputError("error.timesheet.already", "status", month=month,
                         status=row["status"])
    reuse = row is not None and row["status"] == "draft"
    version = row["version"] if reuse and row else (row["version"] + 1 if row else 1)
    document = document_for(services, member_id, month, version)
    doc_hash = ts.document_hash(document)
    signature = signer.sign(bytes.fromhex(doc_hash))
    sheet_id = row["id"] if reuse and row else uuid7()
    fields = {"member_id": member_id, "month": month, "version": version,
              "status": "submitted", "document": ts.canonical(document).decode("utf-8"),
              "doc_hash": doc_hash, "assistant_sig": _b64(signature),
              "assistant_device": device_id, "signed_at": _stamp(services)}
    with services.store.acting_as(member_id):
        services.store.commit([Change("timesheet.submitted", "timesheet", sheet_id, fields)])
    return dict(services.store.projection.rows["timesheet"][sheet_id])


def approve(services: Services, member_id: str, month: str, comment: str = "", *,
            by: str | None = None, signer: SigningKey | None = None,
            device_id: str | None = None) -> dict[str, Any]:
    """The employer or a proxy countersigns the assistant's signed hash."""
    month = iso_month(month)
    actor = _actor(services, by, ("employer", "proxy"), "error.action.approve")
    row = _require(latest(services, member_id, month), ("submitted",), month, "error.action.approve_short")
    signer = signer or services.store.ring.signing
    device_id = device_id or services.store.device_id
    assistant_sig = _unb64(row["assistant_sig"])
    device = services.store.projection.get("device", row["assistant_device"]) or {}
    if not verify_signature(bytes.fromhex(device.get("sign_pub", "") or "00"), assistant_sig,
                            bytes.fromhex(row["doc_hash"])):
        raise InputError("error.timesheet.bad_signature", "assistant_sig")
    counter = signer.sign(ts.counter_message(row["doc_hash"], assistant_sig))
    employer = services.members("employer")
    fields = {"status": "approved", "counter_sig": _b64(counter), "counter_device": device_id,
              "counter_member": actor, "countersigned_at": _stamp(services),
              "on_behalf_of": (employer[0]["id"] if employer and _role(services, actor) == "proxy"
                               else ""), "comment": comment}
    with services.store.acting_as(actor):
        services.store.commit([Change("timesheet.approved", "timesheet", row["id"], fields)])
    return dict(services.store.projection.rows["timesheet"][row["id"]])


def reject(services: Services, member_id: str, month: str, comment: str, *,
           by: str | None = None) -> dict[str, Any]:
    """Send a submitted month back, with a comment saying why."""
    month = iso_month(month)
    if not (comment or "").strip():
        raise InputError("error.timesheet.reason", "comment")
    actor = _actor(services, by, ("employer", "proxy"), "error.action.reject")
    row = _require(latest(services, member_id, month), ("submitted",), month, "error.action.reject_short")
    with services.store.acting_as(actor):
        services.store.commit([Change("timesheet.rejected", "timesheet", row["id"],
                                      {"status": "rejected", "comment": comment.strip(),
                                       "counter_member": actor})])
    return dict(services.store.projection.rows["timesheet"][row["id"]])


def reopen(services: Services, member_id: str, month: str, comment: str = "", *,
           by: str | None = None) -> dict[str, Any]:
    """Unlock an approved month: a new draft version n+1; version n keeps its signatures."""
    month = iso_month(month)
    actor = _actor(services, by, ("employer", "proxy"), "error.action.reopen")
    row = _require(latest(services, member_id, month), ("approved", "exported"), month,
                   "error.action.reopen_short")
    sheet_id = uuid7()
    # Version n becomes "reopened" (its document and signatures stay as they are): the
    # projection locks a month while any version is approved or exported.
    with services.store.acting_as(actor):
        services.store.commit([
            Change("timesheet.reopened", "timesheet", row["id"], {"status": "reopened"}),
            Change("timesheet.reopened", "timesheet", sheet_id, {
                "member_id": member_id, "month": month, "version": row["version"] + 1,
                "status": "draft", "comment": comment})])
    return dict(services.store.projection.rows["timesheet"][sheet_id])


def mark_exported(services: Services, member_id: str, month: str, *,
                  by: str | None = None) -> dict[str, Any]:
    """Payroll (or the employer) has taken over the approved month."""
    month = iso_month(month)
    actor = _actor(services, by, ("employer", "proxy", "payroll"), "error.action.export")
    row = _require(latest(services, member_id, month), ("approved",), month, "error.action.export_short")
    with services.store.acting_as(actor):
        services.store.commit([Change("timesheet.exported", "timesheet", row["id"],
                                      {"status": "exported"})])
    return dict(services.store.projection.rows["timesheet"][row["id"]])


# ---------------------------------------------------------------------------- bundle
def signed_row(services: Services, member_id: str, month: str,
               version: int | None = None) -> dict[str, Any]:
    """The latest signed version (or the asked one)."""
    rows = [r for r in versions(services, member_id, month) if r["assistant_sig"]]
    if version is not None:
        rows = [r for r in rows if r["version"] == version]
    if not rows:
        name = services.member(member_id)["display_name"]
        raise NotFound("error.timesheet.not_signed", name=name, month=month)
    return rows[-1]


def bundle(services: Services, member_id: str, month: str,
           version: int | None = None) -> dict[str, Any]:
    """The signed bundle: everything needed to verify the month offline."""
    from app.exports.bundle import make_bundle

    row = signed_row(services, member_id, month, version)
    proj = services.store.projection
    people = {member_id, row["counter_member"], row["on_behalf_of"],
              *(m["id"] for m in services.members("employer"))} - {""}
    devices = {row["assistant_device"], row["counter_device"]} - {""}
    members = {m: dict(proj.rows["member"][m]) for m in people if m in proj.rows["member"]}
    return make_bundle(row, members, {d: dict(proj.rows["device"][d]) for d in devices
                                      if d in proj.rows["device"]})


def assistants(services: Services) -> list[dict[str, Any]]:
    return services.members("assistant")

