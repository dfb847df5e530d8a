"""Calendar reads and writes on top of ``Services``: revision numbers of shifts, the
employer's opt-in for details in feeds, and the employer's imported appointments.

Kept out of ``app/store/services.py`` so the calendar is one folder; like Services, every
method returns plain dicts and writes only through ``store.commit``.
"""

from __future__ import annotations

from typing import Any

from app.domain.hlc import physical_ms
from app.domain.model import Shift, columns_of
from app.errors import NotFound, PermissionDenied
from app.store.services import Services
from app.store.store import Change

SHIFT_FIELDS = tuple(c for c in columns_of(Shift) if c != "id")
MANAGERS = ("employer", "proxy")


class CalendarService:
    def __init__(self, services: Services) -> None:
        self.services = services

    # ------------------------------------------------------------------ who is asking
    def viewer_role(self) -> str | None:
        return self.services.store.projection.role_of(self.services.store.acting_member)

    def require_manager(self, what: str) -> None:
        if self.viewer_role() not in MANAGERS:
            raise PermissionDenied("error.calendar.managers", what=what)

    # ------------------------------------------------------------------ shift revisions
    def revision(self, shift_id: str) -> tuple[int, int]:
        """(SEQUENCE, ms of the latest change) of a shift, from its folded op history.

        Every accepted op on the shift (planned, updated, cancelled, claimed…) left one
        version per field it set, stamped with its (hlc, device). The number of distinct
        stamps minus one is how often the shift changed after planning: deterministic on
        every replica that folded the same ops, whatever order they came in.
        """
        history = self.services.store.projection.history_of("shift", shift_id)
        stamps = {(v.hlc, v.device) for name in SHIFT_FIELDS for v in history.get(name, ())}
        if not stamps:
            return 0, 0
        return len(stamps) - 1, physical_ms(max(stamps)[0])

    def with_revisions(self, shifts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for shift in shifts:
            sequence, modified = self.revision(shift["id"])
            out.append({**shift, "sequence": sequence, "modified_ms": modified})
        return out

    # ------------------------------------------------------------------ opt-in
    def details_enabled(self) -> bool:
        return bool(self.services.team().get("calendar_details"))

    def set_details(self, enabled: bool) -> None:
        """The employer decides whether feeds show location and instructions."""
        self.require_manager("error.action.calendar_details")
        self.services.update_team(calendar_details=bool(enabled))

    # ------------------------------------------------------------------ appointments
    def appointments(self, include_deleted: bool = False) -> list[dict[str, Any]]:
        rows = self.services.store.projection.rows["appointment"].values()
        return sorted((dict(a) for a in rows if include_deleted or not a["deleted"]),
                      key=lambda a: (a["start"], a["id"]))

    def appointments_between(self, start: str, end: str) -> list[dict[str, Any]]:
        """The employer's *Termine* overlapping [start, end), for planning around them."""
        return [a for a in self.appointments() if a["start"] < end and a["end"] > start]

    def delete_appointment(self, appointment_id: str) -> None:
        self.require_manager("error.action.calendar_delete")
        row = self.services.store.projection.get("appointment", appointment_id)
        if row is None or row["deleted"]:
            raise NotFound("error.calendar.no_appointment", id=appointment_id)
        self.services.store.commit([Change("appointment.deleted", "appointment",
                                           appointment_id, {"deleted": True})])
