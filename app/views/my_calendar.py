"""The month calendar of *Meine Dienste*: a grid of 7 columns (Mo–So), one cell per day with
that day's shifts ("07:00–15:00"), and buttons for the previous and next month.

Each cell is one semantics node whose label says the whole day ("Mi 25.11.: 07:00–15:00
Arbeit"), so a screen reader does not read the grid as loose numbers; cells are at least
48 px high and share the width equally (about 50 px each at phone width).
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft

from app.views import widgets as w
from app.views.timesheet import shift_month

if TYPE_CHECKING:
    from app.views.host import Host

CELL_MIN = 56  # ≥ 48 px, room for the day number and one shift line


def month_days(month: str) -> list[list[date | None]]:
    """Weeks of ``month`` (YYYY-MM), Monday first; None pads the first and last week."""
    y, m = int(month[:4]), int(month[5:7])
    return [[d if d.month == m else None for d in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(y, m)]


def shifts_by_day(app: Host, month: str) -> dict[str, list[dict[str, Any]]]:
    """The session member's shifts of the month, by start day (a night shows on its start)."""
    services, mid = app.services, app.session.member_id or ""
    nxt = shift_month(month, 1)
    out: dict[str, list[dict[str, Any]]] = {}
    for shift in services.shifts_between(f"{month}-01T00:00", f"{nxt}-01T00:00", mid):
        out.setdefault(shift["start"][:10], []).append(shift)
    return out


def cell_label(app: Host, day: date, shifts: list[dict[str, Any]]) -> str:
    parts = [app.t("my.cell_shift", start=sh["start"][11:16], end=sh["end"][11:16],
                   kind=app.t(f"kind.{sh['kind']}")) for sh in shifts]
    return app.t("my.cell", weekday=app.t(f"weekday.{day.weekday()}"),
                 date=app.t("my.day_date", day=f"{day.day:02d}", month=f"{day.month:02d}"),
                 shifts=", ".join(parts) or app.t("my.cell_none"))


def row_height(app: Host, most: int) -> float:
    """Height of a week row whose fullest day has ``most`` shifts: a shift line may wrap to
    two lines in a 50 px cell at phone width, so two lines are reserved per shift."""
    s = app.session
    return max(CELL_MIN, 10 + w.size(s, 14) * 1.5 + most * (w.size(s, 12) * 2.9 + 2))


def _cell(app: Host, day: date | None, shifts: list[dict[str, Any]], today: str,
          height: float) -> ft.Control:
    s = app.session
    if day is None:
        return ft.Container(expand=1, height=height)
    # Days with shifts are tinted; their text uses the matching role (tested for contrast).
    color = ft.Colors.ON_PRIMARY_CONTAINER if shifts else None
    lines: list[ft.Control] = [ft.Text(str(day.day), size=w.size(s, 14), color=color,
                                       weight=ft.FontWeight.BOLD)]
    lines += [ft.Text(f"{sh['start'][11:16]}–{sh['end'][11:16]}", size=w.size(s, 12),
                      color=color) for sh in shifts]
    is_today = day.isoformat() == today
    box = ft.Container(
        ft.Column(lines, spacing=2, tight=True), expand=1, padding=4,
        clip_behavior=ft.ClipBehavior.HARD_EDGE,
        border=ft.Border.all(3 if is_today else 1, ft.Colors.OUTLINE),
        bgcolor=ft.Colors.PRIMARY_CONTAINER if shifts else None,
        height=height)
    # One node per day: the label is what a screen reader says; the drawn text is excluded.
    return ft.Semantics(content=box, label=cell_label(app, day, shifts), container=True,
                        exclude_semantics=True, selected=is_today or None, expand=1)


def build(app: Host, month: str) -> ft.Control:
    s = app.session
    days = shifts_by_day(app, month)
    today = app.services.now()[:10]
    header = ft.Row([ft.Container(ft.Text(app.t(f"weekday.{i}"), size=w.size(s, 14),
                                          weight=ft.FontWeight.BOLD), expand=1)
                     for i in range(7)], spacing=2)
    weeks = []
    for week in month_days(month):
        per_day = [days.get(d.isoformat(), []) if d else [] for d in week]
        height = row_height(app, max(len(x) for x in per_day))
        weeks.append(ft.Row([_cell(app, d, shifts, today, height)
                             for d, shifts in zip(week, per_day, strict=True)], spacing=2))
    nav = ft.Row([
        w.button(s, app.t("my.prev_month"),
                 lambda e: app.go("my_shifts", view="calendar", month=shift_month(month, -1)),
                 icon=ft.Icons.CHEVRON_LEFT),
        w.button(s, app.t("my.next_month"),
                 lambda e: app.go("my_shifts", view="calendar", month=shift_month(month, 1)),
                 icon=ft.Icons.CHEVRON_RIGHT)], wrap=True, spacing=8, run_spacing=8)
    return ft.Column([w.heading(s, app.t("my.month", month=month), 2), nav, header, *weeks],
                     spacing=4)
