"""What every export format shares: the month sheets to export and German number formats.

A ``Sheet`` is one assistant's month as an export sees it: the signed document of the latest
signed version when there is one, else the current draft (``signed`` False), plus the bundle
when signed. Exports never compute pay themselves; they lay out the document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.domain.timesheet import LINE_CLASSES

LABELS_DE = {
    "base": "Grundlohn", "night25": "Nachtzuschlag 25 %", "night40": "Nachtzuschlag 40 %",
    "sunday50": "Sonntagszuschlag 50 %", "holiday125": "Feiertagszuschlag 125 %",
    "holiday150": "Feiertagszuschlag 150 %", "standby": "Bereitschaftsdienst",
    "on_call": "Rufbereitschaft", "absence": "Bezahlte Abwesenheit",
    "absence_night25": "Fortgezahlter Nachtzuschlag 25 %",
    "absence_night40": "Fortgezahlter Nachtzuschlag 40 %",
    "absence_sunday50": "Fortgezahlter Sonntagszuschlag 50 %",
    "absence_holiday125": "Fortgezahlter Feiertagszuschlag 125 %",
    "absence_holiday150": "Fortgezahlter Feiertagszuschlag 150 %",
    "absence_standby": "Fortgezahlte Bereitschaft",
}
KIND_DE = {"work": "Arbeit", "standby": "Bereitschaft", "on_call": "Rufbereitschaft"}
ABSENCE_DE = {"vacation": "Urlaub", "sick": "Krank", "other": "Sonstige"}
assert set(LABELS_DE) == set(LINE_CLASSES)


@dataclass
class Sheet:
    document: dict[str, Any]
    status: str  # draft | submitted | approved | rejected | exported
    signed: bool
    bundle: dict[str, Any] | None


def de_num(value: str | Decimal, places: int = 2) -> str:
    """'1234.5' → '1234,50' (no thousands separator: payroll imports do not want one)."""
    d = Decimal(str(value))
    exponent = d.as_tuple().exponent
    shown = max(places, -exponent if isinstance(exponent, int) else 0)
    return f"{d:.{shown}f}".replace(".", ",")


def mm_yyyy(month: str) -> str:
    return f"{month[5:7]}/{month[:4]}"


def cost_center(document: dict[str, Any], budget_id: str) -> str:
    for b in document.get("budgets", []):
        if b["budget_id"] == budget_id:
            return str(b["cost_center"])
    return ""


def sheet_from_bundle(bundle: dict[str, Any], status: str) -> Sheet:
    return Sheet(json.loads(bundle["document"]), status, True, bundle)
