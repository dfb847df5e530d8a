"""UI text in German (de), Leichte Sprache (de-LS) and English (en).

All text a person sees goes through ``t(key, lang, **values)``. German is the reference:
every key exists in ``de.json``; ``en.json`` has every key too (a test checks it);
``de-LS.json`` (Leichte Sprache, plain German) overrides only where the plain wording differs
and falls back to German otherwise.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("de", "en", "de-LS")
_DIR = Path(__file__).resolve().parent


@cache
def catalog(lang: str) -> dict[str, str]:
    """The strings of one language file (without fallback)."""
    path = _DIR / f"{lang}.json"
    with path.open(encoding="utf-8") as fh:
        data: dict[str, str] = json.load(fh)
    return data


def t(key: str, lang: str = "de", **values: object) -> str:
    """The text for ``key`` in ``lang``; Leichte Sprache falls back to German, every language
    falls back to German and then to the key itself (so a missing text is visible, not a
    crash)."""
    chain = ("de-LS", "de") if lang == "de-LS" else (lang, "de")
    for code in chain:
        text = catalog(code).get(key) if code in LANGUAGES else None
        if text is not None:
            return text.format(**values) if values else text
    return key
