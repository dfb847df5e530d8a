"""Does a PDF Stundennachweis show what was signed? ``page_problem(pdf_bytes, bundle)``.

The embedded bundle proves the data; the page is what a person reads. A page whose figures
were painted over (a white box and another number on top, the attachment untouched) must
not pass. So ``verify`` draws the page again from the signed bundle
(``pdf_stundennachweis.render_signed``; the layout is deterministic) and compares, page by
page, everything that decides what is seen:

* the decoded content streams (all drawing and text operators), byte for byte;
* the page dictionary with its resources — fonts (with the embedded font program), images
  (the QR code), annotations, boxes, rotation, inherited attributes — compared as a tree
  of values, with stream data by SHA-256;
* the number of pages.

Not compared: how the file is stored (object numbers, compression, incremental updates,
the document information dictionary apart from the layout mark), so a PDF re-saved by
another tool without changes still passes. The comparison needs the same layout
(``pdf_layout.LAYOUT``, kept in the PDF's keywords): a PDF made by a version with another
layout cannot be compared here, and ``verify`` says so rather than call it valid.

Input is outside data: size and tree walk are bounded (``MAX_NODES``), and pypdf's own
limits bound decompression.
"""

from __future__ import annotations

import difflib
import hashlib
import io
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from app.errors import InputError
from app.exports.pdf_layout import LAYOUT

MAX_NODES = 200_000
# Attributes a page inherits from its parents in the page tree (PDF 32000-1, 7.7.3.4).
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
# How a stream is stored; its decoded data is compared instead.
STORAGE_KEYS = {"/Length", "/Filter", "/DecodeParms"}
DIFFERS = ("die sichtbare Seite weicht von den unterschriebenen Daten ab / the visible page "
           "differs from the signed data")


class _Walk:
    """Turns a pypdf object tree into plain, comparable values, within ``MAX_NODES``."""

    def __init__(self) -> None:
        self.nodes = 0

    def value(self, obj: Any, path: frozenset[int] = frozenset()) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise InputError("error.pdf.tree_too_large", "file")
        if isinstance(obj, IndirectObject):
            if obj.idnum in path:
                return "<cycle>"
            path = path | {obj.idnum}
            obj = obj.get_object()
        if isinstance(obj, StreamObject):
            head = {k: v for k, v in obj.items() if k not in STORAGE_KEYS}
            return ("stream", self.value(DictionaryObject(head), path),
                    hashlib.sha256(obj.get_data()).hexdigest())
        if isinstance(obj, DictionaryObject):
            return ("dict", tuple(sorted((str(k), self.value(v, path))
                                         for k, v in obj.items() if k != "/Parent")))
        if isinstance(obj, ArrayObject):
            return ("array", tuple(self.value(v, path) for v in obj))
        if isinstance(obj, NameObject):
            return ("name", str(obj))
        if isinstance(obj, (int, float)):
            return ("number", round(float(obj), 4))
        return (type(obj).__name__, repr(obj))


def _contents(page: DictionaryObject) -> bytes:
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object()
    streams = contents if isinstance(contents, ArrayObject) else [contents]
    return b"\n".join(s.get_object().get_data() for s in streams)


def _page(page: DictionaryObject, walk: _Walk) -> tuple[bytes, Any]:
    """(content bytes, every other attribute) of one page, inherited attributes included."""
    attributes = {k: v for k, v in page.items() if k not in ("/Parent", "/Contents")}
    parent = page.get("/Parent")
    for _ in range(64):  # a page tree deeper than this is not one fpdf2 wrote
        if parent is None:
            break
        node = parent.get_object()
        for key in INHERITED:
            if key not in attributes and key in node:
                attributes[key] = node[key]
        parent = node.get("/Parent")
    return _contents(page), walk.value(DictionaryObject(attributes))


def _read(raw: bytes) -> PdfReader:
    try:
        return PdfReader(io.BytesIO(raw))
    except (PdfReadError, PyPdfError, ValueError, KeyError) as err:
        raise InputError("error.verify.pdf_unreadable", "file", reason=err) from err


def _text_hint(got: PdfReader, want: PdfReader, index: int) -> str:
    """The first line of text that differs on a page, for the person reading the verdict."""
    try:
        a = got.pages[index].extract_text().splitlines()
        b = want.pages[index].extract_text().splitlines()
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError):
        return ""
    for tag, b0, b1, a0, a1 in difflib.SequenceMatcher(None, b, a, autojunk=False).get_opcodes():
        shown, signed = " / ".join(a[a0:a1][:2])[:160], " / ".join(b[b0:b1][:2])[:160]
        if tag == "insert":
            return f"; die Seite zeigt zusätzlich / the page also shows „{shown}“"
        if tag == "delete":
            return f"; es fehlt / missing „{signed}“"
        if tag == "replace":
            return (f"; die Seite zeigt / the page shows „{shown}“, unterschrieben ist / "
                    f"signed is „{signed}“")
    return "; der Text ist gleich, die Zeichnung nicht / same text, different drawing"


def page_problem(raw: bytes, bundle: dict[str, Any]) -> str | None:
    """None when every page of the PDF ``raw`` is the page drawn from ``bundle``; else why
    not, in words. Raises InputError when the PDF cannot be read."""
    from app.exports.pdf_stundennachweis import render_signed

    got = _read(raw)
    info = got.metadata
    marks = str(info.get("/Keywords", "") or "") if info is not None else ""
    if marks != LAYOUT:
        return ("das PDF wurde mit einer anderen Programmversion erstellt "
                f"({marks or 'ohne Kennung / unmarked'}); seine Seiten können hier nicht mit "
                "den unterschriebenen Daten verglichen werden / made with another version: "
                f"its pages cannot be compared with the signed data here (this one draws "
                f"{LAYOUT})")
    want = _read(render_signed(bundle))
    try:
        pages = list(got.pages)
        if len(pages) != len(want.pages):
            return (f"{DIFFERS}: {len(pages)} Seiten statt / pages instead of "
                    f"{len(want.pages)}")
        walk = _Walk()
        for i, (mine, theirs) in enumerate(zip(pages, want.pages, strict=True)):
            (text_a, rest_a), (text_b, rest_b) = _page(mine, walk), _page(theirs, walk)
            if rest_a != rest_b and "/Annots" in mine:
                return (f"{DIFFERS}: Seite / page {i + 1} trägt Anmerkungen, die nicht zum "
                        "unterschriebenen Dokument gehören / carries annotations that are not "
                        "part of the signed document")
            if text_a != text_b or rest_a != rest_b:
                return f"{DIFFERS}: Seite / page {i + 1}{_text_hint(got, want, i)}"
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise InputError("error.pdf.pages_unreadable", "file", reason=err) from err
    return None
