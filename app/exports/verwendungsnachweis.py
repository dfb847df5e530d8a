"""*Verwendungsnachweis*: proof of budget use per funder and Teilbudget (CSV here, PDF in
``verwendungsnachweis_pdf``).

For a month (``2026-04``), a quarter (``2026-Q2``) or a year (``2026``): who holds the
budget (name, address), the period, and per Teilbudget — with the funder's file number
(*Aktenzeichen*) — each assistant's months with their exact state (``STAND``: Entwurf,
unterschrieben, freigegeben, …), hours, gross, the part of it free of tax and contributions
(§3b EStG surcharges), an employer cost estimate, and the budget against what was spent;
then a declaration and a line for the budget holder's signature. The figures come from the
month documents (signed where signed, else the draft).

Employer cost estimate (dated tables in ``app.domain.rules``, never constants here): levies
are due on pay *without* the §3b surcharges that are free of tax and contributions (§1 SvEV).
A Minijob pays the flat levies — ``MINIJOB_LEVIES_HOUSEHOLD`` (Haushaltsscheck, the usual
case in the Arbeitgebermodell) or ``MINIJOB_LEVIES_COMMERCIAL`` per the export setting
``minijob_employer``; every other employment the rough ``EMPLOYER_SHARE``. Example (fixture
minijob-april-ok): 658.00 € gross, of it 56.00 € Sunday surcharge free → levies on 602.00 €
in a household in 2026: 602.00 × 0.1492 = 89.82 € on top.
Budget for the period = ``monthly_amount`` × months of the period in which it is valid.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from app.domain.pay import SURCHARGE_CLASSES
from app.domain.rules import (
    EMPLOYER_SHARE,
    MINIJOB_LEVIES_COMMERCIAL,
    MINIJOB_LEVIES_HOUSEHOLD,
    SECTION_3B,
    rule_at,
)
from app.errors import InputError
from app.exports.common import Sheet, de_num

CENT = Decimal("0.01")
COLUMNS = ("Kostenträger", "Aktenzeichen", "Teilbudget", "Monat", "Personalnummer", "Name",
           "Stand", "Stunden", "Brutto", "davon steuer- und beitragsfrei (§3b EStG)",
           "Arbeitgeberkosten (geschätzt)", "Gesamt")
# A month's state as the funder reads it: only a countersigned month is "freigegeben".
STAND = {"draft": "Entwurf", "submitted": "unterschrieben", "rejected": "zurückgewiesen",
         "approved": "freigegeben", "exported": "freigegeben", "reopened": "wieder geöffnet"}
STAND_LEGEND = ("Stand: Entwurf = noch nicht unterschrieben; unterschrieben = von der "
                "Assistenz elektronisch unterschrieben, noch nicht gegengezeichnet; "
                "freigegeben = unterschrieben und von der Budgetnehmerin oder dem "
                "Budgetnehmer (oder der Vertretung) gegengezeichnet.")
DECLARATION = ("Ich versichere, dass die Mittel des Persönlichen Budgets für die oben "
               "genannten Assistenzleistungen verwendet wurden und die Angaben vollständig und "
               "richtig sind. Die Stundennachweise liegen vor und werden auf Verlangen "
               "vorgelegt.")
ESTIMATE_NOTE = ("Arbeitgeberkosten sind geschätzt: Minijob-Pauschalabgaben bzw. "
                 "Arbeitgeberanteil zur Sozialversicherung, ohne die steuer- und beitragsfreien "
                 "Zuschläge nach §3b EStG; die Lohnabrechnung ergibt die genauen Beträge.")
SIGNATURE = ("Ort, Datum", "Unterschrift Budgetnehmer/in oder gesetzliche Vertretung")


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
        raise InputError("error.period", "period", value=period) from err
    return [f"{year:04d}-{m:02d}" for m in months]


def period_range(months: Sequence[str]) -> str:
    """['2026-04', …, '2026-06'] → '01.04.2026 bis 30.06.2026'."""
    first = date.fromisoformat(months[0] + "-01")
    last = date.fromisoformat(months[-1] + "-01")
    end = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return f"{first:%d.%m.%Y} bis {end:%d.%m.%Y}"


def employer_cost(gross: Decimal, employment: str, month: str, kind: str) -> Decimal:
    """Levies on ``gross`` (pay subject to contributions, free surcharges left out)."""
    day = date.fromisoformat(month + "-01")
    if employment == "minijob":
        table = MINIJOB_LEVIES_HOUSEHOLD if kind == "household" else MINIJOB_LEVIES_COMMERCIAL
        fraction = rule_at(table, day).total
    else:
        fraction = rule_at(EMPLOYER_SHARE, day).fraction
    return (gross * fraction).quantize(CENT, ROUND_HALF_UP)


def free_surcharges(doc: Mapping[str, Any], budget_id: str) -> Decimal:
    """The worked §3b surcharges of one Teilbudget free of tax and contributions: at most
    the §3b rate on a wage of at most 25 €/h (as ``app.domain.pay`` counts for the Minijob
    limit). Surcharges continued in paid absence are taxable and not counted here."""
    rule = rule_at(SECTION_3B, date.fromisoformat(doc["month"] + "-01"))
    contract = doc["contract"]
    capped = min(Decimal(contract["hourly_wage"]), rule.contribution_free_base_cap)
    free = sum((Decimal(ln["hours"]) * capped * min(Decimal(contract["surcharges"][ln["class"]]),
                                                   rule.rates[ln["class"]])
                for ln in doc["lines"]
                if ln["budget_id"] == budget_id and ln["class"] in SURCHARGE_CLASSES),
               Decimal(0))
    return free.quantize(CENT, ROUND_HALF_UP)


@dataclass
class Holder:
    """Who holds the Persönliches Budget (the employer) and the team's name."""

    name: str
    address: str
    team: str


@dataclass
class MonthUse:
    month: str
    stand: str
    hours: Decimal
    gross: Decimal
    free: Decimal
    cost: Decimal

    @property
    def total(self) -> Decimal:
        return self.gross + self.cost


@dataclass
class PersonUse:
    staff_number: str
    name: str
    months: list[MonthUse] = field(default_factory=list)


@dataclass
class BudgetUse:
    budget_id: str
    name: str
    funder: str
    reference: str  # the funder's file number (Aktenzeichen)
    amount: Decimal  # budget for the period
    people: list[PersonUse] = field(default_factory=list)

    @property
    def spent(self) -> Decimal:
        return sum((m.total for p in self.people for m in p.months), Decimal(0))

    def sum_of(self, name: str) -> Decimal:
        return sum((getattr(m, name) for p in self.people for m in p.months), Decimal(0))


def _budget_amount(budget: Mapping[str, Any], months: Sequence[str]) -> Decimal:
    valid = [m for m in months if budget["valid_from"][:7] <= m
             and (not budget.get("valid_to") or budget["valid_to"][:7] >= m)]
    return Decimal(budget["monthly_amount"]) * len(valid)


def stand(sheet: Sheet) -> str:
    return STAND.get(sheet.status, sheet.status) if sheet.signed else STAND["draft"]


def compute(sheets_by_month: Mapping[str, Sequence[Sheet]], budgets: Sequence[Mapping[str, Any]],
            funders: Mapping[str, Mapping[str, Any]], months: Sequence[str],
            minijob_employer: str) -> list[BudgetUse]:
    """One ``BudgetUse`` per Teilbudget (and one for time without a Teilbudget, if any);
    ``funders`` maps a funder's id to its row (``name``, ``reference``)."""
    def funder(fid: str) -> Mapping[str, Any]:
        return funders.get(fid, {})

    uses = {b["id"]: BudgetUse(b["id"], b["name"], funder(b["funder_id"]).get("name", ""),
                               funder(b["funder_id"]).get("reference", ""),
                               _budget_amount(b, months)) for b in budgets}
    people: dict[tuple[str, str], PersonUse] = {}
    for month in months:
        for sheet in sheets_by_month.get(month, ()):
            doc = sheet.document
            who = doc["assistant"]
            for part in doc["budgets"]:
                bid = part["budget_id"]
                if bid not in uses:
                    uses[bid] = BudgetUse(bid, part["name"] or "ohne Teilbudget",
                                          part["funder"],
                                          funder(part.get("funder_id", "")).get("reference", ""),
                                          Decimal(0))
                gross, free = Decimal(part["gross"]), free_surcharges(doc, bid)
                cost = employer_cost(gross - free, doc["contract"]["employment"], month,
                                     minijob_employer)
                person = people.get((bid, who["id"]))
                if person is None:
                    person = people[bid, who["id"]] = PersonUse(who["staff_number"], who["name"])
                    uses[bid].people.append(person)
                person.months.append(MonthUse(month, stand(sheet), Decimal(part["hours"]),
                                              gross, free, cost))
    for use in uses.values():
        use.people.sort(key=lambda p: (p.name, p.staff_number))
    return [u for u in uses.values() if u.people or u.amount]


def render_csv(uses: Sequence[BudgetUse], period: str, months: Sequence[str],
               holder: Holder) -> bytes:
    """A header block (period, budget holder), the table, the declaration and signature."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerows([["Verwendungsnachweis", period], ["Zeitraum", period_range(months)],
                      ["Budgetnehmer/in", holder.name],
                      ["Anschrift", ", ".join(holder.address.splitlines())],
                      ["Team", holder.team], []])
    writer.writerow(COLUMNS)
    for use in uses:
        head = [use.funder, use.reference, use.name]
        for p in use.people:
            for m in p.months:
                writer.writerow([*head, m.month, p.staff_number, p.name, m.stand,
                                 de_num(m.hours), de_num(m.gross), de_num(m.free),
                                 de_num(m.cost), de_num(m.total)])
        writer.writerow([*head, period, "", "Summe ausgegeben", "", de_num(use.sum_of("hours")),
                         de_num(use.sum_of("gross")), de_num(use.sum_of("free")),
                         de_num(use.sum_of("cost")), de_num(use.spent)])
        writer.writerow([*head, period, "", "Budget", "", "", "", "", "", de_num(use.amount)])
        writer.writerow([*head, period, "", "Rest", "", "", "", "", "",
                         de_num(use.amount - use.spent)])
    writer.writerows([[], ["Hinweis", STAND_LEGEND], ["Hinweis", ESTIMATE_NOTE],
                      ["Erklärung", DECLARATION], [SIGNATURE[0], ""], [SIGNATURE[1], ""]])
    return buf.getvalue().encode("utf-8-sig")


def write(uses: Sequence[BudgetUse], period: str, months: Sequence[str], holder: Holder,
          out_dir: Path) -> list[Path]:
    from app.exports.verwendungsnachweis_pdf import render_pdf

    csv_path = Path(out_dir) / f"verwendungsnachweis-{period}.csv"
    pdf_path = Path(out_dir) / f"verwendungsnachweis-{period}.pdf"
    csv_path.write_bytes(render_csv(uses, period, months, holder))
    pdf_path.write_bytes(render_pdf(uses, period, months, holder))
    return [csv_path, pdf_path]
