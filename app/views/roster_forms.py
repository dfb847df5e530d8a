"""The roster's forms: plan or edit one shift (with reusable templates), a recurring weekly
plan with exceptions, copy a week, and the employer's needs (*Assistenzbedarf*).

Form values live in the session (``widgets.bound``) so that pressing a choice button —
which rebuilds the screen — keeps what was typed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from app.domain.model import SHIFT_KINDS
from app.errors import InputError
from app.store import planning
from app.store import ui_services as ui
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.shell import App

OPEN = "-"


def forms(app: App, first: date) -> list[ft.Control]:
    return [_shift_form(app, first), _weekly_form(app, first), _copy_form(app, first),
            _needs_form(app)]


def _assignee_choice(app: App, form: dict[str, Any]) -> ft.Control:
    s = app.session
    options = [(OPEN, app.t("roster.open"))] + [
        (m["id"], m["display_name"]) for m in app.services.members("assistant")]

    def pick(value: str) -> None:
        form["assignee"] = value
        app.render()

    return w.choice(s, options, form.get("assignee", OPEN), pick,
                    label=app.t("roster.assignee"))


def _kind_choice(app: App, form: dict[str, Any]) -> ft.Control:
    def pick(value: str) -> None:
        form["kind"] = value
        app.render()

    return w.choice(app.session, [(k, app.t(f"kind.{k}")) for k in SHIFT_KINDS],
                    form.get("kind", "work"), pick, label=app.t("field.kind"))


def _budget_choice(app: App, form: dict[str, Any]) -> ft.Control:
    def pick(value: str) -> None:
        form["budget"] = value
        app.render()

    options = [(OPEN, app.t("roster.no_budget"))] + [
        (b["id"], b["name"]) for b in app.services.budgets()]
    return w.choice(app.session, options, form.get("budget", OPEN), pick,
                    label=app.t("field.budget"))


def _shift_form(app: App, first: date) -> ft.Control:
    s, services = app.session, app.services
    edit_id = s.params.get("edit")
    forms: dict[str, Any] = s.params.setdefault("forms", {})
    form: dict[str, Any] = forms.setdefault(f"shift:{edit_id or 'new'}", {})
    if edit_id and "loaded" not in form:
        shift = services.shift(edit_id)
        form.update(loaded=True, date=shift["start"][:10], start=shift["start"][11:16],
                    end=shift["end"][11:16], kind=shift["kind"], location=shift["location"],
                    instructions=shift["instructions"],
                    checklist="\n".join(shift["checklist"] or []),
                    assignee=shift["assignee_id"] or OPEN, budget=shift["budget_id"] or OPEN)
    fields = [
        w.bound(s, form, "date", app.t("field.date"), first.isoformat()),
        w.bound(s, form, "start", app.t("field.start_time"), "08:00"),
        w.bound(s, form, "end", app.t("field.end_time"), "16:00"),
        w.bound(s, form, "location", app.t("field.location")),
        w.bound(s, form, "instructions", app.t("field.instructions"), multiline=True),
        w.bound(s, form, "checklist", app.t("field.checklist"), multiline=True),
    ]

    def spec() -> dict[str, Any]:
        day = form.get("date", "")
        start, end = form.get("start", ""), form.get("end", "")
        end_day = day
        if end and start and end <= start:
            try:
                end_day = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
            except ValueError as err:
                raise InputError(app.t("error.date"), "date") from err
        return {"start": f"{day}T{start}", "end": f"{end_day}T{end}",
                "kind": form.get("kind", "work"), "location": form.get("location", ""),
                "instructions": form.get("instructions", ""),
                "checklist": [x.strip() for x in form.get("checklist", "").splitlines()
                              if x.strip()],
                "assignee_id": None if form.get("assignee", OPEN) == OPEN else form["assignee"],
                "budget_id": None if form.get("budget", OPEN) == OPEN else form["budget"]}

    def done() -> None:
        forms.pop(f"shift:{edit_id or 'new'}", None)
        s.params.pop("edit", None)

    def save(e: Any) -> None:
        def work() -> None:
            if edit_id:
                services.update_shift(edit_id, **spec())
            else:
                services.plan_shift(**spec())
            done()
        app.act(work, "roster.saved")

    def save_template(e: Any) -> None:
        def work() -> None:
            checklist = [x.strip() for x in form.get("checklist", "").splitlines()]
            planning.save_template(services, form.get("template_name", ""),
                                   form.get("instructions", ""), checklist)
        app.act(work, "roster.template_saved")

    def cancel_shift(e: Any) -> None:
        def work() -> None:
            services.cancel_shift(edit_id)
            done()
        app.act(work, "roster.cancelled")

    def close(e: Any) -> None:
        done()
        app.render()

    buttons = [w.button(s, app.t("roster.save_shift" if edit_id else "roster.plan_shift"),
                        save, primary=True, icon=ft.Icons.SAVE),
               w.button(s, app.t("roster.template_save"), save_template,
                        icon=ft.Icons.BOOKMARK_ADD)]
    if edit_id:
        buttons += [w.button(s, app.t("roster.cancel_shift"), cancel_shift,
                             icon=ft.Icons.EVENT_BUSY),
                    w.button(s, app.t("common.close"), close)]
    return w.card(
        w.heading(s, app.t("roster.edit_title" if edit_id else "roster.new_title"), 2),
        *_template_choice(app, form), *fields, _kind_choice(app, form),
        _assignee_choice(app, form), _budget_choice(app, form),
        w.bound(s, form, "template_name", app.t("field.template_name")),
        ft.Row(buttons, wrap=True, spacing=8),
        key="shift-form")


def _template_choice(app: App, form: dict[str, Any]) -> list[ft.Control]:
    """A row of templates; picking one fills the instructions and the checklist."""
    found = planning.templates(app.services)
    if not found:
        return []
    by_id = {t["id"]: t for t in found}

    def pick(value: str) -> None:
        chosen = by_id[value]
        form.update(template=value, template_name=chosen["name"],
                    instructions=chosen["instructions"],
                    checklist="\n".join(chosen["checklist"]))
        app.render()

    return [w.choice(app.session, [(t["id"], t["name"]) for t in found],
                     form.get("template"), pick, label=app.t("field.template"))]


def _weekly_form(app: App, first: date) -> ft.Control:
    s, services = app.session, app.services
    form: dict[str, Any] = s.params.setdefault("forms", {}).setdefault("weekly", {})
    chosen: set[str] = form.setdefault("weekdays", set())

    def toggle(day: str) -> None:
        (chosen.discard if day in chosen else chosen.add)(day)
        app.render()

    def plan(e: Any) -> None:
        def work() -> None:
            try:
                weeks = int(form.get("weeks") or "0")
            except ValueError as err:
                raise InputError(app.t("error.number"), "weeks") from err
            assignee = None if form.get("assignee", OPEN) == OPEN else form["assignee"]
            ids = ui.plan_weekly(services, form.get("first_day", ""),
                                 sorted(int(d) for d in chosen), form.get("start", ""),
                                 form.get("end", ""), weeks, kind=form.get("kind", "work"),
                                 assignee_id=assignee,
                                 except_dates=form.get("except", "").split(","))
            form["planned"] = len(ids)
            chosen.clear()
        if app.act(work):
            app.say(app.t("roster.weekly_done", n=form.get("planned", 0)))

    return w.card(
        w.heading(s, app.t("roster.weekly_title"), 2),
        w.toggles(s, [(str(i), app.t(f"weekday.{i}")) for i in range(7)], chosen, toggle,
                  label=app.t("field.weekdays")),
        w.bound(s, form, "start", app.t("field.start_time"), "08:00"),
        w.bound(s, form, "end", app.t("field.end_time"), "14:00"),
        w.bound(s, form, "first_day", app.t("field.first_day"), first.isoformat()),
        w.bound(s, form, "weeks", app.t("field.weeks"), "4"),
        w.bound(s, form, "except", app.t("field.except_dates")),
        _kind_choice(app, form), _assignee_choice(app, form),
        w.button(s, app.t("roster.weekly_submit"), plan, primary=True, icon=ft.Icons.REPEAT),
        key="weekly-form")


def _copy_form(app: App, first: date) -> ft.Control:
    s, services = app.session, app.services
    form: dict[str, Any] = s.params.setdefault("forms", {}).setdefault("copy", {})

    def copy(e: Any) -> None:
        def work() -> None:
            ids = ui.copy_week(services, form.get("from", ""), form.get("to", ""))
            form["copied"] = len(ids)
        if app.act(work):
            app.say(app.t("roster.copy_done", n=form.get("copied", 0)))

    return w.card(
        w.heading(s, app.t("roster.copy_title"), 2),
        w.bound(s, form, "from", app.t("field.from"), first.isoformat()),
        w.bound(s, form, "to", app.t("field.to"), (first + timedelta(days=7)).isoformat()),
        w.button(s, app.t("roster.copy_submit"), copy, icon=ft.Icons.CONTENT_COPY),
        key="copy-form")


def _needs_form(app: App) -> ft.Control:
    """*Assistenzbedarf*: when someone must be there, one need per chosen weekday."""
    s, services = app.session, app.services
    form: dict[str, Any] = s.params.setdefault("forms", {}).setdefault("need", {})
    chosen: set[str] = form.setdefault("weekdays", set())

    def toggle(day: str) -> None:
        (chosen.discard if day in chosen else chosen.add)(day)
        app.render()

    def save(e: Any) -> None:
        def work() -> None:
            if not chosen:
                raise InputError(app.t("error.weekdays"), "weekdays")
            # Every day has the same times: a bad time fails on the first, before any write.
            for day in sorted(chosen):
                planning.set_need(services, int(day), form.get("start", ""),
                                  form.get("end", ""), form.get("label", ""))
            chosen.clear()
        app.act(work, "roster.need_saved")

    def remover(need_id: str) -> w.Handler:
        def remove(e: Any) -> None:
            app.act(lambda: planning.delete_need(services, need_id), "roster.need_deleted")
        return remove

    rows: list[ft.Control] = []
    for need in planning.needs(services):
        line = app.t("roster.need_line", day=app.t(f"weekday.{need['weekday']}"),
                     start=need["start"], end=need["end"], label=need["label"])
        rows.append(w.button(s, app.t("roster.need_delete", line=line),
                             remover(need["id"]), icon=ft.Icons.DELETE))
    return w.card(
        w.heading(s, app.t("roster.needs_title"), 2),
        w.text(s, app.t("roster.needs_hint"), base=14),
        w.toggles(s, [(str(i), app.t(f"weekday.{i}")) for i in range(7)], chosen, toggle,
                  label=app.t("field.weekdays")),
        w.bound(s, form, "start", app.t("field.start_time"), "06:00"),
        w.bound(s, form, "end", app.t("field.end_time"), "07:00"),
        w.bound(s, form, "label", app.t("field.need_label")),
        w.button(s, app.t("roster.need_save"), save, primary=True, icon=ft.Icons.SAVE),
        *rows,
        key="needs-form")
