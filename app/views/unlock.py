"""Unlock: the passphrase opens the encrypted store. A wrong one changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import AssistenzzeitError, WrongPassphrase
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host


def build(app: Host) -> ft.Control:
    s = app.session
    phrase = w.field(s, app.t("field.passphrase"), password=True)

    def submit(e: Any) -> None:
        try:
            s.holder.unlock(phrase.value or "")
        except WrongPassphrase:
            app.say(app.t("unlock.wrong"), error=True)
            return
        except AssistenzzeitError as err:
            app.say(app.error_text(err), error=True)
            return
        s.proven = True
        app.go("who")

    phrase.on_submit = submit
    return ft.Column([
        w.heading(s, app.t("unlock.title")),
        w.text(s, app.t("unlock.intro")),
        phrase,
        w.button(s, app.t("unlock.submit"), submit, primary=True, icon=ft.Icons.LOCK_OPEN),
    ], spacing=12)
