"""The PDF Stundennachweis: pdftotext shows names and totals; its embedded bundle verifies."""

from __future__ import annotations

import subprocess
from pathlib import Path

from app.exports.run import export_month
from app.exports.verify import verify
from app.store import timesheets


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True)
    return out.stdout


def test_pdf_shows_names_totals_and_signatures(case_store, tmp_path: Path) -> None:
    cs = case_store([("Deniz Kaya", "1003", "minijob-april-ok")])
    deniz = cs.members["Deniz Kaya"]
    timesheets.submit(cs.services, deniz, "2026-04")
    timesheets.approve(cs.services, deniz, "2026-04", by=cs.proxy)
    pdf = export_month(cs.services, "2026-04", ["pdf"], tmp_path).paths[0]
    text = _text(pdf)
    assert "Stundennachweis April 2026 – Deniz Kaya" in text
    assert "Personalnummer 1003" in text
    assert "Assistenzteam Anna" in text
    assert "658,00" in text and "602,00" in text and "43,00" in text
    assert "Sonntagszuschlag 50 %" in text
    assert "Unterschrieben von Deniz Kaya" in text
    assert "Gegengezeichnet von Frank Huber im Auftrag von Anna Becker" in text
    fingerprint = timesheets.bundle(cs.services, deniz, "2026-04")["signatures"][0]["fingerprint"]
    assert fingerprint in text
    assert "Unterschrift Arbeitgeber/in" in text
    assert "Keine Hinweise" in text


def test_pdf_embedded_bundle_extracts_and_verifies(case_store, tmp_path: Path) -> None:
    cs = case_store([("Deniz Kaya", "1003", "minijob-april-ok")])
    deniz = cs.members["Deniz Kaya"]
    timesheets.submit(cs.services, deniz, "2026-04")
    timesheets.approve(cs.services, deniz, "2026-04")
    pdf = export_month(cs.services, "2026-04", ["pdf"], tmp_path / "out").paths[0]
    verdict = verify(pdf)
    assert verdict.ok, verdict.reason
    assert [s["name"] for s in verdict.signers] == ["Deniz Kaya", "Anna Becker"]
    # The attachment is a real PDF file attachment: poppler extracts it too.
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(pdf)], check=True)
    extracted = list(tmp_path.glob("*.bundle.json"))
    assert len(extracted) == 1
    assert verify(extracted[0]).ok


def test_pdf_of_unsigned_month_says_so_and_has_no_bundle(case_store, tmp_path: Path) -> None:
    cs = case_store([("Ben Meyer", "1001", "E1-sunday-night")])
    pdf = export_month(cs.services, "2026-03", ["pdf"], tmp_path).paths[0]
    text = _text(pdf)
    assert "noch nicht elektronisch unterschrieben" in text
    assert "217,60" in text
    warnings = timesheets.document_for(cs.services, cs.members["Ben Meyer"], "2026-03")["warnings"]
    assert warnings  # 8 h without a break
    for w in warnings:
        assert f"{w['message_de']} ({w['code']})" in " ".join(text.split())
    verdict = verify(pdf)
    assert not verdict.ok and verdict.failed == "file"
    assert "embeds no signed bundle" in verdict.reason


def test_pdf_lists_paid_absence_days_with_their_surcharges(case_store, tmp_path: Path) -> None:
    cs = case_store([("Ben Meyer", "1001", "E1-sunday-night")])
    ben = cs.members["Ben Meyer"]
    cs.services.plan_shift("2026-03-22T20:00", "2026-03-23T06:00", assignee_id=ben)
    cs.services.record_absence(ben, "sick", "2026-03-22", "2026-03-22")
    pdf = export_month(cs.services, "2026-03", ["pdf"], tmp_path).paths[0]
    lines = [" ".join(line.split()) for line in _text(pdf).splitlines()]
    assert "Krank: 22.03.2026 bis 22.03.2026" in lines
    row = lines.index("So 22.03.2026 20:00 06:00 (+1) – Krank 10,00 Nacht 25 %: 6,00")
    assert lines[row + 1:row + 3] == ["Nacht 40 %: 4,00", "Sonntag 50 %: 8,00"]
    assert any("bezahlte Abwesenheit 10,00" in line for line in lines)
