"""Recorded time of the store API: the clock (on duty, breaks), entries written or corrected
by hand, a month's entries, and absences.

A layer of ``app.store.services.Services`` on top of ``Shifts``: clocking in links the shift
that is on now, and times are read in the team's zone. Signing a month is
``app.store.timesheets``; the law on the figures is ``app.store.reports``.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from app.domain.inputs import required
from app.domain.model import ABSENCE_KINDS, TimeEntry
from app.domain.timeutil import iso_date, iso_month, now_wall, worked_minutes
from app.errors import InputError
from app.store.shifts import Shifts
from app.store.store import Change, uuid7
from app.store.validation import entry_fields


class Timekeeping(Shifts):
    # ------------------------------------------------------------------ clock
    def now(self) -> str:
        return now_wall(self.store.clock(), self.tz())

    def running_entry(self, member_id: str) -> dict[str, Any] | None:
        for e in self.store.projection.rows["entry"].values():
            if e["member_id"] == member_id and e["end"] is None and not e["deleted"]:
                return dict(e)
        return None

    def clock_in(self, member_id: str, note: str = "", shift_id: str | None = None) -> str:
        """Start duty now. Links the shift of this member that is on now or starts soon."""
        self._row("member", member_id)
        if self.running_entry(member_id):
            raise InputError("error.clock.running", "clock")
        now = self.now()
        if shift_id is None:
            current = self.current_shift(member_id)
            shift_id = current["id"] if current else None
        entry_id = uuid7()
        kind = self.shift(shift_id)["kind"] if shift_id else "work"
        self.store.commit([Change("entry.clocked_in", "entry", entry_id, {
            "member_id": member_id, "start": now, "end": None, "shift_id": shift_id,
            "kind": kind, "source": "clock", "note": note, "breaks": []})])
        return entry_id

    def clock_out(self, member_id: str, note: str = "") -> str:
        entry = self.running_entry(member_id)
        if entry is None:
            raise InputError("error.clock.not_running", "clock")
        now = max(self.now(), entry["start"])
        breaks = [dict(b, end=b["end"] or now) for b in entry["breaks"]]
        fields: dict[str, Any] = {"member_id": member_id, "end": now, "breaks": breaks}
        if note:
            fields["note"] = (entry["note"] + "\n" + note).strip()
        self.store.commit([Change("entry.clocked_out", "entry", entry["id"], fields)])
        return str(entry["id"])

    def on_break(self, member_id: str) -> bool:
        entry = self.running_entry(member_id)
        return bool(entry and entry["breaks"] and entry["breaks"][-1]["end"] is None)

    def start_break(self, member_id: str) -> None:
        entry = self.running_entry(member_id)
        if entry is None:
            raise InputError("error.clock.not_running", "break")
        if self.on_break(member_id):
            raise InputError("error.break.running", "break")
        breaks = [*entry["breaks"], {"start": self.now(), "end": None}]
        self.store.commit([Change("entry.break_started", "entry", entry["id"],
                                  {"member_id": member_id, "breaks": breaks})])

    def end_break(self, member_id: str) -> None:
        entry = self.running_entry(member_id)
        if entry is None or not self.on_break(member_id):
            raise InputError("error.break.not_running", "break")
        breaks = [*entry["breaks"][:-1], dict(entry["breaks"][-1], end=self.now())]
        self.store.commit([Change("entry.break_ended", "entry", entry["id"],
                                  {"member_id": member_id, "breaks": breaks})])

    def current_shift(self, member_id: str) -> dict[str, Any] | None:
        """The member's shift that is on now, else the next one today."""
        now = self.now()
        day_end = now[:10] + "T23:59"
        for s in self.shifts_between(now[:10] + "T00:00", day_end, member_id):
            if s["end"] > now:
                return s
        return None

    # ------------------------------------------------------------------ entries
    def add_entry(self, member_id: str, start: str, end: str, reason: str,
                  breaks: list[dict[str, str]] | None = None, note: str = "",
                  kind: str = "work", shift_id: str | None = None) -> str:
        """A manual entry: forgotten clock-in, paper timesheet. Needs a reason."""
        self._row("member", member_id)
        fields = entry_fields(start, end, breaks or [], required(reason, "reason"))
        entry_id = uuid7()
        self.store.commit([Change("entry.added", "entry", entry_id, {
            "member_id": member_id, **fields, "note": note, "kind": kind,
            "shift_id": shift_id, "source": "manual"})])
        return entry_id

    def correct_entry(self, entry_id: str, reason: str, **fields: Any) -> None:
        row = self._row("entry", entry_id)
        merged = {**row, **fields}
        checked = entry_fields(merged["start"], merged["end"], merged["breaks"],
                               required(reason, "reason"))
        self.store.commit([Change("entry.corrected", "entry", entry_id, {
            "member_id": row["member_id"],
            **{k: checked[k] for k in ("start", "end", "breaks") if k in fields},
            **{k: v for k, v in fields.items() if k not in ("start", "end", "breaks")},
            "correction_reason": checked["correction_reason"]})])

    def delete_entry(self, entry_id: str, reason: str) -> None:
        row = self._row("entry", entry_id)
        self.store.commit([Change("entry.deleted", "entry", entry_id, {
            "member_id": row["member_id"], "deleted": True,
            "correction_reason": required(reason, "reason")})])

    def month_entries(self, member_id: str, month: str) -> list[dict[str, Any]]:
        iso_month(month)
        query = (select(TimeEntry)
                 .where(TimeEntry.member_id == member_id, col(TimeEntry.start) >= month,
                        col(TimeEntry.start) < month + "-32", col(TimeEntry.deleted).is_(False))
                 .order_by(TimeEntry.start))
        tz = self.tz()
        self.store.projection.need(month, month)  # an archived (signed) month comes back
        with self.store.projection.session() as session:
            entries = [e.model_dump() for e in session.exec(query)]
        for e in entries:
            e["minutes"] = (worked_minutes(e["start"], e["end"], e["breaks"], tz)
                            if e["end"] else None)
        return entries

    def month_summary(self, member_id: str, month: str) -> dict[str, Any]:
        entries = self.month_entries(member_id, month)
        minutes = sum(e["minutes"] or 0 for e in entries)
        return {"member": self.member(member_id)["display_name"], "month": month,
                "entries": entries, "hours": f"{minutes / 60:.2f}"}

    # ------------------------------------------------------------------ absences
    def record_absence(self, member_id: str, kind: str, start_date: str, end_date: str,
                       note: str = "") -> str:
        self._row("member", member_id)
        if kind not in ABSENCE_KINDS:
            raise InputError("error.absence.kind", "kind", kind=kind)
        if iso_date(end_date, "end_date") < iso_date(start_date, "start_date"):
            raise InputError("error.limits.end_before_start", "end_date")
        aid = uuid7()
        self.store.commit([Change("absence.recorded", "absence", aid, {
            "member_id": member_id, "kind": kind, "start_date": start_date,
            "end_date": end_date, "note": note})])
        return aid

    def absences(self, member_id: str | None = None) -> list[dict[str, Any]]:
        return sorted((dict(a) for a in self.store.projection.rows["absence"].values()
                       if not a["deleted"] and member_id in (None, a["member_id"])),
                      key=lambda a: a["start_date"])
