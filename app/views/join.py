"""*Team beitreten*: join an existing team with an invite code from the employer.

Pairing itself is the sync module's job (``app.sync.pairing.join``): it creates this device's
store and sends the join request; the screen shows the safety number to compare with the
employer's screen and goes on to the unlock screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import AssistenzzeitError
from app.sync import pairing
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host


def build(app: Host) -> ft.Control:
    s = app.session
    code = w.field(s, app.t("field.invite_code"))
    name = w.field(s, app.t("field.your_name"))
    phrase = w.field(s, app.t("field.passphrase"), password=True)

    def submit(e: Any) -> None:
        try:
            safety = pairing.join(s.holder.directory, (code.value or "").strip(), phrase.value or "",
                          (name.value or "").strip())
        except AssistenzzeitError as err:
            app.say(app.error_text(err), error=True)
            return
        # The employer compares this number on their screen before approving the device.
        s.screen = "unlock"
        app.say(app.t("join.sent", safety=safety))

    return ft.Column([
        w.heading(s, app.t("join.title")),
        w.text(s, app.t("join.intro")),
        code, name, phrase,
        ft.Row([w.button(s, app.t("join.submit"), submit, primary=True),
                w.button(s, app.t("common.back"), lambda e: app.go("start"))], wrap=True),
    ], spacing=12)
