"""*Dienstplan* (employer/proxy): week and month view, plan / edit / cancel a shift, a
recurring weekly plan, copy a week; the employer's appointments, plan warnings and the
uncovered gaps in the employer's needs (*Assistenzbedarf*) inline.

The forms live in ``roster_forms``; this module shows the plan.
"""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import AssistenzzeitError
from app.store import planning
from app.store import ui_services as ui
from app.views import roster_forms
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.shell import App


def plan_warnings(app: App, month: str, member_ids: set[str]) -> dict[str, list[str]]:
    """Warnings per shift id from ``app.store.reports.plan_warnings`` when it exists."""
    try:
        reports = importlib.import_module("app.store.reports")
    except ImportError:
        return {}
    fn = getattr(reports, "plan_warnings", None)
    if fn is None:
        return {}
    key = "message_en" if app.session.lang == "en" else "message_de"
    names = {m["id"]: m["display_name"] for m in app.services.members(include_inactive=True)}
    out: dict[str, list[str]] = {}
    for mid in sorted(member_ids, key=lambda m: names.get(m, m)):
        try:
            found = fn(app.services, mid, month)
        except Exception:  # warnings are advisory; the plan still shows
            continue
        for warning in found:
            text = str(warning.get(key, ""))
            if not warning.get("shift_id"):
                text = f"{names.get(mid, '')}: {text}"  # about the month: say whose
            out.setdefault(warning.get("shift_id") or "", []).append(text)
    return out


def _budget_warnings(app: App, month: str) -> list[str]:
    """A Teilbudget the month's plan costs more than (the *Budget* screen has the figures)."""
    try:
        rows = ui.budget_costs(app.services, month)
    except AssistenzzeitError:
        return []
    return [f"{r['name']}: {app.t('budget.over')}" for r in rows if r["over"]]


def period(app: App) -> tuple[str, date, date]:
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


def build(app: App) -> ft.Control:
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
            w.text(s, app.t("roster.range", first=first.isoformat(),
                            last=(after - timedelta(days=1)).isoformat()), bold=True),
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
    # Each day lists its shifts, then the gaps in the employer's needs (Assistenzbedarf).
    by_day: dict[str, list[ft.Control]] = {}
    for shift in shifts:
        by_day.setdefault(shift["start"][:10], []).append(
            _shift_row(app, shift, names, warnings.get(shift["id"], [])))
    for gap in planning.uncovered(services, first, after):
        by_day.setdefault(gap["start"][:10], []).append(_gap_row(app, gap))
    for day in sorted(by_day):
        rows.append(w.heading(s, app.t(f"weekday.{date.fromisoformat(day).weekday()}")
                              + " " + day, 3))
        rows += by_day[day]
    if not shifts:
        rows.append(w.text(s, app.t("roster.empty")))
    rows += roster_forms.forms(app, first)
    return ft.Column(rows, spacing=8)


def _shift_row(app: App, shift: dict[str, Any], names: dict[str, str],
               warnings: list[str]) -> ft.Control:
    s = app.session
    who = names.get(shift["assignee_id"] or "", app.t("roster.open"))
    label = app.t("roster.shift_line", start=shift["start"][11:16], end=shift["end"][11:16],
                  who=who, kind=app.t(f"kind.{shift['kind']}"))
    # One button per shift: its label is the shift line, so the text is not said twice.
    parts: list[ft.Control] = [
        w.button(s, app.t("roster.edit_shift", label=label),
                 lambda e, sid=shift["id"]: app.go("roster", **{**s.params, "edit": sid}),
                 icon=ft.Icons.EDIT, key=f"shift-{shift['id']}")]
    for warning in warnings:
        parts.append(w.text(s, app.t("common.warning", text=warning), base=14,
                            color=ft.Colors.ERROR))
    return ft.Column(parts, spacing=2)


def _gap_row(app: App, gap: dict[str, str]) -> ft.Control:
    values = {"start": gap["start"][11:16], "end": gap["end"][11:16], "label": gap["label"]}
    key = "roster.gap_label" if gap["label"] else "roster.gap"
    return w.text(app.session, app.t(key, **values), color=ft.Colors.ERROR)


def _appointments(app: App, first: date, after: date) -> list[ft.Control]:
    rows = ui.appointments(app.services, f"{first.isoformat()}T00:00",
                           f"{after.isoformat()}T00:00")
    if not rows:
        return []
    s = app.session
    return [w.heading(s, app.t("roster.appointments"), 2),
            *[w.text(s, app.t("roster.appointment_line", start=a["start"].replace("T", " "),
                              end=a["end"][11:16], summary=a["summary"],
                              location=a["location"])) for a in rows]]
