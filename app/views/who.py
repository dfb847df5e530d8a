"""*Wer bist du?*: who uses this browser session (the shared device in the flat).

The store belongs to the machine; each session picks a member, and every write of that
session is made ``acting_as`` that member. In the demo this is also *Rolle wechseln*.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from app.views import widgets as w
from app.views.devices import sync_panel

if TYPE_CHECKING:
    from app.views.shell import App


def build(app: App) -> ft.Control:
    s = app.session

    def pick(member_id: str) -> None:
        s.member_id = member_id
        app.go(app.home())

    buttons = [w.button(s, app.t("who.pick", name=m["display_name"],
                                 role=app.t(f"role.{m['role']}")),
                        (lambda e, mid=m["id"]: pick(mid)), icon=ft.Icons.PERSON)
               for m in app.services.members()]
    if not buttons:  # a joined device before its approval: nothing to pick yet
        buttons = [w.text(s, app.t("who.waiting")), sync_panel(app)]
    return ft.Column([
        w.heading(s, app.t("who.title")),
        w.text(s, app.t("who.intro")),
        *buttons,
        w.button(s, app.t("shell.lock"), app.lock, icon=ft.Icons.LOCK),
    ], spacing=12)
