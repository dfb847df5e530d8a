"""The projection's tables: what the folded ops say the team looks like right now.

These SQLModel classes are the *read model*. Nobody writes them directly: every change is an
op (``app/domain/ops.py``) and ``app/store/projection.py`` folds ops into these rows. That is
why every row has a string ``id`` chosen by the author (UUIDv7) and no autoincrement.

Conventions, chosen so rows stay plain and folding stays fast:

* Wall-clock times are ISO strings in the team's time zone, minute precision:
  ``"2026-03-08T22:00"``. Dates are ``"2026-03-08"``, months ``"2026-03"``. Such strings sort
  like the times they name, so range queries work on them directly.
* Money and wages are decimal strings (``"16.00"``), turned into ``Decimal`` where computed.
* Lists and small mappings (breaks, checklists, surcharge rates) are JSON columns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

ROLES = ("employer", "proxy", "assistant", "payroll")
EMPLOYMENT_KINDS = ("minijob", "midijob", "part_time", "full_time")
SHIFT_KINDS = ("work", "standby", "on_call")
SHIFT_STATUSES = ("planned", "cancelled")
ABSENCE_KINDS = ("vacation", "sick", "other")
# "reopened": an approved version superseded by version n+1 (keeps its signatures).
TIMESHEET_STATUSES = ("draft", "submitted", "approved", "rejected", "exported", "reopened")


def _json(default: Any) -> Any:
    """A JSON column; each table needs its own Column object."""
    return Field(default_factory=lambda: type(default)(default), sa_column=Column(JSON))


class Team(SQLModel, table=True):
    """The employer's team. One per store."""

    id: str = Field(primary_key=True)
    name: str = ""
    short_name: str = ""  # what an assistant's calendar shows: "Dienst bei Anna"
    state: str = "NW"  # Land of the place of work (ISO 3166-2:DE suffix), for holidays
    tz: str = "Europe/Berlin"
    # Calendar feeds show location and instructions only when the employer opts in, because
    # the calendar provider (Google, Apple, …) sees whatever a subscribed feed contains.
    calendar_details: bool = False
    # The budget holder's postal address for the Verwendungsnachweis (employer scope).
    holder_address: str = ""
    deleted: bool = False


class Member(SQLModel, table=True):
    """A person in the team. Role and activity come from the membership scope; the name from
    the team scope; the staff number (Personalnummer) from the employer scope."""

    id: str = Field(primary_key=True)
    role: str = "assistant"
    display_name: str = ""
    staff_number: str = ""
    preferences: str = ""  # what the employer keeps in mind when assigning
    active: bool = True
    deleted: bool = False


class Device(SQLModel, table=True):
    """A device of a member: its public keys, as published in the membership scope."""

    id: str = Field(primary_key=True)
    member_id: str = ""
    sign_pub: str = ""  # Ed25519, hex
    dh_pub: str = ""  # X25519, hex
    label: str = ""
    revoked: bool = False
    deleted: bool = False


class Contract(SQLModel, table=True):
    """A dated employment contract; the one valid on a day is the latest ``valid_from``."""

    id: str = Field(primary_key=True)
    member_id: str = ""
    valid_from: str = ""
    valid_to: str | None = None
    hourly_wage: str = "0.00"
    employment: str = "part_time"
    weekly_hours: str = "0"
    days_per_week: int = 5
    vacation_days: int = 20
    surcharges: dict[str, str] = _json({})  # class -> rate, e.g. {"night25": "0.25"}
    standby_wage: str | None = None
    default_budget_id: str | None = None
    live_in: bool = False  # §18 ArbZG: lives in the employer's household
    deleted: bool = False


class Funder(SQLModel, table=True):
    """A Kostenträger: Eingliederungshilfe, Pflegekasse, Rentenversicherung, …"""

    id: str = Field(primary_key=True)
    name: str = ""
    reference: str = ""  # Aktenzeichen
    deleted: bool = False


class Budget(SQLModel, table=True):
    """A Teilbudget: the part of the Persönliches Budget that one funder pays."""

    id: str = Field(primary_key=True)
    funder_id: str = ""
    name: str = ""
    monthly_amount: str = "0.00"
    valid_from: str = ""
    valid_to: str | None = None
    support_kind: str = ""  # Art der Leistung, e.g. "Teilhabe", "Pflege"
    cost_center: str = ""  # Kostenstelle in payroll exports
    deleted: bool = False


class Shift(SQLModel, table=True):
    """A planned shift. ``assignee_id`` None means an open shift anyone may claim."""

    id: str = Field(primary_key=True)
    start: str = Field(default="", index=True)
    end: str = ""
    kind: str = "work"
    location: str = ""
    instructions: str = ""
    checklist: list[str] = _json([])
    assignee_id: str | None = Field(default=None, index=True)
    budget_id: str | None = None
    status: str = "planned"
    plan_id: str | None = None  # the recurring plan that made it, if any
    deleted: bool = False


class TimeEntry(SQLModel, table=True):
    """Worked time. ``end`` None means the assistant is on duty right now."""

    id: str = Field(primary_key=True)
    member_id: str = Field(default="", index=True)
    start: str = Field(default="", index=True)
    end: str | None = None
    breaks: list[dict[str, str | None]] = _json([])  # [{"start": …, "end": … or None}]
    shift_id: str | None = None
    kind: str = "work"
    source: str = "clock"  # clock | manual
    note: str = ""
    correction_reason: str = ""
    deleted: bool = False


class Absence(SQLModel, table=True):
    """Vacation, sickness or other absence, whole days inclusive."""

    id: str = Field(primary_key=True)
    member_id: str = Field(default="", index=True)
    kind: str = "vacation"
    start_date: str = ""
    end_date: str = ""
    note: str = ""
    deleted: bool = False


class Timesheet(SQLModel, table=True):
    """One version of an assistant's month. Reopening makes version n+1, keeping n."""

    id: str = Field(primary_key=True)
    member_id: str = Field(default="", index=True)
    month: str = ""
    version: int = 1
    status: str = "draft"
    document: str = ""  # the canonical RFC 8785 JSON that was signed
    doc_hash: str = ""
    assistant_sig: str = ""
    assistant_device: str = ""
    signed_at: str = ""
    counter_sig: str = ""
    counter_device: str = ""
    counter_member: str = ""
    countersigned_at: str = ""
    on_behalf_of: str = ""  # set when a proxy countersigned for the employer
    comment: str = ""
    deleted: bool = False


class HandoverNote(SQLModel, table=True):
    """A note from one assistant to the next (Übergabe)."""

    id: str = Field(primary_key=True)
    author_id: str = ""
    shift_id: str | None = None
    written_at: str = ""
    text: str = ""
    deleted: bool = False


class Appointment(SQLModel, table=True):
    """The employer's own appointment (imported from ICS), planned around as a *Termin*."""

    id: str = Field(primary_key=True)
    uid: str = ""
    start: str = Field(default="", index=True)
    end: str = ""
    summary: str = ""
    location: str = ""
    deleted: bool = False


class Availability(SQLModel, table=True):
    """When an assistant can or cannot work; the employer sees it when assigning."""

    id: str = Field(primary_key=True)
    member_id: str = Field(default="", index=True)
    start: str = ""
    end: str = ""
    available: bool = True
    note: str = ""
    deleted: bool = False


class Request(SQLModel, table=True):
    """Something an assistant asks the employer to decide: claim an open shift, swap a shift,
    correct an entry. Shown under *Freigaben*."""

    id: str = Field(primary_key=True)
    kind: str = "claim"  # claim | swap | correction
    member_id: str = Field(default="", index=True)
    shift_id: str | None = None
    entry_id: str | None = None
    comment: str = ""
    status: str = "open"  # open | approved | rejected
    decided_by: str = ""
    decision_comment: str = ""
    deleted: bool = False


class Conflict(SQLModel, table=True):
    """Two concurrent edits of one field by different authors. The loser is kept here and
    shown to the employer; resolving it writes a new op and sets ``resolved``."""

    id: str = Field(primary_key=True)
    entity: str = ""
    entity_id: str = ""
    field: str = ""
    winner_value: str = ""  # JSON
    winner_author: str = ""
    winner_hlc: int = 0
    loser_value: str = ""  # JSON
    loser_author: str = ""
    loser_hlc: int = 0
    resolved: bool = False


class Need(SQLModel, table=True):
    """*Assistenzbedarf*: a weekly time when the employer needs someone there. An ``end`` at
    or before ``start`` ends the next day (a night need)."""

    id: str = Field(primary_key=True)
    weekday: int = 0  # 0 = Monday
    start: str = ""  # "HH:MM"
    end: str = ""  # "HH:MM"
    label: str = ""
    deleted: bool = False


class Template(SQLModel, table=True):
    """A reusable set of instructions and a task checklist for shifts (*Vorlage*)."""

    id: str = Field(primary_key=True)
    name: str = ""
    instructions: str = ""
    checklist: list[str] = _json([])
    deleted: bool = False


# entity name used in ops -> table. Stable names: never rename an entity (STYLE.md #7).
ENTITIES: dict[str, type[SQLModel]] = {
    "team": Team,
    "member": Member,
    "device": Device,
    "contract": Contract,
    "funder": Funder,
    "budget": Budget,
    "shift": Shift,
    "entry": TimeEntry,
    "absence": Absence,
    "timesheet": Timesheet,
    "handover": HandoverNote,
    "appointment": Appointment,
    "availability": Availability,
    "request": Request,
    "need": Need,
    "template": Template,
}


def columns_of(table: type[SQLModel]) -> list[str]:
    """Column names of a table in declaration order."""
    return list(table.model_fields)


def defaults_of(table: type[SQLModel]) -> dict[str, Any]:
    """A fresh row dict with every column at its default."""
    return table().model_dump()
