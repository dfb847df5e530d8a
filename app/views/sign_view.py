"""*Stundenzettel unterschreiben* (assistant): the one way to close a month — review what
will be signed (totals in plain words, then day by day; a wrong day is corrected on the
*Stundenzettel*), then the button that signs it with this device's key.

The summary is read from the very document that gets signed
(``app.store.timesheets.document_for``), so what the person reads is what the signature
covers: number of entries, hours, standby, paid absence, surcharges, gross pay and the
warnings. After signing it shows when and with which key; a rejected month shows the
employer's comment and can be signed again after corrections.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import AssistenzzeitError
from app.store import timesheets
from app.store.crypto import fingerprint
from app.views import widgets as w
from app.views.timesheet import shift_month

if TYPE_CHECKING:
    from app.views.host import Host

SIGNABLE = ("draft", "rejected")


def money(value: str) -> str:
    return value.replace(".", ",")


def summary_lines(app: Host, doc: dict[str, Any]) -> list[str]:
    """The plain-language sentences that say what a document contains."""
    t, hours, pay = app.t, doc["hours"], doc["pay"]

    def num(value: str) -> str:  # "165,00" in German, "165.00" in English
        return w.num(app.session, value)

    lines = [t("sign.line_entries", count=len(doc["entries"]), hours=num(hours["base"]))]
    if hours["standby"] != "0.00":
        lines.append(t("sign.line_standby", hours=num(hours["standby"])))
    if hours["absence"] != "0.00":
        lines.append(t("sign.line_absence", hours=num(hours["absence"])))
    if pay["surcharges"] != "0.00":
        lines.append(t("sign.line_surcharges", amount=num(pay["surcharges"])))
    lines.append(t("sign.line_gross", amount=num(pay["gross"])))
    key = "message_en" if app.session.lang == "en" else "message_de"
    if doc["warnings"]:
        lines.append(t("sign.line_warnings", count=len(doc["warnings"])))
        lines += [f"• {x['day']}: {x[key]}" if x["day"] else f"• {x[key]}"
                  for x in doc["warnings"]]
    else:
        lines.append(t("sign.line_no_warnings"))
    return lines


def day_lines(app: Host, doc: dict[str, Any]) -> list[str]:
    """The signed entries, one line per entry, as the assistant signed them."""
    out = []
    for e in doc.get("entries", []):
        day = date.fromisoformat(e["start"][:10])
        breaks = ", ".join(f"{b['start'][11:16]}–{b['end'][11:16]}" for b in e["breaks"])
        out.append(app.t("approval.day_line", weekday=app.t(f"weekday.{day.weekday()}"),
                         day=e["start"][:10], start=e["start"][11:16], end=e["end"][11:16],
                         hours=w.hours_text(e["minutes"]),
                         breaks=breaks or app.t("timesheet.no_breaks")))
        if e.get("correction_reason"):
            out.append(app.t("timesheet.reason", reason=e["correction_reason"]))
    return out


def build(app: Host) -> ft.Control:
    s, services = app.session, app.services
    member_id = (s.params.get("member_id") if s.is_employer else None) or s.member_id or ""
    month = s.params.get("month") or shift_month(services.now()[:7], -1)
    member = services.member(member_id)

    def go_month(by: int) -> None:
        app.go("sign", member_id=member_id, month=shift_month(month, by))

    items: list[ft.Control] = [
        w.heading(s, app.t("sign.heading", name=member["display_name"], month=month), 2),
        w.month_stepper(s, app.t("timesheet.prev"), app.t("timesheet.next"), go_month),
    ]
    row = timesheets.latest(services, member_id, month)
    status = row["status"] if row else "draft"
    items.append(w.text(s, app.t(f"sign.status.{status}"), bold=True, key="sign-status"))
    if row and status == "rejected" and row["comment"]:
        items.append(w.text(s, app.t("sign.rejected_because", comment=row["comment"]),
                            color=ft.Colors.ERROR))
    if status in SIGNABLE:
        items += _to_sign(app, member_id, month, s.member_id == member_id)
    elif row is not None:
        items += _signed(app, row)
    return ft.Column(items, spacing=10)


def _to_sign(app: Host, member_id: str, month: str, own: bool) -> list[ft.Control]:
    s, services = app.session, app.services
    try:
        doc = timesheets.document_for(services, member_id, month)
    except AssistenzzeitError as err:
        return [w.text(s, app.error_text(err), color=ft.Colors.ERROR)]
    if not doc["entries"] and not doc["paid_absence"]:
        return [w.text(s, app.t("sign.nothing"))]
    parts: list[ft.Control] = [w.heading(s, app.t("sign.what"), 3)]
    parts += [w.text(s, line) for line in summary_lines(app, doc)]
    parts.append(w.heading(s, app.t("approval.days"), 3))
    parts += [w.text(s, line, base=14) for line in day_lines(app, doc)]
    parts.append(w.button(s, app.t("sign.correct_first"), lambda e: app.go(
        "timesheet", member_id=member_id, month=month), icon=ft.Icons.EDIT))
    parts.append(w.text(s, app.t("sign.meaning")))
    if own:
        label = app.t("sign.button", month=month)
        parts.append(w.button(s, label, lambda e: app.act(
            lambda: timesheets.submit(services, member_id, month), "sign.done"),
            primary=True, icon=ft.Icons.DRAW, large=True, key="sign-button"))
    else:
        parts.append(w.text(s, app.t("sign.only_self")))
    return [w.card(*parts)]


def _signed(app: Host, row: dict[str, Any]) -> list[ft.Control]:
    s, services = app.session, app.services
    device = services.device(row["assistant_device"]) or {}
    key = fingerprint(bytes.fromhex(device.get("sign_pub") or "")) if device else "?"
    parts: list[ft.Control] = [
        w.text(s, app.t("sign.signed_at", when=w.local_time(s, row["signed_at"]),
                        fingerprint=key, version=row["version"])),
    ]
    doc = timesheets.stored_document(row)
    if doc:
        parts += [w.text(s, line, base=14) for line in summary_lines(app, doc)]
    if row.get("counter_sig"):
        who = services.member(row["counter_member"])["display_name"]
        parts.append(w.text(s, app.t("sign.countersigned", name=who,
                                     when=w.local_time(s, row["countersigned_at"]))))
    return [w.card(*parts)]
