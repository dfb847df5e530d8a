"""Themes: light, dark and high contrast (WCAG AA in light and dark, AAA in high contrast).

Why explicit colour schemes: a Material 3 scheme generated from a seed exists only inside
Flutter, so its contrast could not be checked from Python. Light and dark therefore set every
role that carries text or sits behind text explicitly (an indigo palette close to what the
seed #283593 generates); the seed only fills the roles nobody reads text on.
``tests/views/test_contrast.py`` computes the WCAG 2.x ratio of every pair in ``TEXT_PAIRS``:
≥ 4.5 for light and dark, ≥ 7 for high contrast (black on white, 21:1).
"""

from __future__ import annotations

import flet as ft

from app.views.state import Session

SEED = "#283593"  # indigo 800
LIGHT = ft.ColorScheme(
    primary="#283593", on_primary="#FFFFFF", primary_container="#DDE1FF",
    on_primary_container="#000F5C", secondary="#4E5578", on_secondary="#FFFFFF",
    secondary_container="#DEE1F9", on_secondary_container="#171B2C",
    tertiary="#6B4F71", on_tertiary="#FFFFFF", tertiary_container="#F4D9F9",
    on_tertiary_container="#26102B",
    surface="#FBF8FF", on_surface="#1B1B21", on_surface_variant="#45464F",
    surface_container_lowest="#FFFFFF", surface_container_low="#F5F2FA",
    surface_container="#EFEDF4", surface_container_high="#E9E7EF",
    surface_container_highest="#E4E1E9",
    outline="#767680", outline_variant="#C6C5D0",
    error="#BA1A1A", on_error="#FFFFFF", error_container="#FFDAD6",
    on_error_container="#410002",
    inverse_surface="#303036", on_inverse_surface="#F2EFF7", inverse_primary="#BAC3FF",
)
DARK = ft.ColorScheme(
    primary="#BAC3FF", on_primary="#08218A", primary_container="#2A3A94",
    on_primary_container="#DDE1FF", secondary="#C3C5DD", on_secondary="#2C2F42",
    secondary_container="#434659", on_secondary_container="#DFE1F9",
    tertiary="#E4BAEA", on_tertiary="#3B2341", tertiary_container="#523958",
    on_tertiary_container="#FFD6FF",
    surface="#121318", on_surface="#E4E1E9", on_surface_variant="#C6C5D0",
    surface_container_lowest="#0D0E13", surface_container_low="#1B1B21",
    surface_container="#1F1F25", surface_container_high="#2A292F",
    surface_container_highest="#34343A",
    outline="#90909A", outline_variant="#46464F",
    error="#FFB4AB", on_error="#690005", error_container="#93000A",
    on_error_container="#FFDAD6",
    inverse_surface="#E4E1E9", on_inverse_surface="#303036", inverse_primary="#4355B9",
)
CONTRAST = ft.ColorScheme(
    primary="#000000", on_primary="#FFFFFF", primary_container="#000000",
    on_primary_container="#FFFFFF", secondary="#00005C", on_secondary="#FFFFFF",
    secondary_container="#FFFFFF", on_secondary_container="#000000",
    tertiary="#000000", on_tertiary="#FFFFFF", tertiary_container="#FFFFFF",
    on_tertiary_container="#000000",
    surface="#FFFFFF", on_surface="#000000", on_surface_variant="#000000",
    surface_container_lowest="#FFFFFF", surface_container_low="#FFFFFF",
    surface_container="#FFFFFF", surface_container_high="#FFFFFF",
    surface_container_highest="#FFFFFF", outline="#000000", outline_variant="#000000",
    error="#8B0000", on_error="#FFFFFF", error_container="#FFFFFF",
    on_error_container="#8B0000",
    inverse_surface="#000000", on_inverse_surface="#FFFFFF", inverse_primary="#FFFFFF",
)
SCHEMES = {"light": LIGHT, "dark": DARK, "contrast": CONTRAST}
# (text role, background role): every pair the screens draw text with. Buttons: filled
# (on_primary/primary) and outlined (primary on surface); cards sit on surface_container_low;
# the navigation rail's chosen item on secondary_container; *Meine Dienste* calendar days
# with shifts on primary_container; error messages in error on surface.
TEXT_PAIRS = (
    ("on_surface", "surface"), ("on_surface_variant", "surface"), ("primary", "surface"),
    ("on_primary", "primary"), ("error", "surface"), ("on_error", "error"),
    ("on_surface", "surface_container_low"), ("on_surface_variant", "surface_container_low"),
    ("primary", "surface_container_low"), ("error", "surface_container_low"),
    ("on_surface", "surface_container_highest"),
    ("on_surface_variant", "surface_container_highest"),
    ("on_primary_container", "primary_container"), ("on_secondary", "secondary"),
    ("on_secondary_container", "secondary_container"),
    ("on_tertiary_container", "tertiary_container"),
    ("on_error_container", "error_container"), ("on_inverse_surface", "inverse_surface"),
)

# The keyboard focus ring (``widgets.focus_style``): a 3 px ``on_surface`` border; the focused
# button is filled with ``surface``, the page or card behind it is ``surface`` or
# ``surface_container_low``. WCAG 2.2 (1.4.11, 2.4.13) asks 3:1 against both neighbours.
FOCUS_RING = "on_surface"
FOCUS_NEIGHBOURS = ("surface", "surface_container_low")


def apply_theme(page: ft.Page, session: Session) -> None:
    if session.theme == "contrast":
        page.theme = ft.Theme(color_scheme=CONTRAST, use_material3=True)
        page.theme_mode = ft.ThemeMode.LIGHT
        page.bgcolor = "#FFFFFF"
        return
    page.theme = ft.Theme(color_scheme_seed=SEED, color_scheme=LIGHT, use_material3=True)
    page.dark_theme = ft.Theme(color_scheme_seed=SEED, color_scheme=DARK, use_material3=True)
    page.theme_mode = ft.ThemeMode.DARK if session.theme == "dark" else ft.ThemeMode.LIGHT
    page.bgcolor = None
