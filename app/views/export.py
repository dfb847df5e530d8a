"""*Export* (employer/proxy/payroll): choose a month and an export, or *Alle Formate*.

The exports module (``app.exports.run.export_month``) writes the files into the ``exports``
folder beside the store and reports each step; a progress bar and a polite live status line
follow those steps. Afterwards the screen lists the files written, each with *Speichern
unter…*, which hands the file's bytes to Flet's ``FilePicker.save_file`` (in the browser
that is a download, on the desktop the system's save dialog). What the export skipped (e.g. a
bundle without signature) is said in plain sentences.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import AssistenzzeitError
from app.exports.run import export_month
from app.i18n import formats as fmt
from app.views import payroll_settings
from app.views import widgets as w
from app.views.timesheet import shift_month

if TYPE_CHECKING:
    from app.views.host import Host

FORMATS = ("payroll_csv", "datev_lodas", "lexware", "pdf", "bundle", "verwendungsnachweis")
# The exports module names its steps by short format keys; people see the buttons' names.
STEP_FORMATS = {"csv": "payroll_csv", "datev": "datev_lodas", "verwendung": "verwendungsnachweis"}


def picker() -> Any:
    """A file picker service for this page (a function so tests can put a fake in)."""
    return ft.FilePicker()


async def save_as(app: Host, path: Path, web: bool) -> None:
    """*Speichern unter…* for one written file. In web mode Flet needs the bytes and a file
    name (the browser then downloads the file); the desktop dialog returns the chosen path or
    None when the person cancels."""
    try:
        data = path.read_bytes()
        chosen = await picker().save_file(
            dialog_title=app.t("export.save_as_title", name=path.name), file_name=path.name,
            src_bytes=data)
    except (OSError, ValueError) as err:
        app.say(app.t("export.save_failed", name=path.name, error=str(err)), error=True)
        return
    if chosen is None and not web:
        app.say(app.t("export.save_cancelled"))
        return
    app.say(app.t("export.saved", name=str(chosen or path.name)))


def build(app: Host) -> ft.Control:
    s, services = app.session, app.services
    month = s.params.get("month") or shift_month(services.now()[:7], -1)
    # After an export the page is rebuilt: the bar stays full and the last step stays shown.
    last = s.params.get("progress")
    bar = ft.ProgressBar(value=1 if last else 0, visible=bool(last), bar_height=8,
                         semantics_label=app.t("export.progress_label"))
    status = ft.Text(last or "", size=w.size(s, 15))
    # A live region: screen readers announce each step politely, without moving focus.
    status_line = ft.Semantics(content=status, live_region=True, identifier="export-status")

    def progress(done: int, total: int, label: str) -> None:
        bar.visible, bar.value = True, done / max(total, 1)
        key = STEP_FORMATS.get(label, label)
        step = app.t(f"export.{key}") if key in FORMATS else label  # "PDF <name>" as it is
        status.value = app.t("export.progress", done=done, total=total, step=step)
        w.refresh(bar, status)

    def run(formats: list[str]) -> None:
        missing = payroll_settings.missing_numbers(app, s.holder.directory, formats)
        if missing:  # no LODAS file without the payroll office's numbers (form below)
            app.say(missing, error=True)
            return
        bar.visible, bar.value = True, 0
        status.value = app.t("export.running")
        w.refresh(bar, status)
        try:
            result = export_month(services, month, formats, s.holder.directory / "exports",
                        progress=progress)
        except AssistenzzeitError as err:
            app.say(app.error_text(err), error=True)
            return
        except OSError as err:  # disk full, no rights: say it, no traceback
            app.say(app.t("export.write_failed", error=str(err)), error=True)
            return
        paths = [str(p) for p in result.paths]
        skipped = list(result.skipped)
        s.params["files"], s.params["progress"] = paths, status.value
        # A few files are named; for many the list below names them, the message counts.
        done = (app.t("export.done", path=", ".join(Path(p).name for p in paths) or "–")
                if len(paths) <= 3 else app.t("export.done_count", count=len(paths)))
        app.say(done + (" " + " ".join(skipped) if skipped else ""))

    items: list[ft.Control] = [
        w.heading(s, app.t("export.month", month=fmt.month(s.lang, month)), 2),
        w.month_stepper(s, app.t("timesheet.prev"), app.t("timesheet.next"),
                        lambda by: app.go("export", month=shift_month(month, by))),
        w.text(s, app.t("export.intro")),
        w.button(s, app.t("export.all"), lambda e: run(list(FORMATS)), primary=True,
                 icon=ft.Icons.DOWNLOAD_FOR_OFFLINE, key="export-all"),
        ft.Row([w.button(s, app.t(f"export.{fmt}"), w.call(run, [fmt]),
                         icon=ft.Icons.DOWNLOAD) for fmt in FORMATS],
               wrap=True, spacing=8, run_spacing=8),
        bar, status_line,
    ]
    items += _files(app, [Path(p) for p in s.params.get("files", [])])
    items.append(payroll_settings.build(app, s.holder.directory))
    return ft.Column(items, spacing=10)


def _files(app: Host, paths: list[Path]) -> list[ft.Control]:
    """The files of the last export, each with *Speichern unter…*."""
    s = app.session
    if not paths:
        return []

    def handler(path: Path) -> Any:
        async def save(e: Any) -> None:
            await save_as(app, path, bool(getattr(e.page, "web", False)))
        return save

    rows: list[ft.Control] = [w.heading(s, app.t("export.files"), 2),
                              w.text(s, app.t("export.folder", folder=str(paths[0].parent)),
                                     base=14)]
    for path in paths:
        rows.append(ft.Row([
            ft.Text(path.name, size=w.size(s, 15)),
            w.button(s, app.t("export.save_as", name=path.name), handler(path),
                     icon=ft.Icons.SAVE_AS),
        ], wrap=True, spacing=8))
    return [w.card(*rows, key="export-files")]
