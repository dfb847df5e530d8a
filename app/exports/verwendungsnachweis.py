"""*Verwendungsnachweis*: proof of budget use per funder and Teilbudget (CSV and PDF).

For a month (``2026-04``), a quarter (``2026-Q2``) or a year (``2026``): per Teilbudget the
hours and gross per assistant, an employer cost estimate, and the budget against what was
spent. The figures come from the month documents (signed where signed, else the draft; the
``Stand`` column says which).

Employer cost estimate (dated tables in ``app.domain.rules``, never constants here):
a Minijob pays the flat levies — ``MINIJOB_LEVIES_HOUSEHOLD`` (Haushaltsscheck, the usual
case in the Arbeitgebermodell) or ``MINIJOB_LEVIES_COMMERCIAL`` per the export setting
``minijob_employer``; every other employment the rough ``EMPLOYER_SHARE``. Example: 602.00 €
Minijob pay in a household in 2026 → 602.00 × 0.1492 = 89.82 € on top.
Budget for the period = ``monthly_amount`` × months of the period in which it is valid.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from app.domain.rules import (
    EMPLOYER_SHARE,
    MINIJOB_LEVIES_COMMERCIAL,
    MINIJOB_LEVIES_HOUSEHOLD,
    rule_at,
)
from app.errors import InputError
from app.exports.common import Sheet, de_num

CENT = Decimal("0.01")
COLUMNS = ("Kostenträger", "Teilbudget", "Zeitraum", "Personalnummer", "Name", "Stand",
           "Stunden", "Brutto", "Arbeitgeberkosten (geschätzt)", "Gesamt")
STAND = {True: "unterschrieben", False: "Entwurf"}


def months_of(period: str) -> list[str]:
    """'2026-04' → one month, '2026-Q2' → three, '2026' → twelve."""
    p = period.strip().upper()
    try:
        if len(p) == 4:
            year, months = int(p), range(1, 13)
        elif len(p) == 7 and p[4:6] == "-Q" and p[6] in "1234":
            year, q = int(p[:4]), int(p[6])
            months = range(3 * q - 2, 3 * q + 1)
        else:
            year, month = int(p[:4]), int(p[5:7])
            if len(p) != 7 or p[4] != "-" or not 1 <= month <= 12:
                raise ValueError(p)
            months = range(month, month + 1)
    except ValueError as err:
        raise InputError(f"'{period}' ist kein Zeitraum (JJJJ-MM, JJJJ-Qn oder JJJJ).",
                         "period") from err
    return [f"{year:04d}-{m:02d}" for m in months]


def employer_cost(gross: Decimal, employment: str, month: str, kind: str) -> Decimal:
    day = date.fromisoformat(month + "-01")
    if employment == "minijob":
        table = MINIJOB_LEVIES_HOUSEHOLD if kind == "household" else MINIJOB_LEVIES_COMMERCIAL
        fraction = rule_at(table, day).total
    else:
        fraction = rule_at(EMPLOYER_SHARE, day).fraction
    return (gross * fraction).quantize(CENT, ROUND_HALF_UP)


@dataclass
class BudgetUse:
    budget_id: str
    name: str
    funder: str
    amount: Decimal  # budget for the period
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def spent(self) -> Decimal:
        return sum((r["total"] for r in self.rows), Decimal(0))


def _budget_amount(budget: Mapping[str, Any], months: Sequence[str]) -> Decimal:
    valid = [m for m in months if budget["valid_from"][:7] <= m
             and (not budget.get("valid_to") or budget["valid_to"][:7] >= m)]
    return Decimal(budget["monthly_amount"]) * len(valid)


def compute(sheets_by_month: Mapping[str, Sequence[Sheet]], budgets: Sequence[Mapping[str, Any]],
            funders: Mapping[str, str], months: Sequence[str], minijob_employer: str,
            ) -> list[BudgetUse]:
    """One ``BudgetUse`` per Teilbudget (and one for time without a Teilbudget, if any)."""
    uses = {b["id"]: BudgetUse(b["id"], b["name"], funders.get(b["funder_id"], ""),
                               _budget_amount(b, months)) for b in budgets}
    per: dict[tuple[str, str], dict[str, Any]] = {}
    for month in months:
        for sheet in sheets_by_month.get(month, ()):
            doc = sheet.document
            for part in doc["budgets"]:
                bid = part["budget_id"]
                if bid not in uses:
                    uses[bid] = BudgetUse(bid, part["name"] or "ohne Teilbudget",
                                          part["funder"], Decimal(0))
                gross = Decimal(part["gross"])
                cost = employer_cost(gross, doc["contract"]["employment"], month,
                                     minijob_employer)
                key = (bid, doc["assistant"]["id"])
                row = per.get(key)
                if row is None:
                    row = per[key] = {"staff_number": doc["assistant"]["staff_number"],
                                      "name": doc["assistant"]["name"], "signed": True,
                                      "hours": Decimal(0), "gross": Decimal(0),
                                      "cost": Decimal(0), "total": Decimal(0)}
                    uses[bid].rows.append(row)
                row["signed"] = row["signed"] and sheet.signed
                row["hours"] += Decimal(part["hours"])
                row["gross"] += gross
                row["cost"] += cost
                row["total"] += gross + cost
    return [u for u in uses.values() if u.rows or u.amount]


def render_csv(uses: Sequence[BudgetUse], period: str) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for use in uses:
        for r in sorted(use.rows, key=lambda r: r["name"]):
            writer.writerow([use.funder, use.name, period, r["staff_number"], r["name"],
                             STAND[r["signed"]], de_num(r["hours"]), de_num(r["gross"]),
                             de_num(r["cost"]), de_num(r["total"])])
        writer.writerow([use.funder, use.name, period, "", "Summe ausgegeben", "", "", "", "",
                         de_num(use.spent)])
        writer.writerow([use.funder, use.name, period, "", "Budget", "", "", "", "",
                         de_num(use.amount)])
        writer.writerow([use.funder, use.name, period, "", "Rest", "", "", "", "",
                         de_num(use.amount - use.spent)])
    return buf.getvalue().encode("utf-8-sig")


def render_pdf(uses: Sequence[BudgetUse], period: str, team_name: str) -> bytes:
    from app.exports.pdf_stundennachweis import _Pdf

    title = f"Verwendungsnachweis {period} – {team_name}"
    pdf = _Pdf(title)
    pdf.add_page()
    pdf.set_font("DejaVu", "", 16)
    pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.para("Arbeitgeberkosten sind eine Schätzung (Minijob-Pauschalabgaben bzw. "
             "Arbeitgeberanteil zur Sozialversicherung); die Lohnabrechnung ergibt die genauen "
             "Beträge.")
    widths = (20.0, 50, 24, 20, 22, 26, 24)
    for use in uses:
        pdf.heading(f"{use.name} – {use.funder}" if use.funder else use.name)
        pdf.row(widths, ["Pers.-Nr.", "Name", "Stand", "Stunden", "Brutto €", "AG-Kosten €",
                         "Gesamt €"], bold=True, aligns="LLLRRRR")
        for r in sorted(use.rows, key=lambda r: r["name"]):
            pdf.row(widths, [r["staff_number"], r["name"], STAND[r["signed"]],
                             de_num(r["hours"]), de_num(r["gross"]), de_num(r["cost"]),
                             de_num(r["total"])], aligns="LLLRRRR")
        pdf.para(f"Budget im Zeitraum: {de_num(use.amount)} € · ausgegeben: "
                 f"{de_num(use.spent)} € · Rest: {de_num(use.amount - use.spent)} €", 9)
    return bytes(pdf.output())


def write(uses: Sequence[BudgetUse], period: str, team_name: str, out_dir: Path,
          ) -> list[Path]:
    csv_path = Path(out_dir) / f"verwendungsnachweis-{period}.csv"
    pdf_path = Path(out_dir) / f"verwendungsnachweis-{period}.pdf"
    csv_path.write_bytes(render_csv(uses, period))
    pdf_path.write_bytes(render_pdf(uses, period, team_name))
    return [csv_path, pdf_path]
