"""*Einstellungen*: language, theme, text size (this device); Land, time zone and the budget
holder's address (the team).

Language, theme and text size are device preferences, kept in a small JSON file beside the
store (``state.save_prefs``); Land and time zone belong to the team and are written as ops,
so only the employer or a proxy can change them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from app.store.services import STATES
from app.views import widgets as w
from app.views.state import TEXT_SCALES, THEMES

if TYPE_CHECKING:
    from app.views.host import Host

TIME_ZONES = ("Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Luxembourg",
              "Europe/Brussels", "Europe/Amsterdam", "Europe/Paris", "UTC")


def build(app: Host) -> ft.Control:
    s, services = app.session, app.services

    def set_pref(name: str, value: Any) -> None:
        setattr(s, name, value)
        s.save_device_prefs()
        app.say(app.t("settings.saved"))

    items: list[ft.Control] = [
        w.heading(s, app.t("settings.device"), 2),
        w.choice(s, [("de", "Deutsch"), ("en", "English"), ("de-LS", "Leichte Sprache")],
                 s.lang, lambda v: set_pref("lang", v), label=app.t("settings.language")),
        w.choice(s, [(k, app.t(f"theme.{k}")) for k in THEMES], s.theme,
                 lambda v: set_pref("theme", v), label=app.t("settings.theme")),
        w.choice(s, [(str(k), f"{k} %") for k in TEXT_SCALES], str(s.text_scale),
                 lambda v: set_pref("text_scale", int(v)), label=app.t("settings.text_size")),
    ]
    if s.is_employer:
        team = services.team()
        state = w.dropdown(s, app.t("field.state"),
                           [(k, app.t(f"state.{k}")) for k in STATES], team["state"])
        tz = w.dropdown(s, app.t("field.tz"), [(z, z) for z in TIME_ZONES], team["tz"])
        # Printed on the Verwendungsnachweis; kept in the employer scope (not for assistants).
        address = w.field(s, app.t("field.holder_address"), team.get("holder_address") or "",
                          multiline=True)

        def save_team(e: Any) -> None:
            app.act(lambda: services.update_team(state=state.value, tz=tz.value,
                                                 holder_address=address.value or ""),
                    "settings.saved")

        items += [w.heading(s, app.t("settings.team"), 2),
                  w.named(state, app.t("field.state")), w.named(tz, app.t("field.tz")),
                  address,
                  w.button(s, app.t("settings.save_team"), save_team, primary=True)]
    return ft.Column(items, spacing=12)
