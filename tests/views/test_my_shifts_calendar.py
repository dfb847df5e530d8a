"""*Meine Dienste* as a month calendar: a *Liste*/*Kalender* switch, a grid of 7 columns
(Mo–So) whose cells show the day's shifts and carry a label a screen reader can say
("Mi 11.03.: 07:00–15:00 Arbeit"), at least 48 px high, with month navigation."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.views import my_calendar, my_shifts
from app.views.state import StoreHolder
from tests.views.conftest import app_for, buttons, texts, walk_controls


def cells(control: Any) -> list[ft.Semantics]:
    """The labelled day cells of the month grid."""
    return [c for c in walk_controls(control, ("content", "controls"))
            if isinstance(c, ft.Semantics) and c.container and c.label]


def test_my_shifts_switch_to_calendar(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Ben Meyer")
    view = buttons(my_shifts.build(app))
    assert {"Liste", "Kalender"} <= set(view)
    view["Kalender"].on_click(None)
    assert app.went[-1] == ("my_shifts", {"view": "calendar"})


def test_my_shifts_month_grid_labels_and_sizes(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Ben Meyer")
    app.session.params = {"view": "calendar"}
    view = my_shifts.build(app)
    days = cells(view)
    assert len(days) == 31  # March 2026, one labelled cell per day
    labels = [d.label for d in days]
    assert labels[0].startswith("So 01.03.:")  # 1 March 2026 is a Sunday
    assert "Mi 11.03.: 07:00–15:00 Arbeit" in labels  # Ben's demo Wednesday shift
    assert any(lab.endswith("kein Dienst") for lab in labels)
    assert all(d.content.height >= 48 for d in days)
    assert "07:00–15:00" in texts(view)
    # weeks are rows of exactly 7 cells (padding cells for days of other months)
    grid = my_calendar.build(app, "2026-03")
    rows = [c for c in grid.controls if isinstance(c, ft.Row) and len(c.controls) == 7]
    assert len(rows) == 1 + 6  # weekday header + 6 weeks (Mo 23 Feb … So 5 Apr)
    assert [c.content.value for c in rows[0].controls] == ["Mo", "Di", "Mi", "Do", "Fr",
                                                         "Sa", "So"]


def test_my_shifts_calendar_month_navigation_and_english(demo_holder: StoreHolder):
    app = app_for(demo_holder, "Ben Meyer")
    app.session.params = {"view": "calendar", "month": "2026-03"}
    buttons(my_shifts.build(app))["Nächster Monat"].on_click(None)
    assert app.went[-1] == ("my_shifts", {"view": "calendar", "month": "2026-04"})
    app.session.lang = "en"
    labels = [d.label for d in cells(my_calendar.build(app, "2026-03"))]
    assert "Wed 03/11: 07:00–15:00 Work" in labels
