"""The store API: what views, the CLI and tests call (STYLE.md #3). No SQL outside here.

Every method validates its input (``InputError`` naming the field), turns the request into
``Change``s, and lets ``Store.commit`` make them durable and fold them. Reads return plain
dicts, so a view never holds a live database object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import col, select

from app.domain import limits
from app.domain.inputs import required
from app.domain.model import (
    ABSENCE_KINDS,
    EMPLOYMENT_KINDS,
    ROLES,
    SHIFT_KINDS,
    Shift,
    TimeEntry,
)
from app.domain.timeutil import (
    iso_date,
    iso_month,
    now_wall,
    parse_wall,
    require_order,
    wall,
    worked_minutes,
)
from app.errors import InputError, NotFound
from app.store.store import Change, Store, uuid7

STATES = ("BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST",
          "SH", "TH")


class Services:
    """One object per open store; the composition root passes it to views and commands."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ------------------------------------------------------------------ team and members
    def create_team(self, name: str, employer_name: str, state: str = "NW",
                    tz: str = "Europe/Berlin", short_name: str = "") -> str:
        """Found a team on this device; this device's owner becomes its employer."""
        store = self.store
        if store.projection.rows["team"]:
            raise InputError("error.team.exists", "team")
        name, employer_name = required(name, "name"), required(employer_name, "employer_name")
        _check_state(state)
        _check_tz(tz)
        team_id, member_id = uuid7(), uuid7()
        store.set_identity(team_id, member_id)
        for scope in ("team", "employer", f"member:{member_id}"):
            store.new_scope_key(scope)
        ring = store.ring
        store.commit([
            Change("device.added", "device", store.device_id,
                   {"member_id": member_id, "sign_pub": ring.signing.public.hex(),
                    "dh_pub": ring.exchange.public.hex(), "label": "Gerät 1"}),
            Change("member.added", "member", member_id,
                   {"role": "employer", "active": True, "display_name": employer_name}),
            Change("team.created", "team", team_id,
                   {"name": name, "short_name": short_name or employer_name.split()[0],
                    "state": state, "tz": tz}),
        ])
        return team_id

    def update_team(self, **fields: Any) -> None:
        if "state" in fields:
            _check_state(fields["state"])
        if "tz" in fields:
            _check_tz(fields["tz"])
        if "holder_address" in fields:
            fields["holder_address"] = _address(fields["holder_address"])
        self.store.commit([Change("team.updated", "team", self.team()["id"], fields)])

    def team(self) -> dict[str, Any]:
        teams = list(self.store.projection.rows["team"].values())
        if not teams:
            raise NotFound("error.team.none")
        return dict(teams[0])

    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.team()["tz"])

    def add_member(self, name: str, role: str = "assistant", staff_number: str = "",
                   preferences: str = "") -> str:
        name = required(name, "name")
        if role not in ROLES:
            raise InputError("error.member.role", "role", role=role)
        if any(m["display_name"] == name for m in self.members()):
            raise InputError("error.member.name_taken", "name", name=name)
        member_id = uuid7()
        self.store.new_scope_key(f"member:{member_id}")
        self.store.commit([Change("member.added", "member", member_id, {
            "role": role, "active": True, "display_name": name,
            "staff_number": staff_number, "preferences": preferences})])
        return member_id

    def update_member(self, member_id: str, **fields: Any) -> None:
        self._row("member", member_id)
        if "role" in fields and fields["role"] not in ROLES:
            raise InputError("error.member.role", "role", role=fields["role"])
        self.store.commit([Change("member.updated", "member", member_id, fields)])

    def members(self, role: str | None = None, include_inactive: bool = False
                ) -> list[dict[str, Any]]:
        rows = [dict(m) for m in self.store.projection.rows["member"].values()
                if not m["deleted"] and (include_inactive or m["active"])
                and (role is None or m["role"] == role)]
        return sorted(rows, key=lambda m: (ROLES.index(m["role"]), m["display_name"]))

    def member(self, member_id: str) -> dict[str, Any]:
        return dict(self._row("member", member_id))

    def member_by_name(self, name: str) -> dict[str, Any]:
        wanted = name.strip().casefold()
        for m in self.members(include_inactive=True):
            if m["display_name"].casefold() == wanted or m["id"] == name:
                return m
        raise NotFound("error.member.unknown", name=name)

    def me(self) -> dict[str, Any]:
        return self.member(self.store.acting_member)

    # ------------------------------------------------------------------ contracts and budgets
    def set_contract(self, member_id: str, valid_from: str, hourly_wage: str,
                     employment: str = "part_time", weekly_hours: str = "0",
                     contract_id: str | None = None, **extra: Any) -> str:
        self._row("member", member_id)
        if employment not in EMPLOYMENT_KINDS:
            raise InputError("error.contract.employment", "employment",
                             employment=employment)
        limits.parse_amount(hourly_wage, "hourly_wage", limits.MAX_WAGE)
        if extra.get("standby_wage") not in (None, ""):
            limits.parse_amount(extra["standby_wage"], "standby_wage", limits.MAX_WAGE)
        for name, rate in (extra.get("surcharges") or {}).items():
            limits.parse_amount(rate, f"surcharges.{name}", limits.MAX_RATE)
        iso_date(valid_from, "valid_from")
        cid = contract_id or uuid7()
        fields = {"member_id": member_id, "valid_from": valid_from, "hourly_wage": hourly_wage,
                  "employment": employment, "weekly_hours": weekly_hours, **extra}
        self.store.commit([Change("contract.set", "contract", cid, fields)])
        return cid

    def contract_on(self, member_id: str, day: str) -> dict[str, Any] | None:
        """The contract valid on ``day`` ('YYYY-MM-DD'): latest valid_from not after it."""
        valid = [c for c in self.store.projection.rows["contract"].values()
                 if c["member_id"] == member_id and not c["deleted"] and c["valid_from"] <= day
                 and (not c["valid_to"] or c["valid_to"] >= day)]
        return dict(max(valid, key=lambda c: c["valid_from"])) if valid else None

    def contracts(self, member_id: str) -> list[dict[str, Any]]:
        return sorted((dict(c) for c in self.store.projection.rows["contract"].values()
                       if c["member_id"] == member_id and not c["deleted"]),
                      key=lambda c: c["valid_from"])

    def add_funder(self, name: str, reference: str = "") -> str:
        fid = uuid7()
        self.store.commit([Change("funder.set", "funder", fid,
                                  {"name": required(name, "name"), "reference": reference})])
        return fid

    def add_budget(self, funder_id: str, name: str, monthly_amount: str, valid_from: str,
                   valid_to: str | None = None, support_kind: str = "",
                   cost_center: str = "") -> str:
        self._row("funder", funder_id)
        limits.parse_amount(monthly_amount, "monthly_amount")
        iso_date(valid_from, "valid_from")
        bid = uuid7()
        self.store.commit([Change("budget.set", "budget", bid, {
            "funder_id": funder_id, "name": required(name, "name"),
            "monthly_amount": monthly_amount, "valid_from": valid_from, "valid_to": valid_to,
            "support_kind": support_kind, "cost_center": cost_center})])
        return bid

    def funders(self) -> list[dict[str, Any]]:
        return [dict(f) for f in self.store.projection.rows["funder"].values()
                if not f["deleted"]]

    def budgets(self) -> list[dict[str, Any]]:
        return sorted((dict(b) for b in self.store.projection.rows["budget"].values()
                       if not b["deleted"]), key=lambda b: b["name"])

    # ------------------------------------------------------------------ shifts
    def plan_shift(self, start: str, end: str, kind: str = "work",
                   assignee_id: str | None = None, **extra: Any) -> str:
        return self.plan_shifts([{"start": start, "end": end, "kind": kind,
                                  "assignee_id": assignee_id, **extra}])[0]

    def plan_shifts(self, shifts: Iterable[dict[str, Any]]) -> list[str]:
        """Plan many shifts in one transaction (a recurring week, a copied week)."""
        changes, ids = [], []
        for i, spec in enumerate(shifts):
            fields = self._shift_fields(spec, f"shifts[{i}]")
            sid = spec.get("id") or uuid7()
            changes.append(Change("shift.planned", "shift", sid, fields))
            ids.append(sid)
        self.store.commit(changes)
        return ids

    def _shift_fields(self, spec: dict[str, Any], where: str) -> dict[str, Any]:
        start = parse_wall(spec["start"], f"{where}.start")
        end = parse_wall(spec["end"], f"{where}.end")
        require_order(start, end, f"{where}.end")
        kind = spec.get("kind", "work")
        if kind not in SHIFT_KINDS:
            raise InputError("error.shift.kind", f"{where}.kind", kind=kind)
        if spec.get("assignee_id"):
            self._row("member", spec["assignee_id"])
        fields = {k: v for k, v in spec.items() if k != "id"}
        fields.update(start=wall(start), end=wall(end), kind=kind, status="planned")
        return fields

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
        self.store.projection.need(_month_before(start), end)
        with self.store.projection.session() as session:
            return [s.model_dump() for s in session.exec(query.order_by(Shift.start))]

    def shift(self, shift_id: str) -> dict[str, Any]:
        return dict(self._row("shift", shift_id))

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
        fields = self._entry_fields(start, end, breaks or [], required(reason, "reason"))
        entry_id = uuid7()
        self.store.commit([Change("entry.added", "entry", entry_id, {
            "member_id": member_id, **fields, "note": note, "kind": kind,
            "shift_id": shift_id, "source": "manual"})])
        return entry_id

    def correct_entry(self, entry_id: str, reason: str, **fields: Any) -> None:
        row = self._row("entry", entry_id)
        merged = {**row, **fields}
        checked = self._entry_fields(merged["start"], merged["end"], merged["breaks"],
                                     required(reason, "reason"))
        self.store.commit([Change("entry.corrected", "entry", entry_id, {
            "member_id": row["member_id"],
            **{k: checked[k] for k in ("start", "end", "breaks") if k in fields},
            **{k: v for k, v in fields.items() if k not in ("start", "end", "breaks")},
            "correction_reason": checked["correction_reason"]})])

    def _entry_fields(self, start: str, end: str | None, breaks: list[dict[str, Any]],
                      reason: str) -> dict[str, Any]:
        s = parse_wall(start, "start")
        if end is None:
            raise InputError("error.entry.needs_end", "end")
        e = parse_wall(end, "end")
        require_order(s, e)
        clean = []
        for i, b in enumerate(breaks):
            bs, be = parse_wall(b["start"], f"breaks[{i}].start"), parse_wall(
                b["end"], f"breaks[{i}].end")
            require_order(bs, be, f"breaks[{i}].end")
            if bs < s or be > e:
                raise InputError("error.entry.break_outside", f"breaks[{i}]")
            clean.append({"start": wall(bs), "end": wall(be)})
        return {"start": wall(s), "end": wall(e), "breaks": clean, "correction_reason": reason}

    def delete_entry(self, entry_id: str, reason: str) -> None:
        row = self._row("entry", entry_id)
        self.store.commit([Change("entry.deleted", "entry", entry_id, {
            "member_id": row["member_id"], "deleted": True, "correction_reason": required(reason, "reason")})])

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

    # ------------------------------------------------------------------ helpers
    def _row(self, entity: str, entity_id: str | None) -> dict[str, Any]:
        row = self.store.projection.get(entity, entity_id or "")
        if row is None or row.get("deleted"):
            raise NotFound("error.not_found", entity=entity, id=entity_id)
        return row


def _month_before(start: str) -> str:
    """'YYYY-MM' of the month before ``start`` (any ISO date or time); '' when not a date."""
    try:
        year, month = int(start[:4]), int(start[5:7])
    except ValueError:
        return ""
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def _address(value: Any) -> str:
    """A postal address: up to four lines, 300 characters (it is printed on one PDF line)."""
    text = "\n".join(line.strip() for line in str(value or "").strip().splitlines())
    if len(text) > 300 or text.count("\n") > 3:
        raise InputError("error.team.address", "holder_address")
    return text


def _check_state(state: str) -> None:
    if state not in STATES:
        raise InputError("error.team.state", "state", state=state)


def _check_tz(tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise InputError("error.team.tz", "tz", tz=tz) from err

