"""Themes: light, dark and high contrast (WCAG AAA: black on white, 21:1).

Light and dark use Material 3 colour schemes from a dark indigo seed, whose text/background
pairs meet WCAG AA. High contrast sets every role explicitly to black or white, with a dark
blue accent (#00005C on white is about 17:1).
"""

from __future__ import annotations

import flet as ft

from app.views.state import Session

SEED = "#283593"  # indigo 800
CONTRAST = ft.ColorScheme(
    primary="#000000", on_primary="#FFFFFF", primary_container="#000000",
    on_primary_container="#FFFFFF", secondary="#00005C", on_secondary="#FFFFFF",
    secondary_container="#FFFFFF", on_secondary_container="#000000",
    surface="#FFFFFF", on_surface="#000000", on_surface_variant="#000000",
    surface_container_highest="#FFFFFF", outline="#000000", outline_variant="#000000",
    error="#8B0000", on_error="#FFFFFF",
)


def apply_theme(page: ft.Page, session: Session) -> None:
    if session.theme == "contrast":
        page.theme = ft.Theme(color_scheme=CONTRAST, use_material3=True)
        page.theme_mode = ft.ThemeMode.LIGHT
        page.bgcolor = "#FFFFFF"
        return
    page.theme = ft.Theme(color_scheme_seed=SEED, use_material3=True)
    page.dark_theme = ft.Theme(color_scheme_seed=SEED, use_material3=True)
    page.theme_mode = ft.ThemeMode.DARK if session.theme == "dark" else ft.ThemeMode.LIGHT
    page.bgcolor = None
