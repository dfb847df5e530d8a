"""*Dienstplan* (employer/proxy): the week and the month as a grid. Tapping a day, a free
slot or a shift opens a short sheet prefilled with it (``roster_forms.open_sheet``); the
saved shift shows in place at once. Below: a recurring weekly plan, copy a week, needs
(*Assistenzbedarf*). The employer's appointments, plan warnings and the uncovered gaps in
the needs show inline.

The grid layout lives in ``roster_grid``, the forms in ``roster_forms``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import AssistenzzeitError
from app.i18n import formats as fmt
from app.store import planning, reports
from app.views import roster_forms, roster_grid
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host


def plan_warnings(app: Host, month: str, member_ids: set[str]) -> dict[str, list[str]]:
    """Warnings per shift id from ``app.store.reports.plan_warnings``."""
    key = "message_en" if app.session.lang == "en" else "message_de"
    names = {m["id"]: m["display_name"] for m in app.services.members(include_inactive=True)}
    out: dict[str, list[str]] = {}
    for mid in sorted(member_ids, key=lambda m: names.get(m, m)):
        try:
            found = reports.plan_warnings(app.services, mid, month)
        except Exception:  # warnings are advisory; the plan still shows
            continue
        for warning in found:
            text = str(warning.get(key, ""))
            if not warning.get("shift_id"):
                text = f"{names.get(mid, '')}: {text}"  # about the month: say whose
            out.setdefault(warning.get("shift_id") or "", []).append(text)
    return out


def _budget_warnings(app: Host, month: str) -> list[str]:
    """A Teilbudget the month's plan costs more than (the *Budget* screen has the figures)."""
    try:
        rows = reports.budget_costs(app.services, month)
    except AssistenzzeitError:
        return []
    return [f"{r['name']}: {app.t('budget.over')}" for r in rows if r["over"]]


def period(app: Host) -> tuple[str, date, date]:
    """(mode, first day, day after the last) of what the roster shows."""
    s = app.session
    mode = s.params.get("mode", "week")
    anchor = date.fromisoformat(s.params.get("anchor") or app.services.now()[:10])
    if mode == "month":
        first = anchor.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    else:
        first = anchor - timedelta(days=anchor.weekday())
        after = first + timedelta(days=7)
    return mode, first, after


def build(app: Host) -> ft.Control:
    s, services = app.session, app.services
    mode, first, after = period(app)

    def move(days: int) -> None:
        if mode == "month":
            target = (first + timedelta(days=32 if days > 0 else -1)).replace(day=1)
        else:
            target = first + timedelta(days=days)
        keep = {k: v for k, v in s.params.items() if k != "edit"}
        app.go("roster", **{**keep, "anchor": target.isoformat()})

    def set_mode(value: str) -> None:
        app.go("roster", **{**s.params, "mode": value})

    head = ft.Column([
        w.choice(s, [("week", app.t("roster.week")), ("month", app.t("roster.month"))], mode,
                 set_mode),
        ft.Row([
            w.button(s, app.t("roster.prev_" + mode), lambda e: move(-7),
                     icon=ft.Icons.CHEVRON_LEFT),
            w.text(s, app.t("roster.range", first=fmt.short_day(s.lang, first),
                            last=fmt.short_day(s.lang, after - timedelta(days=1))), bold=True),
            w.button(s, app.t("roster.next_" + mode), lambda e: move(7),
                     icon=ft.Icons.CHEVRON_RIGHT),
        ], wrap=True, spacing=8),
    ], spacing=8)
    shifts = services.shifts_between(f"{first.isoformat()}T00:00", f"{after.isoformat()}T00:00")
    names = {m["id"]: m["display_name"] for m in services.members(include_inactive=True)}
    assignees = {x["assignee_id"] for x in shifts if x["assignee_id"]}
    warnings = plan_warnings(app, first.isoformat()[:7], assignees)
    rows: list[ft.Control] = [head]
    # Warnings about a whole month (Minijob limit, Mindestlohn, Teilbudget) stand on top.
    rows += [w.text(s, app.t("common.warning", text=text), base=14, color=ft.Colors.ERROR)
             for text in warnings.get("", []) + _budget_warnings(app, first.isoformat()[:7])]
    if mode == "week":
        rows += _appointments(app, first, after)
    by_day: dict[str, list[dict[str, Any]]] = {}
    for shift in shifts:  # a night shift from the day before shows on the first day
        by_day.setdefault(max(shift["start"][:10], first.isoformat()), []).append(shift)
    gaps: dict[str, list[dict[str, str]]] = {}
    for gap in planning.uncovered(services, first, after):
        gaps.setdefault(gap["start"][:10], []).append(gap)
    if mode == "month":
        rows.append(roster_grid.month(app, first, by_day, gaps))
        # The cells are small: a shift's warnings follow the grid, naming the shift.
        for shift in shifts:
            line = roster_forms.shift_line(app, shift, names)
            rows += [w.text(s, app.t("common.warning", text=f"{fmt.short_day(s.lang, shift['start'][:10])} {line}: "
                                     f"{text}"), base=14, color=ft.Colors.ERROR)
                     for text in warnings.get(shift["id"], [])]
    else:
        days = [first + timedelta(days=i) for i in range(7)]
        blocks = [_day_block(app, d, by_day.get(d.isoformat(), []),
                             gaps.get(d.isoformat(), []), names, warnings) for d in days]
        rows.append(roster_grid.week(app, blocks))
    if not shifts:
        rows.append(w.text(s, app.t("roster.empty")))
    rows += roster_forms.forms(app, first)
    return ft.Column(rows, spacing=8)


def _day_block(app: Host, day: date, shifts: list[dict[str, Any]], gaps: list[dict[str, str]],
               names: dict[str, str], warnings: dict[str, list[str]]) -> ft.Control:
    """One day of the week: its shifts (tap: edit), its free slots (tap: plan that slot) and
    a button that plans a shift on that day."""
    s = app.session
    name = fmt.day(s.lang, day)
    parts: list[ft.Control] = [w.heading(s, name, 3)]
    parts += [_shift_row(app, x, names, warnings.get(x["id"], [])) for x in shifts]
    parts += [_gap_row(app, g) for g in gaps]
    parts.append(w.button(s, app.t("roster.plan_on", day=name),
                          lambda e: roster_forms.open_sheet(app, day.isoformat()),
                          icon=ft.Icons.ADD, key=f"plan-{day.isoformat()}"))
    return ft.Column(parts, spacing=4)


def _shift_row(app: Host, shift: dict[str, Any], names: dict[str, str],
               warnings: list[str]) -> ft.Control:
    s = app.session
    label = roster_forms.shift_line(app, shift, names)
    # One button per shift: its label is the shift line, so the text is not said twice.
    parts: list[ft.Control] = [
        w.button(s, app.t("roster.edit_shift", label=label),
                 lambda e: roster_forms.open_sheet(app, shift["start"][:10], edit_id=shift["id"]),
                 icon=ft.Icons.EDIT, key=f"shift-{shift['id']}")]
    for warning in warnings:
        parts.append(w.text(s, app.t("common.warning", text=warning), base=14,
                            color=ft.Colors.ERROR))
    return ft.Column(parts, spacing=2)


def _gap_row(app: Host, gap: dict[str, str]) -> ft.Control:
    """A free slot in the employer's needs: tapping it plans a shift for exactly that slot."""
    values = {"start": gap["start"][11:16], "end": gap["end"][11:16], "label": gap["label"]}
    key = "roster.gap_label" if gap["label"] else "roster.gap"
    # One button: its name says the gap, so the gap is not said twice.
    return w.button(app.session, app.t("roster.plan_gap", gap=app.t(key, **values)),
                    lambda e: roster_forms.open_sheet(app, gap["start"][:10], values["start"],
                                                      values["end"]),
                    icon=ft.Icons.ADD_ALERT)


def _appointments(app: Host, first: date, after: date) -> list[ft.Control]:
    rows = planning.appointments(app.services, f"{first.isoformat()}T00:00",
                                 f"{after.isoformat()}T00:00")
    if not rows:
        return []
    s = app.session
    return [w.heading(s, app.t("roster.appointments"), 2),
            *[w.text(s, app.t("roster.appointment_line", start=a["start"].replace("T", " "),
                              end=a["end"][11:16], summary=a["summary"],
                              location=a["location"])) for a in rows]]
