"""The roster's forms: the short sheet that plans or edits one shift (opened from a day or a
free slot of the plan, prefilled with it; reusable templates), a recurring weekly plan with
exceptions, copy a week, and the employer's needs (*Assistenzbedarf*).

Form values live in the session (``widgets.bound``) so that pressing a choice button —
which rebuilds the screen or the sheet — keeps what was typed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from app.domain.model import SHIFT_KINDS
from app.errors import InputError
from app.i18n import formats as fmt
from app.store import planning
from app.views import date_time_fields as dt
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host

OPEN = "-"


def forms(app: Host, first: date) -> list[ft.Control]:
    """The forms below the plan; one shift is planned in the sheet (``open_sheet``)."""
    return [_weekly_form(app, first), _copy_form(app, first), _needs_form(app)]


def _assignee_choice(app: Host, form: dict[str, Any], refresh: Callable[[], None]
                     ) -> ft.Control:
    s = app.session
    options = [(OPEN, app.t("roster.open"))] + [
        (m["id"], m["display_name"]) for m in app.services.members("assistant")]

    def pick(value: str) -> None:
        form["assignee"] = value
        refresh()

    return w.choice(s, options, form.get("assignee", OPEN), pick,
                    label=app.t("roster.assignee"))


def _kind_choice(app: Host, form: dict[str, Any], refresh: Callable[[], None]) -> ft.Control:
    def pick(value: str) -> None:
        form["kind"] = value
        refresh()

    return w.choice(app.session, [(k, app.t(f"kind.{k}")) for k in SHIFT_KINDS],
                    form.get("kind", "work"), pick, label=app.t("field.kind"))


def _budget_choice(app: Host, form: dict[str, Any], refresh: Callable[[], None]) -> ft.Control:
    def pick(value: str) -> None:
        form["budget"] = value
        refresh()

    options = [(OPEN, app.t("roster.no_budget"))] + [
        (b["id"], b["name"]) for b in app.services.budgets()]
    return w.choice(app.session, options, form.get("budget", OPEN), pick,
                    label=app.t("field.budget"))


def sheet_form(app: Host, day: str, start: str = "08:00", end: str = "16:00",
               edit_id: str | None = None) -> dict[str, Any]:
    """A fresh form for the sheet: prefilled with the tapped day (or free slot), or with the
    shift being edited."""
    form: dict[str, Any] = {"date": day, "start": start, "end": end, "edit": edit_id}
    if edit_id:
        shift = app.services.shift(edit_id)
        form.update(date=shift["start"][:10], start=shift["start"][11:16],
                    end=shift["end"][11:16], kind=shift["kind"], location=shift["location"],
                    instructions=shift["instructions"],
                    checklist="\n".join(shift["checklist"] or []),
                    assignee=shift["assignee_id"] or OPEN, budget=shift["budget_id"] or OPEN)
        form["more"] = bool(shift["location"] or shift["instructions"] or shift["checklist"])
    app.session.params.setdefault("forms", {})["sheet"] = form
    return form


def open_sheet(app: Host, day: str, start: str = "08:00", end: str = "16:00",
               edit_id: str | None = None) -> None:
    """The short sheet that plans (or edits) one shift, over the plan; after saving, the
    shift shows in place at once (the plan is rebuilt) and the sheet closes."""
    form = sheet_form(app, day, start, end, edit_id)
    app.session.message = ""  # a new action: an old error would only confuse here
    form["opener"] = app.session.focus_name  # the day or shift button: focus goes back there
    dialog = ft.AlertDialog(modal=True, scrollable=True)

    def close() -> None:
        app.session.params.get("forms", {}).pop("sheet", None)
        app.page.pop_dialog()

    def refresh() -> None:
        dialog.title = w.heading(app.session, app.t(
            "roster.edit_title" if edit_id else "roster.new_title_day",
            day=_day_name(app, form.get("date", ""))), 2)
        dialog.content = ft.Column(shift_form(app, form, refresh, close), spacing=8,
                                   tight=True, width=560)
        if shown:
            dialog.update()
        _refocus(app, shown)

    shown = False
    refresh()
    app.page.show_dialog(dialog)
    shown = True


def _refocus(app: Host, shown: bool) -> None:
    """After the sheet is rebuilt in place (a choice, *Mehr Angaben*): the keyboard focus
    back on the button pressed. The rebuilt dialog otherwise leaves it nowhere, and the next
    Tab starts at the top of the sheet. (The page's own rebuild does this in the shell.)"""
    s = app.session
    target = s.focus_target if shown else None
    s.focus_target = s.focus_first = None
    s.focus_name = ""
    if target is not None:
        async def restore() -> None:
            with contextlib.suppress(Exception):  # the sheet closed meanwhile
                await target.focus()
        app.page.run_task(restore)


def _day_name(app: Host, day: str) -> str:
    try:
        return fmt.day(app.session.lang, day)
    except ValueError:
        return day


def shift_form(app: Host, form: dict[str, Any], refresh: Callable[[], None],
               close: Callable[[], None]) -> list[ft.Control]:
    """The controls of the sheet: fields, choices, save (and for an edit: cancel shift)."""
    s, services = app.session, app.services
    edit_id = form.get("edit")
    fields = [
        dt.date_field(s, form, "date", app.t("field.date"), form.get("date", "")),
        dt.time_field(s, form, "start", app.t("field.start_time"), "08:00"),
        dt.time_field(s, form, "end", app.t("field.end_time"), "16:00"),
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
                raise InputError("error.date", "date") from err
        return {"start": f"{day}T{start}", "end": f"{end_day}T{end}",
                "kind": form.get("kind", "work"), "location": form.get("location", ""),
                "instructions": form.get("instructions", ""),
                "checklist": [x.strip() for x in form.get("checklist", "").splitlines()
                              if x.strip()],
                "assignee_id": None if form.get("assignee", OPEN) == OPEN else form["assignee"],
                "budget_id": None if form.get("budget", OPEN) == OPEN else form["budget"]}

    def finish(ok: bool) -> None:
        # Saved: the plan behind is already rebuilt; close. Refused: say why in the sheet.
        if ok:
            close()
        else:
            refresh()

    def save(e: Any) -> None:
        def work() -> None:
            if edit_id:
                services.update_shift(edit_id, **spec())
            else:
                services.plan_shift(**spec())
        finish(app.act(work, "roster.saved", focus=form.get("opener") or None))

    def save_template(e: Any) -> None:
        def work() -> None:
            checklist = [x.strip() for x in form.get("checklist", "").splitlines()]
            planning.save_template(services, form.get("template_name", ""),
                                   form.get("instructions", ""), checklist)
        app.act(work, "roster.template_saved")
        refresh()

    def cancel_shift(shift_id: str) -> None:
        finish(app.act(lambda: services.cancel_shift(shift_id), "roster.cancelled",
                       focus=form.get("opener") or None))

    buttons = [w.button(s, app.t("roster.save_shift" if edit_id else "roster.plan_shift"),
                        save, primary=True, icon=ft.Icons.SAVE, key="sheet-save")]
    if edit_id:
        buttons.append(w.button(s, app.t("roster.cancel_shift"), w.call(cancel_shift, edit_id),
                                icon=ft.Icons.EVENT_BUSY))
    buttons.append(w.button(s, app.t("common.close"), lambda e: close(), icon=ft.Icons.CLOSE))
    error = ([w.text(s, s.message, color=ft.Colors.ERROR, live=True, key="sheet-error")]
             if s.message and s.message_is_error else [])
    def more(e: Any) -> None:
        form["more"] = not form.get("more")
        refresh()

    # Short by default: when, who, what; details (place, instructions, templates) on demand.
    details: list[ft.Control] = [w.button(
        s, app.t("roster.fewer_details" if form.get("more") else "roster.more_details"), more,
        icon=ft.Icons.EXPAND_LESS if form.get("more") else ft.Icons.EXPAND_MORE)]
    if form.get("more"):
        details += [*fields[3:], *_template_choice(app, form, refresh),
                    _budget_choice(app, form, refresh),
                    w.bound(s, form, "template_name", app.t("field.template_name")),
                    w.button(s, app.t("roster.template_save"), save_template,
                             icon=ft.Icons.BOOKMARK_ADD)]
    return [*error, *_same_day(app, form, close), *fields[:3],
            _assignee_choice(app, form, refresh),
            _kind_choice(app, form, refresh), *details,
            ft.Row(buttons, wrap=True, spacing=8, run_spacing=8)]


def shift_line(app: Host, shift: dict[str, Any], names: dict[str, str]) -> str:
    """"07:00–15:00 · Ben Meyer · Arbeit" """
    who = names.get(shift["assignee_id"] or "", app.t("roster.open"))
    return app.t("roster.shift_line", start=shift["start"][11:16], end=shift["end"][11:16],
                 who=who, kind=app.t(f"kind.{shift['kind']}"))


def _same_day(app: Host, form: dict[str, Any], close: Callable[[], None]) -> list[ft.Control]:
    """A new shift's sheet lists the day's shifts, so the month grid can edit them too."""
    day = form.get("date", "")
    if form.get("edit") or len(day) != 10:
        return []
    names = {m["id"]: m["display_name"] for m in app.services.members(include_inactive=True)}
    out: list[ft.Control] = []
    for shift in app.services.shifts_between(f"{day}T00:00", f"{day}T23:59"):
        if shift["start"][:10] != day:
            continue
        label = shift_line(app, shift, names)

        def edit(e: Any, sid: str = shift["id"]) -> None:
            close()
            open_sheet(app, day, edit_id=sid)

        out.append(w.button(app.session, app.t("roster.edit_shift", label=label), edit,
                            icon=ft.Icons.EDIT))
    return out


def _template_choice(app: Host, form: dict[str, Any], refresh: Callable[[], None]
                     ) -> list[ft.Control]:
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
        refresh()

    return [w.choice(app.session, [(t["id"], t["name"]) for t in found],
                     form.get("template"), pick, label=app.t("field.template"))]


def _weekly_form(app: Host, first: date) -> ft.Control:
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
                raise InputError("error.number", "weeks") from err
            assignee = None if form.get("assignee", OPEN) == OPEN else form["assignee"]
            ids = planning.plan_weekly(services, form.get("first_day", ""),
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
        dt.time_field(s, form, "start", app.t("field.start_time"), "08:00"),
        dt.time_field(s, form, "end", app.t("field.end_time"), "14:00"),
        dt.date_field(s, form, "first_day", app.t("field.first_day"), first.isoformat()),
        w.bound(s, form, "weeks", app.t("field.weeks"), "4"),
        w.bound(s, form, "except", app.t("field.except_dates")),
        _kind_choice(app, form, app.render), _assignee_choice(app, form, app.render),
        w.button(s, app.t("roster.weekly_submit"), plan, primary=True, icon=ft.Icons.REPEAT),
        key="weekly-form")


def _copy_form(app: Host, first: date) -> ft.Control:
    s, services = app.session, app.services
    form: dict[str, Any] = s.params.setdefault("forms", {}).setdefault("copy", {})

    def copy(e: Any) -> None:
        def work() -> None:
            ids = planning.copy_week(services, form.get("from", ""), form.get("to", ""))
            form["copied"] = len(ids)
        if app.act(work):
            app.say(app.t("roster.copy_done", n=form.get("copied", 0)))

    return w.card(
        w.heading(s, app.t("roster.copy_title"), 2),
        dt.date_field(s, form, "from", app.t("field.from"), first.isoformat()),
        dt.date_field(s, form, "to", app.t("field.to"), (first + timedelta(days=7)).isoformat()),
        w.button(s, app.t("roster.copy_submit"), copy, icon=ft.Icons.CONTENT_COPY),
        key="copy-form")


def _needs_form(app: Host) -> ft.Control:
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
                raise InputError("error.weekdays", "weekdays")
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
        dt.time_field(s, form, "start", app.t("field.start_time"), "06:00"),
        dt.time_field(s, form, "end", app.t("field.end_time"), "07:00"),
        w.bound(s, form, "label", app.t("field.need_label")),
        w.button(s, app.t("roster.need_save"), save, primary=True, icon=ft.Icons.SAVE),
        *rows,
        key="needs-form")
