"""*Freigaben* (employer/proxy): the one place for everything that waits for the employer —
signed timesheets (day by day, approve or return, in ``approval_view``), open requests
(shift claims, swaps, corrections) and conflicts between concurrent edits — and, below, the
recently approved months (PDF, reopen). ``pending`` is the count on the navigation badge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from app.i18n import formats as fmt
from app.store import conflicts as store_conflicts
from app.store import teamwork
from app.views import approval_view
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host


APPROVED_SHOWN = 6


def pending(services: Any) -> int:
    """How many things wait for the employer: signed sheets, open requests, conflicts."""
    sheets = sum(r["status"] == "submitted" for r in services.waiting_timesheets())
    return (int(sheets) + len(teamwork.requests(services, "open"))
            + len(store_conflicts.open_rows(services)))


def build(app: Host) -> ft.Control:
    s, services = app.session, app.services
    names = {m["id"]: m["display_name"] for m in services.members(include_inactive=True)}
    open_requests = teamwork.requests(services, "open")
    sheets = approval_view.cards(app, "submitted")
    items: list[ft.Control] = [w.heading(s, app.t("approval.heading"), 2)]
    items += sheets or [w.text(s, app.t("approval.none"))]
    items.append(w.heading(s, app.t("approvals.requests"), 2))
    if not open_requests:
        items.append(w.text(s, app.t("approvals.none")))
    for r in open_requests:
        items.append(_request_card(app, r, names))
    conflicts = store_conflicts.open_rows(services)
    items.append(w.heading(s, app.t("approvals.conflicts"), 2))
    if not conflicts:
        items.append(w.text(s, app.t("approvals.no_conflicts")))
    for c in conflicts:
        items.append(_conflict_card(app, c, names))
    approved = approval_view.cards(app, "approved", APPROVED_SHOWN)
    if approved:
        items += [w.heading(s, app.t("approval.approved_heading"), 2), *approved]
    return ft.Column(items, spacing=10)


def _describe(app: Host, r: dict[str, Any], names: dict[str, str]) -> str:
    who = names.get(r["member_id"], "?")
    if r["shift_id"]:
        try:
            shift = app.services.shift(r["shift_id"])
            what = (f"{fmt.short_day(app.session.lang, shift['start'][:10])} "
                    f"{shift['start'][11:16]}–{shift['end'][11:16]}")
        except Exception:  # a deleted shift still lets one decide
            what = "?"
    else:
        what = r["comment"]
    return app.t(f"approvals.kind.{r['kind']}", who=who, what=what)


def _request_card(app: Host, r: dict[str, Any], names: dict[str, str]) -> ft.Control:
    s, services = app.session, app.services
    form: dict[str, Any] = s.params.setdefault("forms", {}).setdefault(r["id"], {})
    label = _describe(app, r, names)

    def decide(approve: bool) -> None:
        app.act(lambda: teamwork.decide_request(services, r["id"], approve, s.member_id or "",
                                                form.get("comment", "")),
                "approvals.approved" if approve else "approvals.rejected")

    return w.card(
        w.text(s, label, bold=True),
        w.bound(s, form, "comment", app.t("approvals.comment_for", label=label)),
        ft.Row([w.button(s, app.t("approvals.approve", label=label), lambda e: decide(True),
                         primary=True, icon=ft.Icons.CHECK),
                w.button(s, app.t("approvals.reject", label=label), lambda e: decide(False),
                         icon=ft.Icons.CLOSE)], wrap=True, spacing=8))


def _conflict_card(app: Host, c: dict[str, Any], names: dict[str, str]) -> ft.Control:
    s, services = app.session, app.services
    label = app.t("approvals.conflict", entity=c["entity"], field=c["field"])

    def keep(which: str) -> None:
        app.act(lambda: store_conflicts.resolve(services, c["id"], which), "approvals.resolved")

    return w.card(
        w.text(s, label, bold=True),
        w.text(s, app.t("approvals.value_of", who=names.get(c["winner_author"], "?"),
                        value=c["winner_value"])),
        w.text(s, app.t("approvals.value_of", who=names.get(c["loser_author"], "?"),
                        value=c["loser_value"])),
        ft.Row([w.button(s, app.t("approvals.keep", who=names.get(c["winner_author"], "?")),
                         lambda e: keep("winner")),
                w.button(s, app.t("approvals.keep", who=names.get(c["loser_author"], "?")),
                         lambda e: keep("loser"))], wrap=True, spacing=8))
