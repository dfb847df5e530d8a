"""*Budget* (employer/proxy): Teilbudgets per funder, planned vs actual cost of a month
(hours × the contract's hourly wage), a bar chart, and a warning when the plan exceeds a
Teilbudget.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import flet as ft

from app.i18n import formats as fmt
from app.store import reports
from app.views import widgets as w
from app.views.timesheet import shift_month

if TYPE_CHECKING:
    from app.views.host import Host

def build(app: Host) -> ft.Control:
    s, services = app.session, app.services
    month = s.params.get("month") or services.now()[:7]
    rows = reports.budget_costs(services, month)
    funders = {f["id"]: f["name"] for f in services.funders()}
    budgets = {b["id"]: b for b in services.budgets()}
    items: list[ft.Control] = [
        w.heading(s, app.t("budget.month", month=fmt.month(s.lang, month)), 2),
        w.month_stepper(s, app.t("timesheet.prev"), app.t("timesheet.next"),
                        lambda by: app.go("budget", month=shift_month(month, by)))]
    if not rows:
        items.append(w.text(s, app.t("budget.none")))
    for r in rows:
        funder = funders.get(budgets.get(r["id"], {}).get("funder_id", ""), "")
        name = r["name"] or app.t("budget.unassigned")
        top = max(Decimal(r["monthly_amount"]), Decimal(r["planned"]), Decimal(r["actual"]),
                  Decimal(1))
        # The funder on a line of its own, in body text: long German names
        # ("Landschaftsverband Rheinland") otherwise break mid-word at 200 %.
        parts: list[ft.Control] = [w.heading(s, name, 3)]
        if funder:
            parts.append(w.text(s, app.t("budget.funder", funder=funder), base=14))
        parts += [
            w.text(s, app.t("budget.line", amount=w.money(s, r["monthly_amount"]),
                            planned=w.money(s, r["planned"]), actual=w.money(s, r["actual"]))),
            _bar(app, app.t("budget.amount"), Decimal(r["monthly_amount"]), top, "#455A64"),
            _bar(app, app.t("budget.planned"), Decimal(r["planned"]), top, "#283593"),
            _bar(app, app.t("budget.actual"), Decimal(r["actual"]), top, "#1B5E20"),
        ]
        if r["over"]:
            parts.append(w.text(s, app.t("common.warning", text=app.t("budget.over")), bold=True,
                                color=ft.Colors.ERROR, live=True))
        items.append(w.card(*parts))
    return ft.Column(items, spacing=10)


def _bar(app: Host, label: str, value: Decimal, top: Decimal, color: str) -> ft.Control:
    """One bar of the chart; the numbers are also in the text line above (for screen
    readers the bar is decoration). Label and amount sit above the bar and wrap at word
    breaks; the bar is a share of the card's width, so it never runs off the card."""
    s = app.session
    share = max(1, round(float(value / top) * 1000))
    return ft.Column([
        ft.Text(f"{label}: {w.money(s, value)}", size=w.size(s, 14)),
        ft.Row([ft.Container(expand=share, height=18, bgcolor=color),
                ft.Container(expand=max(0, 1000 - share), height=18)], spacing=0),
    ], spacing=2)
