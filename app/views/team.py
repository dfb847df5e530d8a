"""*Team* (employer/proxy): members with contract, role, hours this month and planning notes;
add an assistant (or a proxy / payroll office) with a dated contract.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import flet as ft

from app.domain.model import EMPLOYMENT_KINDS, ROLES
from app.errors import InputError
from app.i18n import formats as fmt
from app.views import date_time_fields as dt
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host


def build(app: Host) -> ft.Control:
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
                "team.contract", wage=w.money(s, contract["hourly_wage"]),
                kind=app.t(f"employment.{contract['employment']}"),
                hours=w.num(s, contract["weekly_hours"]).removesuffix(",00").removesuffix(".00"),
                since=fmt.short_day(s.lang, contract["valid_from"]))))
        if m["role"] == "assistant":
            summary = services.month_summary(m["id"], month)
            lines.append(w.text(s, app.t("team.hours_month", hours=w.num(s, summary["hours"]),
                                         month=fmt.month(s.lang, month))))
            lines.append(w.button(s, app.t("team.open_timesheet", name=m["display_name"]),
                                  w.call(app.go, "timesheet", member_id=m["id"]),
                                  icon=ft.Icons.RECEIPT_LONG))
        if m["preferences"]:
            lines.append(w.text(s, app.t("team.preferences", text=m["preferences"]), base=14))
        cards.append(w.card(*lines))
    return ft.Column([*cards, _add_form(app)], spacing=12)


def _add_form(app: Host) -> ft.Control:
    """*Person hinzufügen*. The fields are named as the store names them (``hourly_wage``),
    so an error lands under its field; what was typed stays."""
    s, services = app.session, app.services
    form: dict[str, Any] = s.params.setdefault("team_form", {"role": "assistant",
                                                               "employment": "minijob"})
    boxes = {"name": w.bound(s, form, "name", app.t("field.name")),
             "hourly_wage": w.bound(s, form, "hourly_wage", app.t("field.hourly_wage"),
                                    w.num(s, "14.00")),
             "weekly_hours": w.bound(s, form, "weekly_hours", app.t("field.weekly_hours"), "10"),
             "preferences": w.bound(s, form, "preferences", app.t("field.preferences"),
                                    multiline=True)}
    for key, box in boxes.items():
        w.field_error(s, form, key, box)
    valid_from = dt.date_field(s, form, "valid_from", app.t("field.valid_from"),
                               services.now()[:8] + "01")

    def pick(key: str, value: str) -> None:
        form[key] = value
        app.render()  # the typed values live in ``form``: the rebuild keeps them

    def add(e: Any) -> None:
        # The fields' own values: a change event may still be on its way in another thread.
        form.update({key: box.value or "" for key, box in boxes.items()})
        name = str(form.get("name") or "").strip()

        def work() -> None:
            if not name:
                raise InputError("error.required", "name")
            wage = decimal_text(form.get("hourly_wage"))
            hours = decimal_text(form.get("weekly_hours")) or "0"
            try:  # checked before anything is written: no member without a contract
                valid_from = fmt.parse_date(str(form.get("valid_from") or "")).isoformat()
            except ValueError as err:
                raise InputError("error.date", "valid_from") from err
            for key, value in (("hourly_wage", wage), ("weekly_hours", hours)):
                try:
                    Decimal(value)
                except InvalidOperation as err:
                    raise InputError("error.number", key) from err
            mid = services.add_member(name, form["role"],
                                      preferences=form.get("preferences") or "")
            if form["role"] == "assistant":
                services.set_contract(mid, valid_from, wage,
                                      form["employment"], hours)
            form.update(name="", preferences="")  # a fresh form for the next person
        app.act(work, "team.added", form=form, name=name)

    return w.card(
        w.heading(s, app.t("team.add_title"), 2),
        boxes["name"],
        w.choice(s, [(r, app.t(f"role.{r}")) for r in ROLES if r != "employer"], form["role"],
                 lambda v: pick("role", v), label=app.t("field.role")),
        w.choice(s, [(k, app.t(f"employment.{k}")) for k in EMPLOYMENT_KINDS],
                 form["employment"], lambda v: pick("employment", v),
                 label=app.t("field.employment")),
        boxes["hourly_wage"], boxes["weekly_hours"], valid_from, boxes["preferences"],
        w.button(s, app.t("team.add"), add, primary=True, icon=ft.Icons.PERSON_ADD))


def decimal_text(typed: str | None) -> str:
    """"14,50" (German) or "14.50" as the decimal string the store reads: with a comma,
    dots are thousands separators."""
    raw = (typed or "").strip()
    return raw.replace(".", "").replace(",", ".") if "," in raw else raw
