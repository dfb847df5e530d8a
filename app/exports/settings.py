"""Export settings in one typed table: DATEV numbers, Lohnart per pay class, absence keys.

Stored as ``export-settings.json`` beside the store (``<store dir>/export-settings.json``)
rather than as an ``employer``-scope record: these are numbers the payroll office hands out
(BeraterNr, MandantenNr, its own Lohnart numbers), no personal data, they differ per payroll
office rather than per team member, and a file can be edited or handed over without
unlocking the store. Unknown keys are refused, a missing file means all defaults.

The default Lohnart numbers are placeholders: every payroll office defines its own
(*eigene Lohnarten*) and must give the real ones. BeraterNr and MandantenNr have no default:
a LODAS file is refused until both are set (``require_datev``), in the app (*Export* →
*Lohnbüro-Einstellungen*) or in this file. Their form — BeraterNr 1001–9999999 (4 to 7
digits), MandantenNr 1–99999 (1 to 5 digits) — is the one DATEV's numbering uses and that
public DATEV importers check; a wrong value is refused on saving and on loading.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.pay import SURCHARGE_CLASSES
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
    *(ExportSetting(f"lohnart_absence_{c}", str, str(401 + i),
                    f"Lohnart: {c} surcharge continued in paid absence (Lohnausfallprinzip).")
      for i, c in enumerate(SURCHARGE_CLASSES)),
    ExportSetting("lohnart_absence_standby", str, "406",
                  "Lohnart: standby continued in paid absence."),
    ExportSetting("fehlzeit_vacation", str, "",
                  "LODAS grund_fehlzeiten number for vacation (empty: not reported)."),
    ExportSetting("fehlzeit_sick", str, "",
                  "LODAS grund_fehlzeiten number for sickness (empty: not reported)."),
    ExportSetting("fehlzeit_other", str, "",
                  "LODAS grund_fehlzeiten number for other absence (empty: not reported)."),
    ExportSetting("minijob_employer", str, "household",
                  "Minijob levies: 'household' (Haushaltsscheck) or 'commercial'."),
]
BY_NAME = {s.name: s for s in EXPORT_SETTINGS}
# name → (pattern, fewest and most digits, the numbers allowed); an empty value means "not set".
NUMBER_FORMS = {
    "berater_nr": (re.compile(r"(?!0)\d{4,7}"), (4, 7), "1001–9999999"),
    "mandanten_nr": (re.compile(r"(?!0)\d{1,5}"), (1, 5), "1–99999"),
    **{f"fehlzeit_{k}": (re.compile(r"\d{1,3}"), (1, 3), "0–999")
       for k in ("vacation", "sick", "other")},
}


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in EXPORT_SETTINGS}


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with ``values``; unknown names and wrong types are InputErrors."""
    out = defaults()
    for name, value in values.items():
        setting = BY_NAME.get(name)
        if setting is None:
            raise InputError("error.settings.unknown", name, name=name)
        if not isinstance(value, setting.type):
            raise InputError("error.settings.type", name, name=name, type=setting.type.__name__)
        out[name] = value
    for name, (pattern, (low, high), numbers) in NUMBER_FORMS.items():
        if out[name] and not (pattern.fullmatch(out[name])
                              and (name != "berater_nr" or int(out[name]) >= 1001)):
            raise InputError("error.settings.number", name, name=name, value=out[name],
                             low=low, high=high, numbers=numbers)
    if out["minijob_employer"] not in ("household", "commercial"):
        raise InputError("error.settings.minijob_employer", "minijob_employer")
    return out


def require_datev(values: dict[str, Any], path: Path | None = None) -> None:
    """Refuse a LODAS file without BeraterNr and MandantenNr, saying where to set them."""
    missing = [label for name, label in (("berater_nr", "BeraterNr"),
                                         ("mandanten_nr", "MandantenNr")) if not values[name]]
    if missing:
        where = str(path) if path else "error.datev.beside_store"  # FILE_NAME by the store
        key = "error.datev.missing_both" if len(missing) > 1 else "error.datev.missing_one"
        raise InputError(key, "berater_nr" if "BeraterNr" in missing else "mandanten_nr",
                         name=missing[0], where=where)
    validate(values)  # also refuses a malformed number given directly


def path_for(store_dir: Path) -> Path:
    return Path(store_dir) / FILE_NAME


def load(store_dir: Path) -> dict[str, Any]:
    path = path_for(store_dir)
    if not path.exists():
        return defaults()
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise InputError("error.settings.json", FILE_NAME, path=path, reason=err) from err
    if not isinstance(raw, dict):
        raise InputError("error.settings.object", FILE_NAME, path=path)
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
