"""How the team coordinates around the plan: requests (claim an open shift, offer a swap,
ask for a correction) and the employer's decisions on them, handover notes, availability.

Every function takes a ``Services``, validates input (``InputError`` naming the field) and
writes through ``store.commit`` like ``Services`` itself does.
"""

from __future__ import annotations

from typing import Any

from app.domain.inputs import required
from app.errors import InputError
from app.store.services import Services
from app.store.store import Change, uuid7
from app.store.validation import entry_fields

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
    s = entry_fields(start, end, [], "-")  # same checks as an entry: order, format
    aid = uuid7()
    services.store.commit([Change("availability.set", "availability", aid, {
        "member_id": member_id, "start": s["start"], "end": s["end"], "available": available,
        "note": note})])
    return aid


def availability(services: Services, member_id: str | None = None) -> list[dict[str, Any]]:
    rows = [dict(a) for a in services.store.projection.rows["availability"].values()
            if not a["deleted"] and member_id in (None, a["member_id"])]
    return sorted(rows, key=lambda a: a["start"])
