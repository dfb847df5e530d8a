"""Who may write what (DESIGN.md, "Who uses it"), checked for every op when folding.

The employer and a proxy may do everything. An assistant writes only what is theirs: own
time entries, absences, availability, requests, handover notes, the signature on their own
timesheet, and their own display name. Payroll only marks timesheets as exported.
An op that fails this check is rejected and logged, never folded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.ops import OWNED_BY, Op

ASSISTANT_TIMESHEET_FIELDS = frozenset(
    {"member_id", "month", "version", "status", "document", "doc_hash", "assistant_sig",
     "assistant_device", "signed_at"}
)
PAYROLL_TIMESHEET_FIELDS = frozenset({"status"})
REQUEST_DECISION_FIELDS = frozenset({"status", "decided_by", "decision_comment"})


def may_write(role: str | None, op: Op, row: Mapping[str, Any] | None) -> bool:
    """True when a member with ``role`` may apply ``op`` to the current ``row`` (None: new)."""
    if role in ("employer", "proxy"):
        return True
    if role == "assistant":
        return _assistant_may(op, row)
    if role == "payroll":
        return (op.entity == "timesheet" and row is not None
                and set(op.fields) <= PAYROLL_TIMESHEET_FIELDS
                and op.fields.get("status") == "exported")
    return False


def _assistant_may(op: Op, row: Mapping[str, Any] | None) -> bool:
    if op.entity == "member":
        return op.entity_id == op.author and set(op.fields) <= {"display_name"}
    owner_field = OWNED_BY.get(op.entity)
    if owner_field is None:
        return False
    # Owned ops always name their owner, so the check does not depend on whether the row
    # arrived yet: replicas that fold in different orders decide alike.
    if op.fields.get(owner_field) != op.author:
        return False
    if row is not None and row.get(owner_field) not in (op.author, "", None):
        return False
    if op.entity == "timesheet":
        return set(op.fields) <= ASSISTANT_TIMESHEET_FIELDS and op.fields.get(
            "status", "submitted") in ("draft", "submitted")
    if op.entity == "request" and row is not None:
        return not (set(op.fields) & REQUEST_DECISION_FIELDS)
    return True
