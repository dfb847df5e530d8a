"""Page layout shared by the PDF exports: the font, wrapped paragraphs and wrapped table rows.

Nothing is cut: every cell wraps inside its column, a row that does not fit on the page
starts a new page and repeats the table's heading row, a long title wraps. (Only a single
word wider than its whole column is split between characters.)

The font comes from Debian's fonts-dejavu-core (scripts/system-deps.sh); a font elsewhere can
be named with ``ASSISTENZZEIT_PDF_FONT_DIR``. Parsing and subsetting the whole DejaVu Sans
(6,253 glyphs) took most of a PDF's time, so the font is cut down once to the European
scripts (Latin, Greek, Cyrillic, punctuation, currency, arrows: ``SCRIPTS``, 1,323 glyphs)
and kept in the user cache folder (about 0.4 s, once per machine and font version). Should
that fail, the full font is used. Characters outside ``SCRIPTS`` are not shown.

Output is deterministic (no random parts; the creation date is given, e.g. the time of the
last signature): ``verify`` renders a signed month again and compares the pages byte for byte
(``app.exports.pdf_check``). ``LAYOUT`` names this layout; change it whenever the drawing
changes.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf import __version__ as fpdf_version
from fpdf.enums import MethodReturnValue
from platformdirs import user_cache_dir

from app import settings

LAYOUT = "assistenzzeit-pdf/2"
FONT_DIR = Path(settings.get("pdf_font_dir"))
SCRIPTS = [(0x20, 0x24F), (0x370, 0x4FF), (0x2000, 0x206F), (0x20A0, 0x20CF),
           (0x2100, 0x214F), (0x2190, 0x21FF), (0x2713, 0x2717)]
LINE = 4.2  # mm per line of 8.5 pt text
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


class Pdf(FPDF):
    """A4 page with a footer line, headings, wrapped paragraphs and wrapped table rows."""

    def __init__(self, title: str, footer: str, created: datetime | None = None) -> None:
        super().__init__(format="A4")
        self._footer = footer
        self._header_row: tuple[Sequence[float], Sequence[str], str] | None = None
        # One face only: every extra face costs a font parse and a subset per PDF; headings
        # stand out by size and rules instead of weight.
        self.add_font("DejaVu", "", str(font_file("DejaVuSans.ttf")))
        self.set_auto_page_break(True, margin=16)
        self.set_title(title)
        self.set_creator("Assistenzzeit")
        self.set_keywords(LAYOUT)
        if created is not None:
            self.set_creation_date(created)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 5, f"{self._footer} · Seite {self.page_no()}/{{nb}}", align="C")

    def lines(self, text: str, width: float) -> list[str]:
        """``text`` broken into lines that fit ``width`` (mm) in the current font."""
        inner = width - 2 * self.c_margin
        out: list[str] = []
        for part in text.split("\n"):
            # fpdf2 measures a line again for every character it adds; most lines fit, so
            # measure once first.
            if self.get_string_width(part) <= inner:
                out.append(part)
            else:
                wrapped = self.multi_cell(width, LINE, part, dry_run=True,
                                          output=MethodReturnValue.LINES)
                out += wrapped if isinstance(wrapped, list) else [part]
        return out

    def title_block(self, text: str) -> None:
        self.set_font("DejaVu", "", 15)
        self.multi_cell(0, 7.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def heading(self, text: str, keep: float = 24) -> None:
        """A section heading, never alone at the foot of a page: ``keep`` mm of what follows
        must fit under it."""
        self._header_row = None
        if self.get_y() > self.page_break_trigger - keep:
            self.add_page()
        self.ln(2)
        self.set_font("DejaVu", "", 12)
        self.multi_cell(0, 6.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 8.5)

    def para(self, text: str, size: float = 8.5, indent: float = 0) -> None:
        self.set_font("DejaVu", "", size)
        x = self.l_margin + indent
        height = LINE * size / 8.5
        for line in self.lines(text, self.w - self.r_margin - x):
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
            self.set_x(x)
            self.cell(0, height, line, new_x="LMARGIN", new_y="NEXT")

    def row(self, widths: Sequence[float], values: Sequence[str], aligns: str = "",
            header: bool = False, note: str = "", rule: bool = False) -> None:
        """One table row; each cell wraps in its column. ``note`` is a line under the row
        from the second column on, kept on the row's page; ``rule`` draws a faint line
        under the row. ``header`` rows are underlined and drawn again at the top of a new
        page when the table continues there."""
        self.set_font("DejaVu", "", 8.5)
        cells = [self.lines(v, w) for w, v in zip(widths, values, strict=True)]
        noted = self.lines(note, sum(widths[1:])) if note else []
        tall = max(len(c) for c in cells) * LINE
        height = tall + len(noted) * LINE + (0.8 if header or rule else 0)
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
            if self._header_row is not None and not header:
                self.row(*self._header_row, header=True)
        if header:
            self._header_row = (widths, values, aligns)
        x, y = self.l_margin, self.get_y()
        for i, (w, cell) in enumerate(zip(widths, cells, strict=True)):
            align = "R" if aligns[i:i + 1] == "R" else "L"
            for n, line in enumerate(cell):
                self.set_xy(x, y + n * LINE)
                self.cell(w, LINE, line, align=align)
            x += w
        for n, line in enumerate(noted):
            self.set_xy(self.l_margin + widths[0], y + tall + n * LINE)
            self.cell(sum(widths[1:]), LINE, line)
        if header or rule:
            self.set_draw_color(0 if header else 190)
            self.line(self.l_margin, y + height - 0.4, x, y + height - 0.4)
            self.set_draw_color(0)
        self.set_xy(self.l_margin, y + height)

    def end_table(self) -> None:
        self._header_row = None
        self.ln(1)

    def signature_lines(self, labels: Sequence[str], gap: float = 14) -> None:
        """Lines for handwritten signatures side by side, each label wrapped under its line."""
        if self.get_y() + gap + 14 > self.page_break_trigger:
            self.add_page()
        self.ln(gap)
        y = self.get_y()
        width = (self.w - self.l_margin - self.r_margin - 10 * (len(labels) - 1)) / len(labels)
        self.set_font("DejaVu", "", 7.5)
        bottom = y
        for i, label in enumerate(labels):
            x = self.l_margin + i * (width + 10)
            self.line(x, y, x + width, y)
            for n, line in enumerate(self.lines(label, width)):
                self.set_xy(x, y + 1 + n * 3.8)
                self.cell(width, 3.8, line)
                bottom = max(bottom, y + 1 + (n + 1) * 3.8)
        self.set_xy(self.l_margin, bottom + 2)
