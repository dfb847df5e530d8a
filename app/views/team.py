"""*Team* (employer/proxy): members with contract, role, hours this month and planning notes;
add an assistant (or a proxy / payroll office) with a dated contract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from app.domain.model import EMPLOYMENT_KINDS, ROLES
from app.errors import InputError
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.shell import App


def build(app: App) -> ft.Control:
    s, services = app.session, app.services
    today = services.now()[:10]
    month = today[:7]
    cards: list[ft.Control] = []
    for m in services.members():
        lines = [w.heading(s, m["display_name"], 2),
                 w.text(s, app.t(f"role.{m['role']}"))]
        contract = services.contract_on(m["id"], today)
        if contract:
            lines.append(w.text(s, app.t(
                "team.contract", wage=w.num(s, contract["hourly_wage"]),
                kind=app.t(f"employment.{contract['employment']}"),
                hours=contract["weekly_hours"], since=contract["valid_from"])))
        if m["role"] == "assistant":
            summary = services.month_summary(m["id"], month)
            lines.append(w.text(s, app.t("team.hours_month", hours=w.num(s, summary["hours"]),
                                         month=month)))
            lines.append(w.button(s, app.t("team.open_timesheet", name=m["display_name"]),
                                  lambda e, mid=m["id"]: app.go("timesheet", member_id=mid),
                                  icon=ft.Icons.RECEIPT_LONG))
        if m["preferences"]:
            lines.append(w.text(s, app.t("team.preferences", text=m["preferences"]), base=14))
        cards.append(w.card(*lines))
    return ft.Column([*cards, _add_form(app)], spacing=12)


def _add_form(app: App) -> ft.Control:
    s, services = app.session, app.services
    form: dict[str, Any] = s.params.setdefault("team_form", {"role": "assistant",
                                                               "employment": "minijob"})
    name = w.field(s, app.t("field.name"), form.get("name", ""))
    wage = w.field(s, app.t("field.hourly_wage"), form.get("wage", "14.00"))
    hours = w.field(s, app.t("field.weekly_hours"), form.get("hours", "10"))
    valid_from = w.field(s, app.t("field.valid_from"),
                         form.get("valid_from", services.now()[:8] + "01"))
    prefs = w.field(s, app.t("field.preferences"), form.get("prefs", ""), multiline=True)

    def pick(key: str, value: str) -> None:
        # Keep what was typed: the screen is rebuilt to show the new choice.
        form.update(name=name.value, wage=wage.value, hours=hours.value,
                    valid_from=valid_from.value, prefs=prefs.value)
        form[key] = value
        app.render()

    def add(e: Any) -> None:
        def work() -> None:
            if not (name.value or "").strip():
                raise InputError(app.t("error.required"), "name")
            mid = services.add_member(name.value or "", form["role"],
                                      preferences=prefs.value or "")
            if form["role"] == "assistant":
                services.set_contract(mid, valid_from.value or "", wage.value or "",
                                      form["employment"], hours.value or "0")
            form.update(name="", prefs="")  # a fresh form for the next person
        app.act(work, "team.added", name=(name.value or "").strip())

    return w.card(
        w.heading(s, app.t("team.add_title"), 2),
        name,
        w.choice(s, [(r, app.t(f"role.{r}")) for r in ROLES if r != "employer"], form["role"],
                 lambda v: pick("role", v), label=app.t("field.role")),
        w.choice(s, [(k, app.t(f"employment.{k}")) for k in EMPLOYMENT_KINDS],
                 form["employment"], lambda v: pick("employment", v),
                 label=app.t("field.employment")),
        wage, hours, valid_from, prefs,
        w.button(s, app.t("team.add"), add, primary=True, icon=ft.Icons.PERSON_ADD))
