"""Export settings in one typed table: DATEV numbers, Lohnart per pay class, absence keys.

Stored as ``export-settings.json`` beside the store (``<store dir>/export-settings.json``)
rather than as an ``employer``-scope record: these are numbers the payroll office hands out
(BeraterNr, MandantenNr, its own Lohnart numbers), no personal data, they differ per payroll
office rather than per team member, and a file can be edited or handed over without
unlocking the store. Unknown keys are refused, a missing file means all defaults.

The default Lohnart numbers are placeholders: every payroll office defines its own
(*eigene Lohnarten*) and must give the real ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import InputError

FILE_NAME = "export-settings.json"


@dataclass(frozen=True)
class ExportSetting:
    name: str
    type: type
    default: Any
    help: str


EXPORT_SETTINGS = [
    ExportSetting("berater_nr", str, "", "DATEV Beraternummer of the payroll office."),
    ExportSetting("mandanten_nr", str, "", "DATEV Mandantennummer of the employer."),
    ExportSetting("lodas_bs_nr", str, "1",
                  "LODAS Bearbeitungsschlüssel for hour values (bs_nr)."),
    ExportSetting("lohnart_base", str, "100", "Lohnart: hours worked (Grundlohn)."),
    ExportSetting("lohnart_night25", str, "201", "Lohnart: night surcharge 25 % (§3b EStG)."),
    ExportSetting("lohnart_night40", str, "202", "Lohnart: night surcharge 40 % (0–4 h)."),
    ExportSetting("lohnart_sunday50", str, "203", "Lohnart: Sunday surcharge 50 %."),
    ExportSetting("lohnart_holiday125", str, "204", "Lohnart: public-holiday surcharge 125 %."),
    ExportSetting("lohnart_holiday150", str, "205",
                  "Lohnart: surcharge 150 % (24.12. from 14 h, 25./26.12., 1.5.)."),
    ExportSetting("lohnart_standby", str, "300", "Lohnart: on-site standby (Bereitschaft)."),
    ExportSetting("lohnart_on_call", str, "301", "Lohnart: on-call hours (Rufbereitschaft)."),
    ExportSetting("lohnart_absence", str, "400",
                  "Lohnart: paid absence (Urlaubsentgelt, Entgeltfortzahlung)."),
    ExportSetting("fehlzeit_vacation", str, "U", "LODAS grund_fehlzeiten key for vacation."),
    ExportSetting("fehlzeit_sick", str, "K", "LODAS grund_fehlzeiten key for sickness."),
    ExportSetting("fehlzeit_other", str, "S", "LODAS grund_fehlzeiten key for other absence."),
    ExportSetting("minijob_employer", str, "household",
                  "Minijob levies: 'household' (Haushaltsscheck) or 'commercial'."),
]
BY_NAME = {s.name: s for s in EXPORT_SETTINGS}


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in EXPORT_SETTINGS}


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with ``values``; unknown names and wrong types are InputErrors."""
    out = defaults()
    for name, value in values.items():
        setting = BY_NAME.get(name)
        if setting is None:
            raise InputError(f"Unbekannte Export-Einstellung '{name}'.", name)
        if not isinstance(value, setting.type):
            raise InputError(f"'{name}' muss vom Typ {setting.type.__name__} sein.", name)
        out[name] = value
    if out["minijob_employer"] not in ("household", "commercial"):
        raise InputError("minijob_employer ist 'household' oder 'commercial'.",
                         "minijob_employer")
    return out


def path_for(store_dir: Path) -> Path:
    return Path(store_dir) / FILE_NAME


def load(store_dir: Path) -> dict[str, Any]:
    path = path_for(store_dir)
    if not path.exists():
        return defaults()
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise InputError(f"{path} ist kein gültiges JSON: {err}", FILE_NAME) from err
    if not isinstance(raw, dict):
        raise InputError(f"{path} muss ein JSON-Objekt sein.", FILE_NAME)
    return validate(raw)


def save(store_dir: Path, values: dict[str, Any]) -> Path:
    checked = validate(values)
    path = path_for(store_dir)
    changed = {k: v for k, v in checked.items() if v != BY_NAME[k].default}
    path.write_text(json.dumps(changed, indent=2, sort_keys=True) + "\n", "utf-8")
    return path


def markdown() -> str:
    """The table for the docs."""
    rows = ["| name | type | default | meaning |", "|---|---|---|---|"]
    rows += [f"| `{s.name}` | {s.type.__name__} | `{s.default}` | {s.help} |"
             for s in EXPORT_SETTINGS]
    return "\n".join(rows) + "\n"
