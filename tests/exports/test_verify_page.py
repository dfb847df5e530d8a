"""``verify`` on a PDF compares its pages with the signed data: a figure painted over on the
page (attachment untouched) is refused, an annotation on top too; a PDF re-saved without
changes still passes."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText

import app.cli
from app.exports import pdf_layout
from app.exports.pdf_layout import LAYOUT
from app.exports.run import export_month
from app.exports.verify import verify
from app.store import timesheets

PT = 25.4 / 72  # mm per PDF point


@pytest.fixture
def signed_pdf(case_store, tmp_path: Path) -> Path:
    cs = case_store([("Deniz Kaya", "1003", "minijob-april-ok")])
    deniz = cs.members["Deniz Kaya"]
    timesheets.submit(cs.services, deniz, "2026-04")
    timesheets.approve(cs.services, deniz, "2026-04", by=cs.proxy)
    return export_month(cs.services, "2026-04", ["pdf"], tmp_path / "out").paths[0]


def _box(pdf: Path, word: str) -> tuple[int, float, float, float, float]:
    """(page index, x0, y0, x1, y1) in points of the first ``word`` on the page."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    page = -1
    for line in out.splitlines():
        page += "<page " in line
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      + re.escape(word) + "<", line)
        if m:
            x0, y0, x1, y1 = (float(g) for g in m.groups())
            return page, x0, y0, x1, y1
    raise AssertionError(f"{word} not on the page")


def _attachment(path: Path) -> bytes:
    (contents,) = [c for n, c in PdfReader(path).attachments.items() if n.endswith(".json")]
    return bytes(contents[0])


def _paint_over(pdf: Path, word: str, new: str, out: Path) -> None:
    """A white box over ``word`` and ``new`` written on it; the rest of the file as it was."""
    page, x0, y0, x1, y1 = _box(pdf, word)
    overlay = FPDF(format="A4")
    overlay.add_page()
    overlay.set_fill_color(255, 255, 255)
    overlay.rect(x0 * PT - 0.5, y0 * PT - 0.3, (x1 - x0) * PT + 1, (y1 - y0) * PT + 0.6,
                 style="F")
    overlay.set_font("helvetica", size=8.5)
    overlay.set_xy(x0 * PT, y0 * PT)
    overlay.cell((x1 - x0) * PT, (y1 - y0) * PT, new, align="R")
    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.pages[page].merge_page(PdfReader(io.BytesIO(bytes(overlay.output()))).pages[0])
    with out.open("wb") as f:
        writer.write(f)


def test_untouched_and_resaved_pdf_verify(signed_pdf: Path, tmp_path: Path) -> None:
    verdict = verify(signed_pdf)
    assert verdict.ok and verdict.page_checked, verdict.text()
    assert "zeigen genau die unterschriebenen Daten" in verdict.text()
    resaved = tmp_path / "resaved.pdf"
    with resaved.open("wb") as f:
        PdfWriter(clone_from=PdfReader(signed_pdf)).write(f)
    assert resaved.read_bytes() != signed_pdf.read_bytes()
    assert verify(resaved).ok


def test_painted_over_figure_is_refused(signed_pdf: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    forged = tmp_path / "forged.pdf"
    _paint_over(signed_pdf, "658,00", "758,00", forged)
    assert _attachment(forged) == _attachment(signed_pdf)  # the signed data is untouched
    text = subprocess.run(["pdftotext", str(forged), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "758,00" in text
    verdict = verify(forged)
    assert (verdict.ok, verdict.failed) == (False, "page")
    assert "the visible page differs from the signed data" in verdict.reason
    assert "the page also shows „758,00“" in verdict.reason  # and says what it shows
    assert app.cli.main(["verify", str(forged)]) == 1
    assert "UNGÜLTIG / INVALID: page" in capsys.readouterr().err


def test_white_box_without_new_text_is_refused(signed_pdf: Path, tmp_path: Path) -> None:
    forged = tmp_path / "hidden.pdf"
    _paint_over(signed_pdf, "658,00", "", forged)
    verdict = verify(forged)
    assert (verdict.ok, verdict.failed) == (False, "page")
    assert "same text, different drawing" in verdict.reason


def test_annotation_on_top_is_refused(signed_pdf: Path, tmp_path: Path) -> None:
    page, x0, y0, x1, y1 = _box(signed_pdf, "658,00")
    writer = PdfWriter(clone_from=PdfReader(signed_pdf))
    height = float(writer.pages[page].mediabox.height)
    writer.add_annotation(page, FreeText(text="758,00", rect=(x0, height - y1, x1 + 2,
                                                              height - y0)))
    forged = tmp_path / "annotated.pdf"
    with forged.open("wb") as f:
        writer.write(f)
    verdict = verify(forged)
    assert (verdict.ok, verdict.failed) == (False, "page")
    assert "annotations" in verdict.reason


def test_pdf_of_another_layout_is_not_called_valid(signed_pdf: Path, tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(signed_pdf))
    writer.add_metadata({"/Keywords": "assistenzzeit-pdf/1"})
    other = tmp_path / "other.pdf"
    with other.open("wb") as f:
        writer.write(f)
    verdict = verify(other)
    assert (verdict.ok, verdict.failed) == (False, "page")
    assert "another version" in verdict.reason and LAYOUT in verdict.reason


def test_no_font_to_draw_with_is_said_not_a_traceback(signed_pdf: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_layout, "FONT_DIR", tmp_path / "no-fonts")
    monkeypatch.setattr(pdf_layout, "_fonts", {})
    verdict = verify(signed_pdf)
    assert (verdict.ok, verdict.failed) == (False, "page")
    assert "cannot be drawn on this machine" in verdict.reason


def test_truncated_pdf_fails_with_a_reason(signed_pdf: Path, tmp_path: Path) -> None:
    raw = signed_pdf.read_bytes()
    for cut in (len(raw) // 3, len(raw) - 200):
        broken = tmp_path / f"cut{cut}.pdf"
        broken.write_bytes(raw[:cut])
        verdict = verify(broken)
        assert not verdict.ok and verdict.failed in ("file", "page") and verdict.reason
