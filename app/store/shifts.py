"""Shifts of the store API: plan (one or many in one transaction), change, cancel, read.

A layer of ``app.store.services.Services`` on top of ``MasterData`` (an assignee must be a
member). Recurring plans, copied weeks, needs and templates build on it in
``app.store.planning``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import col, select

from app.domain.model import Shift
from app.domain.timeutil import month_before, parse_wall, require_order, wall
from app.store import validation
from app.store.masterdata import MasterData
from app.store.store import Change, uuid7


class Shifts(MasterData):
    def plan_shift(self, start: str, end: str, kind: str = "work",
                   assignee_id: str | None = None, **extra: Any) -> str:
        return self.plan_shifts([{"start": start, "end": end, "kind": kind,
                                  "assignee_id": assignee_id, **extra}])[0]

    def plan_shifts(self, shifts: Iterable[dict[str, Any]]) -> list[str]:
        """Plan many shifts in one transaction (a recurring week, a copied week)."""
        changes, ids = [], []
        for i, spec in enumerate(shifts):
            fields = validation.shift_fields(spec, f"shifts[{i}]")
            if spec.get("assignee_id"):
                self._row("member", spec["assignee_id"])
            sid = spec.get("id") or uuid7()
            changes.append(Change("shift.planned", "shift", sid, fields))
            ids.append(sid)
        self.store.commit(changes)
        return ids

    def update_shift(self, shift_id: str, **fields: Any) -> None:
        row = self._row("shift", shift_id)
        merged = {**row, **fields}
        start, end = parse_wall(merged["start"], "start"), parse_wall(merged["end"], "end")
        require_order(start, end)
        if "start" in fields:
            fields["start"] = wall(start)
        if "end" in fields:
            fields["end"] = wall(end)
        self.store.commit([Change("shift.updated", "shift", shift_id, fields)])

    def cancel_shift(self, shift_id: str) -> None:
        self._row("shift", shift_id)
        self.store.commit([Change("shift.cancelled", "shift", shift_id, {"status": "cancelled"})])

    def shifts_between(self, start: str, end: str, member_id: str | None = None,
                       include_cancelled: bool = False) -> list[dict[str, Any]]:
        """Shifts that overlap [start, end), sorted by start."""
        query = select(Shift).where(col(Shift.start) < end, col(Shift.end) > start,
                                    col(Shift.deleted).is_(False))
        if member_id is not None:
            query = query.where(Shift.assignee_id == member_id)
        if not include_cancelled:
            query = query.where(Shift.status != "cancelled")
        # Archived (signed) months come back first; a night shift of the month before
        # may reach into the range.
        self.store.projection.need(month_before(start), end)
        with self.store.projection.session() as session:
            return [s.model_dump() for s in session.exec(query.order_by(Shift.start))]

    def shift(self, shift_id: str) -> dict[str, Any]:
        return dict(self._row("shift", shift_id))
