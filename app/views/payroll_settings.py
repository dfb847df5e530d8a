"""*Lohnbüro-Einstellungen* on the *Export* screen: DATEV numbers and LODAS absence keys.

The numbers a payroll office hands out — BeraterNr, MandantenNr and the LODAS
``grund_fehlzeiten`` numbers — are typed here and saved into ``export-settings.json`` beside
the store (``app.exports.settings``; the Lohnart numbers stay in that file). The same
checks apply as to the file: a malformed number is refused with the field named, and
nothing is saved. ``missing_numbers`` lets the export screen stop a DATEV export before
anything is written, with a sentence that points at this form.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import flet as ft

from app.errors import AssistenzzeitError
from app.exports import settings as export_settings
from app.views import widgets as w

if TYPE_CHECKING:
    from app.views.host import Host

# Form fields in order: setting name → i18n key of the label.
FIELDS = {"berater_nr": "payroll.berater_nr", "mandanten_nr": "payroll.mandanten_nr",
          "fehlzeit_vacation": "payroll.fehlzeit_vacation",
          "fehlzeit_sick": "payroll.fehlzeit_sick", "fehlzeit_other": "payroll.fehlzeit_other"}
HELP = {"berater_nr": "payroll.berater_nr_help", "mandanten_nr": "payroll.mandanten_nr_help"}
DATEV_FORMATS = ("datev", "datev_lodas", "lodas")


def missing_numbers(app: Host, store_dir: Path, formats: list[str]) -> str | None:
    """The sentence to show when a DATEV export lacks BeraterNr or MandantenNr, else None."""
    if not any(f in DATEV_FORMATS for f in formats):
        return None
    try:
        values = export_settings.load(store_dir)
    except AssistenzzeitError:
        return None  # a broken file: the export itself names the problem
    names = [label for name, label in (("berater_nr", "BeraterNr"),
                                       ("mandanten_nr", "MandantenNr")) if not values[name]]
    if not names:
        return None
    return app.t("payroll.missing", names=" / ".join(names),
                 file=str(export_settings.path_for(store_dir)))


def build(app: Host, store_dir: Path) -> ft.Control:
    s = app.session
    forms: dict[str, Any] = s.params.setdefault("forms", {})
    form: dict[str, Any] = forms.setdefault("payroll", {})
    try:
        saved = export_settings.load(store_dir)
    except AssistenzzeitError as err:
        saved = export_settings.defaults()
        form.setdefault("problem", app.error_text(err))
    boxes = [w.bound(s, form, name, app.t(key), saved[name]) for name, key in FIELDS.items()]
    for name, box in zip(FIELDS, boxes, strict=True):
        # Short labels, the details on the helper line below: a long label wraps over the
        # field's border at 200 % text on a phone, a helper line wraps below it.
        box.helper = app.t(HELP.get(name, "payroll.fehlzeit_help"))
        box.helper_max_lines = 4
        box.helper_style = ft.TextStyle(size=w.size(s, 14))

    def save(e: Any) -> None:
        values = {name: str(form.get(name, saved[name]) or "").strip() for name in FIELDS}
        try:
            current = export_settings.load(store_dir)
        except AssistenzzeitError:
            current = export_settings.defaults()  # the form replaces a broken file's values
        try:
            export_settings.save(store_dir, {**current, **values})
        except AssistenzzeitError as err:
            app.say(app.t("payroll.invalid", error=app.error_text(err)), error=True)
            return
        except OSError as err:
            app.say(app.t("export.write_failed", error=str(err)), error=True)
            return
        form.clear()
        app.say(app.t("payroll.saved"))

    rows: list[ft.Control] = [w.heading(s, app.t("payroll.title"), 2),
                              w.text(s, app.t("payroll.intro"), base=14)]
    if form.get("problem"):
        rows.append(w.text(s, str(form["problem"]), base=14, color=ft.Colors.ERROR))
    rows += [*boxes, w.button(s, app.t("payroll.save"), save, icon=ft.Icons.SAVE)]
    return w.card(*rows, key="payroll-settings")
