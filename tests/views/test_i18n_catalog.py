"""Every UI text exists in German and English; Leichte Sprache covers the core flows."""

from __future__ import annotations

import re
from pathlib import Path

from app.i18n import catalog, t
from app.views.shell import PRE_UNLOCK, SCREENS

VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"
LITERAL = re.compile(r"""\bt\(\s*"([a-zA-Z0-9_.\-]+)"\s*[,)]""")


def test_i18n_english_has_every_german_key():
    missing = sorted(set(catalog("de")) - set(catalog("en")))
    assert not missing, missing


def test_i18n_leichte_sprache_keys_exist_in_german():
    extra = sorted(set(catalog("de-LS")) - set(catalog("de")))
    assert not extra, extra


def test_i18n_every_literal_key_in_views_exists():
    used = {k for path in VIEWS.glob("*.py") for k in LITERAL.findall(path.read_text())}
    missing = sorted(k for k in used if k not in catalog("de"))
    assert not missing, missing


def test_i18n_every_screen_has_title_and_help():
    for screen in [*SCREENS, *PRE_UNLOCK]:
        for prefix in ("title.", "help."):
            assert prefix + screen in catalog("de"), prefix + screen
            assert prefix + screen in catalog("en"), prefix + screen


def test_i18n_leichte_sprache_covers_core_flows():
    plain = catalog("de-LS")
    for key in ("start.create", "start.demo", "start.join", "today.clock_in", "today.clock_out",
                "today.break_start", "today.break_end", "today.on_duty", "timesheet.total",
                "timesheet.close_review", "timesheet.add_title", "approvals.requests",
                "approval.approve", "approval.reject", "approval.day_line", "who.prove_pin",
                "approvals.approve", "approvals.reject", "unlock.wrong"):
        assert key in plain and plain[key] != catalog("de")[key], key


def test_i18n_fallbacks_and_values():
    assert t("today.clock_in", "de") == "Dienst beginnen"
    assert t("today.clock_in", "en") == "Start shift"
    assert t("today.clock_in", "de-LS") == "Ich fange an"
    assert t("nav.team", "de-LS") == "Team"  # falls back to German
    assert t("no.such.key", "en") == "no.such.key"
    assert t("team.added", "en", name="Lena") == "Lena was added."
