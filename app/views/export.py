"""*Export* (employer/proxy/payroll): choose a month and an export. The exports module
(``app.exports.run.export_month``) writes the files into the ``exports`` folder beside the
store; what it skipped (e.g. a bundle without signature) is said in plain sentences.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import AssistenzzeitError
from app.views import widgets as w
from app.views.timesheet import shift_month

if TYPE_CHECKING:
    from app.views.shell import App

FORMATS = ("payroll_csv", "datev_lodas", "lexware", "pdf", "bundle", "verwendungsnachweis")


def exports_run() -> Any:
    """``export_month(services, month, formats, out_dir)`` of the exports module, or None."""
    try:
        return getattr(importlib.import_module("app.exports.run"), "export_month", None)
    except ImportError:
        return None


def build(app: App) -> ft.Control:
    s, services = app.session, app.services
    month = s.params.get("month") or shift_month(services.now()[:7], -1)

    def run(fmt: str) -> None:
        fn = exports_run()
        if fn is None:
            app.say(app.t("export.not_available"), error=True)
            return
        try:
            result = fn(services, month, [fmt], s.holder.directory / "exports")
        except AssistenzzeitError as err:
            app.say(app._error_text(err), error=True)
            return
        paths = ", ".join(p.name for p in getattr(result, "paths", []))
        skipped = " ".join(getattr(result, "skipped", []))
        app.say(app.t("export.done", path=paths or "–") + (" " + skipped if skipped else ""))

    return ft.Column([
        w.heading(s, app.t("export.month", month=month), 2),
        ft.Row([w.button(s, app.t("timesheet.prev"),
                         lambda e: app.go("export", month=shift_month(month, -1)),
                         icon=ft.Icons.CHEVRON_LEFT),
                w.button(s, app.t("timesheet.next"),
                         lambda e: app.go("export", month=shift_month(month, 1)),
                         icon=ft.Icons.CHEVRON_RIGHT)], wrap=True, spacing=8),
        w.text(s, app.t("export.intro")),
        *[w.button(s, app.t(f"export.{fmt}"), lambda e, f=fmt: run(f), icon=ft.Icons.DOWNLOAD)
          for fmt in FORMATS],
    ], spacing=10)
