"""WCAG 2.x contrast of every text/background colour pair each theme draws (issue #4: AA in
every theme, AAA in high contrast). The ratio is computed from relative luminance as WCAG 2.2
defines it (sRGB channels linearised, L = 0.2126 R + 0.7152 G + 0.0722 B,
ratio = (L1 + 0.05) / (L2 + 0.05))."""

from __future__ import annotations

import flet as ft
import pytest

from app.views import theme
from app.views.state import Session, StoreHolder

LIMITS = {"light": 4.5, "dark": 4.5, "contrast": 7.0}


def luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    assert len(value) == 6, f"{hex_colour}: only opaque #RRGGBB is tested"
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_known_values():
    assert ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the AA edge grey
    assert ratio("#777777", "#FFFFFF") < 4.5


@pytest.mark.parametrize("name", list(theme.SCHEMES))
def test_contrast_every_text_pair_meets_wcag(name: str):
    scheme = theme.SCHEMES[name]
    failing = []
    for fg, bg in theme.TEXT_PAIRS:
        front, back = getattr(scheme, fg), getattr(scheme, bg)
        assert front and back, f"{name}: {fg} or {bg} is not set explicitly"
        value = ratio(front, back)
        if value < LIMITS[name]:
            failing.append(f"{fg} {front} on {bg} {back}: {value:.2f}")
    assert not failing, f"{name} below {LIMITS[name]}: {failing}"


@pytest.mark.parametrize("name", ["light", "dark", "contrast"])
def test_contrast_apply_theme_uses_the_tested_schemes(name: str, holder: StoreHolder):
    class Page:
        theme = dark_theme = theme_mode = bgcolor = None

    page = Page()
    session = Session(holder=holder)
    session.theme = name
    theme.apply_theme(page, session)  # type: ignore[arg-type]
    active = page.dark_theme if page.theme_mode == ft.ThemeMode.DARK else page.theme
    assert active.color_scheme is theme.SCHEMES[name]


@pytest.mark.parametrize("name", list(theme.SCHEMES))
def test_contrast_focus_ring_against_both_neighbours(name: str):
    scheme = theme.SCHEMES[name]
    ring = getattr(scheme, theme.FOCUS_RING)
    for neighbour in theme.FOCUS_NEIGHBOURS:
        assert ratio(ring, getattr(scheme, neighbour)) >= 3.0, (name, neighbour)


def test_contrast_focus_style_uses_the_tested_roles():
    from app.views.widgets import focus_style

    focused = ft.ControlState.FOCUSED
    filled = focus_style(filled=True)
    assert filled["side"][focused].color == ft.Colors.ON_SURFACE
    assert filled["side"][focused].width >= 3
    assert filled["bgcolor"][focused] == ft.Colors.SURFACE
    assert focus_style(filled=False)["side"][focused].color == ft.Colors.ON_SURFACE
