"""*Freigaben* is the one inbox: a signed timesheet shows there with its days and is approved
or returned there; ``pending`` counts it for the navigation badge."""

from __future__ import annotations

from types import SimpleNamespace

import flet as ft

from app.store import timesheets
from app.views import approvals
from app.views.state import StoreHolder
from tests.views.conftest import app_for, buttons, texts, walk_controls


def sign(holder: StoreHolder, name: str, month: str) -> str:
    services = holder.services
    assert services is not None
    mid = services.member_by_name(name)["id"]
    with services.store.acting_as(mid):
        timesheets.submit(services, mid, month)
    return mid


def test_approvals_shows_signed_sheet_day_by_day_and_approves(demo_holder: StoreHolder):
    boss = app_for(demo_holder, "Anna Becker")
    before = approvals.pending(demo_holder.services)
    mid = sign(demo_holder, "Clara Schmidt", "2026-02")
    assert approvals.pending(demo_holder.services) == before + 1
    shown = texts(approvals.build(boss))
    assert "Stundenzettel zum Freigeben" in shown
    days = [x for x in shown if x.startswith(("Mo 2026-02-", "Di 2026-02-", "Mi 2026-02-"))]
    assert len(days) >= 3 and all("Std." in x for x in days)
    buttons(approvals.build(boss))["Freigeben: Clara Schmidt 2026-02"].on_click(None)
    assert boss.messages[-1] == ("Gegengezeichnet und freigegeben.", False)
    assert timesheets.status(demo_holder.services, mid, "2026-02") == "approved"
    assert approvals.pending(demo_holder.services) == before
    assert "PDF speichern: Clara Schmidt 2026-02" in buttons(approvals.build(boss))


def test_approvals_returns_a_sheet_with_a_comment(demo_holder: StoreHolder):
    boss = app_for(demo_holder, "Anna Becker")
    mid = sign(demo_holder, "Ben Meyer", "2026-02")
    buttons(approvals.build(boss))["Zurückgeben: Ben Meyer 2026-02"].on_click(None)
    assert boss.messages[-1][1] is True  # a return needs a reason
    assert timesheets.status(demo_holder.services, mid, "2026-02") == "submitted"
    screen = approvals.build(boss)
    box = next(c for c in walk_controls(screen) if isinstance(c, ft.TextField)
               and c.label == "Kommentar zu Ben Meyer 2026-02")
    box.value = "Der 3. fehlt."
    box.on_change(SimpleNamespace(control=box))
    buttons(screen)["Zurückgeben: Ben Meyer 2026-02"].on_click(None)
    assert timesheets.status(demo_holder.services, mid, "2026-02") == "rejected"
    assert timesheets.latest(demo_holder.services, mid, "2026-02")["comment"] == "Der 3. fehlt."
