"""The CLI says an error in the language setting (ASSISTENZZEIT_LANGUAGE): an unreadable
.ics file, and a relay refusal the client knows, in English and Leichte Sprache."""

from __future__ import annotations

from pathlib import Path

import pytest

import app.cli
from app.errors import RelayRefused
from app.sync import protocol


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "Die Datei {path} lässt sich nicht lesen: No such file or directory."),
    ("en", "The file {path} cannot be read: No such file or directory."),
    ("de-LS", "Die App kann die Datei nicht lesen: {path}."),
])
def test_cli_ics_file_error_in_the_language_setting(
        lang: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ASSISTENZZEIT_LANGUAGE", lang)
    missing = tmp_path / "gibtsnicht.ics"
    assert app.cli.main(["ics-import", str(missing), "--store", str(tmp_path / "s")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"assistenzzeit: {expected.format(path=missing)} (file)\n"


def test_known_relay_refusal_reads_in_each_language() -> None:
    reason = "this invite code has been used already"
    err = RelayRefused(409, reason, protocol.REFUSALS[reason])
    assert err.text("en") == ("This invitation code has been used already "
                              "(relay 409: this invite code has been used already).")
    assert err.text("de-LS") == "Der Code ist schon benutzt. Bitte nach einem neuen Code fragen."
    assert str(err).startswith("Dieser Einladungscode wurde schon benutzt")
    # A refusal the client does not know keeps the relay's own words.
    other = RelayRefused(400, "limit must be 1…5000")
    assert other.text("en") == "The relay refuses (400): limit must be 1…5000"


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "kein Assistenzzeit-Bündel (die Angabe format fehlt)"),
    ("en", "not an Assistenzzeit bundle (format missing)"),
    ("de-LS", "Die Datei ist kein Stunden-Nachweis von Assistenzzeit."),
])
def test_cli_verify_reason_in_the_language_setting(
        lang: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ASSISTENZZEIT_LANGUAGE", lang)
    odd = tmp_path / "odd.json"
    odd.write_text('{"format": "something else"}', encoding="utf-8")
    assert app.cli.main(["verify", str(odd)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"UNGÜLTIG / INVALID: file: {expected}\n"
