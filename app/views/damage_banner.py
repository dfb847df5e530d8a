"""The warning every screen shows while the store has damaged rows (``app/store/damage.py``).

A damaged envelope is skipped, so what the screens show lacks its changes; the person must
know that, on every open, until a sync or a restore repairs it. Each entry is named the way
``assistenzzeit check`` names it, so a helper can find it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host

SHOWN = 3  # entries named on screen; the rest are counted


def build(app: Host) -> ft.Control | None:
    s = app.session
    damaged = s.holder.damage()
    if not damaged:
        return None
    ink = ft.Colors.ON_ERROR_CONTAINER  # the theme's pair for this background: AA contrast
    lines = [w.text(s, app.t("damage.banner", n=len(damaged)), bold=True, color=ink)]
    lines += [w.text(s, f"{d.envelope}: {d.reason}", base=14, color=ink)
              for d in damaged[:SHOWN]]
    if len(damaged) > SHOWN:
        lines.append(w.text(s, app.t("damage.more", n=len(damaged) - SHOWN), base=14,
                            color=ink))
    return ft.Semantics(live_region=True, identifier="damage", content=ft.Container(
        ft.Column(lines, spacing=4), padding=12, border_radius=8,
        bgcolor=ft.Colors.ERROR_CONTAINER, border=ft.Border.all(2, ft.Colors.ERROR)))
