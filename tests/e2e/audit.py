"""Accessibility audit of the current screen through Flutter's semantics tree, and the
screenshot helper. Used by ``test_audit_screens.py``; reusable by other browser tests:
``problems(page)`` lists interactive elements without an accessible name or smaller than
48×48 CSS px."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

MIN_PX = 47.5  # 48 px minus sub-pixel layout rounding
# `make screenshots` refreshes the committed pictures in docs/screenshots; an ordinary test
# run writes them to a scratch folder, so running the tests leaves the work tree clean.
SHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots"
         if os.environ.get("ASSISTENZZEIT_WRITE_SCREENSHOTS") == "1"
         else Path(tempfile.gettempdir()) / "assistenzzeit-screenshots")

AUDIT_JS = """(minPx) => {
  const roles = new Set(["button", "textbox", "tab", "checkbox", "switch", "radio", "slider",
                         "combobox", "link", "menuitem", "searchbox", "spinbutton"]);
  const out = [];
  // Flutter reports the *clipped* rectangle of a node inside a scroll view, so a button half
  // scrolled out of view looks small. Skip nodes that touch a scrolling ancestor's or the
  // window's edge: they are measured on the screen where they are fully visible.
  const touches = (a, b) => Math.abs(a.top - b.top) < 1 || Math.abs(a.bottom - b.bottom) < 1;
  const clipped = (el, r) => {
    if (r.top <= 1 || r.bottom >= window.innerHeight - 1) return true;
    // an <input> sits in a semantics node: that node's rectangle is the clipped one
    const own = [r, el.parentElement ? el.parentElement.getBoundingClientRect() : r];
    for (let p = el.parentElement; p; p = p.parentElement) {
      const oy = getComputedStyle(p).overflowY;
      if (oy === "scroll" || oy === "auto" || oy === "hidden") {
        const pr = p.getBoundingClientRect();
        if (pr.height > 0 && own.some((x) => touches(x, pr))) return true;
      }
    }
    return false;
  };
  const nodes = document.querySelectorAll("flt-semantics, input, textarea");
  for (const el of nodes) {
    const tag = el.tagName;
    const role = el.getAttribute("role") || (tag === "INPUT" || tag === "TEXTAREA" ? "textbox" : "");
    if (!roles.has(role)) continue;
    if (tag === "FLT-SEMANTICS" && el.querySelector("input, textarea")) continue; // the input counts
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not laid out (off-screen list items)
    let name = (el.getAttribute("aria-label") || "").trim();
    if (!name && tag === "FLT-SEMANTICS") name = (el.textContent || "").trim();
    if (!name && el.id) {
      const lab = document.querySelector(`[for="${el.id}"]`);
      if (lab) name = lab.textContent.trim();
    }
    const label = `${role} "${name}" ${Math.round(r.width)}x${Math.round(r.height)}`;
    if (!name) out.push("no accessible name: " + label);
    if ((r.width < minPx || r.height < minPx) && !clipped(el, r)) out.push("smaller than 48x48: " + label);
  }
  return out;
}"""


def problems(page: Page) -> list[str]:
    return list(page.evaluate(AUDIT_JS, MIN_PX))


def shoot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# A label cut by its button shows as glyph pixels running into the button's top or bottom
# edge: with the text inside its padding, the rows just inside the edge are one colour (the
# fill, or the page behind an outlined button, or the border line itself).
BOXES_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('flt-semantics[role="button"]')) {
    const r = el.getBoundingClientRect();
    const name = (el.getAttribute("aria-label") || el.textContent || "").trim();
    // Flutter reports a half-scrolled node's clipped rectangle: only whole ones count.
    let whole = r.height >= 47.5 && r.top > 2 && r.bottom < window.innerHeight - 2;
    for (let p = el.parentElement; whole && p; p = p.parentElement) {
      const oy = getComputedStyle(p).overflowY;
      if (oy !== "scroll" && oy !== "auto" && oy !== "hidden") continue;
      const pr = p.getBoundingClientRect();
      if (pr.height > 0 && (r.top < pr.top + 2 || r.bottom > pr.bottom - 2)) whole = false;
    }
    if (whole)
      out.push({name, x: r.left, y: r.top, w: r.width, h: r.height});
  }
  return out;
}"""
EDGE_ROWS = (3, 4, 5, 6)  # px inside the top and bottom edge
TOLERANCE = 48  # sum of |ΔR|+|ΔG|+|ΔB| still counted as the same colour (anti-aliasing)


def _row_mixed(img: Any, x0: int, x1: int, y: int) -> bool:
    pixels = [img.getpixel((x, y))[:3] for x in range(x0, x1)]
    first = pixels[0]
    odd = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, first, strict=True))
              > TOLERANCE)
    return odd >= 2


def cut_labels(page: Page) -> list[str]:
    """Buttons on screen whose label is cut at their top or bottom edge (see above).
    Only the straight part of the edge is read: a stadium's round ends are skipped."""
    from PIL import Image  # Pillow comes with the app's dependencies

    img = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    found = []
    for box in page.evaluate(BOXES_JS):
        x, y, w, h = (round(box[k]) for k in ("x", "y", "w", "h"))
        inset = max(8, h // 2 + 2)
        x0, x1 = x + inset, x + w - inset
        if x1 - x0 < 8 or h < 16:
            continue
        rows = [y + d for d in EDGE_ROWS] + [y + h - 1 - d for d in EDGE_ROWS]
        rows = [r for r in rows if 0 <= r < img.height]
        if any(_row_mixed(img, x0, x1, r) for r in rows):
            found.append(f"label cut: {box['name']!r} {w}x{h}")
    return found
