"""*Stundenzettel*: one member's month — entries with breaks and hours, hours per pay class
and gross pay (``app.store.reports.month_report``), add or correct an
entry with a reason, and *Monat abschließen*: a link to the sign screen (review → sign).

An assistant sees their own month; the employer opens any member's month from *Team*.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import InputError
from app.i18n import formats as fmt
from app.store import reports, teamwork, timesheets
from app.views import date_time_fields as dt
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host


def shift_month(month: str, by: int) -> str:
    y, m = int(month[:4]), int(month[5:7]) + by
    while m < 1:
        y, m = y - 1, m + 12
    while m > 12:
        y, m = y + 1, m - 12
    return f"{y}-{m:02d}"


def build(app: Host) -> ft.Control:
    s, services = app.session, app.services
    member_id = s.params.get("member_id") if s.is_employer else s.member_id
    member_id = member_id or s.member_id or ""
    month = s.params.get("month") or services.now()[:7]
    member = services.member(member_id)

    def go_month(by: int) -> None:
        app.go("timesheet", member_id=member_id, month=shift_month(month, by))

    items: list[ft.Control] = [
        w.heading(s, app.t("timesheet.of", name=member["display_name"],
                           month=fmt.month(s.lang, month)), 2),
        w.month_stepper(s, app.t("timesheet.prev"), app.t("timesheet.next"), go_month),
    ]
    summary = services.month_summary(member_id, month)
    items.append(w.text(s, app.t("timesheet.total", hours=w.num(s, summary["hours"])), base=18,
                        bold=True, key="timesheet-total"))
    items += _report(app, member_id, month)
    entries = summary["entries"]
    if not entries:
        items.append(w.text(s, app.t("timesheet.empty")))
    for entry in entries:
        items.append(_entry_row(app, entry))
    if s.params.get("correct"):
        items.append(_entry_form(app, member_id, month, s.params["correct"]))
    items.append(_entry_form(app, member_id, month, None))
    items.append(_close(app, member_id, month))
    return ft.Column(items, spacing=10)


def _report(app: Host, member_id: str, month: str) -> list[ft.Control]:
    s = app.session
    try:
        report = reports.month_report(app.services, member_id, month)
    except Exception:  # the pay engine is advisory here; hours still show
        return [w.text(s, app.t("timesheet.report_failed"))]
    lines = [w.text(s, app.t("timesheet.class_line", cls=app.t(f"payclass.{k}"), hours=w.num(s, v)))
             for k, v in sorted((report.get("hours") or {}).items()) if v not in ("0", "0.00")]
    pay = report.get("pay") or {}
    if pay.get("gross") is not None:
        lines.append(w.text(s, app.t("timesheet.gross", gross=w.money(s, pay["gross"])), bold=True))
    key = "message_en" if s.lang == "en" else "message_de"
    lines += [w.text(s, app.t("common.warning", text=str(x.get(key, ""))),
                     color=ft.Colors.ERROR)
              for x in report.get("warnings", [])]
    return [w.card(w.heading(s, app.t("timesheet.by_class"), 3), *lines)]


def _entry_row(app: Host, entry: dict[str, Any]) -> ft.Control:
    s = app.session
    breaks = ", ".join(f"{b['start'][11:16]}–{(b['end'] or '')[11:16]}"
                       for b in entry["breaks"]) or app.t("timesheet.no_breaks")
    label = app.t("timesheet.entry_line", day=fmt.day(s.lang, entry["start"]),
                  start=entry["start"][11:16],
                  end=(entry["end"] or "")[11:16] or "…", hours=w.hours_text(entry["minutes"]),
                  breaks=breaks)
    parts: list[ft.Control] = [w.text(s, label, key=f"entry-{entry['id']}")]
    if entry["correction_reason"] and entry["source"] == "manual":
        parts.append(w.text(s, app.t("timesheet.reason", reason=entry["correction_reason"]),
                            base=14))
    if entry["end"]:
        parts.append(w.button(s, app.t("timesheet.correct", label=entry["start"][:16]
                                       .replace("T", " ")),
                              lambda e: app.go(
                                  "timesheet", **{**s.params, "correct": entry["id"]}),
                              icon=ft.Icons.EDIT))
    return ft.Column(parts, spacing=2)


def _entry_form(app: Host, member_id: str, month: str, entry_id: str | None) -> ft.Control:
    s, services = app.session, app.services
    forms: dict[str, Any] = s.params.setdefault("forms", {})
    form: dict[str, Any] = forms.setdefault(f"entry:{entry_id or 'new'}", {})
    if entry_id and "loaded" not in form:
        row = next(e for e in services.month_entries(member_id, month) if e["id"] == entry_id)
        b = row["breaks"][0] if row["breaks"] else None
        form.update(loaded=True, date=row["start"][:10], start=row["start"][11:16],
                    end=(row["end"] or "")[11:16], break_start=(b or {}).get("start", "")[11:16],
                    break_end=((b or {}).get("end") or "")[11:16])
    default_day = services.now()[:10] if services.now()[:7] == month else f"{month}-01"

    def save(e: Any) -> None:
        def work() -> None:
            day = form.get("date", "")
            start, end = f"{day}T{form.get('start', '')}", f"{day}T{form.get('end', '')}"
            if form.get("end", "") <= form.get("start", ""):
                try:
                    nxt = date.fromisoformat(day) + timedelta(days=1)
                except ValueError as err:
                    raise InputError("error.date", "date") from err
                end = f"{nxt.isoformat()}T{form.get('end', '')}"
            breaks = []
            if form.get("break_start") and form.get("break_end"):
                breaks = [{"start": f"{day}T{form['break_start']}",
                           "end": f"{day}T{form['break_end']}"}]
            reason = form.get("reason", "")
            if entry_id:
                services.correct_entry(entry_id, reason, start=start, end=end, breaks=breaks)
                eid = entry_id
            else:
                eid = services.add_entry(member_id, start, end, reason, breaks=breaks)
            if not s.is_employer:
                # The employer sees an assistant's own correction under *Freigaben*.
                teamwork.make_request(services, member_id, "correction", entry_id=eid,
                                      comment=f"{start.replace('T', ' ')}–{end[11:]}: {reason}")
            forms.pop(f"entry:{entry_id or 'new'}", None)
            s.params.pop("correct", None)
        app.act(work, "timesheet.saved")

    return w.card(
        w.heading(s, app.t("timesheet.correct_title" if entry_id else "timesheet.add_title"), 3),
        dt.date_field(s, form, "date", app.t("field.date"), default_day),
        dt.time_field(s, form, "start", app.t("field.start_time"), "08:00"),
        dt.time_field(s, form, "end", app.t("field.end_time"), "12:00"),
        dt.time_field(s, form, "break_start", app.t("timesheet.break_start")),
        dt.time_field(s, form, "break_end", app.t("timesheet.break_end")),
        w.bound(s, form, "reason", app.t("field.reason")),
        w.button(s, app.t("timesheet.save_correction" if entry_id else "timesheet.add"), save,
                 primary=True, icon=ft.Icons.SAVE))


def _close(app: Host, member_id: str, month: str) -> ft.Control:
    """*Monat abschließen*: one path, review → sign. The sign screen shows exactly what the
    signature covers; the employer finds a signed month under *Freigaben*."""
    s, services = app.session, app.services
    try:
        status = timesheets.status(services, member_id, month)
    except Exception:  # status is informative only
        status = ""
    parts: list[ft.Control] = [w.heading(s, app.t("timesheet.submit_title"), 3)]
    if status:
        parts.append(w.text(s, app.t(f"sign.status.{status}")))
    if s.member_id == member_id and status in ("", "draft", "rejected"):
        parts.append(w.button(s, app.t("timesheet.close_review", month=month),
                              lambda e: app.go("sign", month=month), primary=True,
                              icon=ft.Icons.DRAW, key="close-month"))
    elif s.is_employer and status == "submitted":
        parts.append(w.button(s, app.t("timesheet.open_approvals"),
                              lambda e: app.go("approvals"), primary=True, icon=ft.Icons.TASK_ALT))
    return w.card(*parts)
