"""Timesheet cards for *Freigaben* (employer/proxy): a signed month waiting for the
countersignature shows its totals, its days one by one and the difference to the previous
version; approve, or return it with a comment. An approved month can be reopened and its
signed PDF and bundle saved into the store's ``exports`` folder.

The countersignature is made by ``app.store.timesheets.approve`` as the person using the
app; for a proxy it records "on behalf of" the employer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from app.exports.run import export_month
from app.store import timesheets
from app.store.crypto import fingerprint
from app.views import widgets as w
from app.views.sign_view import day_lines, money, summary_lines

if TYPE_CHECKING:
    from app.views.host import Host

def _span(entry: dict[str, Any]) -> str:
    return f"{entry['start'].replace('T', ' ')}–{entry['end'][11:]}"


def change_lines(app: Host, changes: list[dict[str, Any]]) -> list[str]:
    """The difference to the previous version, one sentence per change."""
    out = []
    for c in changes:
        if c["what"] == "entry":
            old, new = c["old"], c["new"]
            if old is None:
                out.append(app.t("approval.diff_added", entry=_span(new)))
            elif new is None:
                out.append(app.t("approval.diff_removed", entry=_span(old)))
            else:
                out.append(app.t("approval.diff_changed", old=_span(old), new=_span(new)))
        elif c["what"] in ("hours", "pay"):
            label = app.t(f"payclass.{c['key']}") if c["what"] == "hours" else app.t(
                f"approval.pay.{c['key']}")
            out.append(app.t("approval.diff_value", label=label, old=money(str(c["old"])),
                             new=money(str(c["new"]))))
        else:
            out.append(app.t("approval.diff_absences"))
    return out


def cards(app: Host, status: str, limit: int | None = None) -> list[ft.Control]:
    """One card per latest timesheet version in ``status`` (submitted or approved)."""
    rows = [r for r in app.services.waiting_timesheets() if r["status"] == status]
    if status == "approved":
        rows.reverse()  # the newest approved months first
    return [_card(app, r) for r in rows[:limit]]


def _card(app: Host, row: dict[str, Any]) -> ft.Control:
    s, services = app.session, app.services
    name = services.member(row["member_id"])["display_name"]
    month, mid = row["month"], row["member_id"]
    label = app.t("approval.label", name=name, month=month)
    form: dict[str, Any] = s.params.setdefault("forms", {}).setdefault(
        f"approval:{row['id']}", {})
    device = services.device(row["assistant_device"]) or {}
    parts: list[ft.Control] = [
        w.text(s, app.t("approval.title", label=label, version=row["version"]), bold=True),
        w.text(s, app.t("approval.signed_by", name=name,
                        when=w.local_time(s, row["signed_at"]),
                        fingerprint=fingerprint(bytes.fromhex(device.get("sign_pub") or "")))),
    ]
    doc = timesheets.stored_document(row) or {}
    parts += [w.text(s, line, base=14) for line in summary_lines(app, doc)]
    if row["status"] == "submitted":
        parts.append(w.heading(s, app.t("approval.days"), 3))
        parts += [w.text(s, line, base=14) for line in day_lines(app, doc)]
    if row["version"] > 1:
        changes = timesheets.version_diff(services, mid, month)
        parts.append(w.heading(s, app.t("approval.diff_heading", version=row["version"] - 1), 3))
        parts += [w.text(s, line, base=14) for line in change_lines(app, changes)] or [
            w.text(s, app.t("approval.diff_none"))]
    if row["status"] == "submitted":
        parts.append(w.bound(s, form, "comment", app.t("approval.comment_for", label=label)))
        parts.append(ft.Row([
            w.button(s, app.t("approval.approve", label=label), lambda e: app.act(
                lambda: timesheets.approve(services, mid, month, form.get("comment", ""),
                                           by=s.member_id), "approval.approved"),
                primary=True, icon=ft.Icons.VERIFIED),
            w.button(s, app.t("approval.reject", label=label), lambda e: app.act(
                lambda: timesheets.reject(services, mid, month, form.get("comment", ""),
                                          by=s.member_id), "approval.rejected"),
                icon=ft.Icons.UNDO)], wrap=True, spacing=8))
    else:
        parts.append(w.text(s, app.t("approval.approved_at",
                                     when=w.local_time(s, row["countersigned_at"]))))
        out = s.holder.directory / "exports"

        def save(e: Any) -> None:
            def work() -> None:
                result = export_month(services, month, ["pdf", "bundle"], out, mid)
                s.params["saved"] = [p.name for p in result.paths]
            app.act(work, "approval.saved", folder=str(out))

        parts.append(ft.Row([
            w.button(s, app.t("approval.save_pdf", label=label), save, primary=True,
                     icon=ft.Icons.PICTURE_AS_PDF),
            w.button(s, app.t("approval.reopen", label=label), lambda e: app.act(
                lambda: timesheets.reopen(services, mid, month, by=s.member_id),
                "approval.reopened"), icon=ft.Icons.LOCK_OPEN)], wrap=True, spacing=8))
        parts += [w.text(s, f"• {n}", base=14) for n in s.params.get("saved", [])
                  if month in n]
    return w.card(*parts)
