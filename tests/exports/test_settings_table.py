"""Export settings: one typed table, stored beside the store, every entry documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InputError
from app.exports import settings as export_settings


def test_export_settings_round_trip_and_defaults(tmp_path: Path) -> None:
    assert export_settings.load(tmp_path) == export_settings.defaults()
    path = export_settings.save(tmp_path, {"berater_nr": "12345", "lohnart_base": "1000"})
    assert path == tmp_path / "export-settings.json"
    loaded = export_settings.load(tmp_path)
    assert (loaded["berater_nr"], loaded["lohnart_base"], loaded["lohnart_night25"]) == (
        "12345", "1000", "201")


def test_export_settings_refuse_unknown_names_and_wrong_types(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        export_settings.validate({"berater": "1"})
    assert err.value.field == "berater"
    with pytest.raises(InputError) as err:
        export_settings.validate({"mandanten_nr": 678})
    assert err.value.field == "mandanten_nr"
    with pytest.raises(InputError):
        export_settings.validate({"minijob_employer": "both"})
    (tmp_path / "export-settings.json").write_text("{not json", "utf-8")
    with pytest.raises(InputError) as err:
        export_settings.load(tmp_path)
    assert err.value.field == "export-settings.json"


def test_every_export_setting_is_documented() -> None:
    table = export_settings.markdown()
    for setting in export_settings.EXPORT_SETTINGS:
        assert f"| `{setting.name}` |" in table
        assert setting.help.endswith(".")
    # Every pay line class has a Lohnart setting.
    from app.domain.timesheet import LINE_CLASSES

    assert {f"lohnart_{c}" for c in LINE_CLASSES} <= set(export_settings.BY_NAME)


def test_export_settings_datev_numbers_have_the_documented_form(tmp_path: Path) -> None:
    for name, bad in (("berater_nr", "abc"), ("berater_nr", "12;3"), ("berater_nr", "999"),
                      ("berater_nr", "12345678"), ("mandanten_nr", "123456"),
                      ("mandanten_nr", "0"), ("fehlzeit_sick", "K")):
        with pytest.raises(InputError) as err:
            export_settings.validate({name: bad})
        assert err.value.field == name
    assert export_settings.validate({"berater_nr": "1001", "mandanten_nr": "99999"})
    with pytest.raises(InputError) as err:
        export_settings.require_datev(export_settings.defaults(), tmp_path / "x.json")
    assert "BeraterNr und MandantenNr fehlen" in str(err.value)
    assert str(tmp_path / "x.json") in str(err.value)
    with pytest.raises(InputError, match="MandantenNr fehlt"):
        export_settings.require_datev({**export_settings.defaults(), "berater_nr": "1001"})
