"""UI text in German (de), Leichte Sprache (de-LS) and English (en)."""
