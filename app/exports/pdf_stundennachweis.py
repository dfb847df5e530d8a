"""PDF *Stundennachweis* of one assistant's month (fpdf2, layout in ``pdf_layout``).

Shows the signed document in plain words: each day with weekday, holiday and its surcharge
hours, paid absence, hours and pay per class, Teilbudgets, every warning of the document,
the electronic signatures (name, time in the team's zone, key fingerprint, shared device),
a QR code with hash and signatures, and lines for handwritten signatures for funders that
still want them. The signed bundle is embedded as a file attachment (``*.bundle.json``).

The page is drawn from the document and the bundle alone (``render_signed``), so
``assistenzzeit verify FILE.pdf`` can draw it again and find a page that was painted over.
Per-day surcharge hours come from the pay engine's ``classify`` on the signed entries, with
the Land and time zone the document names.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import segno

from app.domain.pay import SURCHARGE_CLASSES, classify
from app.domain.timeutil import parse_wall, worked_minutes
from app.domain.worktime import Break, WorkShift, zone
from app.errors import InputError
from app.exports import bundle as bundle_file
from app.exports.common import (
    ABSENCE_DE,
    KIND_DE,
    LABELS_DE,
    Sheet,
    cost_center,
    de_num,
    sheet_from_bundle,
)
from app.exports.pdf_layout import Pdf
from app.store.crypto import fingerprint

MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
             "September", "Oktober", "November", "Dezember")
WEEKDAYS_DE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
STATUS_DE = {"draft": "Entwurf, nicht unterschrieben", "submitted": "unterschrieben, "
             "Freigabe offen", "approved": "unterschrieben und freigegeben",
             "rejected": "zurückgewiesen", "exported": "freigegeben und an die Lohnabrechnung "
             "übergeben", "reopened": "wieder geöffnet, durch eine neue Version ersetzt"}
EMPLOYMENT_DE = {"minijob": "Minijob", "midijob": "Midijob", "part_time": "Teilzeit",
                 "full_time": "Vollzeit"}
SURCHARGE_DE = {"night25": "Nacht 25 %", "night40": "Nacht 40 %", "sunday50": "Sonntag 50 %",
                "holiday125": "Feiertag 125 %", "holiday150": "Feiertag 150 %"}
PAID_HOURS = {"base": "Arbeit", "standby": "Bereitschaft", "on_call": "Rufbereitschaft",
              "absence": "bezahlte Abwesenheit"}
DAY_WIDTHS = (32.0, 13, 20, 25, 24, 15, 61)
DAY_HEAD = ["Tag", "Beginn", "Ende", "Pausen", "Art", "Stunden", "davon Zuschlagsstunden"]
DAY_ALIGN = "LLLLLRL"


def month_de(month: str) -> str:
    return f"{MONTHS_DE[int(month[5:7]) - 1]} {month[:4]}"


def _day(value: str) -> str:
    d = date.fromisoformat(value[:10])
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def _stamp(value: str, tz: str) -> str:
    """'2026-05-02T09:15:00Z' → '02.05.2026, 11:15 Uhr (Europe/Berlin)'."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%d.%m.%Y, %H:%M} Uhr ({tz})"


@lru_cache(maxsize=64)
def _holidays(state: str, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("DE", subdiv=state, years=year, language="de"))


def _day_label(day: str, state: str) -> str:
    """'So 04.10.2026', plus the holiday's name on a second line on a public holiday."""
    d = date.fromisoformat(day[:10])
    name = _holidays(state, d.year).get(d) if state else None
    return f"{WEEKDAYS_DE[d.weekday()]} {_day(day)}" + (f"\nFeiertag: {name}" if name else "")


def _surcharges(row: dict[str, Any], team: dict[str, Any]) -> str:
    """Surcharge hours of one day, one class per line ('Sonntag 50 %: 8,00')."""
    if not team.get("state"):
        return ""  # a document from before the Land was recorded
    breaks = tuple(Break(parse_wall(b["start"], "break"), parse_wall(b["end"], "break"))
                   for b in row.get("breaks", ()))
    shift = WorkShift(parse_wall(row["start"], "start"), parse_wall(row["end"], "end"),
                      row.get("kind") or "work", breaks)
    minutes = classify(shift, team.get("tz") or "Europe/Berlin", team["state"]).as_dict()
    return "\n".join(f"{SURCHARGE_DE[c]}: {de_num(f'{minutes[c] / 60:.2f}')}"
                     for c in SURCHARGE_CLASSES if minutes[c]) or "–"


def _day_row(pdf: Pdf, row: dict[str, Any], team: dict[str, Any], kind: str, hours: str,
             note: str = "") -> None:
    breaks = ", ".join(f"{b['start'][11:]}–{b['end'][11:]}" for b in row.get("breaks", ()))
    end_day = "" if row["end"][:10] == row["start"][:10] else " (+1)"
    pdf.row(DAY_WIDTHS, [_day_label(row["start"], team.get("state", "")), row["start"][11:],
                         row["end"][11:] + end_day, breaks or "–", kind, hours,
                         _surcharges(row, team)], DAY_ALIGN, note=note, rule=True)


def _entries(pdf: Pdf, doc: dict[str, Any]) -> None:
    pdf.heading("Arbeitszeiten")
    if not doc["entries"]:
        pdf.para("Keine Einträge in diesem Monat.")
        return
    pdf.row(DAY_WIDTHS, DAY_HEAD, DAY_ALIGN, header=True)
    for e in doc["entries"]:
        notes = [f"{label}: {e[key]}" for key, label in (("note", "Bemerkung"), (
            "correction_reason", "Korrekturgrund")) if e[key]]
        _day_row(pdf, e, doc["team"], KIND_DE.get(e["kind"], e["kind"]),
                 de_num(f"{e['minutes'] / 60:.2f}"), " · ".join(notes))
    pdf.end_table()


def _absences(pdf: Pdf, doc: dict[str, Any]) -> None:
    if not doc["absences"] and not doc["paid_absence"]:
        return
    pdf.heading("Abwesenheiten")
    for a in doc["absences"]:
        pdf.para(f"{ABSENCE_DE.get(a['kind'], a['kind'])}: {_day(a['start_date'])} bis "
                 f"{_day(a['end_date'])}")
    if doc["paid_absence"]:
        tz = doc["team"].get("tz") or "Europe/Berlin"
        pdf.para("Bezahlt werden die geplanten Dienste dieser Tage (Lohnausfallprinzip), mit "
                 f"ihren Zuschlägen: {de_num(doc['hours']['absence'])} Stunden.")
        pdf.row(DAY_WIDTHS, DAY_HEAD, DAY_ALIGN, header=True)
        for s in doc["paid_absence"]:
            kind = next((ABSENCE_DE.get(a["kind"], a["kind"]) for a in doc["absences"]
                         if a["start_date"] <= s["start"][:10] <= a["end_date"]), "Abwesenheit")
            minutes = worked_minutes(s["start"], s["end"], [], zone(tz))
            planned = "" if s["kind"] == "work" else f" ({KIND_DE.get(s['kind'], s['kind'])})"
            _day_row(pdf, s, doc["team"], kind + planned,
                     de_num(f"{minutes / 60:.2f}"))
        pdf.end_table()


def _totals(pdf: Pdf, doc: dict[str, Any]) -> None:
    pdf.heading("Stunden und Lohn")
    widths = (62.0, 24, 24, 28, 52)
    pdf.row(widths, ["Lohnart", "Stunden", "Satz (€/h)", "Betrag (€)", "Kostenstelle"],
            "LRRRL", header=True)
    for line in doc["lines"]:
        pdf.row(widths, [LABELS_DE.get(line["class"], line["class"]), de_num(line["hours"]),
                         de_num(line["rate"]), de_num(line["amount"]),
                         cost_center(doc, line["budget_id"])], "LRRRL")
    hours = doc["hours"]
    paid = {k: Decimal(hours.get(k, "0")) for k in PAID_HOURS}
    total = sum(paid.values(), Decimal("0.00"))
    pdf.row(widths, ["Brutto gesamt", de_num(total), "", de_num(doc["pay"]["gross"]), ""],
            "LRRRL", header=True)
    pdf.end_table()
    parts = " + ".join(f"{PAID_HOURS[k]} {de_num(v)}" for k, v in paid.items() if v)
    pdf.para(f"Stunden gesamt {de_num(total)} = {parts or '0,00'}. Zuschlagsstunden sind "
             "darin enthalten; ihr Zuschlag wird zusätzlich bezahlt.")
    if doc.get("minijob"):
        pdf.para(f"Minijob: auf die Grenze angerechnet {de_num(doc['minijob']['counted'])} € "
                 f"von {de_num(doc['minijob']['limit'])} € (steuerfreie Zuschläge zählen nicht).")
    if doc["budgets"]:
        pdf.heading("Aufteilung nach Teilbudget")
        # Name and funder stacked in one wide column: long names wrap without meeting.
        widths2 = (140.0, 22, 28)
        pdf.row(widths2, ["Teilbudget / Kostenträger", "Stunden", "Brutto (€)"], "LRR",
                header=True)
        for b in doc["budgets"]:
            pdf.row(widths2, [f"{b['name'] or 'ohne Teilbudget'}\nKostenträger: "
                              f"{b['funder'] or '–'}", de_num(b["hours"]), de_num(b["gross"])],
                    "LRR", rule=True)
        pdf.end_table()


def _warnings(pdf: Pdf, doc: dict[str, Any]) -> None:
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


def _device_note(bundle: dict[str, Any], sig: dict[str, Any]) -> str:
    """' – gemeinsames Gerät (von …)' when the signing device belongs to someone else."""
    members = {m["id"]: m for m in bundle["membership"]["members"]}
    owner = next((d["member_id"] for d in bundle["membership"]["devices"]
                  if d["id"] == sig["device_id"]), sig["member_id"])
    if owner == sig["member_id"]:
        return ""
    return f" – gemeinsames Gerät (Gerät von {members.get(owner, {}).get('name', owner)})"


def _signatures(pdf: Pdf, doc: dict[str, Any], bundle: dict[str, Any] | None) -> None:
    pdf.heading("Elektronische Unterschriften")
    if bundle is None:
        pdf.para("Dieser Monat ist noch nicht elektronisch unterschrieben.")
    else:
        tz = doc["team"].get("tz") or "Europe/Berlin"
        for s in bundle["signatures"]:
            key = fingerprint(bytes.fromhex(s["public_key"]))
            when = _stamp(s["signed_at"], tz)
            if s["role"] == "assistant":
                what = f"Unterschrieben von {s['name']} (Assistenz)"
            else:
                behalf = (f" im Auftrag von {s['on_behalf_of_name']}" if s["on_behalf_of"]
                          else "")
                what = f"Gegengezeichnet von {s['name']}{behalf}"
            pdf.para(f"{what} am {when} – Schlüssel {key}{_device_note(bundle, s)}")
        keys = {s["public_key"] for s in bundle["signatures"]}
        if len(bundle["signatures"]) > 1 and len(keys) == 1:
            pdf.para("Beide Unterschriften wurden mit demselben Schlüssel geleistet, also auf "
                     "einem gemeinsamen Gerät.")
        pdf.para(f"SHA-256 des Dokuments: {bundle['doc_hash']}", 7.5)
        y = pdf.get_y() + 1
        if y > pdf.page_break_trigger - 36:
            pdf.add_page()
            y = pdf.get_y()
        png = io.BytesIO()
        segno.make(_qr_text(bundle), error="m", mask=0, boost_error=False).save(
            png, kind="png", scale=3, border=2)
        pdf.image(png, x=pdf.l_margin, y=y, w=32)
        pdf.set_xy(pdf.l_margin, y + 2)
        pdf.para("Der QR-Code enthält Monat, Version, Hash und Unterschriften. Die "
                 f"unterschriebene Datei ist als Anhang „{bundle_file.file_name(bundle)}“ in "
                 "dieses PDF eingebettet. Prüfen: assistenzzeit verify <Datei>.pdf (vergleicht "
                 "auch diese Seiten mit den unterschriebenen Daten) – oder mit OpenSSL (siehe "
                 "README).", indent=36)
        pdf.set_y(max(pdf.get_y(), y + 33))
    pdf.heading("Handschriftliche Unterschriften (falls verlangt)", keep=36)
    pdf.signature_lines([f"Ort, Datum, Unterschrift Assistenz ({doc['assistant']['name']})",
                         "Ort, Datum, Unterschrift Arbeitgeber/in"])


def render(sheet: Sheet, team_name: str = "") -> bytes:
    """The PDF of ``sheet``; a signed sheet is drawn from its bundle alone."""
    doc, bundle = sheet.document, sheet.bundle
    status = bundle["status"] if bundle is not None else sheet.status
    who = doc["assistant"]
    month = month_de(doc["month"])
    # A signed PDF is dated by its last signature, so drawing it again gives the same file.
    created = None if bundle is None else max(
        datetime.fromisoformat(s["signed_at"].replace("Z", "+00:00"))
        for s in bundle["signatures"])
    pdf = Pdf(f"Stundennachweis {month} – {who['name']}",
              f"Stundennachweis {month} · Personalnummer {who['staff_number'] or '–'} · "
              f"Version {doc['version']}", created)
    pdf.add_page()
    pdf.title_block(f"Stundennachweis {month} – {who['name']}")
    contract = doc["contract"]
    team = doc["team"]["name"] or ("" if bundle is not None else team_name)
    pdf.para(f"Team: {team or '–'}\n"
             f"Assistenz: {who['name']}, Personalnummer {who['staff_number'] or '–'}\n"
             f"Vertrag: {EMPLOYMENT_DE.get(contract['employment'], contract['employment'])}, "
             f"{de_num(contract['hourly_wage'])} € pro Stunde, gültig ab "
             f"{_day(contract['valid_from'])}\n"
             f"Version {doc['version']} · Stand: {STATUS_DE.get(status, status)}", 9)
    _entries(pdf, doc)
    _absences(pdf, doc)
    _totals(pdf, doc)
    _warnings(pdf, doc)
    _signatures(pdf, doc, bundle)
    if bundle is not None:
        pdf.embed_file(bytes=bundle_file.dumps(bundle), basename=bundle_file.file_name(bundle),
                       desc="Unterschriebener Stundennachweis (JSON)",
                       mime_type="application/json", modification_date=created)
    return bytes(pdf.output())


def render_signed(bundle: dict[str, Any]) -> bytes:
    """The PDF of a signed bundle, as ``render`` draws it (what ``verify`` compares with).
    Raises InputError when the bundle's document cannot be drawn."""
    try:
        return render(sheet_from_bundle(bundle, bundle["status"]))
    except OSError as err:  # no font here (ASSISTENZZEIT_PDF_FONT_DIR)
        raise InputError("error.pdf.cannot_draw", "font", reason=err) from err
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError,
            NotImplementedError) as err:
        raise InputError("error.pdf.document_not_drawable", "document", reason=repr(err)) from err


def file_name(sheet: Sheet) -> str:
    doc = sheet.document
    who = doc["assistant"]["staff_number"] or doc["assistant"]["id"][:8]
    return f"stundennachweis-{doc['month']}-{who}-v{doc['version']}.pdf"


def write(sheet: Sheet, out_dir: Path, team_name: str = "") -> Path:
    path = Path(out_dir) / file_name(sheet)
    path.write_bytes(render(sheet, team_name))
    return path
