"""PDF *Stundennachweis* of one assistant's month (fpdf2, DejaVu Sans for all of Unicode).

Shows the signed document in plain words: entries, paid absence, hours and pay per class,
Teilbudgets, warnings, the electronic signatures (name, time, key fingerprint), a QR code
with hash and signatures, and lines for handwritten signatures for funders that still want
them. The signed bundle is embedded as a file attachment (``*.bundle.json``), so
``assistenzzeit verify FILE.pdf`` checks the PDF's data offline.

The font comes from Debian's fonts-dejavu-core (scripts/system-deps.sh); a font elsewhere can
be named with ``ASSISTENZZEIT_PDF_FONT_DIR``. Parsing and subsetting the whole DejaVu Sans
(6,253 glyphs) took most of a PDF's time, so the font is cut down once to the European
scripts (Latin, Greek, Cyrillic, punctuation, currency, arrows: ``SCRIPTS``, 1,323 glyphs)
and kept in the user cache folder (about 0.4 s, once per machine and font version). Should
that fail, the full font is used. Characters outside ``SCRIPTS`` are not shown.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import logging
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import segno
from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf import __version__ as fpdf_version
from platformdirs import user_cache_dir

from app.exports import bundle as bundle_file
from app.exports.common import ABSENCE_DE, KIND_DE, LABELS_DE, Sheet, cost_center, de_num
from app.store.crypto import fingerprint

FONT_DIR = Path(os.environ.get("ASSISTENZZEIT_PDF_FONT_DIR",
                               "/usr/share/fonts/truetype/dejavu"))
SCRIPTS = [(0x20, 0x24F), (0x370, 0x4FF), (0x2000, 0x206F), (0x20A0, 0x20CF),
           (0x2100, 0x214F), (0x2190, 0x21FF), (0x2713, 0x2717)]
_fonts: dict[str, Path] = {}


def _cache_dir() -> Path:
    """Where cut-down fonts are kept between runs; a temporary folder if that fails."""
    folder = Path(user_cache_dir("assistenzzeit")) / "fonts"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    except OSError:
        temp = Path(tempfile.mkdtemp(prefix="assistenzzeit-fonts-"))
        atexit.register(shutil.rmtree, temp, True)
        return temp


def font_file(name: str) -> Path:
    """``name`` from FONT_DIR cut down to ``SCRIPTS``; made once, then read from the cache."""
    if name in _fonts:
        return _fonts[name]
    source = FONT_DIR / name
    try:
        stat = source.stat()
        key = hashlib.sha256(repr((str(source), stat.st_size, stat.st_mtime_ns, SCRIPTS,
                                   fpdf_version)).encode()).hexdigest()[:16]
        target = _cache_dir() / f"{source.stem}-{key}.ttf"
        if not target.exists():
            logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
            options = subset.Options()
            options.hinting = False
            options.name_IDs = ["*"]
            options.notdef_outline = True
            options.drop_tables = [*options.drop_tables, "FFTM"]
            font = TTFont(source, recalcTimestamp=False)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=[c for a, b in SCRIPTS for c in range(a, b + 1)])
            subsetter.subset(font)
            partial = target.with_suffix(f".{os.getpid()}.part")
            font.save(str(partial))
            partial.replace(target)  # atomic: a parallel run never reads half a font
        _fonts[name] = target
    except (OSError, subset.Subsetter.SubsettingError):
        _fonts[name] = source  # the full font is slower but complete
    return _fonts[name]


MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
             "September", "Oktober", "November", "Dezember")
STATUS_DE = {"draft": "Entwurf, nicht unterschrieben", "submitted": "unterschrieben, "
             "Freigabe offen", "approved": "unterschrieben und freigegeben",
             "rejected": "zurückgewiesen", "exported": "freigegeben und an die Lohnabrechnung "
             "übergeben", "reopened": "wieder geöffnet, durch eine neue Version ersetzt"}
EMPLOYMENT_DE = {"minijob": "Minijob", "midijob": "Midijob", "part_time": "Teilzeit",
                 "full_time": "Vollzeit"}


def month_de(month: str) -> str:
    return f"{MONTHS_DE[int(month[5:7]) - 1]} {month[:4]}"


def _day(value: str) -> str:
    d = date.fromisoformat(value[:10])
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def _stamp(value: str) -> str:
    """'2026-05-02T09:15:00Z' → '02.05.2026, 09:15 UTC'."""
    return f"{_day(value)}, {value[11:16]} UTC" if value else ""


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self._title = title
        # One face only: every extra face costs a font parse and a subset per PDF; headings
        # stand out by size and rules instead of weight.
        self.add_font("DejaVu", "", str(font_file("DejaVuSans.ttf")))
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_creator("Assistenzzeit")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 5, f"{self._title} · Seite {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font("DejaVu", "", 12)
        self.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 8.5)

    def row(self, widths: tuple[float, ...], values: list[str], bold: bool = False,
            aligns: str = "") -> None:
        self.set_font("DejaVu", "", 8.5)
        for i, (w, v) in enumerate(zip(widths, values, strict=True)):
            align = aligns[i] if i < len(aligns) else "L"
            self.cell(w, 5.2, v, border="B" if bold else 0, align="R" if align == "R" else "L")
        self.ln(5.2)

    def para(self, text: str, size: float = 8.5) -> None:
        self.set_font("DejaVu", "", size)
        width = self.w - self.r_margin - self.get_x()
        for line in text.split("\n"):
            # fpdf2's multi_cell measures the line again for every character it adds, which
            # made line breaking most of a PDF's time; most lines fit, so measure once.
            if self.get_string_width(line) <= width:
                self.cell(0, 4.6, line, new_x="LMARGIN", new_y="NEXT")
            else:
                self.multi_cell(0, 4.6, line, new_x="LMARGIN", new_y="NEXT")


def _entries(pdf: _Pdf, doc: dict[str, Any]) -> None:
    pdf.heading("Arbeitszeiten")
    widths = (22.0, 14, 20, 26, 22, 16, 60)
    pdf.row(widths, ["Datum", "Beginn", "Ende", "Pausen", "Art", "Stunden", "Bemerkung"],
            bold=True, aligns="LLLLLRL")
    if not doc["entries"]:
        pdf.para("Keine Einträge in diesem Monat.")
    for e in doc["entries"]:
        breaks = ", ".join(f"{b['start'][11:]}–{b['end'][11:]}" for b in e["breaks"]) or "–"
        note = "; ".join(x for x in (e["note"], f"Korrektur: {e['correction_reason']}"
                                     if e["correction_reason"] else "") if x)
        end_day = "" if e["end"][:10] == e["start"][:10] else " (+1)"
        pdf.row(widths, [_day(e["start"]), e["start"][11:], e["end"][11:] + end_day, breaks,
                         KIND_DE.get(e["kind"], e["kind"]), de_num(f"{e['minutes'] / 60:.2f}"),
                         note[:48]], aligns="LLLLLRL")
    if doc["absences"]:
        pdf.heading("Abwesenheiten")
        for a in doc["absences"]:
            pdf.para(f"{ABSENCE_DE.get(a['kind'], a['kind'])}: {_day(a['start_date'])} bis "
                     f"{_day(a['end_date'])}")
        if doc["paid_absence"]:
            pdf.para(f"Davon bezahlt (geplante Dienste): {de_num(doc['hours']['absence'])} "
                     "Stunden")


def _totals(pdf: _Pdf, doc: dict[str, Any]) -> None:
    pdf.heading("Stunden und Lohn")
    widths = (62.0, 24, 24, 28, 42)
    pdf.row(widths, ["Lohnart", "Stunden", "Satz (€/h)", "Betrag (€)", "Kostenstelle"],
            bold=True, aligns="LRRRL")
    for line in doc["lines"]:
        pdf.row(widths, [LABELS_DE[line["class"]], de_num(line["hours"]), de_num(line["rate"]),
                         de_num(line["amount"]), cost_center(doc, line["budget_id"])],
                aligns="LRRRL")
    pay = doc["pay"]
    pdf.row(widths, ["Brutto gesamt", de_num(doc["hours"]["base"]), "", de_num(pay["gross"]),
                     ""], bold=True, aligns="LRRRL")
    if doc.get("minijob"):
        pdf.para(f"Minijob: auf die Grenze angerechnet {de_num(doc['minijob']['counted'])} € "
                 f"von {de_num(doc['minijob']['limit'])} € (steuerfreie Zuschläge zählen nicht).")
    if doc["budgets"]:
        pdf.heading("Aufteilung nach Teilbudget")
        widths2 = (58.0, 66, 26, 30)
        pdf.row(widths2, ["Teilbudget", "Kostenträger", "Stunden", "Brutto (€)"], bold=True,
                aligns="LLRR")
        for b in doc["budgets"]:
            pdf.row(widths2, [b["name"] or "ohne Teilbudget", b["funder"][:40],
                              de_num(b["hours"]), de_num(b["gross"])], aligns="LLRR")


def _warnings(pdf: _Pdf, doc: dict[str, Any]) -> None:
    pdf.heading("Hinweise")
    if not doc["warnings"]:
        pdf.para("Keine Hinweise: Arbeitszeitgesetz, Mindestlohn und Minijob-Grenze sind "
                 "eingehalten.")
    for w in doc["warnings"]:
        day = f"{_day(w['day'])}: " if w["day"] else ""
        pdf.para(f"• {day}{w['message_de']} ({w['code']})")


def _qr_text(bundle: dict[str, Any]) -> str:
    sigs = [s["signature"] for s in bundle["signatures"]]
    return "|".join(["AZTS1", bundle["month"], str(bundle["version"]), bundle["doc_hash"], *sigs])


def _signatures(pdf: _Pdf, doc: dict[str, Any], sheet: Sheet) -> None:
    pdf.heading("Elektronische Unterschriften")
    bundle = sheet.bundle
    if bundle is None:
        pdf.para("Dieser Monat ist noch nicht elektronisch unterschrieben.")
    else:
        for s in bundle["signatures"]:
            key = fingerprint(bytes.fromhex(s["public_key"]))
            if s["role"] == "assistant":
                pdf.para(f"Unterschrieben von {s['name']} (Assistenz) am {_stamp(s['signed_at'])}"
                         f" – Schlüssel {key}")
            else:
                behalf = (f" im Auftrag von {s['on_behalf_of_name']}" if s["on_behalf_of"]
                          else "")
                pdf.para(f"Gegengezeichnet von {s['name']}{behalf} am {_stamp(s['signed_at'])}"
                         f" – Schlüssel {key}")
        pdf.para(f"SHA-256 des Dokuments: {bundle['doc_hash']}", 7.5)
        y = pdf.get_y() + 1
        if y > pdf.h - 70:
            pdf.add_page()
            y = pdf.get_y()
        png = io.BytesIO()
        segno.make(_qr_text(bundle), error="m", mask=0, boost_error=False).save(png, kind="png", scale=3, border=2)
        pdf.image(png, x=pdf.l_margin, y=y, w=38)
        pdf.set_xy(pdf.l_margin + 42, y + 2)
        pdf.multi_cell(0, 4.4, "Der QR-Code enthält Monat, Version, Hash und Unterschriften. "
                       "Die unterschriebene Datei ist als Anhang "
                       f"„{bundle_file.file_name(bundle)}“ in dieses PDF eingebettet. Prüfen: "
                       "assistenzzeit verify <Datei>.pdf – oder mit OpenSSL (siehe README).",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(y + 40)
    pdf.heading("Handschriftliche Unterschriften (falls verlangt)")
    pdf.ln(10)
    y = pdf.get_y()
    for x, label in ((pdf.l_margin, f"Ort, Datum, Unterschrift Assistenz ({doc['assistant']['name']})"),
                     (pdf.l_margin + 95, "Ort, Datum, Unterschrift Arbeitgeber/in")):
        pdf.line(x, y, x + 85, y)
        pdf.set_xy(x, y + 1)
        pdf.set_font("DejaVu", "", 7.5)
        pdf.cell(85, 4, label)
    pdf.set_y(y + 8)


def render(sheet: Sheet, team_name: str = "") -> bytes:
    doc = sheet.document
    who = doc["assistant"]
    title = f"Stundennachweis {month_de(doc['month'])} – {who['name']}"
    pdf = _Pdf(title)
    pdf.add_page()
    pdf.set_font("DejaVu", "", 16)
    pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    contract = doc["contract"]
    pdf.para(f"Team: {doc['team']['name'] or team_name}\n"
             f"Assistenz: {who['name']}, Personalnummer {who['staff_number'] or '–'}\n"
             f"Vertrag: {EMPLOYMENT_DE.get(contract['employment'], contract['employment'])}, "
             f"{de_num(contract['hourly_wage'])} € pro Stunde, gültig ab "
             f"{_day(contract['valid_from'])}\n"
             f"Version {doc['version']} · Stand: {STATUS_DE.get(sheet.status, sheet.status)}",
             9)
    _entries(pdf, doc)
    _totals(pdf, doc)
    _warnings(pdf, doc)
    _signatures(pdf, doc, sheet)
    if sheet.bundle is not None:
        pdf.embed_file(bytes=bundle_file.dumps(sheet.bundle),
                       basename=bundle_file.file_name(sheet.bundle),
                       desc="Unterschriebener Stundennachweis (JSON)",
                       mime_type="application/json")
    return bytes(pdf.output())


def file_name(sheet: Sheet) -> str:
    doc = sheet.document
    who = doc["assistant"]["staff_number"] or doc["assistant"]["id"][:8]
    return f"stundennachweis-{doc['month']}-{who}-v{doc['version']}.pdf"


def write(sheet: Sheet, out_dir: Path, team_name: str = "") -> Path:
    path = Path(out_dir) / file_name(sheet)
    path.write_bytes(render(sheet, team_name))
    return path

