"""*Meine Dienste* (assistant): my shifts as a list (the coming weeks, each once, with its
place, instructions and checklist, so they can be read ahead) or as a month calendar, open
shifts to claim, offer my shift for a swap, and enter when I am available or not. The month
grid lives in ``my_calendar.py``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import flet as ft

from app.i18n import formats as fmt
from app.store import planning, teamwork
from app.views import date_time_fields as dt
from app.views import my_calendar
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host

WEEKS = 4


def build(app: Host) -> ft.Control:
    s, services = app.session, app.services
    mid = s.member_id or ""
    now = services.now()
    until = (datetime.fromisoformat(now) + timedelta(weeks=WEEKS)).strftime("%Y-%m-%dT%H:%M")
    mine = services.shifts_between(now[:10] + "T00:00", until, mid)
    open_ = planning.open_shifts(services, now, until)
    pending = {(r["kind"], r["shift_id"]) for r in teamwork.requests(services, "open")
               if r["member_id"] == mid}
    view = s.params.get("view", "list")
    items: list[ft.Control] = [w.choice(
        s, [("list", app.t("my.view_list")), ("calendar", app.t("my.view_calendar"))], view,
        lambda k: app.go("my_shifts", view=k), label=app.t("my.view"))]
    if view == "calendar":
        items.append(my_calendar.build(app, s.params.get("month") or now[:7]))
        mine = []
    else:
        items.append(w.heading(s, app.t("my.mine", weeks=WEEKS), 2))
    if not mine and view != "calendar":
        items.append(w.text(s, app.t("my.none")))
    for shift in mine:
        items.append(_shift_card(app, shift, ("swap", shift["id"]) in pending))
    items.append(w.heading(s, app.t("my.open"), 2))
    if not open_:
        items.append(w.text(s, app.t("my.no_open")))
    for shift in open_:
        label = _label(app, shift)
        if ("claim", shift["id"]) in pending:
            items.append(w.text(s, app.t("my.claim_pending", label=label)))
            continue
        claim = partial(teamwork.make_request, services, mid, "claim", shift["id"])
        items.append(w.button(s, app.t("my.claim", label=label),
                              w.call(app.act, claim, "my.claim_sent"), icon=ft.Icons.FRONT_HAND))
    items.append(_availability(app, mid))
    return ft.Column(items, spacing=10)


def when(app: Host, shift: dict[str, Any]) -> str:
    """"heute", "morgen" or "am Mo, 23.11.2026": the day of a shift as people say it."""
    day, today = shift["start"][:10], app.services.now()[:10]
    tomorrow = (date.fromisoformat(today) + timedelta(days=1)).isoformat()
    if day in (today, tomorrow):
        return app.t("my.when_today" if day == today else "my.when_tomorrow")
    return app.t("my.when_day", day=fmt.day(app.session.lang, day))


def details(app: Host, shift: dict[str, Any], checklist: bool = True) -> list[ft.Control]:
    """Where, the instructions and the checklist of a shift (read before it starts)."""
    s = app.session
    parts: list[ft.Control] = []
    if shift["location"]:
        parts.append(w.text(s, app.t("today.location", location=shift["location"])))
    if shift["instructions"]:
        parts.append(w.text(s, app.t("today.instructions", text=shift["instructions"])))
    if checklist:
        parts += [w.text(s, f"• {task}") for task in shift["checklist"] or []]
    return parts


def _shift_card(app: Host, shift: dict[str, Any], swap_pending: bool) -> ft.Control:
    """One shift, said once: the heading, its details, then the swap button."""
    s, services, mid = app.session, app.services, app.session.member_id or ""
    title = app.t("my.shift_title", when=when(app, shift), start=shift["start"][11:16],
                  end=shift["end"][11:16], kind=app.t(f"kind.{shift['kind']}"))
    parts = [w.heading(s, title[:1].upper() + title[1:], 3), *details(app, shift)]
    if swap_pending:
        parts.append(w.text(s, app.t("my.swap_pending"), base=14))
    else:
        parts.append(w.button(s, app.t("my.offer_swap", label=fmt.short_day(s.lang, shift["start"][:10])),
                              lambda e: app.act(lambda: teamwork.make_request(
                                  services, mid, "swap", shift["id"]), "my.swap_sent"),
                              icon=ft.Icons.SWAP_HORIZ))
    return w.card(*parts)


def _label(app: Host, shift: dict[str, Any]) -> str:
    return app.t("my.shift_line", day=fmt.day(app.session.lang, shift["start"][:10]), start=shift["start"][11:16],
                 end=shift["end"][11:16], kind=app.t(f"kind.{shift['kind']}"))


def _availability(app: Host, mid: str) -> ft.Control:
    s, services = app.session, app.services
    form: dict[str, Any] = s.params.setdefault("forms", {}).setdefault("avail", {})
    rows = [w.text(s, app.t("my.avail_line" if a["available"] else "my.unavail_line",
                            start=a["start"].replace("T", " "), end=a["end"].replace("T", " "),
                            note=a["note"]), base=14)
            for a in teamwork.availability(services, mid)[-5:]]

    def save(available: bool) -> None:
        day = form.get("date", "")
        app.act(lambda: teamwork.set_availability(
            services, mid, f"{day}T{form.get('start', '')}", f"{day}T{form.get('end', '')}",
            available, form.get("note", "")), "my.avail_saved")

    return w.card(
        w.heading(s, app.t("my.avail_title"), 2), *rows,
        dt.date_field(s, form, "date", app.t("field.date"), services.now()[:10]),
        dt.time_field(s, form, "start", app.t("field.start_time"), "08:00"),
        dt.time_field(s, form, "end", app.t("field.end_time"), "16:00"),
        w.bound(s, form, "note", app.t("field.note")),
        ft.Row([w.button(s, app.t("my.can"), lambda e: save(True), icon=ft.Icons.CHECK),
                w.button(s, app.t("my.cannot"), lambda e: save(False), icon=ft.Icons.BLOCK)],
               wrap=True, spacing=8))
