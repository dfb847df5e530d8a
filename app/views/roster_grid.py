"""The layout of the *Dienstplan*: the week as seven day columns (stacked at phone width or
large text), the month as a calendar grid whose cells plan a shift on their day.

A month cell is one button: its accessible name says the whole day ("Mo 2026-11-23:
07:00–15:00 · Ben Meyer · Arbeit, … – Dienst planen"); the drawn shift lines inside are left
out of the semantics tree so a screen reader does not read loose numbers.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft

from app.i18n import formats as fmt
from app.views import roster_forms
from app.views import widgets as w
from app.views.my_calendar import month_days

if TYPE_CHECKING:
    from app.views.host import Host

WIDE_MIN = 1000  # below this (or at 200 % text) the week's days stack


def _wide(app: Host) -> bool:
    width = getattr(getattr(app, "page", None), "width", None) or 0
    return not app.phone and width >= WIDE_MIN and app.session.text_scale < 200


def week(app: Host, blocks: list[ft.Control]) -> ft.Control:
    boxed: list[ft.Control] = [ft.Container(b, padding=6, border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
                          border_radius=8, expand=1 if _wide(app) else None) for b in blocks]
    if _wide(app):
        return ft.Row(boxed, spacing=4, vertical_alignment=ft.CrossAxisAlignment.START)
    return ft.Column(boxed, spacing=8)


def month(app: Host, first: date, by_day: dict[str, list[dict[str, Any]]],
          gaps: dict[str, list[dict[str, str]]]) -> ft.Control:
    s = app.session
    names = {m["id"]: m["display_name"] for m in app.services.members(include_inactive=True)}
    today = app.services.now()[:10]
    header = ft.Row([ft.Container(ft.Text(app.t(f"weekday.{i}"), size=w.size(s, 14),
                                          weight=ft.FontWeight.BOLD), expand=1)
                     for i in range(7)], spacing=2)
    rows: list[ft.Control] = [header]
    for days in month_days(first.isoformat()[:7]):
        most = max(len(by_day.get(d.isoformat(), [])) if d else 0 for d in days)
        height = max(w.MIN_TARGET + 8, 10 + w.size(s, 14) * 1.5
                     + most * (w.size(s, 12) * (1.5 if _wide(app) else 2.9) + 2))
        rows.append(ft.Row([_cell(app, d, by_day, gaps, names, today, height) for d in days],
                           spacing=2))
    return ft.Column(rows, spacing=2)


def _cell(app: Host, day: date | None, by_day: dict[str, list[dict[str, Any]]],
          gaps: dict[str, list[dict[str, str]]], names: dict[str, str], today: str,
          height: float) -> ft.Control:
    s = app.session
    if day is None:
        return ft.Container(expand=1, height=height)
    key = day.isoformat()
    shifts, free = by_day.get(key, []), gaps.get(key, [])
    spoken = ", ".join(roster_forms.shift_line(app, x, names) for x in shifts)
    label = app.t("roster.cell", day=fmt.day(s.lang, day),
                  shifts=spoken or app.t("my.cell_none"),
                  gaps=app.t("roster.cell_gaps", n=len(free)) if free else "")
    # The day number carries the whole day as its semantics label; the drawn shift lines are
    # left out, so the button's accessible name is exactly ``label``.
    lines: list[ft.Control] = [ft.Text(str(day.day), size=w.size(s, 14), semantics_label=label,
                                       weight=ft.FontWeight.BOLD)]
    drawn: list[ft.Control] = []
    for x in shifts:
        who = names.get(x["assignee_id"] or "", app.t("roster.open"))
        short = f"{x['start'][11:16]}–{x['end'][11:16]}"
        drawn.append(ft.Text(f"{short} {who.split(' ')[0]}" if _wide(app) else short,
                             size=w.size(s, 12), no_wrap=False))
    if free:
        drawn.append(ft.Text("!", size=w.size(s, 12), color=ft.Colors.ERROR,
                             weight=ft.FontWeight.BOLD))
    if drawn:
        lines.append(ft.Semantics(exclude_semantics=True, content=ft.Column(
            drawn, spacing=1, tight=True)))
    is_today = key == today  # drawn with a thicker border
    # A plain tappable box: a Material button with a column inside adds a second node.
    button = ft.Container(
        content=ft.Column(lines, spacing=1, tight=True), on_click=lambda e: roster_forms.open_sheet(
            app, key), ink=True, padding=3, border_radius=4, height=height, expand=1,
        border=ft.Border.all(3 if is_today else 1, ft.Colors.OUTLINE))
    return button
