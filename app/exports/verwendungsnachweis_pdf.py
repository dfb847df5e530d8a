"""The *Verwendungsnachweis* as a PDF: the figures of ``verwendungsnachweis.compute`` laid
out for a funder — budget holder and period on top, one section per Teilbudget with the
funder's file number, each assistant's months with their exact state, the budget against
what was spent, then the declaration and lines for place, date and signature.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.exports.common import de_num
from app.exports.pdf_layout import Pdf
from app.exports.verwendungsnachweis import (
    DECLARATION,
    ESTIMATE_NOTE,
    SIGNATURE,
    STAND_LEGEND,
    BudgetUse,
    Holder,
    period_range,
)

WIDTHS = (22.0, 38, 22, 27, 27, 27, 27)
HEAD = ["Monat", "Stand", "Stunden", "Brutto €", "§3b-frei €", "AG-Kosten €",
        "Gesamt €"]
ALIGN = "LLRRRRR"


def _section(pdf: Pdf, use: BudgetUse) -> None:
    pdf.heading(use.name)
    pdf.para(f"Kostenträger: {use.funder or '–'}\nAktenzeichen: {use.reference or '–'}", 9)
    pdf.ln(1)
    pdf.row(WIDTHS, HEAD, ALIGN, header=True)
    for p in use.people:
        pdf.ln(1)
        pdf.row((sum(WIDTHS),), [f"{p.name} (Personalnummer {p.staff_number or '–'})"])
        for m in p.months:
            pdf.row(WIDTHS, [f"{m.month[5:]}/{m.month[:4]}", m.stand, de_num(m.hours),
                             de_num(m.gross), de_num(m.free), de_num(m.cost),
                             de_num(m.total)], ALIGN)
    pdf.row(WIDTHS, ["Summe", "", de_num(use.sum_of("hours")), de_num(use.sum_of("gross")),
                     de_num(use.sum_of("free")), de_num(use.sum_of("cost")),
                     de_num(use.spent)], ALIGN, header=True)
    pdf.end_table()
    pdf.para(f"Budget im Zeitraum: {de_num(use.amount)} € · ausgegeben: {de_num(use.spent)} € · "
             f"Rest: {de_num(use.amount - use.spent)} €", 9)


def render_pdf(uses: Sequence[BudgetUse], period: str, months: Sequence[str],
               holder: Holder) -> bytes:
    pdf = Pdf(f"Verwendungsnachweis {period} – {holder.name}",
              f"Verwendungsnachweis {period}")
    pdf.add_page()
    pdf.title_block(f"Verwendungsnachweis {period}")
    address = ", ".join(holder.address.splitlines()) or "(keine Anschrift hinterlegt)"
    pdf.para(f"Zeitraum: {period_range(months)}\n"
             f"Budgetnehmer/in: {holder.name or '–'}\n"
             f"Anschrift: {address}\n"
             f"Team: {holder.team or '–'}", 9.5)
    if not uses:
        pdf.para("In diesem Zeitraum gibt es weder Teilbudgets noch Stunden.")
    for use in uses:
        _section(pdf, use)
    pdf.heading("Hinweise")
    pdf.para(STAND_LEGEND)
    pdf.para(ESTIMATE_NOTE)
    pdf.heading("Erklärung", keep=50)
    pdf.para(DECLARATION, 9)
    pdf.signature_lines([SIGNATURE[0], f"{SIGNATURE[1]} ({holder.name})"])
    return bytes(pdf.output())
