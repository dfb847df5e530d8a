"""*Heute* (assistant): the current or next shift (saying *heute* or *morgen*), one large
*Dienst beginnen* / *Dienst beenden* button, the break buttons, the shift's instructions and
checklist, planned shifts of the last days that were not clocked, the handover note. Works
offline: everything is local to this device's store.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from app.domain.timeutil import worked_minutes
from app.i18n import formats as fmt
from app.store import teamwork
from app.views import my_shifts
from app.views import widgets as w
from app.views.devices import sync_panel

if TYPE_CHECKING:
    from app.views.host import Host

LOOKAHEAD_DAYS = 14
MISSED_DAYS = 1  # yesterday and today: what a person still remembers to add
MISSED_AFTER = timedelta(minutes=30)  # a late start is not yet "missed"


def next_shift(app: Host, member_id: str) -> dict[str, Any] | None:
    services = app.services
    current = services.current_shift(member_id)
    if current:
        return dict(current)
    now = services.now()
    until = (datetime.fromisoformat(now) + timedelta(days=LOOKAHEAD_DAYS)).strftime(
        "%Y-%m-%dT%H:%M")
    upcoming = [s for s in services.shifts_between(now, until, member_id) if s["start"] >= now]
    return upcoming[0] if upcoming else None


def build(app: Host) -> ft.Control:
    s, services = app.session, app.services
    mid = s.member_id or ""
    running = services.running_entry(mid)
    on_break = services.on_break(mid)
    shift = next_shift(app, mid)
    items: list[ft.Control] = []

    # --- state line (a live region: screen readers hear "Im Dienst seit …")
    now = services.now()
    if running:
        minutes = worked_minutes(running["start"], now, running["breaks"], services.tz())
        state = app.t("today.on_break" if on_break else "today.on_duty",
                      since=running["start"][11:16], hours=w.hours_text(minutes))
    else:
        state = app.t("today.off_duty")
    items.append(w.text(s, state, base=20, bold=True, key="today-state", live=True))

    # --- the big button, then the break button
    if running:
        items.append(w.button(s, app.t("today.clock_out"), lambda e: app.act(
            lambda: services.clock_out(mid), "today.clocked_out",
            focus=app.t("today.clock_in")), large=True, primary=True,
            icon=ft.Icons.STOP_CIRCLE))
        if on_break:
            items.append(w.button(s, app.t("today.break_end"), lambda e: app.act(
                lambda: services.end_break(mid), "today.break_ended",
                focus=app.t("today.clock_out")), icon=ft.Icons.PLAY_ARROW))
        else:
            items.append(w.button(s, app.t("today.break_start"), lambda e: app.act(
                lambda: services.start_break(mid), "today.break_started",
                focus=app.t("today.break_end")), icon=ft.Icons.COFFEE))
    else:
        items.append(w.button(s, app.t("today.clock_in"), lambda e: app.act(
            lambda: services.clock_in(mid), "today.clocked_in",
            focus=app.t("today.break_start")), large=True, primary=True,
            icon=ft.Icons.PLAY_CIRCLE))

    # --- what was worked today
    done = [e for e in services.month_entries(mid, now[:7]) if e["start"][:10] == now[:10]]
    total = sum(e["minutes"] or 0 for e in done)
    if done:
        lines = [app.t("today.entry_line", start=e["start"][11:16],
                       end=(e["end"] or "")[11:16] or "…", hours=w.hours_text(e["minutes"]),
                       breaks=_breaks(app, len(e["breaks"]))) for e in done]
        items.append(w.card(w.heading(s, app.t("today.worked_title"), 2),
                            w.text(s, app.t("today.worked_total", hours=w.hours_text(total)),
                                   key="today-hours"),
                            *[w.text(s, line) for line in lines]))

    # --- planned shifts of the last days without a clock-in
    unclocked = missed(app, mid)
    if unclocked:
        items.append(_missed_card(app, unclocked))

    # --- the shift
    if shift:
        items.append(_shift_card(app, shift))
    else:
        items.append(w.text(s, app.t("today.no_shift")))

    # --- handover
    note = w.field(s, app.t("field.handover"), multiline=True)

    def save_note(e: Any) -> None:
        app.act(lambda: teamwork.write_handover(services, mid, note.value or "",
                                                shift["id"] if shift else None), "today.handover_saved")

    notes = teamwork.handovers(services, 3)
    items.append(w.card(
        w.heading(s, app.t("today.handover_title"), 2),
        *[w.text(s, app.t("today.handover_line", who=_name(app, h["author_id"]),
                          at=_written(app, h["written_at"]), text=h["text"]), base=14)
          for h in notes],
        note,
        w.button(s, app.t("today.handover_save"), save_note, icon=ft.Icons.SAVE)))
    items.append(sync_panel(app, quiet=True))  # "Zuletzt synchronisiert" on a synced phone
    return ft.Column(items, spacing=14)


def _shift_card(app: Host, shift: dict[str, Any]) -> ft.Control:
    s = app.session
    checked: set[int] = s.params.setdefault("checked", set())

    def toggle(i: int, value: bool) -> None:
        (checked.add if value else checked.discard)(i)
        s.touch()

    title = app.t("today.shift_title", day=my_shifts.when(app, shift),
                  start=shift["start"][11:16], end=shift["end"][11:16],
                  kind=app.t(f"kind.{shift['kind']}"))
    parts: list[ft.Control] = [w.heading(s, title, 2)]
    # The checklist can be ticked off here (not only read as in *Meine Dienste*).
    parts += my_shifts.details(app, shift, checklist=False)
    def ticked(i: int) -> w.Handler:
        return lambda e: toggle(i, bool(e.control.value))

    for i, task in enumerate(shift["checklist"] or []):
        parts.append(w.checkbox(s, task, i in checked, ticked(i)))
    return w.card(*parts, key="today-shift")


def missed(app: Host, member_id: str) -> list[dict[str, Any]]:
    """Shifts of the last ``MISSED_DAYS`` days that began ``MISSED_AFTER`` ago or more with
    no time entry overlapping them: planned, but not clocked."""
    services = app.services
    now = datetime.fromisoformat(services.now())
    since = (now - timedelta(days=MISSED_DAYS)).strftime("%Y-%m-%dT00:00")
    latest = (now - MISSED_AFTER).strftime("%Y-%m-%dT%H:%M")
    months = sorted({since[:7], services.now()[:7]})
    entries = [e for m in months for e in services.month_entries(member_id, m)]
    out = []
    for shift in services.shifts_between(since, services.now(), member_id):
        if shift["start"] > latest or shift["start"] < since:
            continue
        if not any(e["start"] < shift["end"] and (e["end"] or services.now()) > shift["start"]
                   for e in entries):
            out.append(shift)
    return out


def _missed_card(app: Host, shifts: list[dict[str, Any]]) -> ft.Control:
    s = app.session
    lines = [w.text(s, app.t("today.missed", when=my_shifts.when(app, x),
                             start=x["start"][11:16], end=x["end"][11:16]),
                    bold=True, color=ft.Colors.ERROR) for x in shifts]
    last = shifts[-1]["start"]
    return w.card(*lines, w.button(s, app.t("today.missed_fix", day=fmt.short_day(s.lang, last)),
                                   lambda e: app.go("timesheet", month=last[:7]),
                                   icon=ft.Icons.EDIT_CALENDAR), key="today-missed")


def _breaks(app: Host, count: int) -> str:
    """"ohne Pause", "1 Pause", "2 Pausen" — never "0 Pause(n)"."""
    return app.t(f"today.breaks_{count if count < 2 else 'n'}", n=count)


def _name(app: Host, member_id: str) -> str:
    try:
        return str(app.services.member(member_id)["display_name"])
    except Exception:  # a removed author still has a note
        return "?"


def _written(app: Host, at: str) -> str:
    """When a handover note was written: the team's wall clock, the German way."""
    return f"{fmt.day(app.session.lang, at)}, {fmt.clock(at)}"
