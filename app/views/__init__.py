"""Flet views, one module per screen, plus the shell (routing, theme, i18n)."""
